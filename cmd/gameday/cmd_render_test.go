package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const cartsLatency = "../../examples/sock-shop-carts-latency.yaml"

// runCLI runs the gameday command line in-process.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLIWith(t, nil, args...)
}

// runCLIWith runs the command line in-process with the deployed stack that
// stack makes (nil: the default AWS configuration chain).
func runCLIWith(t *testing.T, stack deployer, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &env{stdout: &out, stderr: &errb, deployed: stack})
	return code, out.String(), errb.String()
}

// checkCLI runs the command line with args (and the deployed stack that
// stack makes) and checks its exit code, its
// whole stdout and that stderr contains wantStderr (is empty when that is
// empty). It returns stderr.
func checkCLI(t *testing.T, stack deployer, args []string, wantCode int, wantStdout, wantStderr string) string {
	t.Helper()
	code, stdout, stderr := runCLIWith(t, stack, args...)
	if code != wantCode {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, wantCode, stderr)
	}
	if diff := cmp.Diff(wantStdout, stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if wantStderr == "" && stderr != "" || !strings.Contains(stderr, wantStderr) {
		t.Errorf("stderr %q, want it to contain %q", stderr, wantStderr)
	}
	return stderr
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// stackRole is a deployed stack's FisRoleArn output.
const stackRole = "arn:aws:iam::123456789012:role/GameDay-FisExperimentRole-1A2B3C"

func TestRenderCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t, "render", cartsLatency, "--account", "123456789012", "--region", "ap-northeast-1")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var body struct {
		StopConditions []struct{ Source, Value string } `json:"stopConditions"`
		Actions        map[string]struct {
			ActionID   string            `json:"actionId"`
			Parameters map[string]string `json:"parameters"`
		} `json:"actions"`
		RoleArn string `json:"roleArn"`
	}
	if err := json.Unmarshal([]byte(stdout), &body); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	a := body.Actions["carts-delay"]
	var spec struct {
		Action   string `json:"action"`
		Duration string `json:"duration"`
		Delay    struct {
			Latency string `json:"latency"`
		} `json:"delay"`
		Selector struct {
			Namespaces     []string          `json:"namespaces"`
			LabelSelectors map[string]string `json:"labelSelectors"`
		} `json:"selector"`
	}
	if err := json.Unmarshal([]byte(a.Parameters["kubernetesSpec"]), &spec); err != nil {
		t.Fatalf("kubernetesSpec does not parse: %v", err)
	}
	if spec.Action != "delay" || spec.Delay.Latency != "90ms" || spec.Duration != "180s" || spec.Selector.LabelSelectors["name"] != "carts" || len(spec.Selector.Namespaces) != 1 || spec.Selector.Namespaces[0] != "sock-shop" {
		t.Errorf("kubernetesSpec = %+v", spec)
	}
	if a.ActionID != "aws:eks:inject-kubernetes-custom-resource" || a.Parameters["maxDuration"] != "PT5M" {
		t.Errorf("action = %+v", a)
	}
	if want := "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:gameday-sock-shop-carts-latency-front-end-errors"; len(body.StopConditions) != 1 || body.StopConditions[0].Value != want {
		t.Errorf("stopConditions = %+v, want %s", body.StopConditions, want)
	}
	// The stack's role, which CloudFormation names: a placeholder, and a
	// warning, until --role-arn gives it.
	if body.RoleArn != "<FisRoleArn>" || !strings.Contains(stderr, "warning: without --role-arn and --log-bucket the template has <FisRoleArn> and <LogBucketName> placeholders") {
		t.Errorf("roleArn = %q, stderr = %q", body.RoleArn, stderr)
	}
	// The walkthrough's cluster is in us-east-1: rendering for another
	// region works (the shape is the same) but says so.
	if !strings.Contains(stderr, "warning: the target cluster is in account 123456789012, region us-east-1") {
		t.Errorf("stderr = %q, want a warning about the cluster's region", stderr)
	}
	if _, _, stderr := runCLI(t, "render", cartsLatency, "--region", "us-east-1", "--role-arn", stackRole, "--log-bucket", "logs"); stderr != "" {
		t.Errorf("rendering for the cluster's own region: stderr = %q", stderr)
	}

	// Same input, same bytes; flags after or before FILE alike.
	_, again, _ := runCLI(t, "render", "--region", "ap-northeast-1", "--account", "123456789012", cartsLatency)
	if again != stdout {
		t.Error("a second render differs")
	}
}

// TestRenderClusterName: a cluster given by name leaves the account and
// region to the flags; without them the template has placeholders, and
// render says so.
func TestRenderClusterName(t *testing.T) {
	good, err := os.ReadFile(cartsLatency)
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "by-name.yaml", strings.Replace(string(good), "cluster: arn:aws:eks:us-east-1:123456789012:cluster/sandbox", "clusterName: sandbox", 1))
	code, stdout, stderr := runCLI(t, "render", p)
	if code != exitOK || !strings.Contains(stdout, "<account>") || !strings.Contains(stderr, "pass --account and --region") {
		t.Errorf("render without --account: exit %d, stderr %q; want placeholders and a warning", code, stderr)
	}
	code, stdout, stderr = runCLI(t, "render", p, "--account", "123456789012", "--region", "eu-west-1", "--role-arn", stackRole, "--log-bucket", "logs")
	if code != exitOK || strings.Contains(stdout, "<") || stderr != "" {
		t.Errorf("render with --account and --region: exit %d, stderr %q, placeholders left: %t", code, stderr, strings.Contains(stdout, "<"))
	}
}

var problemLine = regexp.MustCompile(`^[^:]+\.yaml:(\d+:\d+: |\s)`)

func TestRenderAndRBACRefuseBadFiles(t *testing.T) {
	good, err := os.ReadFile(cartsLatency)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		content  string
		want     string // in stderr
		position bool   // stderr lines are FILE:LINE:COL: ...
	}{
		{"unknown field", strings.Replace(string(good), "  faults:", "  falts: []\n  faults:", 1), "unknown field", true},
		{"not YAML", "\x00\x01\x02 {{{ ]]]", "", false},
		{"empty", "\n\n", "empty", false},
		{"wrong kind", strings.Replace(string(good), "kind: GameDay", "kind: Deployment", 1), "kind", true},
		{"no target", strings.Replace(string(good), "    cluster: arn:aws:eks:us-east-1:123456789012:cluster/sandbox\n", "", 1), "spec.target", true},
		{"too large", strings.Repeat("# padding\n", 120000), "1 MiB", false},
		// Valid for the parser, refused by the rendering: FIS takes at most
		// 1024 characters per action parameter.
		{"kubernetesSpec too long", strings.Replace(string(good), "          direction: to\n", "          direction: to\n          externalTargets: ["+strings.TrimSuffix(strings.Repeat("www.example.com, ", 70), ", ")+"]\n", 1), "at most 1024", false},
	}
	for _, cmd := range []string{"render", "rbac"} {
		for _, tt := range tests {
			if cmd == "rbac" && tt.name == "kubernetesSpec too long" {
				continue // rbac renders no template: the file is fine for it
			}
			t.Run(cmd+"/"+tt.name, func(t *testing.T) {
				file := writeFile(t, "bad.yaml", tt.content)
				code, stdout, stderr := runCLI(t, cmd, file)
				if code != exitInvalid {
					t.Errorf("exit %d, want %d", code, exitInvalid)
				}
				if stdout != "" {
					t.Errorf("stdout = %q, want nothing", stdout)
				}
				if !strings.Contains(stderr, tt.want) {
					t.Errorf("stderr %q does not contain %q", stderr, tt.want)
				}
				lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
				for _, l := range lines {
					if !strings.HasPrefix(l, file+":") {
						t.Errorf("stderr line %q does not start with the file name", l)
					}
					if tt.position && !problemLine.MatchString(l) {
						t.Errorf("stderr line %q has no LINE:COL", l)
					}
					if strings.Contains(l, "goroutine") || strings.Contains(l, "panic") {
						t.Errorf("stack trace on stderr: %q", l)
					}
				}
			})
		}
	}
}

func TestRenderUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no file", []string{"render"}, exitUsage},
		{"two files", []string{"render", cartsLatency, cartsLatency}, exitUsage},
		{"unknown flag", []string{"render", "--nope", cartsLatency}, exitUsage},
		{"help", []string{"render", "--help"}, exitOK},
		{"missing file", []string{"render", "does-not-exist.yaml"}, exitInvalid},
		{"rbac no file", []string{"rbac"}, exitUsage},
		{"rbac help", []string{"rbac", "--help"}, exitOK},
		{"rbac missing file", []string{"rbac", "does-not-exist.yaml"}, exitInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if tt.code != exitOK && strings.Count(strings.TrimSpace(stderr), "\n") > 0 && !strings.Contains(stderr, "Usage") {
				t.Errorf("stderr is more than one line: %q", stderr)
			}
		})
	}
}

func TestRBACCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t, "rbac", cartsLatency, "--group", "chaos-fis", "--role-arn", "arn:aws:iam::123456789012:role/fis")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"aws eks create-access-entry --cluster-name sandbox --principal-arn arn:aws:iam::123456789012:role/fis --type STANDARD --kubernetes-groups chaos-fis --region us-east-1",
		"kind: Role\n",
		"kind: RoleBinding\n",
		"  - networkchaos\n",
		"  name: chaos-fis\n",
		"  namespace: sock-shop\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "ClusterRole") {
		t.Errorf("stdout has a ClusterRole:\n%s", stdout)
	}

	code, _, stderr = runCLI(t, "rbac", cartsLatency, "--group", "system:masters")
	if code != exitInvalid || !strings.Contains(stderr, "system:") {
		t.Errorf("--group system:masters: exit %d, stderr %q", code, stderr)
	}
}

// TestDeploymentFlagValues checks that a mistyped --account, --region,
// --role-arn or --group is refused with one line naming the flag, before
// anything is printed on stdout.
func TestDeploymentFlagValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"short account", []string{"render", cartsLatency, "--account", "12345"}, `--account "12345" is not an AWS account ID`},
		{"region typo", []string{"render", cartsLatency, "--region", "us-east1"}, `--region "us-east1" is not an AWS region name`},
		{"role name only", []string{"render", cartsLatency, "--role-arn", "gameday-fis"}, `--role-arn "gameday-fis" is not an IAM role ARN`},
		{"bucket with capitals", []string{"render", cartsLatency, "--log-bucket", "My_Logs"}, `--log-bucket "My_Logs" is not an S3 bucket name`},
		{"rbac role name only", []string{"rbac", cartsLatency, "--role-arn", "gameday-fis"}, `--role-arn "gameday-fis" is not an IAM role ARN`},
		{"group with a space", []string{"rbac", cartsLatency, "--group", "chaos fis"}, `group "chaos fis" contains white space`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != exitInvalid {
				t.Errorf("exit %d, want %d", code, exitInvalid)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want none", stdout)
			}
			if !strings.HasPrefix(stderr, "gameday: ") || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line containing %q", stderr, tc.want)
			}
		})
	}
}

// TestDirectoryArgument checks that every command taking a FILE refuses a
// directory in one line that says what to name instead.
func TestDirectoryArgument(t *testing.T) {
	dir := t.TempDir()
	for _, cmd := range []string{"validate", "render", "rbac"} {
		t.Run(cmd, func(t *testing.T) {
			code, _, stderr := runCLI(t, cmd, dir)
			want := "gameday: " + dir + " is a directory: name the files, for example " + dir + "/*.yaml\n"
			if code != exitInvalid || stderr != want {
				t.Errorf("exit %d, stderr %q; want exit %d, stderr %q", code, stderr, exitInvalid, want)
			}
		})
	}
}
