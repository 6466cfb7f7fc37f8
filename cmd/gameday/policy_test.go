package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const examplePolicy = "../../examples/policy/sandbox.yaml"

// TestValidatePolicy: validate --policy admits the examples, refuses a
// GameDay outside the policy with FILE:LINE:COL: path: message (policy
// NAME: rule) and exit 1, and a bad policy file with its own positions.
func TestValidatePolicy(t *testing.T) {
	examples, _ := filepath.Glob("../../examples/*.yaml")
	code, _, stderr := runCLI(t, append([]string{"validate", "--policy", examplePolicy}, examples...)...)
	if code != exitOK || stderr != "" {
		t.Fatalf("examples under the example policy: exit %d, stderr:\n%s", code, stderr)
	}

	crafted := "../../pkg/validate/testdata/crafted/kube-system.yaml"
	code, stdout, stderr := runCLI(t, "validate", "--policy", examplePolicy, crafted)
	want := crafted + ":17:35: spec.faults[0].chaosMesh.spec.selector.namespaces[0]: namespace kube-system is not one this deployment may select pods in (allowed: sock-shop) (policy sandbox: namespaces)\n"
	if code != exitInvalid || stdout != "" || stderr != want {
		t.Errorf("crafted: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, want)
	}
	// Without the policy the same file is valid: the policy decides.
	if code, _, stderr := runCLI(t, "validate", crafted); code != exitOK {
		t.Errorf("crafted without a policy: exit %d, %s", code, stderr)
	}

	// A GameDay within the policy's reach but over its limits.
	tooHard := "../../pkg/validate/testdata/crafted/too-hard.yaml"
	code, stdout, stderr = runCLI(t, "validate", "--policy", examplePolicy, tooHard)
	want = tooHard + ":19:11: spec.faults[0].chaosMesh.spec.delay: 200ms latency with 51ms jitter (up to 251ms) is more than this deployment allows (250ms) (policy sandbox: chaosMesh.limits.maxLatency)\n"
	if code != exitInvalid || stdout != "" || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 13 {
		t.Errorf("too hard: exit %d, stdout %q, stderr %q; want exit 1 and 13 refusals, first %q", code, stdout, stderr, want)
	}

	// A GameDay given as the policy: its kind is its one problem.
	code, stdout, stderr = runCLI(t, "validate", "--policy", crafted, crafted)
	want = crafted + `:2:1: kind: must be GameDayPolicy, not "GameDay"` + "\n"
	if code != exitInvalid || stdout != "" || stderr != want {
		t.Errorf("a GameDay as the policy: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, want)
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: gameday/v1alpha1\nkind: GameDayPolicy\nmetadata: {name: p}\nspec:\n  namespace: [a]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "validate", "--policy", bad, examples[0])
	if code != exitInvalid || !strings.HasPrefix(stderr, bad+`:5:3: spec.namespace: unknown field "namespace" (did you mean "namespaces"?)`) {
		t.Errorf("bad policy: exit %d, stderr %q", code, stderr)
	}
}

// TestRunLocalPolicy: run --local --policy refuses a GameDay outside the
// policy in preflight (PolicyViolation), exit 1, having created nothing.
func TestRunLocalPolicy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the workflow")
	}
	out := t.TempDir()
	crafted := "../../pkg/validate/testdata/crafted/kube-system.yaml"
	code, stdout, stderr := runCLI(t, "run", "--local", "--plain", "--policy", examplePolicy, "--out", out, crafted)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, exitInvalid, stdout, stderr)
	}
	want := "gameday: execution failed: PolicyViolation: gameday kube-system is outside the deployment's policy sandbox: spec.faults[0].chaosMesh.spec.selector.namespaces[0]: namespace kube-system is not one this deployment may select pods in (allowed: sock-shop) (policy sandbox: namespaces)"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks the refusal:\n%s\nwant:\n%s", stderr, want)
	}
	if strings.Contains(stdout, "verdict:") {
		t.Errorf("a refused run wrote an archive:\n%s", stdout)
	}
}
