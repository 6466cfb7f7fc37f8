package chaoscheck

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	upstreamwebhook "github.com/chaos-mesh/chaos-mesh/api/genericwebhook"
	upstream "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// upstreamAPI is chaosMeshAPI built on Chaos Mesh's own module (the
// version go.mod pins) instead of third_party/chaos-mesh's trimmed copy.
var upstreamAPI = api{
	kinds: map[string]func() chaosObject{
		"AWSChaos":             func() chaosObject { return &upstream.AWSChaos{} },
		"DNSChaos":             func() chaosObject { return &upstream.DNSChaos{} },
		"GCPChaos":             func() chaosObject { return &upstream.GCPChaos{} },
		"HTTPChaos":            func() chaosObject { return &upstream.HTTPChaos{} },
		"IOChaos":              func() chaosObject { return &upstream.IOChaos{} },
		"JVMChaos":             func() chaosObject { return &upstream.JVMChaos{} },
		"KernelChaos":          func() chaosObject { return &upstream.KernelChaos{} },
		"NetworkChaos":         func() chaosObject { return &upstream.NetworkChaos{} },
		"PhysicalMachineChaos": func() chaosObject { return &upstream.PhysicalMachineChaos{} },
		"PodChaos":             func() chaosObject { return &upstream.PodChaos{} },
		"PodHttpChaos":         func() chaosObject { return &upstream.PodHttpChaos{} },
		"PodIOChaos":           func() chaosObject { return &upstream.PodIOChaos{} },
		"PodNetworkChaos":      func() chaosObject { return &upstream.PodNetworkChaos{} },
		"Schedule":             func() chaosObject { return &upstream.Schedule{} },
		"StressChaos":          func() chaosObject { return &upstream.StressChaos{} },
		"TimeChaos":            func() chaosObject { return &upstream.TimeChaos{} },
	},
	webhook: func(obj chaosObject) field.ErrorList {
		if s, ok := obj.(*upstream.Schedule); ok {
			return s.Spec.Validate(&s.Spec)
		}
		upstreamwebhook.Default(obj)
		return upstreamwebhook.Validate(obj)
	},
}

// TestCopyHasUpstreamTypes holds the copy's types to upstream's: for every
// kind, the object type and everything its spec reaches (field names, JSON
// tags, field types, recursively; the methods of each named type) is the
// same, but for the webhook registration the copy drops.
func TestCopyHasUpstreamTypes(t *testing.T) {
	if diff := cmp.Diff(Kinds(), sortedKeys(upstreamAPI.kinds)); diff != "" {
		t.Fatalf("upstreamAPI's kinds differ from chaoscheck's (-chaoscheck +upstream):\n%s", diff)
	}
	localPkg := reflect.TypeOf(kinds["PodChaos"]()).Elem().PkgPath()
	upstreamPkg := reflect.TypeOf(upstreamAPI.kinds["PodChaos"]()).Elem().PkgPath()
	if localPkg == upstreamPkg {
		t.Fatalf("chaoscheck uses upstream's package %s, not the copy", localPkg)
	}
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			local := describe(reflect.TypeOf(kinds[kind]()).Elem(), localPkg)
			up := describe(reflect.TypeOf(upstreamAPI.kinds[kind]()).Elem(), upstreamPkg)
			if diff := cmp.Diff(up, local); diff != "" {
				t.Errorf("%s: the copy's types differ from upstream's (-upstream +copy):\n%s", kind, diff)
			}
			if len(local) < 5 {
				t.Errorf("%s: describe found only %d lines: %v", kind, len(local), local)
			}
		})
	}
}

// webhookMethods are the methods the copy drops with controller-runtime
// (its webhook.CustomValidator and CustomDefaulter implementations): only
// on the top-level objects, which a spec never reaches.
var webhookMethods = map[string]bool{"ValidateCreate": true, "ValidateUpdate": true, "ValidateDelete": true}

// describe lists t and every type it reaches as lines: each named type of
// pkg (written v1alpha1.Name) with its kind, its methods and its fields
// (name, tags: json, and the default and webhook tags genericwebhook
// reads; embedded or not; type). Types of other packages (Kubernetes'
// ObjectMeta, core/v1) are named only: both sides share them.
func describe(root reflect.Type, pkg string) []string {
	var lines []string
	seen := map[reflect.Type]bool{}
	name := func(t reflect.Type) string {
		s := t.String()
		if t.PkgPath() == pkg {
			return "v1alpha1." + t.Name()
		}
		return strings.ReplaceAll(s, pkg, "v1alpha1")
	}
	var walk func(t reflect.Type) string
	walk = func(t reflect.Type) string {
		switch t.Kind() {
		case reflect.Pointer:
			return "*" + walk(t.Elem())
		case reflect.Slice:
			return "[]" + walk(t.Elem())
		case reflect.Array:
			return fmt.Sprintf("[%d]%s", t.Len(), walk(t.Elem()))
		case reflect.Map:
			return "map[" + walk(t.Key()) + "]" + walk(t.Elem())
		}
		if t.Name() != "" && t.PkgPath() != pkg {
			return t.String() // a basic type, or another package's
		}
		n := name(t)
		if t.Name() == "" {
			n = t.Kind().String() // an anonymous struct or interface
		}
		if seen[t] {
			return n
		}
		seen[t] = true
		if t.Name() != "" {
			lines = append(lines, fmt.Sprintf("%s %s methods %s", n, t.Kind(), methods(t)))
		}
		if t.Kind() == reflect.Struct {
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				lines = append(lines, fmt.Sprintf("%s.%s tag:%q embedded:%v %s", n, f.Name, f.Tag, f.Anonymous, walk(f.Type)))
			}
		}
		return n
	}
	walk(root)
	sort.Strings(lines)
	return lines
}

// methods lists the methods of t and *t, with their signatures, but the
// webhook methods.
func methods(t reflect.Type) string {
	var ms []string
	pt := reflect.PointerTo(t)
	for i := 0; i < pt.NumMethod(); i++ {
		m := pt.Method(i)
		if !webhookMethods[m.Name] {
			ms = append(ms, m.Name+strings.TrimPrefix(m.Type.String(), "func("+pt.String()))
		}
	}
	return strings.Join(ms, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCopyValidatesAsUpstream runs a corpus of custom resources (every
// Chaos Mesh CR in the examples and in the repository's testdata, and
// crafted good and bad ones for every kind) through the copy and through
// upstream: the problems, and the spec after Chaos Mesh's defaulting, are
// the same.
func TestCopyValidatesAsUpstream(t *testing.T) {
	corpus := append(repositoryCRs(t), craftedCRs()...)
	kindsSeen := map[string]bool{}
	var bad, good int
	for _, c := range corpus {
		t.Run(c.name, func(t *testing.T) {
			local, lobj := chaosMeshAPI.check(c.cr, "f")
			up, uobj := upstreamAPI.check(c.cr, "f")
			if diff := cmp.Diff(up, local); diff != "" {
				t.Errorf("problems differ (-upstream +copy):\n%s", diff)
			}
			if diff := cmp.Diff(specJSON(t, uobj), specJSON(t, lobj)); diff != "" {
				t.Errorf("defaulted specs differ (-upstream +copy):\n%s", diff)
			}
			if len(local) > 0 {
				bad++
			} else {
				good++
			}
			if _, ok := kinds[c.cr.Kind]; ok {
				kindsSeen[c.cr.Kind] = true
			}
		})
	}
	// The corpus must exercise both outcomes and every kind, or the
	// comparison above proves little.
	t.Logf("corpus of %d: %d with problems, %d without", len(corpus), bad, good)
	if bad < 40 || good < 20 {
		t.Errorf("corpus of %d: %d with problems, %d without; want at least 40 and 20", len(corpus), bad, good)
	}
	if diff := cmp.Diff(Kinds(), sortedKeys(kindsSeen)); diff != "" {
		t.Errorf("kinds the corpus covers (-chaoscheck +corpus):\n%s", diff)
	}
}

// uid is the random UID Chaos Mesh's defaulting gives a
// PhysicalMachineChaos spec.
var uid = regexp.MustCompile(`"uid":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"`)

// specJSON is the object's spec after decoding and defaulting, as JSON
// ("" when the spec was not decoded), with a random UID made constant.
func specJSON(t *testing.T, obj chaosObject) string {
	t.Helper()
	if obj == nil {
		return ""
	}
	b, err := json.Marshal(reflect.ValueOf(obj).Elem().FieldByName("Spec").Interface())
	if err != nil {
		t.Fatalf("encode spec: %v", err)
	}
	return uid.ReplaceAllString(string(b), `"uid":"(random)"`)
}

type namedCR struct {
	name string
	cr   *gameday.CustomResource
}

// repositoryCRs are the Chaos Mesh custom resources in the repository's
// YAML files: the examples and every package's testdata.
func repositoryCRs(t *testing.T) []namedCR {
	t.Helper()
	var out []namedCR
	for _, root := range []string{"../../examples", "../../pkg", "../../cmd"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".yaml") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			var doc any
			if yaml.Unmarshal(b, &doc) != nil {
				return nil // a deliberately broken file
			}
			rel, _ := filepath.Rel("../..", p)
			budget := 100000 // a testdata alias flood expands to billions of nodes
			for i, cr := range findCRs(doc, &budget) {
				out = append(out, namedCR{fmt.Sprintf("%s#%d", filepath.ToSlash(rel), i), cr})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 20 {
		t.Fatalf("found %d Chaos Mesh CRs in the repository; want at least 20", len(out))
	}
	return out
}

// findCRs finds the maps shaped as a Chaos Mesh custom resource in v,
// visiting at most *budget values.
func findCRs(v any, budget *int) []*gameday.CustomResource {
	var out []*gameday.CustomResource
	if *budget--; *budget < 0 {
		return nil
	}
	switch v := v.(type) {
	case map[string]any:
		kind, _ := v["kind"].(string)
		spec, _ := v["spec"].(map[string]any)
		if v["apiVersion"] == gameday.ChaosMeshAPIVersion && kind != "" && spec != nil {
			cr := &gameday.CustomResource{TypeMeta: gameday.TypeMeta{APIVersion: gameday.ChaosMeshAPIVersion, Kind: kind}, Spec: spec}
			if md, ok := v["metadata"].(map[string]any); ok {
				cr.Metadata.Namespace, _ = md["namespace"].(string)
			}
			return append(out, cr)
		}
		for _, k := range sortedKeys(v) {
			out = append(out, findCRs(v[k], budget)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, findCRs(e, budget)...)
		}
	}
	return out
}

// craftedCRs are, for every kind, specs meant to pass and specs meant to
// fail each of Chaos Mesh's checks (JSON, one per line: kind, then spec).
func craftedCRs() []namedCR {
	const sel = `"selector":{"namespaces":["sock-shop"],"labelSelectors":{"name":"carts"}}`
	cases := []struct{ kind, spec string }{
		{"AWSChaos", `{"action":"ec2-stop","secretName":"s","awsRegion":"us-east-1","ec2Instance":"i-1","duration":"1m"}`},
		{"AWSChaos", `{"action":"detach-volume","awsRegion":"us-east-1","ec2Instance":"i-1"}`},
		{"AWSChaos", `{"action":"bogus","awsRegion":"us-east-1","ec2Instance":"i-1"}`},
		{"AWSChaos", `{"action":"ec2-restart","awsRegion":"us-east-1","ec2Instance":"i-1","duration":"1"}`},
		{"DNSChaos", `{"action":"error","patterns":["google.com","*.example.com"],"mode":"one",` + sel + `}`},
		{"DNSChaos", `{"action":"random","mode":"fixed",` + sel + `}`},
		{"DNSChaos", `{"action":"bogus","mode":"one",` + sel + `}`},
		{"DNSChaos", `{"action":"error","mode":"fixed-percent","value":"200",` + sel + `}`},
		{"GCPChaos", `{"action":"node-stop","secretName":"s","project":"p","zone":"z","instance":"i","duration":"1m"}`},
		{"GCPChaos", `{"action":"disk-loss","project":"p","zone":"z","instance":"i"}`},
		{"GCPChaos", `{"action":"bogus","project":"p","zone":"z","instance":"i"}`},
		{"HTTPChaos", `{"mode":"all",` + sel + `,"target":"Request","port":80,"path":"*","abort":true,"duration":"5m"}`},
		{"HTTPChaos", `{"mode":"all",` + sel + `,"target":"Response","port":80,"delay":"1s","replace":{"code":500}}`},
		{"HTTPChaos", `{"mode":"all",` + sel + `,"target":"Foo","port":-1,"delay":"1","duration":"5"}`},
		{"HTTPChaos", `{"mode":"all",` + sel + `,"target":"Request","port":80,"patch":{"body":{"type":"JSON","value":"{"}}}`},
		{"IOChaos", `{"action":"latency","mode":"one",` + sel + `,"volumePath":"/data","path":"/data/**","delay":"100ms","percent":50,"duration":"1m"}`},
		{"IOChaos", `{"action":"latency","mode":"one",` + sel + `,"volumePath":"/data","delay":"100","percent":200}`},
		{"IOChaos", `{"action":"fault","mode":"one",` + sel + `,"volumePath":"/data"}`},
		{"IOChaos", `{"action":"attrOverride","mode":"one",` + sel + `,"volumePath":"/data","attr":{"perm":72}}`},
		{"IOChaos", `{"action":"mistake","mode":"one",` + sel + `,"volumePath":"/data","mistake":{"filling":"zero","maxOccurrences":1,"maxLength":0}}`},
		{"JVMChaos", `{"action":"latency","mode":"one",` + sel + `,"class":"C","method":"m","latency":1000,"port":9277}`},
		{"JVMChaos", `{"action":"latency","mode":"one",` + sel + `}`},
		{"JVMChaos", `{"action":"stress","mode":"one",` + sel + `,"cpuCount":0,"memType":""}`},
		{"JVMChaos", `{"action":"bogus","mode":"one",` + sel + `}`},
		{"KernelChaos", `{"mode":"one",` + sel + `,"failKernRequest":{"callchain":[{"funcname":"__x64_sys_mount"}],"failtype":0,"probability":100,"times":1}}`},
		{"KernelChaos", `{"mode":"one",` + sel + `,"failKernRequest":{"failtype":5,"probability":200}}`},
		{"NetworkChaos", `{"action":"delay","mode":"one",` + sel + `,"delay":{"latency":"100ms","correlation":"25","jitter":"0ms"},"duration":"2m"}`},
		{"NetworkChaos", `{"action":"delay","mode":"one",` + sel + `,"delay":{"latency":"100","correlation":"abc","jitter":"x"}}`},
		{"NetworkChaos", `{"action":"loss","mode":"all",` + sel + `,"loss":{"loss":"101","correlation":"-1"}}`},
		{"NetworkChaos", `{"action":"bandwidth","mode":"all",` + sel + `,"bandwidth":{"rate":"1mbps","limit":0,"buffer":0}}`},
		{"NetworkChaos", `{"action":"bandwidth","mode":"all",` + sel + `,"bandwidth":{"rate":"fast","limit":1,"buffer":1}}`},
		{"NetworkChaos", `{"action":"partition","mode":"all",` + sel + `,"direction":"to","target":{"mode":"all",` + sel + `}}`},
		{"NetworkChaos", `{"action":"partition","mode":"all",` + sel + `,"direction":"sideways","externalTargets":["1.2.3.4/40"]}`},
		{"NetworkChaos", `{"action":"netem","mode":"random-max-percent","value":"x",` + sel + `,"corrupt":{"corrupt":"10"}}`},
		{"NetworkChaos", `{"action":"delay","mode":"one",` + sel + `,"delay":{"latency":"10ms"},"duration":"-1s"}`},
		{"PhysicalMachineChaos", `{"action":"stress-cpu","address":["http://1.2.3.4:31767"],"stress-cpu":{"load":10,"workers":1}}`},
		{"PhysicalMachineChaos", `{"action":"stress-cpu","stress-cpu":{"load":10,"workers":1}}`},
		{"PhysicalMachineChaos", `{"action":"network-delay","address":["1.2.3.4"],"network-delay":{"device":"eth0","latency":"x"}}`},
		{"PhysicalMachineChaos", `{"action":"bogus","address":["http://1.2.3.4:31767"]}`},
		{"PodChaos", `{"action":"pod-kill","mode":"one",` + sel + `}`},
		{"PodChaos", `{"action":"container-kill","mode":"one",` + sel + `}`},
		{"PodChaos", `{"action":"pod-failure","mode":"all",` + sel + `,"gracePeriod":-1,"duration":"1h"}`},
		{"PodChaos", `{"action":"pod-failure","mode":"fixed","value":"0",` + sel + `}`},
		{"PodChaos", `{"action":"pod-kill","mode":"bogus",` + sel + `}`},
		{"PodHttpChaos", `{"rules":[{"target":"Request","port":80,"selector":{"path":"/"},"actions":{"abort":true},"source":"s"}]}`},
		{"PodIOChaos", `{"volumeMountPath":"/data","actions":[{"type":"latency","path":"/data","latency":"1s","percent":10,"source":"s"}]}`},
		{"PodNetworkChaos", `{"ipsets":[{"name":"a","cidrs":["1.2.3.4/32"],"source":"s"}],"tcs":[{"type":"netem","device":"eth0","source":"s"}]}`},
		{"Schedule", `{"schedule":"@every 1m","type":"NetworkChaos","historyLimit":1,"concurrencyPolicy":"Forbid","networkChaos":{"action":"delay","mode":"one",` + sel + `,"delay":{"latency":"10ms"}}}`},
		{"Schedule", `{"schedule":"bogus","type":"NetworkChaos","historyLimit":0,"networkChaos":{"action":"delay","mode":"one",` + sel + `,"delay":{"latency":"x"}}}`},
		{"Schedule", `{"schedule":"*/5 * * * *","type":"PodChaos","concurrencyPolicy":"Sometimes","podChaos":{"action":"pod-kill","mode":"one",` + sel + `}}`},
		{"Schedule", `{"schedule":"@hourly","type":"Workflow","workflow":{"entry":"e","templates":[{"name":"e","templateType":"Serial","deadline":"x","children":["missing"]}]}}`},
		{"Schedule", `{"schedule":"@hourly","type":"Bogus"}`},
		{"StressChaos", `{"mode":"one",` + sel + `,"stressors":{"cpu":{"workers":1,"load":50},"memory":{"workers":1,"size":"256MB"}},"duration":"5m"}`},
		{"StressChaos", `{"mode":"one",` + sel + `,"stressors":{"memory":{"workers":1,"size":"12XB"}}}`},
		{"StressChaos", `{"mode":"one",` + sel + `}`},
		{"StressChaos", `{"mode":"one",` + sel + `,"stressors":{"cpu":{"workers":0,"load":500}},"duration":"1"}`},
		{"StressChaos", `{"mode":"one",` + sel + `,"stressngStressors":"--cpu 1"}`},
		{"TimeChaos", `{"mode":"one",` + sel + `,"timeOffset":"-10m","clockIds":["CLOCK_REALTIME"]}`},
		{"TimeChaos", `{"mode":"one",` + sel + `,"timeOffset":"abc","clockIds":["BAD"]}`},
	}
	var out []namedCR
	for i, c := range cases {
		var spec map[string]any
		if err := json.Unmarshal([]byte(c.spec), &spec); err != nil {
			panic(fmt.Sprintf("crafted case %d: %v", i, err))
		}
		out = append(out, namedCR{fmt.Sprintf("crafted/%s#%d", c.kind, i), &gameday.CustomResource{TypeMeta: gameday.TypeMeta{APIVersion: gameday.ChaosMeshAPIVersion, Kind: c.kind}, Spec: spec}})
	}
	// Every kind: an unknown field, a mistyped one, a bare mode.
	for _, kind := range gameday.ChaosMeshKinds {
		for _, spec := range []map[string]any{
			{"bogusField": "x"},
			{"duration": 5, "mode": []any{"one"}},
			{"mode": "one"},
			{"mode": "fixed-percent", "value": "50", "selector": map[string]any{"pods": map[string]any{"sock-shop": []any{"carts-0"}}}},
		} {
			out = append(out, namedCR{fmt.Sprintf("every/%s#%d", kind, len(out)), &gameday.CustomResource{TypeMeta: gameday.TypeMeta{APIVersion: gameday.ChaosMeshAPIVersion, Kind: kind}, Metadata: gameday.ObjectMeta{Namespace: "chaos"}, Spec: spec}})
		}
	}
	return out
}
