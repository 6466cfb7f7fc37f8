#!/usr/bin/env bash
# The CLI alone, as a user who ran `go install .../cmd/gameday@latest` has
# it: built from this checkout into an empty directory and run from another
# empty directory, with an empty HOME (so an empty user cache and npm
# cache). The first run installs the States Language interpreter (one line,
# with its time); the second reuses it. Prints both runs' wall times.
# Usage: .ci/first-run.sh [GAMEDAY FILE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
file="${1:-$root/examples/sock-shop-carts-latency.yaml}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/home" "$tmp/project"
(cd "$root" && GOBIN="$tmp/bin" go install ./cmd/gameday)
cp "$file" "$tmp/project/"
name=$(basename "$file")
export HOME="$tmp/home" XDG_CACHE_HOME="$tmp/home/.cache"
cd "$tmp/project"
gd="$tmp/bin/gameday"

"$gd" doctor

run() { # run N: the walkthrough, its wall time in $secs, its output in $tmp/runN.out
  local start=$EPOCHREALTIME
  if ! "$gd" run --local "$name" --out out --plain >"$tmp/run$1.out" 2>&1; then
    cat "$tmp/run$1.out"; echo "first-run: run $1 failed" >&2; exit 1
  fi
  secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
}
run 1; first=$secs
run 2; second=$secs
grep -E '^gameday: installing the States Language interpreter .* done in [0-9.]+s$' "$tmp/run1.out" \
  || { cat "$tmp/run1.out"; echo "first-run: the first run did not say it installed the interpreter" >&2; exit 1; }
if grep -q 'installing the States Language interpreter' "$tmp/run2.out"; then
  cat "$tmp/run2.out"; echo "first-run: the second run installed the interpreter again" >&2; exit 1
fi
grep -q '^verdict: passed' "$tmp/run2.out" || { cat "$tmp/run2.out"; exit 1; }
ls "$XDG_CACHE_HOME/gameday"
# Into a file, not a pipe: grep -q stops reading at the first match, and
# doctor, still writing, would die of SIGPIPE (exit 141 under pipefail).
"$gd" doctor >"$tmp/doctor.out"
grep -q 'from the cache' "$tmp/doctor.out" || { cat "$tmp/doctor.out"; echo "first-run: doctor does not report the cached interpreter" >&2; exit 1; }
echo "first-run: first run ${first} s (with the interpreter install), second run ${second} s"
