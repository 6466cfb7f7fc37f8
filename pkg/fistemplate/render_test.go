package fistemplate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/golden"
	"github.com/gameday-dev/gameday/pkg/validate"
)

const examplesDir = "../../examples"

// goldenOptions are the options the golden templates are rendered with.
// goldenOptions are a deployment's: the stack's role and log bucket, as
// the start step renders with them.
var goldenOptions = Options{Account: "123456789012", Region: "us-east-1",
	RoleARN: "arn:aws:iam::123456789012:role/gameday-fis", LogBucket: "gameday-fis-logs-123456789012-us-east-1"}

// load reads and checks an example as the CLI does (validate.ReadFile).
func load(t *testing.T, path string) *gameday.Spec {
	t.Helper()
	s, _, err := validate.ReadFile(path)
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	return s
}

// decode decodes YAML strictly into gameday.Spec without the contract's
// checks, for the small hand-made specs of the table tests.
func decode(t *testing.T, data []byte) *gameday.Spec {
	t.Helper()
	var s gameday.Spec
	if err := yaml.UnmarshalWithOptions(data, &s, yaml.Strict()); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return &s
}

func examples(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("found %d examples in %s, want at least 6", len(files), examplesDir)
	}
	return files
}

func exampleName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".yaml")
}

// TestGoldenTemplates renders every example and compares it with
// testdata/<example>/template.json (go test -update rewrites them).
func TestGoldenTemplates(t *testing.T) {
	for _, path := range examples(t) {
		t.Run(exampleName(path), func(t *testing.T) {
			s := load(t, path)
			in, err := Render(s, goldenOptions)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			got, err := JSON(in)
			if err != nil {
				t.Fatalf("JSON: %v", err)
			}
			golden.Check(t, filepath.Join("testdata", exampleName(path), "template.json"), got)
		})
	}
}

// TestRenderIsByteIdentical renders each example many times, from freshly
// decoded files, and wants the same bytes every time (Go's map order is
// random, so this catches any map iteration leaking into the output).
func TestRenderIsByteIdentical(t *testing.T) {
	for _, path := range examples(t) {
		t.Run(exampleName(path), func(t *testing.T) {
			var first []byte
			for i := 0; i < 20; i++ {
				in, err := Render(load(t, path), goldenOptions)
				if err != nil {
					t.Fatal(err)
				}
				b, err := JSON(in)
				if err != nil {
					t.Fatal(err)
				}
				if first == nil {
					first = b
					continue
				}
				if !bytes.Equal(b, first) {
					t.Fatalf("render %d differs from the first:\n%s", i, cmp.Diff(string(first), string(b)))
				}
			}
		})
	}
}

// TestKubernetesSpecParsesBack checks that every custom-resource action's
// kubernetesSpec is the CR's spec: compact, keys sorted, and decoding to the
// same value as the file's spec.
func TestKubernetesSpecParsesBack(t *testing.T) {
	var checked int
	for _, path := range examples(t) {
		s := load(t, path)
		in, err := Render(s, goldenOptions)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range s.Spec.Faults {
			cr := f.Resource()
			if cr == nil {
				continue
			}
			t.Run(exampleName(path)+"/"+f.Name, func(t *testing.T) {
				checked++
				a, ok := in.Actions[f.Name]
				if !ok {
					t.Fatalf("no action %s", f.Name)
				}
				raw := a.Parameters["kubernetesSpec"]
				var got any
				if err := json.Unmarshal([]byte(raw), &got); err != nil {
					t.Fatalf("kubernetesSpec is not JSON: %v\n%s", err, raw)
				}
				want := jsonValue(t, cr.Spec)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("kubernetesSpec differs from the CR's spec (-want +got):\n%s", diff)
				}
				var compact bytes.Buffer
				if err := json.Compact(&compact, []byte(raw)); err != nil {
					t.Fatal(err)
				}
				if compact.String() != raw {
					t.Errorf("kubernetesSpec has insignificant whitespace:\n%s", raw)
				}
				// encoding/json writes object keys sorted: re-encoding the
				// parsed value (without HTML escaping) must give the same bytes.
				again, err := CanonicalJSON(got)
				if err != nil {
					t.Fatal(err)
				}
				if string(again) != raw {
					t.Errorf("kubernetesSpec is not canonical:\n got %s\nwant %s", raw, again)
				}
				if got, want := a.Parameters["kubernetesKind"], cr.Kind; got != want {
					t.Errorf("kubernetesKind = %q, want %q", got, want)
				}
				if got, want := a.Parameters["kubernetesApiVersion"], cr.APIVersion; got != want {
					t.Errorf("kubernetesApiVersion = %q, want %q", got, want)
				}
			})
		}
	}
	if checked < 6 {
		t.Errorf("checked %d custom-resource faults, want at least 6", checked)
	}
}

// jsonValue is v as encoding/json would decode it.
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

const minimal = `
apiVersion: gameday/v1alpha1
kind: GameDay
metadata:
  name: tiny
spec:
  target:
    cluster: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  faults:
    - name: kill
      chaosMesh:
        apiVersion: chaos-mesh.org/v1alpha1
        kind: PodChaos
        spec:
          action: pod-kill
          mode: one
          selector: {namespaces: [shop], labelSelectors: {name: web}}
          duration: 90s
`

func TestRender(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(s *gameday.Spec)
		opts  Options
		check func(t *testing.T, in renderedBody)
	}{
		{
			name: "account and region come from the cluster ARN when not given",
			check: func(t *testing.T, b renderedBody) {
				want := RoleARNPlaceholder // the stack's, which CloudFormation names
				if b.RoleArn != want {
					t.Errorf("roleArn = %q, want %q", b.RoleArn, want)
				}
				if got, want := b.LogConfiguration.S3Configuration.BucketName, LogBucketPlaceholder; got != want {
					t.Errorf("bucketName = %q, want %q", got, want)
				}
				if got, want := b.LogConfiguration.S3Configuration.Prefix, "fis-logs/"; got != want {
					t.Errorf("prefix = %q, want %q", got, want)
				}
			},
		},
		{
			name: "given options win",
			opts: Options{RoleARN: "arn:aws:iam::999988887777:role/custom", LogBucket: "my-logs", LogPrefix: "x/", Account: "999988887777", Region: "ap-northeast-1"},
			edit: func(s *gameday.Spec) {
				s.Spec.StopConditions = []gameday.StopCondition{{Alarm: &gameday.AlarmSpec{Name: "errors"}}}
			},
			check: func(t *testing.T, b renderedBody) {
				if b.RoleArn != "arn:aws:iam::999988887777:role/custom" || b.LogConfiguration.S3Configuration.BucketName != "my-logs" || b.LogConfiguration.S3Configuration.Prefix != "x/" {
					t.Errorf("options not used: %+v %+v", b.RoleArn, b.LogConfiguration.S3Configuration)
				}
				want := []stopConditionBody{{Source: "aws:cloudwatch:alarm", Value: "arn:aws:cloudwatch:ap-northeast-1:999988887777:alarm:gameday-tiny-errors"}}
				if diff := cmp.Diff(want, b.StopConditions); diff != "" {
					t.Errorf("stopConditions (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "no stop condition gives the none source",
			check: func(t *testing.T, b renderedBody) {
				if diff := cmp.Diff([]stopConditionBody{{Source: "none"}}, b.StopConditions); diff != "" {
					t.Errorf("stopConditions (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "alarmArn passes through, staged alarms get the gameday prefix, in order",
			edit: func(s *gameday.Spec) {
				s.Spec.StopConditions = []gameday.StopCondition{
					{AlarmARN: "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:slo"},
					{Alarm: &gameday.AlarmSpec{Name: "latency"}},
				}
			},
			check: func(t *testing.T, b renderedBody) {
				want := []stopConditionBody{
					{Source: "aws:cloudwatch:alarm", Value: "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:slo"},
					{Source: "aws:cloudwatch:alarm", Value: "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:gameday-tiny-latency"},
				}
				if diff := cmp.Diff(want, b.StopConditions); diff != "" {
					t.Errorf("stopConditions (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "clusterName becomes an ARN in the account, region and partition",
			opts: Options{Account: "444455556666", Region: "cn-north-1"},
			edit: func(s *gameday.Spec) {
				s.Spec.Target = gameday.Target{ClusterName: "blue"}
			},
			check: func(t *testing.T, b renderedBody) {
				want := map[string]targetBody{ClusterTarget: {
					ResourceType:  "aws:eks:cluster",
					ResourceArns:  []string{"arn:aws-cn:eks:cn-north-1:444455556666:cluster/blue"},
					SelectionMode: "ALL",
				}}
				if diff := cmp.Diff(want, b.Targets); diff != "" {
					t.Errorf("targets (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "unknown account and region render as placeholders",
			edit: func(s *gameday.Spec) {
				s.Spec.Target = gameday.Target{ClusterName: "blue"}
			},
			check: func(t *testing.T, b renderedBody) {
				if got, want := b.Targets[ClusterTarget].ResourceArns[0], "arn:aws:eks:<region>:<account>:cluster/blue"; got != want {
					t.Errorf("cluster ARN = %q, want %q", got, want)
				}
				if got, want := b.RoleArn, "<FisRoleArn>"; got != want {
					t.Errorf("roleArn = %q, want %q", got, want)
				}
			},
		},
		{
			name: "action parameters, default namespace and maxDuration of duration + 1m",
			check: func(t *testing.T, b renderedBody) {
				want := actionBody{
					ActionID:    gameday.ActionInjectCustomResource,
					Description: "Chaos Mesh PodChaos kill in namespace default",
					Parameters: map[string]string{
						"kubernetesApiVersion": "chaos-mesh.org/v1alpha1",
						"kubernetesKind":       "PodChaos",
						"kubernetesNamespace":  "default",
						"kubernetesSpec":       `{"action":"pod-kill","duration":"90s","mode":"one","selector":{"labelSelectors":{"name":"web"},"namespaces":["shop"]}}`,
						"maxDuration":          "PT2M30S",
					},
					Targets: map[string]string{"Cluster": "Cluster"},
				}
				if diff := cmp.Diff(want, b.Actions["kill"]); diff != "" {
					t.Errorf("action (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "maxDuration as set, startAfter kept",
			edit: func(s *gameday.Spec) {
				f := s.Spec.Faults[0]
				f.Name = "second"
				f.StartAfter = []string{"kill"}
				f.MaxDuration = gameday.Duration{Duration: 90 * time.Minute}
				f.ChaosMesh = &gameday.CustomResource{TypeMeta: gameday.TypeMeta{APIVersion: "chaos-mesh.org/v1alpha1", Kind: "NetworkChaos"}, Metadata: gameday.ObjectMeta{Namespace: "chaos"}, Spec: map[string]any{"action": "delay"}}
				s.Spec.Faults = append(s.Spec.Faults, f)
			},
			check: func(t *testing.T, b renderedBody) {
				a := b.Actions["second"]
				if a.Parameters["maxDuration"] != "PT1H30M" || a.Parameters["kubernetesNamespace"] != "chaos" {
					t.Errorf("parameters = %v", a.Parameters)
				}
				if diff := cmp.Diff([]string{"kill"}, a.StartAfter); diff != "" {
					t.Errorf("startAfter (-want +got):\n%s", diff)
				}
				if len(b.Targets) != 1 {
					t.Errorf("targets = %v, want one shared Cluster target", b.Targets)
				}
			},
		},
		{
			name: "raw FIS actions keep their targets under unique names",
			edit: func(s *gameday.Spec) {
				s.Spec.Faults = append(s.Spec.Faults,
					gameday.Fault{Name: "cpu", FIS: &gameday.FISAction{
						ActionID:   "aws:ssm:send-command",
						Parameters: map[string]string{"documentArn": "arn:aws:ssm:eu-west-1::document/AWSFIS-Run-CPU-Stress", "duration": "PT5M"},
						Targets: map[string]gameday.FISTarget{"Instances": {
							ResourceType:  "aws:ec2:instance",
							ResourceTags:  map[string]string{"role": "web"},
							Filters:       []gameday.FISFilter{{Path: "State.Name", Values: []string{"running"}}},
							SelectionMode: "COUNT(1)",
						}},
					}},
					// A fault named so that its target name collides with the first one.
					gameday.Fault{Name: "cpu-Instances", FIS: &gameday.FISAction{
						ActionID: "aws:ec2:stop-instances",
						Targets:  map[string]gameday.FISTarget{"Instances": {ResourceType: "aws:ec2:instance", ResourceArns: []string{"arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0"}, SelectionMode: "ALL"}},
					}},
				)
			},
			check: func(t *testing.T, b renderedBody) {
				if got := b.Actions["cpu"].Targets; !cmp.Equal(got, map[string]string{"Instances": "cpu-Instances"}) {
					t.Errorf("cpu targets = %v", got)
				}
				if got := b.Actions["cpu-Instances"].Targets; !cmp.Equal(got, map[string]string{"Instances": "cpu-Instances-Instances"}) {
					t.Errorf("cpu-Instances targets = %v", got)
				}
				want := targetBody{
					ResourceType:  "aws:ec2:instance",
					ResourceTags:  map[string]string{"role": "web"},
					Filters:       []filterBody{{Path: "State.Name", Values: []string{"running"}}},
					SelectionMode: "COUNT(1)",
				}
				if diff := cmp.Diff(want, b.Targets["cpu-Instances"]); diff != "" {
					t.Errorf("target (-want +got):\n%s", diff)
				}
				if _, ok := b.Actions["cpu"].Parameters["maxDuration"]; ok {
					t.Errorf("raw FIS action got a maxDuration: %v", b.Actions["cpu"].Parameters)
				}
				if len(b.Targets) != 3 {
					t.Errorf("targets = %v, want Cluster and two instance targets", b.Targets)
				}
			},
		},
		{
			name: "only raw FIS actions: no cluster target",
			edit: func(s *gameday.Spec) {
				s.Spec.Faults = []gameday.Fault{{Name: "wait", FIS: &gameday.FISAction{ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT1M"}}}}
			},
			check: func(t *testing.T, b renderedBody) {
				if len(b.Targets) != 0 {
					t.Errorf("targets = %v, want none", b.Targets)
				}
			},
		},
		{
			name: "tags: user tags, name and digest; ours win",
			edit: func(s *gameday.Spec) {
				s.Metadata.Tags = map[string]string{"env": "prod", deploy.TagName: "spoofed"}
			},
			check: func(t *testing.T, b renderedBody) {
				if b.Tags["env"] != "prod" || b.Tags[deploy.TagName] != "tiny" || len(b.Tags[deploy.TagDigest]) != 64 || len(b.Tags) != 3 {
					t.Errorf("tags = %v", b.Tags)
				}
			},
		},
		{
			name: "long description cut to 512 bytes on a rune boundary",
			edit: func(s *gameday.Spec) {
				s.Metadata.Description = strings.Repeat("é", 400)
			},
			check: func(t *testing.T, b renderedBody) {
				if len(b.Description) > 512 || !strings.HasSuffix(b.Description, "…") || !strings.HasPrefix(b.Description, "éé") {
					t.Errorf("description (%d bytes) = %q", len(b.Description), b.Description)
				}
				if !json.Valid([]byte(`"` + b.Description + `"`)) {
					t.Error("description is not valid UTF-8 JSON")
				}
			},
		},
		{
			name: "empty description defaults to the name",
			check: func(t *testing.T, b renderedBody) {
				if b.Description != "GameDay tiny" {
					t.Errorf("description = %q", b.Description)
				}
			},
		},
		{
			name: "experiment options and log schema",
			check: func(t *testing.T, b renderedBody) {
				if diff := cmp.Diff(&optionsBody{AccountTargeting: "single-account", EmptyTargetResolutionMode: "fail"}, b.ExperimentOptions); diff != "" {
					t.Errorf("experimentOptions (-want +got):\n%s", diff)
				}
				if b.LogConfiguration.LogSchemaVersion != 2 {
					t.Errorf("logSchemaVersion = %d", b.LogConfiguration.LogSchemaVersion)
				}
				if !strings.HasPrefix(b.ClientToken, "gameday-tiny-") {
					t.Errorf("clientToken = %q", b.ClientToken)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := decode(t, []byte(minimal))
			if tt.edit != nil {
				tt.edit(s)
			}
			in, err := Render(s, tt.opts)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			tt.check(t, bodyOf(t, in))
		})
	}
}

// renderedBody is the request as JSON writes it, for assertions.
type renderedBody = body

func bodyOf(t *testing.T, in *fis.CreateExperimentTemplateInput) renderedBody {
	t.Helper()
	b, err := marshalBody(in)
	if err != nil {
		t.Fatal(err)
	}
	var out body
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *gameday.Spec)
		want []string // substrings of the error
	}{
		{
			name: "kubernetesSpec longer than FIS takes",
			edit: func(s *gameday.Spec) {
				s.Spec.Faults[0].ChaosMesh.Spec["selector"] = map[string]any{"namespaces": []any{"shop"}, "labelSelectors": map[string]any{"name": strings.Repeat("x", 1100)}}
			},
			want: []string{"fault kill:", "kubernetesSpec is 1", "at most 1024"},
		},
		{
			name: "too many stop conditions",
			edit: func(s *gameday.Spec) {
				for i := 0; i < 6; i++ {
					s.Spec.StopConditions = append(s.Spec.StopConditions, gameday.StopCondition{AlarmARN: "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:a"})
				}
			},
			want: []string{"6 stop conditions; FIS takes at most 5"},
		},
		{
			name: "no target",
			edit: func(s *gameday.Spec) { s.Spec.Target = gameday.Target{} },
			want: []string{"neither cluster nor clusterName"},
		},
		{
			name: "fault of no kind",
			edit: func(s *gameday.Spec) { s.Spec.Faults[0].ChaosMesh = nil },
			want: []string{"fault kill: sets none of chaosMesh, litmus or fis"},
		},
		{
			name: "no faults",
			edit: func(s *gameday.Spec) { s.Spec.Faults = nil },
			want: []string{"no faults"},
		},
		{
			name: "tag value too long",
			edit: func(s *gameday.Spec) { s.Metadata.Tags = map[string]string{"k": strings.Repeat("v", 257)} },
			want: []string{"tag k: value is longer than 256"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := decode(t, []byte(minimal))
			tt.edit(s)
			in, err := Render(s, Options{})
			if err == nil {
				t.Fatalf("Render = %v, want an error", in)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"sorted keys, nested", map[string]any{"b": 1, "a": map[string]any{"z": true, "y": nil}}, `{"a":{"y":null,"z":true},"b":1}`},
		{"map with any keys", map[any]any{"k": []any{uint64(1), 2.5, "x"}, 3: "three"}, `{"3":"three","k":[1,2.5,"x"]}`},
		{"no HTML escaping", map[string]any{"path": "/a?b=<c>&d"}, `{"path":"/a?b=<c>&d"}`},
		{"typed slices and maps", map[string]any{"s": []string{"b", "a"}, "m": map[string]string{"y": "1", "x": "2"}}, `{"m":{"x":"2","y":"1"},"s":["b","a"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalJSON(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("CanonicalJSON = %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := CanonicalJSON(map[any]any{"k": func() {}}); err == nil {
		t.Error("CanonicalJSON(func) succeeded, want an error")
	}
}

func TestSpecDigest(t *testing.T) {
	base := SpecDigest(decode(t, []byte(minimal)))
	if len(base) != 64 {
		t.Fatalf("digest %q is not hex SHA-256", base)
	}
	// The same GameDay, keys in another order and flow style: same digest.
	reordered := strings.Replace(minimal, "action: pod-kill\n          mode: one", "mode: one\n          action: pod-kill", 1)
	reordered = strings.Replace(reordered, "selector: {namespaces: [shop], labelSelectors: {name: web}}", "selector:\n            labelSelectors:\n              name: web\n            namespaces:\n              - shop", 1)
	if reordered == minimal {
		t.Fatal("the reordering did not change the text")
	}
	if got := SpecDigest(decode(t, []byte(reordered))); got != base {
		t.Errorf("digest of reordered file = %s, want %s", got, base)
	}
	changed := strings.Replace(minimal, "90s", "91s", 1)
	if got := SpecDigest(decode(t, []byte(changed))); got == base {
		t.Error("digest did not change with the CR's duration")
	}
}

// TestDigestIgnoresTheDecoder checks that the spec digest depends on the
// GameDay, not on how it was decoded (gameday.Parse or a plain strict YAML
// decode, which give different Go number types inside CR specs).
func TestDigestIgnoresTheDecoder(t *testing.T) {
	for _, path := range examples(t) {
		t.Run(exampleName(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := SpecDigest(decode(t, data)), SpecDigest(load(t, path)); got != want {
				t.Errorf("digest with a plain decode = %s, with gameday.Parse = %s", got, want)
			}
		})
	}
}

func TestJSONParsesBack(t *testing.T) {
	for _, path := range examples(t) {
		t.Run(exampleName(path), func(t *testing.T) {
			in, err := Render(load(t, path), goldenOptions)
			if err != nil {
				t.Fatal(err)
			}
			b, err := JSON(in)
			if err != nil {
				t.Fatal(err)
			}
			back, err := parseJSON(b)
			if err != nil {
				t.Fatal(err)
			}
			again, err := JSON(back)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(b), string(again)); diff != "" {
				t.Errorf("JSON(parseJSON(JSON(in))) differs (-first +again):\n%s", diff)
			}
			if got, want := aws.ToString(back.ClientToken), aws.ToString(in.ClientToken); got != want {
				t.Errorf("clientToken = %q, want %q", got, want)
			}
		})
	}
}

func TestUpdateInput(t *testing.T) {
	s := decode(t, []byte(minimal))
	s.Spec.StopConditions = []gameday.StopCondition{{Alarm: &gameday.AlarmSpec{Name: "errors"}}}
	in, err := Render(s, goldenOptions)
	if err != nil {
		t.Fatal(err)
	}
	up := UpdateInput("EXT123", in)
	if aws.ToString(up.Id) != "EXT123" || aws.ToString(up.Description) != aws.ToString(in.Description) || aws.ToString(up.RoleArn) != aws.ToString(in.RoleArn) {
		t.Errorf("id/description/role = %q %q %q", aws.ToString(up.Id), aws.ToString(up.Description), aws.ToString(up.RoleArn))
	}
	type action struct {
		ActionID   string
		Parameters map[string]string
		Targets    map[string]string
	}
	var gotActions, wantActions []action
	for k, a := range up.Actions {
		gotActions = append(gotActions, action{k + "=" + aws.ToString(a.ActionId), a.Parameters, a.Targets})
	}
	for k, a := range in.Actions {
		wantActions = append(wantActions, action{k + "=" + aws.ToString(a.ActionId), a.Parameters, a.Targets})
	}
	sortActions := func(as []action) { sort.Slice(as, func(i, j int) bool { return as[i].ActionID < as[j].ActionID }) }
	sortActions(gotActions)
	sortActions(wantActions)
	if diff := cmp.Diff(wantActions, gotActions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	if len(up.Targets) != len(in.Targets) || aws.ToString(up.Targets[ClusterTarget].ResourceType) != ResourceTypeCluster {
		t.Errorf("targets = %v", up.Targets)
	}
	if len(up.StopConditions) != 1 || aws.ToString(up.StopConditions[0].Value) != aws.ToString(in.StopConditions[0].Value) {
		t.Errorf("stop conditions = %v", up.StopConditions)
	}
	if up.LogConfiguration == nil || aws.ToInt32(up.LogConfiguration.LogSchemaVersion) != 2 || aws.ToString(up.LogConfiguration.S3Configuration.BucketName) != "gameday-fis-logs-123456789012-us-east-1" {
		t.Errorf("log configuration = %+v", up.LogConfiguration)
	}
	if up.ExperimentOptions == nil || up.ExperimentOptions.EmptyTargetResolutionMode != "fail" {
		t.Errorf("experiment options = %+v", up.ExperimentOptions)
	}
}

func TestAlarmARN(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{Account: "123456789012", Region: "us-east-1"}, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:gameday-x-errors"},
		{Options{Account: "123456789012", Region: "us-gov-west-1"}, "arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:gameday-x-errors"},
		{Options{Account: "123456789012", Region: "us-east-1", Partition: "aws-iso"}, "arn:aws-iso:cloudwatch:us-east-1:123456789012:alarm:gameday-x-errors"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := AlarmARN(tt.opts, "gameday-x-errors"); got != tt.want {
				t.Errorf("AlarmARN = %q, want %q", got, tt.want)
			}
		})
	}
}
