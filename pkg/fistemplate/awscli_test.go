package fistemplate

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAWSCLIAcceptsTemplate hands the rendered templates (carts-latency and
// every other example) to the AWS CLI (`aws fis create-experiment-template
// --cli-input-json`), which validates every parameter against the FIS API model before it sends
// anything, and points it at a closed local port: a connection error means
// the shape was accepted, a "Parameter validation failed" means it was not.
// A deliberately broken template checks that the test can tell the two apart.
func TestAWSCLIAcceptsTemplate(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH; install it (pip install awscli) to check the template against the FIS API model")
	}
	render := func(example string) []byte {
		t.Helper()
		in, err := Render(load(t, example), Options{Account: "123456789012", Region: "ap-northeast-1",
			RoleARN: "arn:aws:iam::123456789012:role/gameday-fis", LogBucket: "gameday-fis-logs-123456789012-ap-northeast-1"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := JSON(in)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := render(filepath.Join(examplesDir, "sock-shop-carts-latency.yaml"))
	bad := []byte(strings.Replace(string(good), `"actionId"`, `"actionID"`, 1))
	if string(bad) == string(good) {
		t.Fatal("could not break the template")
	}

	port := closedPort(t)
	type test struct {
		name       string
		body       []byte
		wantOutput string
		wantNot    string
	}
	const connErr, paramErr = "Could not connect to the endpoint URL", "Parameter validation failed"
	tests := []test{
		{name: "carts-latency", body: good, wantOutput: connErr, wantNot: paramErr},
		{name: "broken template is refused", body: bad, wantOutput: paramErr, wantNot: connErr},
	}
	for _, path := range examples(t) {
		if name := exampleName(path); name != "sock-shop-carts-latency" {
			tests = append(tests, test{name: name, body: render(path), wantOutput: connErr, wantNot: paramErr})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "template.json")
			if err := os.WriteFile(file, tt.body, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, awsCLI, "fis", "create-experiment-template",
				"--cli-input-json", "file://"+file,
				"--endpoint-url", "http://127.0.0.1:"+port,
				"--region", "ap-northeast-1",
				"--cli-connect-timeout", "2")
			cmd.Env = append(environWithoutAWS(),
				"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
				"AWS_SECRET_ACCESS_KEY=dummy-secret-for-tests",
				"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
				"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
				"AWS_EC2_METADATA_DISABLED=true",
				// One attempt, on purpose: the port is closed, so no
				// response ever comes back to break, and each retry would
				// only dial it again (the test takes 2.3 times as long).
				"AWS_MAX_ATTEMPTS=1",
				"AWS_RETRY_MODE=standard",
			)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("aws succeeded against a closed port?\n%s", out)
			}
			if !strings.Contains(string(out), tt.wantOutput) || strings.Contains(string(out), tt.wantNot) {
				t.Errorf("aws output does not contain %q (or contains %q):\n%s", tt.wantOutput, tt.wantNot, out)
			}
		})
	}
}

// closedPort is a local TCP port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// environWithoutAWS is the test's environment minus every AWS_ variable, so
// that no profile, endpoint or real credential of the machine is used.
func environWithoutAWS() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}
