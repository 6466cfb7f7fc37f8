package fissim

import (
	"net/url"
	"slices"
	"sort"

	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

func (s *Service) action(id string) actionOutFull {
	spec := actionSpecs[id]
	out := actionOutFull{ID: id, Arn: s.arn("action", id), Description: spec.description, Tags: map[string]string{},
		Parameters: map[string]actionParameter{}}
	for name, desc := range spec.params {
		out.Parameters[name] = actionParameter{Description: desc, Required: slices.Contains(spec.required, name)}
	}
	if spec.targetKey != "" {
		out.Targets = map[string]actionTarget{spec.targetKey: {ResourceType: spec.targetType}}
	}
	return out
}

// listActions lists the actions the simulator runs (FIS has many more).
func (s *Service) listActions(q url.Values) (any, *wire.Error) {
	ids := make([]string, 0, len(actionSpecs))
	for id := range actionSpecs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	start, end, next, err := page(q, "actions", len(ids))
	if err != nil {
		return nil, err
	}
	out := []actionOutFull{}
	for _, id := range ids[start:end] {
		a := s.action(id)
		a.Parameters = nil // summaries carry no parameters
		out = append(out, a)
	}
	resp := map[string]any{"actions": out}
	if next != "" {
		resp["nextToken"] = next
	}
	return resp, nil
}

func (s *Service) getAction(id string) (any, *wire.Error) {
	if _, ok := actionSpecs[id]; !ok {
		return nil, notFound("Action %s not found.", id)
	}
	return map[string]any{"action": s.action(id)}, nil
}

func (s *Service) listResolvedTargets(id string, q url.Values) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.experiments[id]
	if !ok {
		return nil, notFound("Experiment %s not found.", id)
	}
	var all []resolvedTarget
	for _, r := range e.resolved {
		if n := q.Get("targetName"); n == "" || r.TargetName == n {
			all = append(all, r)
		}
	}
	start, end, next, err := page(q, "resolvedTargets", len(all))
	if err != nil {
		return nil, err
	}
	resp := map[string]any{"resolvedTargets": append([]resolvedTarget{}, all[start:end]...)}
	if next != "" {
		resp["nextToken"] = next
	}
	return resp, nil
}
