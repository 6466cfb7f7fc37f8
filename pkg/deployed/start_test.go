package deployed

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/awsfake"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/deployed/deployedtest"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/validate"
)

var testNow = time.Date(2026, 11, 26, 1, 2, 3, 0, time.UTC)

func readExample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExecutionName(t *testing.T) {
	tests := []struct {
		gameday string
		at      time.Time
		want    string
	}{
		{"sock-shop-carts-latency", testNow, "sock-shop-carts-latency-20261126T010203Z"},
		{"x", time.Date(2026, 1, 2, 12, 4, 5, 999, time.FixedZone("JST", 9*3600)), "x-20260102T030405Z"},
		{strings.Repeat("a", 63), testNow, strings.Repeat("a", 63) + "-20261126T010203Z"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			got := ExecutionName(tc.gameday, tc.at)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if err := checkExecutionName(got); err != nil {
				t.Errorf("Step Functions would refuse it: %v", err)
			}
		})
	}
}

func TestStart(t *testing.T) {
	good := readExample(t, "sock-shop-carts-latency.yaml")
	huge := append(append([]byte(nil), good...), []byte(strings.Repeat("# a long comment that the archive keeps in spec.yaml\n", 6000))...)
	bad := []byte(strings.Replace(string(good), "  faults:", "  faultz:", 1))
	stack := map[string]cftypes.Stack{"GameDay": gamedayStack("GameDay")}
	tests := []struct {
		name      string
		data      []byte
		stacks    map[string]cftypes.Stack
		startErrs []error
		listErr   error // ListExecutions, the service's clock read
		existing  []*deployedtest.Execution
		want      *Started
		wantErr   string
		wantIs    error
		wantCalls int // StartExecution calls
	}{
		{
			name: "starts", data: good, stacks: stack, wantCalls: 1,
			want: &Started{
				GameDay: "sock-shop-carts-latency", Name: "sock-shop-carts-latency-20261126T010203Z",
				ARN:       "arn:aws:states:us-east-1:123456789012:execution:GameDayWorkflow:sock-shop-carts-latency-20261126T010203Z",
				StartedAt: testNow,
			},
		},
		{
			// The fake's answers carry no Date: named by the client's clock,
			// as when the clock read is denied.
			name: "clock read denied", data: good, stacks: stack, wantCalls: 1,
			listErr: deployedtest.APIError("AccessDeniedException", "not authorized to perform: states:ListExecutions"),
			want: &Started{
				GameDay: "sock-shop-carts-latency", Name: "sock-shop-carts-latency-20261126T010203Z",
				ARN:       "arn:aws:states:us-east-1:123456789012:execution:GameDayWorkflow:sock-shop-carts-latency-20261126T010203Z",
				StartedAt: testNow,
			},
		},
		{
			name: "invalid file starts nothing", data: bad, stacks: stack,
			wantErr: "carts-latency.yaml:", wantIs: nil,
		},
		{
			name: "input above 256 KiB", data: huge, stacks: stack,
			wantErr: "above Step Functions' 262144-byte limit",
		},
		{
			name: "no stack", data: good, stacks: map[string]cftypes.Stack{},
			wantErr: "none of GameDay exists", wantIs: gameday.ErrNotFound,
		},
		{
			name: "same name in the same second", data: good, stacks: stack, wantCalls: 1,
			existing: []*deployedtest.Execution{{
				ARN: "arn:aws:states:us-east-1:123456789012:execution:GameDayWorkflow:sock-shop-carts-latency-20261126T010203Z",
			}},
			wantErr: "another execution has this name", wantIs: gameday.ErrConflict,
		},
		{
			name: "throttled", data: good, stacks: stack, wantCalls: 1,
			startErrs: []error{deployedtest.APIError("ThrottlingException", "Rate exceeded")},
			wantErr:   "start execution sock-shop-carts-latency-20261126T010203Z: ThrottlingException: Rate exceeded", wantIs: gameday.ErrThrottled,
		},
		{
			name: "too many executions", data: good, stacks: stack, wantCalls: 1,
			startErrs: []error{deployedtest.APIError("ExecutionLimitExceeded", "Execution limit exceeded")},
			wantErr:   "ExecutionLimitExceeded", wantIs: gameday.ErrQuota,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sf := &deployedtest.SFN{Executions: tc.existing, Recorder: awsfake.Recorder{
				Errs: map[string][]error{"StartExecution": tc.startErrs}, Fail: map[string]error{"ListExecutions": tc.listErr}}}
			c := &Client{
				Stack:   &StackResolver{API: &deployedtest.Stacks{Stacks: tc.stacks}, Names: []string{deploy.DefaultStackName}},
				Starter: sf, Lister: sf,
				Now: func() time.Time { return testNow },
			}
			got, err := c.Start(context.Background(), "carts-latency.yaml", tc.data)
			checkErr(t, err, tc.wantErr, tc.wantIs)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Started (-want +got):\n%s", diff)
			}
			if got := sf.Count("StartExecution"); got != tc.wantCalls {
				t.Errorf("got %d StartExecution calls, want %d", got, tc.wantCalls)
			}
			// The service's clock is read once, just before each start.
			if got := sf.Count("ListExecutions"); got != tc.wantCalls {
				t.Errorf("got %d ListExecutions calls, want %d", got, tc.wantCalls)
			}
			if tc.want == nil {
				return
			}
			// The request: the state machine, the name, and the RunInput.
			in := sf.Started[0]
			if got, want := aws.ToString(in.StateMachineArn), testSM; got != want {
				t.Errorf("state machine %q, want %q", got, want)
			}
			if got, want := aws.ToString(in.Name), tc.want.Name; got != want {
				t.Errorf("execution name %q, want %q", got, want)
			}
			var run gameday.RunInput
			dec := json.NewDecoder(strings.NewReader(aws.ToString(in.Input)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&run); err != nil {
				t.Fatalf("input is not a RunInput: %v", err)
			}
			spec, err := validate.File("carts-latency.yaml", tc.data)
			if err != nil {
				t.Fatal(err)
			}
			want := gameday.RunInput{GameDay: spec, SpecYAML: string(tc.data), Source: "manual"}
			if diff := cmp.Diff(want, run); diff != "" {
				t.Errorf("RunInput (-want +got):\n%s", diff)
			}
			// The state machine validates the GameDay again (preflight): the
			// input must pass the same checks.
			if err := validate.Spec(run.GameDay); err != nil {
				t.Errorf("the input's GameDay fails validation: %v", err)
			}
		})
	}
}

func TestStartInvalidReportsProblems(t *testing.T) {
	data := []byte(strings.Replace(string(readExample(t, "sock-shop-carts-latency.yaml")), "  faults:", "  faultz:", 1))
	sf := &deployedtest.SFN{}
	c := &Client{Stack: &StackResolver{StateMachineARN: testSM}, Starter: sf}
	_, err := c.Start(context.Background(), "f.yaml", data)
	ps, ok := errors.AsType[gameday.Problems](err)
	if !ok || len(ps) == 0 {
		t.Fatalf("got %v, want gameday.Problems in the chain", err)
	}
	for _, p := range ps {
		if p.File != "f.yaml" || p.Line == 0 {
			t.Errorf("problem %q has no file position", p.String())
		}
	}
	if len(sf.Started) != 0 {
		t.Errorf("started %d executions for an invalid file", len(sf.Started))
	}
}

func TestFindGameDay(t *testing.T) {
	gd := func(name string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("apiVersion: gameday/v1alpha1\nkind: GameDay\nmetadata:\n  name: " + name + "\nspec: {}\n")}
	}
	fsys := fstest.MapFS{
		"gamedays/a.yaml":      gd("carts"),
		"gamedays/b.yml":       gd("orders"),
		"gamedays/typo.yaml":   {Data: []byte("apiVersion: gameday/v1alpha1\nkind: GameDay\nmetadata:\n  name: typo\nspek: {}\n")},
		"gamedays/notes.txt":   gd("notes"),
		"gamedays/broken.yaml": {Data: []byte("kind: [\n")},
		"gamedays/other.yaml":  {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")},
		"gamedays/sub/c.yaml":  gd("nested"),
		"examples/a.yaml":      gd("carts"),
		"examples/p.yaml":      gd("payment"),
		"examples/dup1.yaml":   gd("dup"),
		"examples/dup2.yaml":   gd("dup"),
		"here.yaml":            gd("here"),
		"orders.yaml":          gd("orders"),
	}
	tests := []struct {
		name    string
		dirs    []string
		want    string
		wantErr string
		wantIs  error
	}{
		{name: "carts", want: "gamedays/a.yaml"},
		{name: "here", want: "here.yaml"},
		{name: "orders", want: "orders.yaml"}, // the current directory first
		{name: "orders", dirs: []string{"gamedays"}, want: "gamedays/b.yml"},
		{name: "payment", want: "examples/p.yaml"},
		{name: "typo", want: "gamedays/typo.yaml"}, // found; Start reports its problems
		{name: "dup", wantErr: "examples/dup1.yaml, examples/dup2.yaml all name it"},
		{name: "nested", wantErr: "no file under ./, gamedays/ or examples/ has metadata.name nested", wantIs: gameday.ErrNotFound},
		{name: "notes", wantErr: "no file under", wantIs: gameday.ErrNotFound},
		{name: "cm", wantErr: "no file under", wantIs: gameday.ErrNotFound},
		{name: "carts", dirs: []string{"missing", "examples"}, want: "examples/a.yaml"},
		{name: "nested", dirs: []string{"gamedays/"}, wantErr: "no file under gamedays/ has metadata.name nested", wantIs: gameday.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name+"@"+strings.Join(tc.dirs, ","), func(t *testing.T) {
			dirs := tc.dirs
			if dirs == nil {
				dirs = DefaultDirs
			}
			got, err := FindGameDay(fsys, dirs, tc.name)
			checkErr(t, err, tc.wantErr, tc.wantIs)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
