// Package validate checks GameDays completely: gameday.Parse's rules plus
// the strict typed checks of the custom resources (pkg/chaoscheck, which
// imports Chaos Mesh's API module). The CLI, the CDK synth and the
// preflight step use it; Lambdas that do not validate must not import it.
package validate

import (
	"fmt"
	// Time zones for schedule.timezone, wherever the validator runs (the
	// preflight Lambda's image has no system tzdata).
	_ "time/tzdata"

	"github.com/gameday-dev/gameday/pkg/chaoscheck"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
)

// File parses and checks a GameDay file; on bad input it returns every
// problem at once as gameday.Problems, each with its line and column.
func File(name string, data []byte) (*gameday.Spec, error) {
	doc, ps := gameday.ParseDocument(name, data)
	if doc == nil {
		return nil, ps
	}
	if all := doc.Merge(ps, check(doc.Spec)); len(all) > 0 {
		return nil, all
	}
	return doc.Spec, nil
}

// Spec checks an already decoded GameDay (the state machine carries it as
// JSON) with the same rules as File; problems have paths but no positions.
func Spec(s *gameday.Spec) error {
	return check(s).Sort().Err()
}

func check(s *gameday.Spec) gameday.Problems {
	ps := gameday.Check(s)
	if s == nil {
		return ps
	}
	reported := map[string]bool{}
	for _, p := range ps {
		reported[p.Path] = true
	}
	add := func(more gameday.Problems) {
		for _, p := range more {
			if !reported[p.Path] { // gameday's own message says it better
				ps = append(ps, p)
			}
		}
	}
	for i := range s.Spec.Faults {
		f := &s.Spec.Faults[i]
		path := fmt.Sprintf("spec.faults[%d]", i)
		switch {
		case f.ChaosMesh != nil && f.ChaosMesh.APIVersion == gameday.ChaosMeshAPIVersion:
			add(chaoscheck.ChaosMesh(f.ChaosMesh, path+".chaosMesh"))
		case f.Litmus != nil && f.Litmus.Kind == gameday.LitmusKind:
			add(chaoscheck.Litmus(f.Litmus, path+".litmus"))
		default:
			add(injected(f, path))
		}
	}
	return ps
}

// injected checks the custom resource of a raw
// aws:eks:inject-kubernetes-custom-resource action strictly, as a
// chaosMesh: or litmus: fault's, at the raw action's fields.
func injected(f *gameday.Fault, path string) gameday.Problems {
	inj, err := f.Injected()
	if inj == nil || err != nil { // gameday.Check reports a spec that is not JSON
		return nil
	}
	var ps gameday.Problems
	switch {
	case inj.ChaosMesh != nil:
		ps = chaoscheck.ChaosMesh(inj.ChaosMesh, path+".chaosMesh")
	case inj.Litmus.Kind == gameday.LitmusKind:
		ps = chaoscheck.Litmus(inj.Litmus, path+".litmus")
	}
	for i := range ps {
		ps[i].Path = gameday.InjectedPath(path, ps[i].Path)
	}
	return ps
}

// ReadFile reads the GameDay file name (gameday.ReadFile) and checks it
// as File does: the spec and the bytes read, or the problems, each with
// its line and column, or an error naming a file it cannot read.
func ReadFile(name string) (*gameday.Spec, []byte, error) {
	return ReadFileUnder(name, nil, policy.Where{})
}

// ReadFileUnder is ReadFile, checking as FileUnder does: what every CLI
// command that takes a GameDay file reads it with.
func ReadFileUnder(name string, p *policy.Policy, where policy.Where) (*gameday.Spec, []byte, error) {
	data, err := gameday.ReadFile(name)
	if err != nil {
		return nil, nil, err
	}
	s, err := FileUnder(name, data, p, where)
	if err != nil {
		return nil, nil, err
	}
	return s, data, nil
}

// FileUnder is File, then the deployment's policy: a GameDay valid by
// gameday's rules but outside the policy gets one problem per violation,
// FILE:LINE:COL: path: message (policy NAME: rule). A nil policy checks
// nothing more than File.
func FileUnder(name string, data []byte, p *policy.Policy, where policy.Where) (*gameday.Spec, error) {
	doc, ps := gameday.ParseDocument(name, data)
	if doc == nil {
		return nil, ps
	}
	if all := doc.Merge(ps, check(doc.Spec)); len(all) > 0 {
		return nil, all
	}
	if all := doc.Merge(nil, policy.Check(p, doc.Spec, where)); len(all) > 0 {
		return nil, all
	}
	return doc.Spec, nil
}
