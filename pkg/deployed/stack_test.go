package deployed

import (
	"context"
	"errors"
	"strings"
	"testing"

	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/deployed/deployedtest"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

const (
	testSM     = "arn:aws:states:us-east-1:123456789012:stateMachine:GameDayWorkflow"
	testBucket = "gameday-archive-123456789012-us-east-1"
)

func gamedayStack(name string) cftypes.Stack {
	return deployedtest.Stack(name, map[string]string{
		deploy.OutputStateMachineARN: testSM,
		deploy.OutputArchiveBucket:   testBucket,
		"TopicArn":                   "arn:aws:sns:us-east-1:123456789012:gameday",
	})
}

func TestStackResolver(t *testing.T) {
	more := func(context.Context) ([]string, error) { return []string{"GameDay-123456789012-us-east-1"}, nil }
	tests := []struct {
		name      string
		stacks    map[string]cftypes.Stack
		apiErr    error
		noAPI     bool
		names     []string
		more      func(context.Context) ([]string, error)
		smFlag    string
		bktFlag   string
		wantSM    string
		wantBkt   string
		wantCalls []string
		wantErr   string // substring of the error, "" for none
		wantIs    error
	}{
		{
			name: "flags, no lookup", noAPI: true, smFlag: "arn:aws:states:eu-west-1:1:stateMachine:x", bktFlag: "b",
			wantSM: "arn:aws:states:eu-west-1:1:stateMachine:x", wantBkt: "b",
		},
		{
			name: "outputs", names: []string{"GameDay"}, stacks: map[string]cftypes.Stack{"GameDay": gamedayStack("GameDay")},
			wantSM: testSM, wantBkt: testBucket, wantCalls: []string{"GameDay"},
		},
		{
			name: "flag wins over output", names: []string{"GameDay"}, stacks: map[string]cftypes.Stack{"GameDay": gamedayStack("GameDay")},
			bktFlag: "mine", wantSM: testSM, wantBkt: "mine", wantCalls: []string{"GameDay"},
		},
		{
			name: "outputs missing", names: []string{"GameDay"},
			stacks:  map[string]cftypes.Stack{"GameDay": deployedtest.Stack("GameDay", map[string]string{"Other": "x"})},
			wantErr: "stack GameDay (CREATE_COMPLETE) has no output StateMachineArn: deploy gameday's stack (make deploy) or pass --state-machine-arn", wantCalls: []string{"GameDay"},
		},
		{
			name: "stack not found", names: []string{"GameDay"}, stacks: map[string]cftypes.Stack{},
			wantErr: "none of GameDay exists", wantIs: gameday.ErrNotFound, wantCalls: []string{"GameDay"},
		},
		{
			name: "found under the deployment name", names: []string{"GameDay"}, more: more,
			stacks: map[string]cftypes.Stack{"GameDay-123456789012-us-east-1": gamedayStack("GameDay-123456789012-us-east-1")},
			wantSM: testSM, wantBkt: testBucket, wantCalls: []string{"GameDay", "GameDay-123456789012-us-east-1"},
		},
		{
			name: "neither name", names: []string{"GameDay"}, more: more, stacks: map[string]cftypes.Stack{},
			wantErr: "none of GameDay, GameDay-123456789012-us-east-1 exists", wantIs: gameday.ErrNotFound,
			wantCalls: []string{"GameDay", "GameDay-123456789012-us-east-1"},
		},
		{
			name: "more names fail", names: []string{"GameDay"}, stacks: map[string]cftypes.Stack{},
			more:    func(context.Context) ([]string, error) { return nil, errors.New("get caller identity: no credentials") },
			wantErr: "find gameday stack: get caller identity: no credentials", wantCalls: []string{"GameDay"},
		},
		{
			name: "access denied", names: []string{"GameDay"}, apiErr: deployedtest.APIError("AccessDenied", "not authorized to perform: cloudformation:DescribeStacks"),
			wantErr: "describe stack GameDay: ", wantCalls: []string{"GameDay"},
		},
		{
			name: "no API, no flags", noAPI: true, wantErr: "no stack to read outputs from",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := &deployedtest.Stacks{Stacks: tc.stacks, Err: tc.apiErr}
			r := &StackResolver{API: fake, Names: tc.names, MoreNames: tc.more, StateMachineARN: tc.smFlag, ArchiveBucket: tc.bktFlag}
			if tc.noAPI {
				r.API = nil
			}
			ctx := context.Background()
			sm, err := r.StateMachine(ctx)
			var bkt string
			if err == nil {
				bkt, err = r.Bucket(ctx)
			}
			if err == nil {
				_, err = r.StateMachine(ctx) // cached: no second DescribeStacks
			}
			checkErr(t, err, tc.wantErr, tc.wantIs)
			if tc.wantErr == "" {
				if sm != tc.wantSM || bkt != tc.wantBkt {
					t.Errorf("got %q, %q; want %q, %q", sm, bkt, tc.wantSM, tc.wantBkt)
				}
			}
			if diff := cmp.Diff(tc.wantCalls, fake.Calls); diff != "" {
				t.Errorf("DescribeStacks calls (-want +got):\n%s", diff)
			}
		})
	}
}

// checkErr checks err against a wanted substring (none when "") and,
// when set, a sentinel in its chain.
func checkErr(t *testing.T, err error, want string, is error) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("got error %v, want none", err)
	case want != "" && err == nil:
		t.Fatalf("got no error, want %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("got error %q, want it to contain %q", err, want)
	}
	if is != nil && !errors.Is(err, is) {
		t.Fatalf("got error %v, want errors.Is %v", err, is)
	}
	if err != nil && strings.Contains(err.Error(), "\n") {
		if _, problems := errors.AsType[gameday.Problems](err); !problems {
			t.Errorf("error %q is more than one line", err)
		}
	}
}
