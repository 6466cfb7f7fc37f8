package fissim

import (
	"net/url"

	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// action is the GetAction shape of a catalogue action.
func (s *Service) action(a fisactions.Action) actionOutFull {
	out := actionOutFull{ID: a.ID, Arn: s.arn("action", a.ID), Description: a.Description, Tags: map[string]string{},
		Parameters: map[string]actionParameter{}}
	for name, p := range a.Parameters {
		out.Parameters[name] = actionParameter{Description: p.Description, Required: p.Required}
	}
	for key, rt := range a.Targets {
		if out.Targets == nil {
			out.Targets = map[string]actionTarget{}
		}
		out.Targets[key] = actionTarget{ResourceType: rt}
	}
	return out
}

// listActions lists the actions of the FIS actions reference (the
// catalogue, pkg/fisactions), without former ids; the simulator runs only
// ActionInjectCR and ActionWait.
func (s *Service) listActions(q url.Values) (any, *wire.Error) {
	var all []fisactions.Action
	for _, a := range fisactions.All() {
		if a.RenamedTo == "" {
			all = append(all, a)
		}
	}
	start, end, next, err := page(q, "actions", len(all))
	if err != nil {
		return nil, err
	}
	out := []actionOutFull{}
	for _, a := range all[start:end] {
		sum := s.action(a)
		sum.Parameters = nil // summaries carry no parameters
		out = append(out, sum)
	}
	resp := map[string]any{"actions": out}
	if next != "" {
		resp["nextToken"] = next
	}
	return resp, nil
}

func (s *Service) getAction(id string) (any, *wire.Error) {
	a, ok := fisactions.Get(id)
	if !ok {
		return nil, notFound("Action %s not found.", id)
	}
	return map[string]any{"action": s.action(a)}, nil
}

func (s *Service) listResolvedTargets(id string, q url.Values) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, aerr := s.experiment(id)
	if aerr != nil {
		return nil, aerr
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
