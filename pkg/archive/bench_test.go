package archive

import (
	stdjson "encoding/json"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
)

// The benchmarks measure decoding FIS log records with go-json-experiment/json
// (what parse does) against a baseline measured in the same run:
// encoding/json decoding the same lines into the same type. make bench
// (bench/gobench.go) records the ratio in bench/results.json.

// benchRecords are recordGen's 1,000 records, mostly target-resolution-end
// pages of 20 resolved targets, one line each.
func benchRecords(b *testing.B) [][]byte {
	b.Helper()
	g := &recordGen{n: 1000}
	lines := make([][]byte, g.n)
	for i := range lines {
		lines[i] = g.record(i)
	}
	// Both decoders must read the same records, or the ratio means nothing.
	for _, l := range lines {
		var v1, v2 record
		if err := stdjson.Unmarshal(l, &v1); err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(l, &v2, decodeOptions); err != nil {
			b.Fatal(err)
		}
		if d := cmp.Diff(v1, v2); d != "" {
			b.Fatalf("the decoders differ on %s (-encoding/json +go-json-experiment):\n%s", l, d)
		}
	}
	return lines
}

// BenchmarkBaselineDecodeEncodingJSON is the baseline: encoding/json.
func BenchmarkBaselineDecodeEncodingJSON(b *testing.B) {
	lines := benchRecords(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			var rec record
			if err := stdjson.Unmarshal(l, &rec); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkDecode is parse's decoder: go-json-experiment/json with
// decodeOptions, which skips resolved_targets' members.
func BenchmarkDecode(b *testing.B) {
	lines := benchRecords(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			var rec record
			if err := json.Unmarshal(l, &rec, decodeOptions); err != nil {
				b.Fatal(err)
			}
		}
	}
}
