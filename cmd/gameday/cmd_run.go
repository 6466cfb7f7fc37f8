package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"golang.org/x/term"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/interpreter"
	"github.com/gameday-dev/gameday/pkg/localrun"
	"github.com/gameday-dev/gameday/pkg/policy"
	"github.com/gameday-dev/gameday/pkg/sim"
)

// runCmd is `gameday run --local`.
type runCmd struct {
	local, plain bool
	out          string
	policy       string
	speed        float64
	seed         seedFlag
	logDelay     time.Duration
}

func (c *runCmd) define(fs *flag.FlagSet) {
	fs.BoolVar(&c.local, "local", false, "run against the embedded simulator (required: for a deployed stack use 'gameday start')")
	fs.StringVar(&c.out, "out", "out", "write the run's archive (and gameday-local.log) under `DIR`")
	fs.Float64Var(&c.speed, "speed", 60, fmt.Sprintf("run the simulated clock `N` times faster than real time, %g to %g", sim.MinSpeed, sim.MaxSpeed))
	fs.Var(&c.seed, "seed", "seed the simulated Sock Shop's load and pod picks with `N`; given, it also makes the experiment and template ids reproducible and starts the simulated clock at the next whole minute, so that runs repeat their checks' values and verdict, though not their times, which the README explains (not given: seed 1 and random ids)")
	fs.DurationVar(&c.logDelay, "log-delay", 2*time.Minute, "simulated FIS log delivery delay")
	fs.BoolVar(&c.plain, "plain", false, "plain progress lines even on a terminal")
	policyFlag(fs, &c.policy)
}

func (c *runCmd) run(ctx context.Context, e *env, args []string) error {
	if !c.local {
		return usagef("run needs --local (it runs against the embedded simulator); to run on a deployed stack use 'gameday start'")
	}
	if err := checkSpeed(c.speed); err != nil {
		return err
	}
	pol, err := readPolicy(e, c.policy)
	if err != nil {
		return err
	}
	return runLocal(ctx, e, args[0], c.out, c.plain, pol, sim.Options{Speed: c.speed, Seed: c.seed.value(), ReproducibleIDs: c.seed.set, Origin: c.seed.origin(time.Now()), LogDelay: c.logDelay})
}

// runLocal runs a GameDay locally; preflight judges it against pol (nil:
// none) as it judges it against the deployed policy in AWS.
func runLocal(ctx context.Context, e *env, file, out string, plain bool, pol *policy.Policy, so sim.Options) error {
	// No policy here: preflight judges the GameDay against pol, as in AWS.
	spec, data, err := loadGameDayFile(e, file, nil)
	if err != nil {
		return err
	}

	// The interpreter and the Node that runs it: installed into the user's
	// cache on first use (one line says so), reused after.
	found, err := interpreter.Ensure(ctx, interpreter.Options{Progress: e.stderr})
	if err != nil {
		return fmt.Errorf("run --local: %w", err)
	}

	logPath, logFile, err := openRunLog(out)
	if err != nil {
		return err
	}
	defer logFile.Close()
	slog.SetDefault(slog.New(slog.NewJSONHandler(logFile, nil)))

	srv, err := sim.New(so)
	if err != nil {
		return fmt.Errorf("start simulator: %w", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return fmt.Errorf("start simulator: %w", err)
	}
	defer srv.Close()

	isTerm := !plain && (e.terminal || isTerminal(e.stdout))
	cw := cloudwatch.NewFromConfig(localrun.AWSConfig(srv))
	display := &localrun.Display{
		W:        e.stdout,
		Terminal: isTerm,
		Width:    termWidth(e.stdout),
		Expected: localrun.ExpectedRuntime(spec),
		Alarms:   func() map[string]string { return alarmStates(ctx, cw, spec) },
	}
	fmt.Fprintf(e.stdout, "gameday: running %s locally (simulator %s, %gx speed); Ctrl-C stops it\n", spec.Metadata.Name, srv.URL(), srv.ScaledClock().Speed())

	// The report names where the archive is once the simulator is gone,
	// as --out says it (relative, as the lines below print it), so that an
	// archive passed on names no path of this machine.
	location := filepath.ToSlash(filepath.Clean(out))
	res, err := localrun.Run(ctx, localrun.Options{
		Spec:            spec,
		SpecYAML:        string(data),
		Sim:             srv,
		NodeModules:     found.NodeModules,
		Node:            found.Node,
		Policy:          pol,
		Progress:        display.Handle,
		ArchiveLocation: location,
	})
	if err != nil {
		return fmt.Errorf("run %s: %w", spec.Metadata.Name, err)
	}
	// The experiment's end state first: on a terminal the progress block
	// is redrawn in place, over whatever would be printed below it.
	stopped := settle(ctx, srv, display, res)
	if err := downloadArchive(ctx, e, srv, out, res.Archive); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "logs:    %s (%d state transitions, %d Lambda invocations)\n", logPath, res.Transitions, total(res.Invocations))
	if res.Status != "SUCCEEDED" {
		if err := reportFailed(ctx, e, res, stopped); err != nil {
			return err
		}
	}
	return runOutcome(res.Status, verdictOf(res.Archive))
}

// openRunLog opens the file the Lambda handlers log JSON to, as in Lambda:
// locally, beside the archive rather than over the progress display.
func openRunLog(out string) (string, *os.File, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", nil, fmt.Errorf("create %s: %w", out, err)
	}
	logPath := filepath.Join(out, "gameday-local.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", nil, fmt.Errorf("open log file: %w", err)
	}
	return logPath, logFile, nil
}

// downloadArchive copies the run's archive, if it has one, from the
// simulator into a folder of its own under out and prints the verdict.
func downloadArchive(ctx context.Context, e *env, srv *sim.Server, out string, a *gameday.ArchiveResult) error {
	if a == nil || a.Prefix == "" {
		return nil
	}
	// A run never writes into another run's folder.
	folder, taken, err := localrun.RunFolder(out, a.Prefix)
	if err != nil {
		return err
	}
	if taken != "" {
		fmt.Fprintf(e.stderr, "gameday: %s holds another run already; this run's archive goes to %s (its report names the first folder for the FIS logs)\n", taken, folder)
	}
	if _, err := localrun.Download(context.WithoutCancel(ctx), localrun.AWSConfig(srv), a.Bucket, a.Prefix, folder); err != nil {
		return fmt.Errorf("download archive: %w", err)
	}
	fmt.Fprintf(e.stdout, "verdict: %s\n", a.Verdict)
	if a.VerdictReason != "" {
		fmt.Fprintf(e.stdout, "reason:  %s\n", a.VerdictReason)
	}
	printReportFiles(e, folder)
	return nil
}

// afterGuard is what became of a run's experiment once the guard ran on
// an execution that did not succeed.
type afterGuard struct {
	id, state string
}

// settle waits, when the guard ran on an execution that had started an
// experiment, for that experiment to end (a little) and shows its state;
// nil when there was nothing to settle.
func settle(ctx context.Context, srv *sim.Server, display *localrun.Display, res *localrun.Result) *afterGuard {
	if res.Status == "SUCCEEDED" || !res.GuardInvoked || res.Final == nil || res.Final.Start == nil {
		return nil
	}
	id := res.Final.Start.ExperimentID
	state, actions := settledState(context.WithoutCancel(ctx), srv, id)
	display.Settled(srv.ScaledClock().Now(), id, state, actions)
	return &afterGuard{id: id, state: state}
}

// reportFailed says how an execution that did not succeed ended and, after
// the guard ran (stopped), what became of the experiment. Interrupted by
// Ctrl-C with nothing left running, it is exitInterrupted.
func reportFailed(ctx context.Context, e *env, res *localrun.Result, stopped *afterGuard) error {
	msg := "execution " + strings.ToLower(res.Status)
	if res.Error != "" {
		// A Lambda error's cause already starts with its type.
		msg += ": " + res.Error + ": " + firstLineOf(strings.TrimPrefix(res.Cause, res.Error+": "))
	}
	e.errorf("%s", msg)
	settled := res.Final == nil || res.Final.Start == nil // nothing was started
	if stopped != nil {
		fmt.Fprintf(e.stderr, "gameday: after the guard, experiment %s is %s\n", stopped.id, stopped.state)
		settled = gameday.State(stopped.state).Terminal()
		if gameday.State(stopped.state) == gameday.StateCompleted && (res.Archive == nil || res.Archive.Prefix == "") {
			// It ran its course; what was lost is the report.
			e.errorf("no report: the experiment had completed, but the run ended while the archive waited for the FIS logs and the after window's metrics, so nothing was archived")
		}
	}
	if ctx.Err() != nil && settled {
		return &exitError{code: exitInterrupted}
	}
	return nil
}

// verdictOf is an archive's verdict, "" when there is none.
func verdictOf(a *gameday.ArchiveResult) string {
	if a == nil {
		return ""
	}
	return a.Verdict
}

// alarmStates reads the stop-condition alarms' states for the display.
func alarmStates(ctx context.Context, cw *cloudwatch.Client, spec *gameday.Spec) map[string]string {
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(gameday.AlarmPrefix(spec.Metadata.Name))})
	if err != nil {
		return nil
	}
	states := map[string]string{}
	for _, a := range out.MetricAlarms {
		states[strings.TrimPrefix(aws.ToString(a.AlarmName), gameday.AlarmPrefix(spec.Metadata.Name))] = string(a.StateValue)
	}
	return states
}

// settledState waits a little (a minute of simulated time at most) for a
// stopping experiment to end, and says its state and its actions' states.
func settledState(ctx context.Context, srv *sim.Server, id string) (string, map[string]string) {
	client := fis.NewFromConfig(localrun.AWSConfig(srv))
	state := "unknown"
	var actions map[string]string
	for range 12 {
		out, err := client.GetExperiment(ctx, &fis.GetExperimentInput{Id: aws.String(id)})
		if err != nil || out.Experiment.State == nil {
			return state, actions
		}
		state = string(out.Experiment.State.Status)
		actions = map[string]string{}
		for name, a := range out.Experiment.Actions {
			if a.State != nil {
				actions[name] = string(a.State.Status)
			}
		}
		if gameday.State(state).Terminal() || srv.ScaledClock().Sleep(ctx, 5*time.Second) != nil {
			break
		}
	}
	return state, actions
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func termWidth(w any) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil {
			return width
		}
	}
	return 0
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// seedFlag is --seed: 1 unless given; given, the simulator's ids are
// reproducible too (sim.Options.ReproducibleIDs).
type seedFlag struct {
	n   int64
	set bool
}

func (f *seedFlag) String() string { return strconv.FormatInt(f.value(), 10) }

func (f *seedFlag) Set(v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return errors.New("not an integer")
	}
	f.n, f.set = n, true
	return nil
}

func (f *seedFlag) value() int64 {
	if !f.set {
		return 1
	}
	return f.n
}

// origin is where a run's simulated clock starts (sim.Options.Origin):
// given a seed, the whole minute after now, so that two runs with one seed
// meet the Sock Shop's one-minute periods at the same points of their
// timeline and draw the same metrics; else zero (now).
func (f *seedFlag) origin(now time.Time) time.Time {
	if !f.set {
		return time.Time{}
	}
	return now.UTC().Truncate(time.Minute).Add(time.Minute)
}
