// Package fisactions is the catalogue of AWS FIS actions: every action of
// the FIS actions reference, with its target key and resource type and its
// parameters. It is data (actions.json, checked against the reference's
// list in testdata by its test) and the one place that the simulator
// (ListActions, GetAction, template validation), GameDay validation and
// the import command read FIS actions from. It imports no other gameday
// package, so that the simulator can use it.
package fisactions

import (
	_ "embed"
	"encoding/json"
	"sort"
	"time"
)

//go:embed actions.json
var actionsJSON []byte

// Source is the page the catalogue follows.
const Source = "https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html"

// InjectCustomResource is the action that creates a Kubernetes custom
// resource in an EKS cluster (every chaosMesh: and litmus: fault of a
// GameDay becomes one), and the Inject constants are its parameters, all
// required: the names gameday's mapping of a custom-resource fault
// (gameday.InjectParams) and the simulator read. A test holds them to the
// catalogue.
const (
	InjectCustomResource = "aws:eks:inject-kubernetes-custom-resource"

	InjectAPIVersion  = "kubernetesApiVersion"
	InjectKind        = "kubernetesKind"
	InjectNamespace   = "kubernetesNamespace"
	InjectSpec        = "kubernetesSpec"
	InjectMaxDuration = "maxDuration"
)

// TerminateNodegroupInstances terminates a share of an EKS managed node
// group's instances: the one other EKS action the FIS role is granted
// what it needs for, when a deployment's policy allows it.
const TerminateNodegroupInstances = "aws:eks:terminate-nodegroup-instances"

// Action is one FIS action.
type Action struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	// Targets maps the action's target key (for example Instances) to the
	// resource type of that target; empty when the action takes none.
	Targets    map[string]string    `json:"targets"`
	Parameters map[string]Parameter `json:"parameters"`
	// RenamedTo is the current id of a former one.
	RenamedTo string `json:"renamedTo,omitempty"`
}

// Parameter is one action parameter.
type Parameter struct {
	Description string `json:"description"`
	Required    bool   `json:"required"`
	// ISO8601 marks a duration written in ISO 8601 (PT5M).
	ISO8601 bool `json:"iso8601,omitempty"`
	// Min and Max bound an ISO 8601 duration parameter, when the reference
	// gives a range.
	Min ISODuration `json:"min,omitzero"`
	Max ISODuration `json:"max,omitzero"`
}

// ISODuration is a duration written as in the reference (PT1M, PT12H).
type ISODuration struct {
	time.Duration
	Text string
}

// UnmarshalJSON reads an ISO 8601 duration (ParseDuration).
func (d *ISODuration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration, d.Text = v, s
	return nil
}

// MarshalJSON writes the text read.
func (d ISODuration) MarshalJSON() ([]byte, error) { return json.Marshal(d.Text) }

// IsZero reports whether no bound was given.
func (d ISODuration) IsZero() bool { return d.Text == "" }

// Target is the action's one target key and its resource type; ok is false
// for an action without targets.
func (a Action) Target() (key, resourceType string, ok bool) {
	for k, t := range a.Targets {
		return k, t, true
	}
	return "", "", false
}

// ParameterNames are the action's parameters, sorted.
func (a Action) ParameterNames() []string {
	names := make([]string, 0, len(a.Parameters))
	for n := range a.Parameters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var (
	all  []Action
	byID map[string]Action
)

func init() {
	var doc struct {
		Actions []Action `json:"actions"`
	}
	if err := json.Unmarshal(actionsJSON, &doc); err != nil {
		panic("fisactions: actions.json: " + err.Error())
	}
	all = doc.Actions
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	byID = make(map[string]Action, len(all))
	for _, a := range all {
		byID[a.ID] = a
	}
}

// All is every action, sorted by id. The caller must not modify it.
func All() []Action { return all }

// Get is the action with the id.
func Get(id string) (Action, bool) {
	a, ok := byID[id]
	return a, ok
}
