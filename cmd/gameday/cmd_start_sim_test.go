package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/sfnsim"
	"github.com/gameday-dev/gameday/pkg/sim/simclock"
)

// TestStartOnTheServiceClock: against a simulator whose clock stands years
// from the user's, start names the execution by the service's clock (its
// answers' Date), so that the name, the start time status shows and the
// stamps of --follow read one clock, as they do against AWS.
func TestStartOnTheServiceClock(t *testing.T) {
	origin := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	s, err := sim.New(sim.Options{Clock: simclock.New(origin, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	sm := s.StepFunctions().CreateStateMachine(sfnsim.StateMachine{Name: deploy.StateMachineName(deploy.DefaultStackName),
		Run: func(context.Context, sfnsim.Start, func(sfnsim.Event)) sfnsim.Result {
			return sfnsim.Result{Status: "SUCCEEDED", Output: "{}"}
		}})
	s.CloudFormation().DeclareStack(deploy.DefaultStackName, s.Clock().Now(), deploy.Outputs{StateMachineARN: sm, ArchiveBucket: "archive"}.Map())
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": s.URL(), "AWS_REGION": s.Region(), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none,
	} {
		t.Setenv(k, v)
	}
	cli := func(want int, args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &env{stdout: &stdout, stderr: &stderr}); code != want {
			t.Fatalf("gameday %v = %d, stderr %q; want %d", args, code, stderr.String(), want)
		}
		return stdout.String()
	}
	at := func(what, layout, s string) time.Time {
		t.Helper()
		v, err := time.Parse(layout, s)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}

	out := cli(exitOK, "start", cartsLatency)
	m := regexp.MustCompile(`started (\S+-(\d{8}T\d{6}Z)) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("start printed %q, want a started line", out)
	}
	name, named := m[1], at("the name's time", "20060102T150405Z", m[2])
	status := cli(exitOK, "status", name)
	sm2 := regexp.MustCompile(`(?m)^started:\s+(\S+)$`).FindStringSubmatch(status)
	if sm2 == nil {
		t.Fatalf("status printed %q, want a started row", status)
	}
	started := at("status's start", time.RFC3339, sm2[1])
	// The name is dated by the service's answer just before the start, to
	// the second; the simulator's clock runs at wall speed here.
	if d := started.Sub(named); d < 0 || d > 3*time.Second {
		t.Errorf("named %s, started %v (status): %v apart, want the same clock, within seconds", name, started, d)
	}
	if named.Before(origin) {
		t.Errorf("named %s, before the simulator's clock began (%v): the user's clock", name, origin)
	}

	// --follow stamps its lines by the service's clock too (the run has
	// no verdict: it ends as an orchestration error).
	follow := cli(exitInvalid, "status", "--follow", name)
	fm := regexp.MustCompile(`^(\S+)  SUCCEEDED`).FindStringSubmatch(follow)
	if fm == nil {
		t.Fatalf("status --follow printed %q, want a SUCCEEDED line", follow)
	}
	if stamp := at("the follow line's stamp", time.RFC3339, fm[1]); stamp.Before(started) || stamp.After(s.Clock().Now()) {
		t.Errorf("follow line stamped %v, want between the start %v and the simulator's now %v", stamp, started, s.Clock().Now())
	}
}
