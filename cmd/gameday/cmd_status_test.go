package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	dt "github.com/gameday-dev/gameday/pkg/deployed/deployedtest"
)

func TestStatusCommand(t *testing.T) {
	arn := cartsARN()
	tests := []struct {
		name       string
		args       []string
		add        []dt.Point // the run cartsRun, moving through these points
		wantCode   int
		wantStdout string
		wantStderr string // substring
	}{
		{
			name: "list", args: []string{"status"}, add: []dt.Point{dt.Succeeded}, wantCode: exitOK,
			wantStdout: "NAME                                      STATUS     STARTED               STOPPED\n" +
				cartsRun + "  SUCCEEDED  2026-11-26T01:00:00Z  2026-11-26T01:10:00Z\n",
		},
		{name: "list, none", args: []string{"status"}, wantCode: exitOK, wantStdout: "no runs yet: start one with gameday start FILE|NAME\n"},
		{
			name: "one run that ended", args: []string{"status", cartsRun}, add: []dt.Point{dt.Succeeded}, wantCode: exitOK,
			wantStdout: "run:         " + cartsRun + "\n" +
				"execution:   " + arn + "\n" +
				"gameday:     sock-shop-carts-latency\n" +
				"status:      SUCCEEDED\n" +
				"started:     2026-11-26T01:00:00Z\n" +
				"stopped:     2026-11-26T01:10:00Z\n" +
				"step:        Succeeded (ended)\n" +
				"experiment:  " + dt.ExperimentID + " (completed)\n" +
				"verdict:     passed\n" +
				"archive:     s3://" + fakeBucket + "/" + dt.ArchivePrefix("sock-shop-carts-latency") + "\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{
			name: "one run by ARN, running", args: []string{"status", arn, "--stack", "GameDay"}, add: []dt.Point{dt.ExperimentRunning}, wantCode: exitOK,
			wantStdout: "run:         " + cartsRun + "\n" +
				"execution:   " + arn + "\n" +
				"gameday:     sock-shop-carts-latency\n" +
				"status:      RUNNING\n" +
				"started:     2026-11-26T01:00:00Z\n" +
				"step:        PollExperiment (experiment running)\n" +
				"experiment:  " + dt.ExperimentID + " (running)\n" +
				"follow it: gameday status --follow " + cartsRun + " --stack GameDay\n",
		},
		{
			name: "no such run", args: []string{"status", "nope-20261126T010203Z"}, wantCode: exitInvalid,
			wantStderr: "gameday: describe run nope-20261126T010203Z: no such execution of the gameday state machine: ExecutionDoesNotExist: Execution Does Not Exist: '" +
				strings.Replace(fakeSM, ":stateMachine:", ":execution:", 1) + ":nope-20261126T010203Z'\n",
		},
		{
			name: "follow to success", args: []string{"status", "--follow", cartsRun, "--interval", "1s"}, wantCode: exitOK,
			add: []dt.Point{dt.ExperimentRunning, dt.Succeeded},
			wantStdout: "2026-11-26T01:02:03Z  RUNNING  experiment running  [" + dt.ExperimentID + "]\n" +
				"2026-11-26T01:02:03Z  SUCCEEDED  experiment " + dt.ExperimentID + " (completed)  verdict passed\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{
			name: "follow to failure", args: []string{"status", cartsRun, "--follow", "--interval=1s"}, wantCode: exitInvalid,
			add: []dt.Point{dt.FailedArchived},
			wantStdout: "2026-11-26T01:02:03Z  FAILED  experiment " + dt.ExperimentID + " (stopped)  verdict failed  ExperimentTimeout: experiment ran past its 30m timeout\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{
			name: "follow to a refuted hypothesis", args: []string{"status", "--follow", cartsRun}, wantCode: 3,
			add: []dt.Point{dt.Refuted},
			wantStdout: "2026-11-26T01:02:03Z  SUCCEEDED  experiment " + dt.ExperimentID + " (completed)  verdict hypothesis-refuted\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{
			name: "follow to a stop condition", args: []string{"status", "--follow", cartsRun}, wantCode: 4,
			add: []dt.Point{dt.StoppedByAlarm},
			wantStdout: "2026-11-26T01:02:03Z  SUCCEEDED  experiment " + dt.ExperimentID + " (completed)  verdict stopped-by-alarm\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{
			name: "follow to a failed experiment", args: []string{"status", "--follow", cartsRun}, wantCode: 5,
			add: []dt.Point{dt.ExperimentFailed},
			wantStdout: "2026-11-26T01:02:03Z  SUCCEEDED  experiment " + dt.ExperimentID + " (completed)  verdict failed\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{
			name: "follow to an untested hypothesis", args: []string{"status", "--follow", cartsRun}, wantCode: 5,
			add: []dt.Point{dt.Untested},
			wantStdout: "2026-11-26T01:02:03Z  SUCCEEDED  experiment " + dt.ExperimentID + " (completed)  verdict untested\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{
			name: "follow to an inconclusive hypothesis", args: []string{"status", "--follow", cartsRun}, wantCode: 6,
			add: []dt.Point{dt.Inconclusive},
			wantStdout: "2026-11-26T01:02:03Z  SUCCEEDED  experiment " + dt.ExperimentID + " (completed)  verdict inconclusive\n" +
				"report: gameday report " + cartsRun + "\n",
		},
		{name: "follow without a run", args: []string{"status", "--follow"}, wantCode: exitUsage, wantStderr: "gameday: status --follow needs a RUN"},
		{name: "two runs", args: []string{"status", "a", "b"}, wantCode: exitUsage, wantStderr: "gameday: status takes at most one RUN"},
		{name: "interval too short", args: []string{"status", "a", "--follow", "--interval", "10ms"}, wantCode: exitUsage, wantStderr: "--interval must be at least 1s"},
		{name: "bad limit", args: []string{"status", "--limit", "0"}, wantCode: exitUsage, wantStderr: "--limit must be at least 1"},
		{name: "bad flag", args: []string{"status", "--folow"}, wantCode: exitUsage, wantStderr: "unknown flag --folow (did you mean --follow?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStack(t, false)
			if len(tc.add) > 0 {
				f.add(cartsRun, tc.add[0], tc.add[1:]...)
			}
			stderr := checkCLI(t, f.deployed, tc.args, tc.wantCode, tc.wantStdout, tc.wantStderr)
			if strings.Count(stderr, "\n") > 1 {
				t.Errorf("stderr has more than one line:\n%s", stderr)
			}
		})
	}
}

// TestStatusFollowInterrupted: Ctrl-C (the command's context ends) stops
// following, says so on one line and exits 130 (the client cannot stop
// executions: pkg/deployed's interfaces have no StopExecution).
func TestStatusFollowInterrupted(t *testing.T) {
	tests := []struct {
		name  string
		flags []string
	}{
		{"default interval", []string{"--region", "us-east-1"}},
		{"its interval repeated", []string{"--region", "us-east-1", "--interval", "2s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeStack(t, false)
			f.add(cartsRun, dt.ExperimentRunning)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var out, errb bytes.Buffer
			code := run(ctx, append([]string{"status", "--follow", cartsRun}, tt.flags...), &env{stdout: &out, stderr: &errb, deployed: f.deployed})
			if code != exitInterrupted {
				t.Errorf("exit %d, want %d", code, exitInterrupted)
			}
			again := " --region us-east-1"
			if len(tt.flags) > 2 {
				again = " --interval 2s" + again
			}
			want := "gameday: stopped following " + cartsRun + "; the run goes on: gameday status --follow " + cartsRun + again + "\n"
			if diff := cmp.Diff(want, errb.String()); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}
