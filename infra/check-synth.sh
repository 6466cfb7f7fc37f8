#!/usr/bin/env bash
# Checks a synthesized cloud assembly (make synth): the state machine
# definition pulled out of each template passes asl-validator, and
# each template passes cfn-lint where the machine
# has it (W3005, "obsolete DependsOn", is CDK noise).
set -euo pipefail
out="${1:-cdk.out}"
shopt -s nullglob
templates=("$out"/*.template.json)
if [ ${#templates[@]} -eq 0 ]; then
  echo "check-synth: no templates in $out" >&2
  exit 1
fi
# cdk-nag's AwsSolutions pack (applied by the app) reports findings as
# error annotations; any left unsuppressed fails here.
if grep -l '"aws:cdk:error"' "$out"/*.metadata.json "$out"/manifest.json 2>/dev/null; then
  echo "check-synth: the assembly has error annotations (cdk-nag findings?)" >&2
  exit 1
fi
for t in "${templates[@]}"; do
  base="${t%.template.json}"
  n=$(node -e '
    const fs = require("fs");
    const [tpl, base] = process.argv.slice(1);
    const res = JSON.parse(fs.readFileSync(tpl, "utf8")).Resources || {};
    let n = 0;
    for (const [id, r] of Object.entries(res)) {
      if (r.Type !== "AWS::StepFunctions::StateMachine") continue;
      const def = r.Properties.DefinitionString;
      if (typeof def !== "string") { console.error(id + ": DefinitionString is not a literal"); process.exit(1); }
      fs.writeFileSync(base + "." + id + ".asl.json", def);
      n++;
    }
    console.log(n);
  ' "$t" "$base")
  if [ "$n" -ne 1 ]; then
    echo "check-synth: $t has $n state machines, want 1" >&2
    exit 1
  fi
  for asl in "$base".*.asl.json; do
    npx --no-install asl-validator --json-path "$asl"
  done
  if command -v cfn-lint >/dev/null 2>&1; then
    cfn-lint --ignore-checks W3005 -- "$t"
    echo "cfn-lint: $t ok"
  else
    echo "cfn-lint not installed: skipped for $t"
  fi
done
