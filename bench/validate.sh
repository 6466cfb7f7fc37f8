#!/usr/bin/env bash
# Validation cost as ratios against a baseline measured in the same run (a
# plain YAML decode of the same file), since these machines are shared and
# absolute figures are noisy. Usage: bench/validate.sh [-count N]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${2:-5}
out=$(go test -run '^$' -bench 'BenchmarkBaselineYAMLDecode|BenchmarkParse|BenchmarkFile' -benchmem -count "$count" ./pkg/validate/)
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk '
  /^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
    for (i = 2; i <= NF; i++) if ($(i+1) == "ns/op") { ns[name] += $i; n[name]++ }
  }
  END {
    base = ns["BaselineYAMLDecode"] / n["BaselineYAMLDecode"]
    printf "\nmean ns/op as a ratio of the baseline (plain YAML decode, %.0f ns/op):\n", base
    for (k in ns) if (k != "BaselineYAMLDecode") printf "  %-8s %.2fx\n", k, (ns[k] / n[k]) / base
  }'
