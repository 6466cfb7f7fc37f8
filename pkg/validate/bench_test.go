package validate

import (
	"os"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// The benchmarks measure what validating a GameDay costs against a
// baseline measured in the same run: decoding the same file into a plain
// map with the same YAML library. make bench (bench/gobench.go) records the
// ratios in bench/results.json.

func walkthrough(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile("../../examples/sock-shop-carts-latency.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkBaselineYAMLDecode is the baseline: no checks at all.
func BenchmarkBaselineYAMLDecode(b *testing.B) {
	data := walkthrough(b)
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse is gameday.Parse: positions, strict shape, every contract
// rule that needs no Chaos Mesh types.
func BenchmarkParse(b *testing.B) {
	data := walkthrough(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gameday.Parse("walkthrough.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFile is validate.File: Parse plus the strict decode into Chaos
// Mesh's types and Chaos Mesh's own validation.
func BenchmarkFile(b *testing.B) {
	data := walkthrough(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := File("walkthrough.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
