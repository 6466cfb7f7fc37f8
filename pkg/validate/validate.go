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
		}
	}
	return ps
}
