package fisactions

import (
	"bufio"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// reference reads testdata/fis-actions-reference.txt: id → resource type
// ("-" for none) of the reference's actions, and of former ids.
func reference(t *testing.T) (current, former map[string]string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "fis-actions-reference.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	current, former = map[string]string{}, map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch {
		case len(fields) == 2:
			current[fields[0]] = fields[1]
		case len(fields) == 3 && fields[0] == "former":
			former[fields[1]] = fields[2]
		default:
			t.Fatalf("reference line %q: want \"<id> <resource type>\" or \"former <id> <resource type>\"", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return current, former
}

// TestCatalogueFollowsReference: the catalogue has exactly the actions of
// the FIS actions reference (and the former ids), each with the reference's
// resource type.
func TestCatalogueFollowsReference(t *testing.T) {
	current, former := reference(t)
	if len(current) < 50 {
		t.Fatalf("reference lists %d actions; the page had 50 when read", len(current))
	}
	got := map[string]string{}
	gotFormer := map[string]string{}
	for _, a := range All() {
		typ := "-"
		if _, rt, ok := a.Target(); ok {
			typ = rt
		}
		if a.RenamedTo != "" {
			gotFormer[a.ID] = typ
			continue
		}
		got[a.ID] = typ
	}
	if diff := cmp.Diff(current, got); diff != "" {
		t.Errorf("catalogue against the reference (-reference +actions.json):\n%s", diff)
	}
	if diff := cmp.Diff(former, gotFormer); diff != "" {
		t.Errorf("former ids (-reference +actions.json):\n%s", diff)
	}
	for id := range gotFormer {
		a, _ := Get(id)
		now, ok := Get(a.RenamedTo)
		if !ok || now.RenamedTo != "" {
			t.Errorf("%s is renamed to %q, which is not a current action", id, a.RenamedTo)
			continue
		}
		if diff := cmp.Diff(now.Targets, a.Targets); diff != "" {
			t.Errorf("%s and its new id %s differ in targets:\n%s", id, now.ID, diff)
		}
	}
}

var (
	actionIDRE  = regexp.MustCompile(`^aws:[a-z0-9-]+:[a-z0-9-]+$`)
	resourceRE  = regexp.MustCompile(`^aws:[a-z0-9-]+:[a-z0-9-]+$`)
	targetKeyRE = regexp.MustCompile(`^[A-Za-z]{1,64}$`)
	paramNameRE = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)
)

// TestCatalogueWellFormed checks each action against the FIS service
// model's constraints (ActionId, ActionDescription up to 512 characters,
// ActionTargetName up to 64) and the catalogue's own rules.
func TestCatalogueWellFormed(t *testing.T) {
	for _, a := range All() {
		t.Run(a.ID, func(t *testing.T) {
			if !actionIDRE.MatchString(a.ID) {
				t.Errorf("id %q is not aws:<service>:<action>", a.ID)
			}
			if a.Description == "" || len(a.Description) > 512 {
				t.Errorf("description has %d characters, want 1 to 512", len(a.Description))
			}
			if len(a.Targets) > 1 {
				t.Errorf("targets %v: every action of the reference has at most one", a.Targets)
			}
			for k, rt := range a.Targets {
				if !targetKeyRE.MatchString(k) || !resourceRE.MatchString(rt) {
					t.Errorf("target %q: %q", k, rt)
				}
			}
			for name, p := range a.Parameters {
				if !paramNameRE.MatchString(name) || p.Description == "" || len(p.Description) > 512 {
					t.Errorf("parameter %q: %+v", name, p)
				}
				if !p.Min.IsZero() && !p.Max.IsZero() && p.Min.Duration > p.Max.Duration {
					t.Errorf("parameter %s: min %s above max %s", name, p.Min.Text, p.Max.Text)
				}
			}
			if got, ok := Get(a.ID); !ok || got.ID != a.ID {
				t.Errorf("Get(%q) = %v, %v", a.ID, got.ID, ok)
			}
		})
	}
	if _, ok := Get("aws:ec2:no-such-action"); ok {
		t.Error("Get found an action the catalogue does not have")
	}
}

// TestDurationBounds reads the ranges the reference gives.
func TestDurationBounds(t *testing.T) {
	tests := []struct {
		action, param, min, max string
	}{
		{"aws:fis:wait", "duration", "PT1M", "PT12H"},
		{"aws:ebs:pause-volume-io", "duration", "PT1S", "PT12H"},
		{"aws:ec2:send-spot-instance-interruptions", "durationBeforeInterruption", "PT2M", "PT15M"},
		{"aws:directconnect:virtual-interface-disconnect", "duration", "PT10M", "PT12H"},
		{"aws:eks:inject-kubernetes-custom-resource", "maxDuration", "PT1M", "PT12H"},
		{"aws:eks:pod-cpu-stress", "duration", "", ""}, // the reference gives no range
	}
	for _, tt := range tests {
		t.Run(tt.action+"/"+tt.param, func(t *testing.T) {
			a, ok := Get(tt.action)
			if !ok {
				t.Fatalf("no action %s", tt.action)
			}
			p, ok := a.Parameters[tt.param]
			if !ok {
				t.Fatalf("%s has no parameter %s", tt.action, tt.param)
			}
			if got := [2]string{p.Min.Text, p.Max.Text}; got != [2]string{tt.min, tt.max} {
				t.Errorf("bounds = %v, want [%s %s]", got, tt.min, tt.max)
			}
		})
	}
}

// TestInjectCustomResource: the constants name the catalogue's
// custom-resource action and exactly its parameters, all required, with
// maxDuration an ISO 8601 duration.
func TestInjectCustomResource(t *testing.T) {
	a, ok := Get(InjectCustomResource)
	if !ok {
		t.Fatalf("%s is not in the catalogue", InjectCustomResource)
	}
	want := []string{InjectAPIVersion, InjectKind, InjectNamespace, InjectSpec, InjectMaxDuration}
	if diff := cmp.Diff(want, a.ParameterNames()); diff != "" {
		t.Errorf("parameters (-constants +catalogue):\n%s", diff)
	}
	for _, p := range want {
		if !a.Parameters[p].Required {
			t.Errorf("%s: not required in the catalogue", p)
		}
	}
	if !a.Parameters[InjectMaxDuration].ISO8601 {
		t.Errorf("%s: not an ISO 8601 duration in the catalogue", InjectMaxDuration)
	}
}

// TestTerminateNodegroupInstances: the constant names a catalogue action
// that targets EKS node groups, the resources the FIS role is granted for
// it.
func TestTerminateNodegroupInstances(t *testing.T) {
	a, ok := Get(TerminateNodegroupInstances)
	if !ok {
		t.Fatalf("%s is not in the catalogue", TerminateNodegroupInstances)
	}
	if got := slices.Collect(maps.Values(a.Targets)); !slices.Equal(got, []string{"aws:eks:nodegroup"}) {
		t.Errorf("targets = %v, want one of type aws:eks:nodegroup", a.Targets)
	}
}
