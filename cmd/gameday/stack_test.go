package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/deployed"
)

// TestStateMachineFlag: --state-machine-arn belongs to the commands that
// start or read executions; list and history read only the archive bucket,
// so they neither list it nor accept it.
func TestStateMachineFlag(t *testing.T) {
	tests := []struct {
		cmd  string
		args []string // after the flag, to reach the flag check
		has  bool
	}{
		{"start", []string{"x.yaml"}, true},
		{"status", nil, true},
		{"report", []string{"x"}, true},
		{"list", nil, false},
		{"history", []string{"x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			code, stdout, _ := runCLI(t, tt.cmd, "--help")
			if code != exitOK {
				t.Fatalf("gameday %s --help exit %d", tt.cmd, code)
			}
			if got := strings.Contains(stdout, "-state-machine-arn"); got != tt.has {
				t.Errorf("gameday %s --help lists --state-machine-arn: %v, want %v:\n%s", tt.cmd, got, tt.has, stdout)
			}
			if tt.has {
				return
			}
			args := append([]string{tt.cmd, "--state-machine-arn", "arn:aws:states:us-east-1:123456789012:stateMachine:x"}, tt.args...)
			noAWS := func(context.Context, *stackFlags) (*deployed.Client, error) {
				t.Error("reached for the stack")
				return nil, errors.New("no stack in this test")
			}
			code, stdout, stderr := runCLIWith(t, noAWS, args...)
			want := "gameday: " + tt.cmd + ": unknown flag --state-machine-arn; run 'gameday " + tt.cmd + " --help'\n"
			if code != exitUsage || stdout != "" || stderr != want {
				t.Errorf("gameday %v = %d, stdout %q, stderr %q; want %d, no stdout, %q", args, code, stdout, stderr, exitUsage, want)
			}
		})
	}
}

// TestLoadAWSConfigBoundsWaits: the CLI's clients wait on AWS as long as
// the Lambdas' do (deploy.AWSWait per stage of an attempt), so a call AWS
// never answers ends in a retry and then an error, not in a CLI that hangs
// (status --follow looks again on it); the answer's body stays unbounded.
func TestLoadAWSConfigBoundsWaits(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	cfg, err := loadAWSConfig(context.Background(), "us-east-1", "")
	if err != nil {
		t.Fatal(err)
	}
	b, ok := sfn.NewFromConfig(cfg).Options().HTTPClient.(*awshttp.BuildableClient)
	if !ok {
		t.Fatalf("HTTP client %T, want the SDK's buildable client", cfg.HTTPClient)
	}
	tr, d := b.GetTransport(), b.GetDialer()
	if tr.ResponseHeaderTimeout != deploy.AWSWait || tr.TLSHandshakeTimeout != deploy.AWSWait || d.Timeout != deploy.AWSWait || b.GetTimeout() != 0 {
		t.Errorf("waits for headers %s, TLS %s, connection %s, whole call %s; want %s each and no bound on the whole call",
			tr.ResponseHeaderTimeout, tr.TLSHandshakeTimeout, d.Timeout, b.GetTimeout(), deploy.AWSWait)
	}
}
