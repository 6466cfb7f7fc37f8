package importer

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzImport checks that decoding and importing arbitrary JSON never
// panics, and that a successful import always yields a file. make test runs
// the seeds only; run it longer with
// go test ./pkg/importer -run '^$' -fuzz FuzzImport -fuzztime 60s.
func FuzzImport(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/template.json")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	examples, _ := filepath.Glob("../../examples/*.yaml")
	for _, e := range examples {
		_, _, b := rendered(f, e)
		f.Add(b)
	}
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"experimentTemplate":null}`, `{"actions":{"a":null}}`,
		`{"actions":{"a":{"actionId":"aws:eks:inject-kubernetes-custom-resource","parameters":{"kubernetesApiVersion":"chaos-mesh.org/v1alpha1","kubernetesKind":"PodChaos","kubernetesNamespace":"default","kubernetesSpec":"{\"duration\":1e400}","maxDuration":"PT1M"},"targets":{"Cluster":"c"}}},"targets":{"c":{"resourceType":"aws:eks:cluster","resourceArns":["x"],"selectionMode":"ALL"}}}`,
		`{"actions":{"A":{"actionId":"aws:fis:wait","startAfter":["a"]},"a":{"actionId":"aws:fis:wait","startAfter":["A"]}}}`,
		`{"id":"x","creationTime":-1e30,"actions":{"---":{"actionId":"x"}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := Decode(data)
		if err != nil {
			return
		}
		res, err := Import(src, Options{})
		if err != nil {
			return
		}
		if len(res.YAML) == 0 || res.Spec == nil {
			t.Fatalf("an import without error wrote no GameDay")
		}
	})
}
