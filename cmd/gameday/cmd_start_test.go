package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/deployed"
	dt "github.com/gameday-dev/gameday/pkg/deployed/deployedtest"
)

const (
	fakeSM     = "arn:aws:states:us-east-1:123456789012:stateMachine:GameDayWorkflow"
	fakeBucket = "gameday-archive-123456789012-us-east-1"
	cartsRun   = "sock-shop-carts-latency-20261126T010203Z"
)

var fakeNow = time.Date(2026, 11, 26, 1, 2, 3, 0, time.UTC)

// fakeStack is a deployed stack made of fakes, for the start, status and
// report commands.
type fakeStack struct {
	stacks *dt.Stacks
	sfn    *dt.SFN
	s3     *dt.S3
	flags  []stackFlags // what each command passed to deployed
}

// deployer makes the client of a deployed stack, as env.deployed does.
type deployer = func(context.Context, *stackFlags) (*deployed.Client, error)

// newFakeStack is a stack GameDay with both outputs (unless noStack),
// executions, archive objects; its deployed method gives the commands a
// client over these fakes.
func newFakeStack(t *testing.T, noStack bool) *fakeStack {
	t.Helper()
	f := &fakeStack{
		stacks: &dt.Stacks{Stacks: map[string]cftypes.Stack{}},
		sfn:    &dt.SFN{Frames: map[string][]*dt.Execution{}},
		s3:     &dt.S3{Objects: map[string]string{}},
	}
	if !noStack {
		f.stacks.Stacks["GameDay"] = dt.Stack("GameDay", map[string]string{
			deploy.OutputStateMachineARN: fakeSM, deploy.OutputArchiveBucket: fakeBucket,
		})
	}
	return f
}

// deployed is the client over the fakes, for env.deployed.
func (f *fakeStack) deployed(_ context.Context, sf *stackFlags) (*deployed.Client, error) {
	f.flags = append(f.flags, *sf)
	names := []string{deploy.DefaultStackName}
	if sf.stack != "" {
		names = []string{sf.stack}
	}
	return &deployed.Client{
		Stack:   &deployed.StackResolver{API: f.stacks, Names: names, StateMachineARN: sf.stateMachine, ArchiveBucket: sf.bucket},
		Starter: f.sfn, Executions: f.sfn, Lister: f.sfn, Objects: f.s3, Keys: f.s3,
		Now: func() time.Time { return fakeNow },
	}, nil
}

// add adds a run that got to p; with more points, the run moves through
// them as it is followed.
func (f *fakeStack) add(name string, p dt.Point, more ...dt.Point) string {
	e := dt.NewExecution(fakeSM, name, "sock-shop-carts-latency", fakeBucket, p)
	f.sfn.Executions = append(f.sfn.Executions, e)
	if len(more) > 0 {
		frames := []*dt.Execution{e}
		for _, m := range more {
			frames = append(frames, dt.NewExecution(fakeSM, name, "sock-shop-carts-latency", fakeBucket, m))
		}
		f.sfn.Frames[e.ARN] = frames
	}
	return e.ARN
}

func cartsARN() string {
	return strings.Replace(fakeSM, ":stateMachine:", ":execution:", 1) + ":" + cartsRun
}

func TestStartCommand(t *testing.T) {
	abs, err := filepath.Abs(cartsLatency)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(readFile(t, cartsLatency), "  faults:", "  faultz:", 1)
	tests := []struct {
		name       string
		args       []string
		noStack    bool
		chdir      map[string]string // files of a working directory
		frames     []dt.Point        // what a follow sees after the start
		wantCode   int
		wantStdout string
		wantStderr string // substring
		wantStarts int
	}{
		{
			name: "a file", args: []string{"start", cartsLatency}, wantCode: exitOK, wantStarts: 1,
			wantStdout: "started " + cartsRun + " (GameDay sock-shop-carts-latency, file " + cartsLatency + ")\n" +
				"execution: " + cartsARN() + "\n" +
				"follow it: gameday status --follow " + cartsRun + "\n",
		},
		{
			name: "flags are repeated in the hint", args: []string{"start", cartsLatency, "--state-machine-arn", fakeSM, "--region", "us-east-1"},
			wantCode: exitOK, wantStarts: 1,
			wantStdout: "started " + cartsRun + " (GameDay sock-shop-carts-latency, file " + cartsLatency + ")\n" +
				"execution: " + cartsARN() + "\n" +
				"follow it: gameday status --follow " + cartsRun + " --state-machine-arn " + fakeSM + " --region us-east-1\n",
		},
		{
			name: "a name under gamedays/", args: []string{"start", "sock-shop-carts-latency"}, wantCode: exitOK, wantStarts: 1,
			chdir: map[string]string{"gamedays/carts.yaml": readFile(t, abs), "examples/carts.yaml": bad},
			wantStdout: "started " + cartsRun + " (GameDay sock-shop-carts-latency, file gamedays/carts.yaml)\n" +
				"execution: " + cartsARN() + "\n" +
				"follow it: gameday status --follow " + cartsRun + "\n",
		},
		{
			name: "a name in the current directory", args: []string{"start", "sock-shop-carts-latency"}, wantCode: exitOK, wantStarts: 1,
			chdir: map[string]string{"carts.yaml": readFile(t, abs), "gamedays/carts.yaml": bad},
			wantStdout: "started " + cartsRun + " (GameDay sock-shop-carts-latency, file carts.yaml)\n" +
				"execution: " + cartsARN() + "\n" +
				"follow it: gameday status --follow " + cartsRun + "\n",
		},
		{
			name: "a name with problems", args: []string{"start", "sock-shop-carts-latency"}, wantCode: exitInvalid,
			chdir:      map[string]string{"examples/carts.yaml": bad},
			wantStderr: "examples/carts.yaml:",
		},
		{
			name: "an unknown name", args: []string{"start", "nope"}, wantCode: exitInvalid, chdir: map[string]string{},
			wantStderr: "gameday: find gameday nope: not found: no file under ./, gamedays/ or examples/ has metadata.name nope; give the file's path instead\n",
		},
		{
			name: "a missing file", args: []string{"start", "nope.yaml"}, wantCode: exitInvalid,
			wantStderr: "gameday: nope.yaml: no such file\n",
		},
		{
			name: "an invalid file", args: []string{"start", writeFile(t, "bad.yaml", bad)}, wantCode: exitInvalid,
			wantStderr: "bad.yaml:",
		},
		{
			name: "no stack", args: []string{"start", cartsLatency}, noStack: true, wantCode: exitInvalid,
			wantStderr: "gameday: find gameday stack: not found: none of GameDay exists in this account and region; name it with --stack, or pass --state-machine-arn and --archive-bucket\n",
		},
		{
			name: "follow to success", args: []string{"start", cartsLatency, "--follow"}, wantCode: exitOK, wantStarts: 1,
			frames: []dt.Point{dt.AtPreflight, dt.ExperimentRunning, dt.Succeeded},
			wantStdout: "started " + cartsRun + " (GameDay sock-shop-carts-latency, file " + cartsLatency + ")\n" +
				"execution: " + cartsARN() + "\n" +
				"2026-11-26T01:02:03Z  RUNNING  preflight\n" +
				"2026-11-26T01:02:03Z  RUNNING  experiment running  [" + dt.ExperimentID + "]\n" +
				"2026-11-26T01:02:03Z  SUCCEEDED  experiment " + dt.ExperimentID + " (completed)  verdict passed\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{
			name: "follow to failure", args: []string{"start", cartsLatency, "--follow"}, wantCode: exitInvalid, wantStarts: 1,
			frames: []dt.Point{dt.RefusedByPreflight},
			wantStdout: "started " + cartsRun + " (GameDay sock-shop-carts-latency, file " + cartsLatency + ")\n" +
				"execution: " + cartsARN() + "\n" +
				"2026-11-26T01:02:03Z  FAILED  PreflightFailed: stop-condition alarm gameday-x-errors is in ALARM\n",
		},
		{
			name: "follow to an inconclusive hypothesis", args: []string{"start", cartsLatency, "--follow"}, wantCode: 6, wantStarts: 1,
			frames: []dt.Point{dt.ExperimentRunning, dt.Inconclusive},
			wantStdout: "started " + cartsRun + " (GameDay sock-shop-carts-latency, file " + cartsLatency + ")\n" +
				"execution: " + cartsARN() + "\n" +
				"2026-11-26T01:02:03Z  RUNNING  experiment running  [" + dt.ExperimentID + "]\n" +
				"2026-11-26T01:02:03Z  SUCCEEDED  experiment " + dt.ExperimentID + " (completed)  verdict inconclusive\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{
			name: "follow to a refuted hypothesis", args: []string{"start", cartsLatency, "--follow"}, wantCode: 3, wantStarts: 1,
			frames: []dt.Point{dt.Refuted},
			wantStdout: "started " + cartsRun + " (GameDay sock-shop-carts-latency, file " + cartsLatency + ")\n" +
				"execution: " + cartsARN() + "\n" +
				"2026-11-26T01:02:03Z  SUCCEEDED  experiment " + dt.ExperimentID + " (completed)  verdict hypothesis-refuted\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{
			name: "follow every second", args: []string{"start", cartsLatency, "--follow", "--interval", "1s"}, wantCode: exitOK, wantStarts: 1,
			frames: []dt.Point{dt.ExperimentRunning, dt.Succeeded},
			wantStdout: "started " + cartsRun + " (GameDay sock-shop-carts-latency, file " + cartsLatency + ")\n" +
				"execution: " + cartsARN() + "\n" +
				"2026-11-26T01:02:03Z  RUNNING  experiment running  [" + dt.ExperimentID + "]\n" +
				"2026-11-26T01:02:03Z  SUCCEEDED  experiment " + dt.ExperimentID + " (completed)  verdict passed\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{name: "interval too short", args: []string{"start", cartsLatency, "--follow", "--interval", "100ms"}, wantCode: exitUsage, wantStderr: "gameday: start: --interval must be at least 1s\n"},
		{name: "no argument", args: []string{"start"}, wantCode: exitUsage, wantStderr: "gameday: start takes one FILE or GameDay NAME"},
		{name: "two arguments", args: []string{"start", "a", "b"}, wantCode: exitUsage, wantStderr: "gameday: start takes one FILE or GameDay NAME"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStack(t, tc.noStack)
			if tc.frames != nil {
				var frames []*dt.Execution
				for _, p := range tc.frames {
					frames = append(frames, dt.NewExecution(fakeSM, cartsRun, "sock-shop-carts-latency", fakeBucket, p))
				}
				f.sfn.Frames[cartsARN()] = frames
			}
			if tc.chdir != nil {
				dir := t.TempDir()
				for name, content := range tc.chdir {
					p := filepath.Join(dir, name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				t.Chdir(dir)
			}
			checkCLI(t, f.deployed, tc.args, tc.wantCode, tc.wantStdout, tc.wantStderr)
			if got := len(f.sfn.Started); got != tc.wantStarts {
				t.Errorf("started %d executions, want %d", got, tc.wantStarts)
			}
		})
	}
}

// TestStartProblemsOneLineEach: an invalid file gets its problems on
// stderr, each FILE:LINE:COL: ..., and nothing else.
func TestStartProblemsOneLineEach(t *testing.T) {
	f := newFakeStack(t, false)
	bad := strings.Replace(readFile(t, cartsLatency), "  faults:", "  faultz:", 1)
	bad = strings.Replace(bad, "name: sock-shop-carts-latency", "name: Sock_Shop", 1)
	p := writeFile(t, "bad.yaml", bad)
	code, stdout, stderr := runCLIWith(t, f.deployed, "start", p)
	if code != exitInvalid || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing", code, stdout)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) < 2 {
		t.Fatalf("got %d problem lines, want one per problem (2 at least):\n%s", len(lines), stderr)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, p+":") {
			t.Errorf("problem line %q does not start with %s:LINE:COL", l, p)
		}
	}
}

// TestStartProblemsBeforeAWS: an invalid file gets its problems without
// an AWS account: the file is checked before any AWS configuration is read.
func TestStartProblemsBeforeAWS(t *testing.T) {
	stack := func(context.Context, *stackFlags) (*deployed.Client, error) {
		t.Error("the deployed stack was asked for with an invalid file")
		return nil, errors.New("no AWS region")
	}
	p := writeFile(t, "bad.yaml", strings.Replace(readFile(t, cartsLatency), "  faults:", "  faultz:", 1))
	code, _, stderr := runCLIWith(t, stack, "start", p)
	if code != exitInvalid || !strings.Contains(stderr, `unknown field "faultz"`) || strings.Contains(stderr, "no AWS region") {
		t.Errorf("exit %d, stderr %q; want 1 and the file's problems", code, stderr)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
