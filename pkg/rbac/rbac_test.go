package rbac

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	k8syaml "sigs.k8s.io/yaml"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/golden"
	"github.com/gameday-dev/gameday/pkg/validate"
)

const examplesDir = "../../examples"

func decode(t *testing.T, data []byte) *gameday.Spec {
	t.Helper()
	var s gameday.Spec
	if err := yaml.UnmarshalWithOptions(data, &s, yaml.Strict()); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return &s
}

// objects splits the output into YAML documents and decodes each strictly
// into its Kubernetes API type (unknown or misspelt fields fail), as
// kubectl apply would read them.
func objects(t *testing.T, out []byte) (roles []rbacv1.Role, bindings []rbacv1.RoleBinding) {
	t.Helper()
	docs := strings.Split(string(out), "\n---\n")
	// The first chunk is the comment header (and the first "---" line).
	header, docs := docs[0], docs[1:]
	for _, line := range strings.Split(strings.TrimSuffix(header, "\n---"), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && line != "---" {
			t.Errorf("header line is not a comment: %q", line)
		}
	}
	for i, doc := range docs {
		var tm metav1.TypeMeta
		if err := k8syaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		if tm.APIVersion != "rbac.authorization.k8s.io/v1" {
			t.Errorf("document %d: apiVersion %q", i, tm.APIVersion)
		}
		checkKeys(t, i, doc, tm.Kind)
		switch tm.Kind {
		case "Role":
			var r rbacv1.Role
			if err := k8syaml.UnmarshalStrict([]byte(doc), &r); err != nil {
				t.Fatalf("document %d: strict decode of Role: %v\n%s", i, err, doc)
			}
			checkMeta(t, r.ObjectMeta)
			for _, rule := range r.Rules {
				if len(rule.APIGroups) == 0 || len(rule.Resources) == 0 || len(rule.Verbs) == 0 {
					t.Errorf("document %d: incomplete rule %+v", i, rule)
				}
			}
			roles = append(roles, r)
		case "RoleBinding":
			var b rbacv1.RoleBinding
			if err := k8syaml.UnmarshalStrict([]byte(doc), &b); err != nil {
				t.Fatalf("document %d: strict decode of RoleBinding: %v\n%s", i, err, doc)
			}
			checkMeta(t, b.ObjectMeta)
			bindings = append(bindings, b)
		default:
			t.Errorf("document %d: kind %q, want only Role and RoleBinding", i, tm.Kind)
		}
	}
	return roles, bindings
}

// checkKeys holds a document to the fields gameday writes: on Kubernetes'
// own types, an empty field the API server fills in (creationTimestamp:
// null, status) would otherwise slip into the output.
func checkKeys(t *testing.T, i int, doc, kind string) {
	t.Helper()
	var raw map[string]any
	if err := k8syaml.Unmarshal([]byte(doc), &raw); err != nil {
		t.Fatalf("document %d: %v", i, err)
	}
	want := map[string][]string{"Role": {"apiVersion", "kind", "metadata", "rules"}, "RoleBinding": {"apiVersion", "kind", "metadata", "roleRef", "subjects"}}[kind]
	if got := slices.Sorted(maps.Keys(raw)); !slices.Equal(got, want) {
		t.Errorf("document %d (%s): fields %v, want %v", i, kind, got, want)
	}
	meta, _ := raw["metadata"].(map[string]any)
	if got, want := slices.Sorted(maps.Keys(meta)), []string{"labels", "name", "namespace"}; !slices.Equal(got, want) {
		t.Errorf("document %d (%s): metadata fields %v, want %v", i, kind, got, want)
	}
}

// checkMeta applies the API server's name, namespace and label rules.
func checkMeta(t *testing.T, m metav1.ObjectMeta) {
	t.Helper()
	for _, msg := range validation.IsDNS1123Subdomain(m.Name) {
		t.Errorf("name %q: %s", m.Name, msg)
	}
	for _, msg := range validation.IsDNS1123Label(m.Namespace) {
		t.Errorf("namespace %q: %s", m.Namespace, msg)
	}
	for k, v := range m.Labels {
		for _, msg := range validation.IsQualifiedName(k) {
			t.Errorf("label key %q: %s", k, msg)
		}
		for _, msg := range validation.IsValidLabelValue(v) {
			t.Errorf("label %s value %q: %s", k, v, msg)
		}
	}
}

const multi = `
apiVersion: gameday/v1alpha1
kind: GameDay
metadata:
  name: shop
spec:
  target:
    cluster: arn:aws:eks:eu-west-1:111122223333:cluster/prod
  faults:
    - name: kill
      chaosMesh:
        apiVersion: chaos-mesh.org/v1alpha1
        kind: PodChaos
        metadata: {namespace: chaos}
        spec: {action: pod-kill, mode: one, selector: {namespaces: [shop], labelSelectors: {name: web}}}
      maxDuration: 2m
    - name: delay
      chaosMesh:
        apiVersion: chaos-mesh.org/v1alpha1
        kind: NetworkChaos
        metadata: {namespace: chaos}
        spec: {action: delay, mode: one, selector: {namespaces: [shop], labelSelectors: {name: web}}, delay: {latency: 10ms}, duration: 1m}
    - name: delay-again
      chaosMesh:
        apiVersion: chaos-mesh.org/v1alpha1
        kind: NetworkChaos
        metadata: {namespace: chaos}
        spec: {action: delay, mode: one, selector: {namespaces: [shop], labelSelectors: {name: db}}, delay: {latency: 10ms}, duration: 1m}
    - name: engine
      litmus:
        apiVersion: litmuschaos.io/v1alpha1
        kind: ChaosEngine
        metadata: {namespace: shop}
        spec: {engineState: active}
      maxDuration: 5m
    - name: default-ns
      chaosMesh:
        apiVersion: chaos-mesh.org/v1alpha1
        kind: StressChaos
        spec: {mode: one, selector: {namespaces: [shop], labelSelectors: {name: web}}, stressors: {cpu: {workers: 1}}, duration: 1m}
    - name: raw
      fis: {actionId: "aws:fis:wait", parameters: {duration: PT1M}}
`

func TestGenerate(t *testing.T) {
	out, err := Generate(decode(t, []byte(multi)), Options{Group: "chaos-team", RoleARN: "arn:aws:iam::111122223333:role/fis"})
	if err != nil {
		t.Fatal(err)
	}
	roles, bindings := objects(t, out)

	type role struct {
		Namespace string
		Rules     []rbacv1.PolicyRule
	}
	var got []role
	for _, r := range roles {
		if r.Name != "gameday-shop" {
			t.Errorf("role name %q", r.Name)
		}
		got = append(got, role{r.Namespace, r.Rules})
	}
	verbs := []string{"get", "create", "delete"}
	want := []role{
		{"chaos", []rbacv1.PolicyRule{{APIGroups: []string{"chaos-mesh.org"}, Resources: []string{"networkchaos", "podchaos"}, Verbs: verbs}}},
		{"default", []rbacv1.PolicyRule{{APIGroups: []string{"chaos-mesh.org"}, Resources: []string{"stresschaos"}, Verbs: verbs}}},
		{"shop", []rbacv1.PolicyRule{{APIGroups: []string{"litmuschaos.io"}, Resources: []string{"chaosengines"}, Verbs: verbs}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}

	if len(bindings) != len(roles) {
		t.Fatalf("%d bindings for %d roles", len(bindings), len(roles))
	}
	for i, b := range bindings {
		if b.Namespace != roles[i].Namespace {
			t.Errorf("binding %d in %q, role in %q", i, b.Namespace, roles[i].Namespace)
		}
		wantSubjects := []rbacv1.Subject{{Kind: "Group", APIGroup: "rbac.authorization.k8s.io", Name: "chaos-team"}}
		if diff := cmp.Diff(wantSubjects, b.Subjects); diff != "" {
			t.Errorf("binding %d subjects (-want +got):\n%s", i, diff)
		}
		wantRef := rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "gameday-shop"}
		if diff := cmp.Diff(wantRef, b.RoleRef); diff != "" {
			t.Errorf("binding %d roleRef (-want +got):\n%s", i, diff)
		}
	}

	text := string(out)
	for _, want := range []string{
		"# Kubernetes RBAC for GameDay shop",
		"#   aws eks create-access-entry --cluster-name prod --principal-arn arn:aws:iam::111122223333:role/fis --type STANDARD --kubernetes-groups chaos-team --region eu-west-1\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	for _, never := range []string{"ClusterRole", `"*"`, "- '*'", "list", "watch", "patch", "update"} {
		if containsOutsideComments(text, never) {
			t.Errorf("output contains %q:\n%s", never, text)
		}
	}
}

// containsOutsideComments reports whether s appears in a non-comment line.
func containsOutsideComments(text, s string) bool {
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "#") && strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// TestGenerateRawAndSelected: a raw inject action's custom resource gets
// its Role as a chaosMesh: fault's does (FIS creates it alike), and step 3
// names every namespace the file's Chaos Mesh CRs pick pods in: selectors,
// pods keys, a NetworkChaos's target, a Schedule's embedded chaos, and the
// CR's own namespace for a selector that names none.
func TestGenerateRawAndSelected(t *testing.T) {
	const file = `
apiVersion: gameday/v1alpha1
kind: GameDay
metadata: {name: shop}
spec:
  target: {cluster: "arn:aws:eks:eu-west-1:111122223333:cluster/prod"}
  faults:
    - name: raw
      fis:
        actionId: aws:eks:inject-kubernetes-custom-resource
        parameters:
          kubernetesApiVersion: chaos-mesh.org/v1alpha1
          kubernetesKind: PodChaos
          kubernetesNamespace: raw-ns
          kubernetesSpec: '{"action":"pod-kill","mode":"one","selector":{"labelSelectors":{"a":"b"}}}'
          maxDuration: PT5M
    - name: target
      chaosMesh:
        apiVersion: chaos-mesh.org/v1alpha1
        kind: NetworkChaos
        metadata: {namespace: chaos}
        spec: {action: partition, mode: one, direction: both, selector: {namespaces: [shop]}, target: {mode: one, selector: {pods: {orders: [o-0]}}}}
    - name: scheduled
      chaosMesh:
        apiVersion: chaos-mesh.org/v1alpha1
        kind: Schedule
        metadata: {namespace: chaos}
        spec: {type: PodChaos, podChaos: {action: pod-kill, mode: one, selector: {namespaces: [carts]}}}
`
	out, err := Generate(decode(t, []byte(file)), Options{RoleARN: "arn:aws:iam::111122223333:role/fis"})
	if err != nil {
		t.Fatal(err)
	}
	roles, _ := objects(t, out)
	var got []string
	for _, r := range roles {
		for _, rule := range r.Rules {
			got = append(got, r.Namespace+": "+strings.Join(rule.Resources, ","))
		}
	}
	if diff := cmp.Diff([]string{"chaos: networkchaos,schedules", "raw-ns: podchaos"}, got); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	for _, ns := range []string{"carts", "orders", "raw-ns", "shop"} {
		if want := "#   kubectl annotate namespace " + ns + " chaos-mesh.org/inject=enabled\n"; !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "annotate namespace chaos ") {
		t.Errorf("output annotates chaos, where CRs live but no pod is picked:\n%s", out)
	}
}

func TestGenerateDefaults(t *testing.T) {
	s := decode(t, []byte(multi))
	out, err := Generate(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, bindings := objects(t, out)
	for _, b := range bindings {
		if b.Subjects[0].Name != DefaultGroup {
			t.Errorf("subject %q, want %q", b.Subjects[0].Name, DefaultGroup)
		}
	}
	if want := "ROLE=$(aws cloudformation describe-stacks --stack-name GameDay --query \"Stacks[0].Outputs[?OutputKey=='FisRoleArn'].OutputValue\" --output text --region eu-west-1)\n"; !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	if want := "--principal-arn \"$ROLE\" "; !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}

	s.Spec.Target = gameday.Target{ClusterName: "blue"}
	out, err = Generate(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "--output text)\n"; !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q (no --region for a cluster named by name):\n%s", want, out)
	}
	if want := "--cluster-name blue --principal-arn \"$ROLE\" --type STANDARD --kubernetes-groups gameday-fis\n"; !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

func TestNoCustomResources(t *testing.T) {
	s := decode(t, []byte(multi))
	s.Spec.Faults = s.Spec.Faults[len(s.Spec.Faults)-1:] // only the raw FIS action
	out, err := Generate(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	roles, bindings := objects(t, out)
	if len(roles)+len(bindings) != 0 || !strings.Contains(string(out), "needs no") {
		t.Errorf("want only a note, got:\n%s", out)
	}
}

// TestEveryChaosMeshKind: every kind that validation accepts gets a rule
// on its CRD's resource (Schedule's is schedules).
func TestEveryChaosMeshKind(t *testing.T) {
	for _, kind := range gameday.ChaosMeshKinds {
		t.Run(kind, func(t *testing.T) {
			s := decode(t, []byte(multi))
			s.Spec.Faults[0].ChaosMesh.Kind = kind
			out, err := Generate(s, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := "  - " + strings.ToLower(kind) + "\n"
			if kind == "Schedule" {
				want = "  - schedules\n"
			}
			if !strings.Contains(string(out), want) {
				t.Errorf("no rule on %q:\n%s", strings.TrimSpace(want), out)
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(s *gameday.Spec)
		group string
		want  string
	}{
		{"system group", nil, "system:masters", `refuse groups whose name starts with "system:"`},
		{"unknown chaos mesh kind", func(s *gameday.Spec) { s.Spec.Faults[0].ChaosMesh.Kind = "AzureChaos" }, "", `fault kill: unknown Chaos Mesh kind "AzureChaos"`},
		{"litmus kind other than ChaosEngine", func(s *gameday.Spec) { s.Spec.Faults[3].Litmus.Kind = "ChaosExperiment" }, "", "FIS injects a ChaosEngine"},
		{"foreign API group", func(s *gameday.Spec) { s.Spec.Faults[0].ChaosMesh.APIVersion = "example.com/v1" }, "", `API group "example.com"`},
		{"no target", func(s *gameday.Spec) { s.Spec.Target = gameday.Target{} }, "", "neither cluster nor clusterName"},
		{"no API group", func(s *gameday.Spec) { s.Spec.Faults[0].ChaosMesh.APIVersion = "v1" }, "", "has no API group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := decode(t, []byte(multi))
			if tt.edit != nil {
				tt.edit(s)
			}
			out, err := Generate(s, Options{Group: tt.group})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Generate = %v, %q; want an error containing %q", err, out, tt.want)
			}
		})
	}
}

// TestGoldenExamples writes testdata/<example>/rbac.yaml for every example
// (go test -update rewrites them) and decodes each strictly.
func TestGoldenExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			s, _, err := validate.ReadFile(path)
			if err != nil {
				t.Fatalf("parse:\n%v", err)
			}
			got, err := Generate(s, Options{})
			if err != nil {
				t.Fatal(err)
			}
			roles, _ := objects(t, got)
			for _, r := range roles {
				if r.Namespace != "sock-shop" {
					t.Errorf("role in namespace %q, want sock-shop (where the examples create their CRs)", r.Namespace)
				}
			}
			golden.Check(t, filepath.Join("testdata", name, "rbac.yaml"), got)
		})
	}
}
