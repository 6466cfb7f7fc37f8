package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/golden"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// report is what a user sees besides the file: the notes, placeholders and
// problems, one per line.
func report(r *Result) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "render: %s\n", strings.Join(r.RenderArgs, " "))
	for _, n := range r.Notes {
		level := "mapped"
		if n.Level == Attention {
			level = "ATTENTION"
		}
		changes := ""
		if n.Changes {
			changes = " (differs)"
		}
		fmt.Fprintf(&b, "%s%s: %s\n", level, changes, n)
	}
	for _, p := range r.Placeholders {
		fmt.Fprintf(&b, "placeholder: %s: %s\n", p.Path, p.Value)
	}
	if r.Problems != nil {
		fmt.Fprintf(&b, "problems:\n%v\n", r.Problems)
	}
	return b.Bytes()
}

// TestGolden imports one template per source shape and checks the GameDay
// file and what the import says, then that the file renders back to the
// same experiment.
func TestGolden(t *testing.T) {
	cases := []struct {
		dir   string
		shape Shape
		valid bool
	}{
		{"console-request", ShapeCreateRequest, true},
		{"console-readme", ShapeCreateRequest, true},
		{"cli-response", ShapeGetResponse, true},
		{"api-response", ShapeGetResponse, true},
		{"library-placeholders", ShapeCreateRequest, false},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", tc.dir)
			data, err := os.ReadFile(filepath.Join(dir, "template.json"))
			if err != nil {
				t.Fatal(err)
			}
			src, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if src.Shape != tc.shape {
				t.Errorf("shape = %s, want %s", src.Shape, tc.shape)
			}
			res, err := Import(src, Options{Origin: "template.json", File: "gameday.yaml"})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			golden.Check(t, filepath.Join(dir, "gameday.yaml"), res.YAML)
			golden.Check(t, filepath.Join(dir, "report.txt"), report(res))
			if (res.Problems == nil) != tc.valid {
				t.Fatalf("valid = %v, want %v; problems: %v", res.Problems == nil, tc.valid, res.Problems)
			}
			if tc.valid {
				assertRendersBack(t, src, res)
			}
		})
	}
}

// assertRendersBack parses the written file as `gameday render` does,
// renders it with the import's options and compares the experiment with
// the source: every difference must be one the import noted.
func assertRendersBack(t *testing.T, src *Source, res *Result) {
	t.Helper()
	s, err := validate.File("gameday.yaml", res.YAML)
	if err != nil {
		t.Fatalf("the imported file does not validate: %v", err)
	}
	in, err := fistemplate.Render(s, res.Render)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	for _, d := range Compare(src.Template, in, res.ActionOf) {
		if !noted(res, d.Path) {
			t.Errorf("unnoted difference: %s", d)
		}
	}
}

func noted(res *Result, path string) bool {
	for _, n := range res.Notes {
		if n.Changes && (n.Path == path || strings.HasPrefix(path, n.Path+".")) {
			return true
		}
	}
	return false
}

// TestRoundTripExamples is the round-trip property: for every example,
// importing its rendered template gives a GameDay that renders to the same
// template (byte for byte, but for the client token and spec digest, which
// hash the whole GameDay, hypothesis included), and importing that again
// gives the same file.
func TestRoundTripExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s, in, want := rendered(t, file)
			src, err := Decode(want)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			res, err := Import(src, Options{File: "imported.yaml"})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if res.Problems != nil {
				t.Fatalf("the imported GameDay does not validate:\n%v\n%s", res.Problems, res.YAML)
			}
			if res.Spec.Metadata.Name != s.Metadata.Name {
				t.Errorf("name = %s, want %s", res.Spec.Metadata.Name, s.Metadata.Name)
			}
			s2, err := validate.File("imported.yaml", res.YAML)
			if err != nil {
				t.Fatal(err)
			}
			in2, err := fistemplate.Render(s2, res.Render)
			if err != nil {
				t.Fatal(err)
			}
			got, err := fistemplate.JSON(withoutHashes(in2))
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := fistemplate.JSON(withoutHashes(in))
			if diff := cmp.Diff(string(wantJSON), string(got)); diff != "" {
				t.Errorf("template differs after import (-example +imported):\n%s\nimported file:\n%s", diff, res.YAML)
			}
			// A fixed point: the imported GameDay's template imports to the same file.
			again, err := fistemplate.JSON(in2)
			if err != nil {
				t.Fatal(err)
			}
			src2, err := Decode(again)
			if err != nil {
				t.Fatal(err)
			}
			res2, err := Import(src2, Options{File: "imported.yaml"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(res.YAML), string(res2.YAML)); diff != "" {
				t.Errorf("importing again gives another file (-first +second):\n%s", diff)
			}
		})
	}
}

// rendered is the GameDay file, validated, its template rendered with the
// default options, and that template as JSON.
func rendered(tb testing.TB, file string) (*gameday.Spec, *fis.CreateExperimentTemplateInput, []byte) {
	tb.Helper()
	s, _, err := validate.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	in, err := fistemplate.Render(s, fistemplate.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	b, err := fistemplate.JSON(in)
	if err != nil {
		tb.Fatal(err)
	}
	return s, in, b
}

// TestCustomResourceRoundTrip holds the two directions of the mapping
// between a custom-resource fault and its FIS action to each other: for
// every custom-resource fault of the examples and the good test GameDays,
// rendering it and reading the action back, by the import (strict) and as a
// raw fis: action (Fault.Injected, lenient), gives the same custom resource
// (apiVersion, kind, namespace, spec as JSON, under chaosMesh: or litmus:)
// and the same maxDuration.
func TestCustomResourceRoundTrip(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good, err := filepath.Glob("../gameday/testdata/good/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, good...)
	var chaosMesh, litmus int
	for _, file := range files {
		s, in, body := rendered(t, file)
		src, err := Decode(body)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Import(src, Options{})
		if err != nil {
			t.Fatalf("%s: Import: %v", file, err)
		}
		imported := map[string]*gameday.Fault{}
		for i := range res.Spec.Spec.Faults {
			f := &res.Spec.Spec.Faults[i]
			imported[res.ActionOf[f.Name]] = f
		}
		for i := range s.Spec.Faults {
			f := &s.Spec.Faults[i]
			if f.Resource() == nil {
				continue
			}
			if f.Litmus != nil {
				litmus++
			} else {
				chaosMesh++
			}
			t.Run(filepath.Base(file)+"/"+f.Name, func(t *testing.T) {
				want := roundTripped(t, f)
				imp, ok := imported[f.Name]
				if !ok {
					t.Fatalf("the import has no fault for action %s", f.Name)
				}
				if diff := cmp.Diff(want, roundTripped(t, imp)); diff != "" {
					t.Errorf("imported (-rendered +imported):\n%s", diff)
				}
				raw := &gameday.Fault{Name: f.Name, FIS: &gameday.FISAction{ActionID: gameday.ActionInjectCustomResource, Parameters: in.Actions[f.Name].Parameters}}
				inj, err := raw.Injected()
				if err != nil || inj == nil {
					t.Fatalf("Injected = %v, %v; want the fault", inj, err)
				}
				if diff := cmp.Diff(want, roundTripped(t, inj)); diff != "" {
					t.Errorf("read as a raw fis: action (-rendered +read):\n%s", diff)
				}
			})
		}
	}
	if chaosMesh < 8 || litmus < 1 {
		t.Errorf("round-tripped %d Chaos Mesh and %d Litmus faults; the examples have at least 8 and 1", chaosMesh, litmus)
	}
}

// crFacts are what an inject action carries of a custom-resource fault.
type crFacts struct {
	Tool, APIVersion, Kind, Namespace, Spec, MaxDuration string
}

func roundTripped(t *testing.T, f *gameday.Fault) crFacts {
	t.Helper()
	cr := f.Resource()
	spec, err := fistemplate.CanonicalJSON(cr.Spec)
	if err != nil {
		t.Fatal(err)
	}
	tool := "chaosMesh"
	if f.Litmus != nil {
		tool = "litmus"
	}
	return crFacts{Tool: tool, APIVersion: cr.APIVersion, Kind: cr.Kind, Namespace: cr.Namespace(), Spec: string(spec), MaxDuration: f.EffectiveMaxDuration().String()}
}

func withoutHashes(in *fis.CreateExperimentTemplateInput) *fis.CreateExperimentTemplateInput {
	c := *in
	c.ClientToken = aws.String("")
	c.Tags = map[string]string{}
	for k, v := range in.Tags {
		if k != deploy.TagDigest {
			c.Tags[k] = v
		}
	}
	return &c
}

// TestDecodeRefuses checks that a source that is not an FIS template, or
// that holds a field FIS does not have, fails naming the field.
func TestDecodeRefuses(t *testing.T) {
	cases := []struct {
		name, json, want string
	}{
		{"not json", `actions: {}`, "not JSON"},
		{"empty", ``, "no JSON value: the input is empty"},
		{"cut short", `{"actions": {`, "not JSON: the input ends inside a value (a bracket or brace is not closed)"},
		{"cut short in a list", `{"a": [1,`, "not JSON: the input ends inside a value"},
		{"array", `[{"actions":{}}]`, "not a JSON object"},
		{"trailing data", `{"actions":{}} {}`, "data after the JSON value"},
		{"duplicate key", `{"actions":{},"actions":{}}`, "actions: field appears twice"},
		{"unknown field", `{"actions":{},"stopCondition":[]}`, "stopCondition: unknown field; FIS takes actions,"},
		{"case", `{"Actions":{}}`, "Actions: unknown field; FIS spells it actions"},
		{"nested unknown", `{"actions":{"a":{"actionId":"aws:fis:wait","parameter":{}}}}`, "actions.a.parameter: unknown field"},
		{"wrong type", `{"actions":{"a":{"actionId":"aws:fis:wait","startAfter":"b"}}}`, "actions.a.startAfter: must be an array, not a string"},
		{"non-string parameter", `{"actions":{"a":{"actionId":"aws:fis:wait","parameters":{"duration":60}}}}`, "actions.a.parameters.duration: must be a string, not a number"},
		{"fractional version", `{"actions":{},"logConfiguration":{"logSchemaVersion":2.5}}`, "logConfiguration.logSchemaVersion: 2.5 is not an integer"},
		{"beside the wrapper", `{"experimentTemplate":{},"ResponseMetadata":{}}`, "ResponseMetadata: unknown field next to experimentTemplate"},
		{"wrapped non-object", `{"experimentTemplate":[]}`, "experimentTemplate: not a JSON object"},
		{"response field in request", `{"experimentTemplate":{"clientToken":"x"}}`, "experimentTemplate.clientToken: unknown field"},
		{"bad timestamp", `{"id":"EXT1","creationTime":"yesterday"}`, `creationTime: "yesterday" is not an ISO 8601 timestamp`},
		{"deep", strings.Repeat(`{"a":`, 70) + `1` + strings.Repeat(`}`, 70), "nested deeper than 64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestImportRefuses checks what a GameDay cannot express without running
// another experiment: the import fails, naming the field.
func TestImportRefuses(t *testing.T) {
	const wait = `"wait":{"actionId":"aws:fis:wait","parameters":{"duration":"PT1M"}}`
	cases := []struct {
		name, json, want string
	}{
		{"no actions", `{"actions":{}}`, "actions: the template has no actions"},
		{"multi-account", `{"actions":{` + wait + `},"experimentOptions":{"accountTargeting":"multi-account"}}`, "experimentOptions.accountTargeting: multi-account experiments target other accounts"},
		{"target accounts", `{"experimentTemplate":{"id":"EXT1","actions":{` + wait + `},"targetAccountConfigurationsCount":2}}`, "targetAccountConfigurationsCount: the template has 2 target account configurations"},
		{"stop source", `{"actions":{` + wait + `},"stopConditions":[{"source":"aws:sns:topic","value":"x"}]}`, `stopConditions[0].source: "aws:sns:topic" is not a stop-condition source`},
		{"undefined target", `{"actions":{"stop":{"actionId":"aws:ec2:stop-instances","targets":{"Instances":"web"}}}}`, `actions.stop.targets.Instances: names target "web", which the template does not define`},
		{"unknown startAfter", `{"actions":{` + wait + `,"b":{"actionId":"aws:fis:wait","parameters":{"duration":"PT1M"},"startAfter":["c"]}}}`, `actions.b.startAfter[0]: names action "c"`},
		{"no action id", `{"actions":{"a":{}}}`, "actions.a.actionId: required"},
		{"bad name", `{"actions":{` + wait + `}}`, `--name "Bad Name" is not a DNS-1123 label`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, err := Decode([]byte(tc.json))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			o := Options{}
			if tc.name == "bad name" {
				o.Name = "Bad Name"
			}
			_, err = Import(src, o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Import error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestImportKeepsRaw checks the custom-resource actions that stay raw fis:
// actions, each with the reason said.
func TestImportKeepsRaw(t *testing.T) {
	const cluster = `"c":{"resourceType":"aws:eks:cluster","resourceArns":["arn:aws:eks:us-east-1:123456789012:cluster/a"],"selectionMode":"ALL"}`
	cr := func(params, target string) string {
		return `{"actions":{"x":{"actionId":"aws:eks:inject-kubernetes-custom-resource","parameters":{` + params + `},"targets":{"Cluster":"` + target + `"}}},"targets":{` + cluster +
			`,"tagged":{"resourceType":"aws:eks:cluster","resourceTags":{"env":"test"},"selectionMode":"ALL"}}}`
	}
	const good = `"kubernetesApiVersion":"chaos-mesh.org/v1alpha1","kubernetesKind":"PodChaos","kubernetesNamespace":"default","maxDuration":"PT1M",`
	cases := []struct {
		name, json, want string
	}{
		{"spec not JSON", cr(good+`"kubernetesSpec":"action: pod-kill"`, "c"), "its kubernetesSpec is not a JSON object"},
		{"spec an array", cr(good+`"kubernetesSpec":"[1]"`, "c"), "its kubernetesSpec is not a JSON object: it is an array"},
		{"cluster by tags", cr(good+`"kubernetesSpec":"{}"`, "tagged"), "target tagged does not name exactly one cluster by ARN"},
		{"other tool", cr(`"kubernetesApiVersion":"example.com/v1","kubernetesKind":"Chaos","kubernetesNamespace":"default","maxDuration":"PT1M","kubernetesSpec":"{}"`, "c"), "example.com/v1 Chaos is neither a Chaos Mesh resource"},
		{"extra parameter", cr(good+`"kubernetesSpec":"{}","extra":"1"`, "c"), "its parameters are extra, kubernetesApiVersion"},
		{"bad maxDuration", cr(`"kubernetesApiVersion":"chaos-mesh.org/v1alpha1","kubernetesKind":"PodChaos","kubernetesNamespace":"default","maxDuration":"5m","kubernetesSpec":"{}"`, "c"), `its maxDuration "5m" is not an ISO 8601 duration`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, err := Decode([]byte(tc.json))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			res, err := Import(src, Options{})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			f := res.Spec.Spec.Faults[0]
			if f.FIS == nil || f.FIS.ActionID != gameday.ActionInjectCustomResource {
				t.Fatalf("fault = %+v, want a raw fis: action", f)
			}
			var found bool
			for _, n := range res.Attention() {
				found = found || (n.Path == "actions.x" && strings.Contains(n.Message, tc.want))
			}
			if !found {
				t.Errorf("no attention note on actions.x containing %q; notes:\n%s", tc.want, report(res))
			}
			if !bytes.Contains(res.YAML, []byte("ATTENTION: kept raw")) {
				t.Errorf("the file does not say the action was kept raw:\n%s", res.YAML)
			}
		})
	}
}

// TestREADMEShowsImport keeps the README's console-import example true: it
// shows the spec part of the golden file of that template.
func TestREADMEShowsImport(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("testdata/console-readme/gameday.yaml")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(file, []byte("\nspec:\n"))
	if i < 0 {
		t.Fatal("the golden file has no spec")
	}
	if !bytes.Contains(readme, file[i+1:]) {
		t.Errorf("README.md does not show the import of testdata/console-readme/template.json; its spec part is now:\n%s", file[i+1:])
	}
}

// TestImportEveryCatalogueAction imports a template with each action of the
// FIS actions reference (pkg/fisactions) but the custom-resource one, which
// becomes a chaosMesh:/litmus: fault: each stays a raw fis: fault and the
// GameDay validates; an id the reference does not have is a problem.
func TestImportEveryCatalogueAction(t *testing.T) {
	template := func(a fisactions.Action) string {
		act := map[string]any{"actionId": a.ID}
		params := map[string]string{}
		for name, p := range a.Parameters {
			switch {
			case !p.Required:
			case !p.Min.IsZero():
				params[name] = p.Min.Text
			case p.ISO8601:
				params[name] = "PT5M"
			default:
				params[name] = "1"
			}
		}
		if len(params) > 0 {
			act["parameters"] = params
		}
		tmpl := map[string]any{"actions": map[string]any{"a": act}}
		if key, rt, ok := a.Target(); ok {
			act["targets"] = map[string]string{key: "t"}
			target := map[string]any{"resourceType": rt, "resourceTags": map[string]string{"chaos": "yes"}, "selectionMode": "ALL"}
			if rt == "aws:eks:pod" {
				target = map[string]any{"resourceType": rt, "selectionMode": "ALL", "parameters": map[string]string{
					"clusterIdentifier": "sandbox", "namespace": "sock-shop", "selectorType": "labelSelector", "selectorValue": "name=carts"}}
			}
			tmpl["targets"] = map[string]any{"t": target}
		}
		b, err := json.Marshal(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, a := range fisactions.All() {
		if a.ID == gameday.ActionInjectCustomResource {
			continue
		}
		t.Run(a.ID, func(t *testing.T) {
			src, err := Decode([]byte(template(a)))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			res, err := Import(src, Options{Name: "every-action"})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if f := res.Spec.Spec.Faults[0]; f.FIS == nil || f.FIS.ActionID != a.ID {
				t.Fatalf("fault = %+v, want the raw fis: action %s", f, a.ID)
			}
			if res.Problems != nil {
				t.Errorf("the imported GameDay does not validate:\n%v\n%s", res.Problems, res.YAML)
			}
		})
	}
	t.Run("not in the reference", func(t *testing.T) {
		src, err := Decode([]byte(`{"actions":{"a":{"actionId":"aws:ec2:reboot-instance","targets":{"Instances":"t"}}},"targets":{"t":{"resourceType":"aws:ec2:instance","resourceTags":{"a":"b"},"selectionMode":"ALL"}}}`))
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		res, err := Import(src, Options{Name: "unknown-action"})
		if err != nil {
			t.Fatalf("Import: %v", err)
		}
		if res.Problems == nil || !strings.Contains(res.Problems.Error(), `"aws:ec2:reboot-instance" is not an action of the FIS actions reference (did you mean "aws:ec2:reboot-instances"?)`) {
			t.Errorf("problems = %v, want the unknown action id named", res.Problems)
		}
	})
}
