// Package deployedtest has hand-written, stateful fakes of the Step
// Functions, CloudFormation and S3 calls that pkg/deployed makes, shared by
// its tests and the CLI's.
package deployedtest

import (
	"bytes"
	"context"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/gameday-dev/gameday/pkg/awsfake"
)

// APIError is an AWS error with a code, as the SDK returns it.
func APIError(code, message string) error {
	return &smithy.GenericAPIError{Code: code, Message: message, Fault: smithy.FaultClient}
}

// Stacks fakes CloudFormation's DescribeStacks.
type Stacks struct {
	mu     sync.Mutex
	Stacks map[string]cftypes.Stack
	// Err, if set, is returned by every call.
	Err error
	// Calls are the stack names asked for, in order.
	Calls []string
}

// Stack is a stack with outputs, by key.
func Stack(name string, outputs map[string]string) cftypes.Stack {
	s := cftypes.Stack{StackName: aws.String(name), StackStatus: cftypes.StackStatusCreateComplete}
	keys := make([]string, 0, len(outputs))
	for k := range outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.Outputs = append(s.Outputs, cftypes.Output{OutputKey: aws.String(k), OutputValue: aws.String(outputs[k])})
	}
	return s
}

// DescribeStacks answers a missing stack as CloudFormation does, with a
// ValidationError.
func (f *Stacks) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.StackName)
	f.Calls = append(f.Calls, name)
	if f.Err != nil {
		return nil, f.Err
	}
	s, ok := f.Stacks[name]
	if !ok {
		return nil, APIError("ValidationError", "Stack with id "+name+" does not exist")
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{s}}, nil
}

// Execution is one execution the SFN fake knows.
type Execution struct {
	ARN, Name, StateMachineARN string
	Status                     types.ExecutionStatus
	Input, Output              string
	Error, Cause               string
	StartDate, StopDate        time.Time
	History                    []types.HistoryEvent
}

// SFN fakes the Step Functions calls: StartExecution adds a RUNNING
// execution; DescribeExecution, GetExecutionHistory and ListExecutions
// (paged by PageSize) read Executions. An execution with Frames changes on
// each DescribeExecution that succeeds: the n-th sees frame n (the last
// one stays). Its Recorder records the calls (Calls, Count) and fails them
// on demand (Fail, Errs).
type SFN struct {
	awsfake.Recorder
	// Executions, oldest first.
	Executions []*Execution
	// Frames are successive views of an execution, by ARN.
	Frames map[string][]*Execution
	// PageSize pages ListExecutions and GetExecutionHistory (default 2),
	// so that the real paginators turn pages.
	PageSize int
	// Started are the StartExecution requests, in order.
	Started   []*sfn.StartExecutionInput
	describes map[string]int
}

func (f *SFN) find(arn string) *Execution {
	for _, e := range f.Executions {
		if e.ARN == arn {
			return e
		}
	}
	return nil
}

// StartExecution records the request and adds a RUNNING execution named as
// asked; a name in use is ExecutionAlreadyExists.
func (f *SFN) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	return awsfake.Do(&f.Recorder, "StartExecution", func() (*sfn.StartExecutionOutput, error) {
		f.Started = append(f.Started, in)
		sm := aws.ToString(in.StateMachineArn)
		arn := strings.Replace(sm, ":stateMachine:", ":execution:", 1) + ":" + aws.ToString(in.Name)
		if f.find(arn) != nil {
			return nil, APIError("ExecutionAlreadyExists", "Execution Already Exists: '"+arn+"'")
		}
		start := time.Date(2026, 11, 26, 1, 2, 3, 0, time.UTC)
		f.Executions = append(f.Executions, &Execution{
			ARN: arn, Name: aws.ToString(in.Name), StateMachineARN: sm, Status: types.ExecutionStatusRunning,
			Input: aws.ToString(in.Input), StartDate: start,
		})
		return &sfn.StartExecutionOutput{ExecutionArn: aws.String(arn), StartDate: aws.Time(start)}, nil
	})
}

// current is the execution's view for this call: its frame, if it has
// frames.
func (f *SFN) current(arn string) *Execution {
	if frames := f.Frames[arn]; len(frames) > 0 {
		n := max(f.describes[arn]-1, 0)
		return frames[min(n, len(frames)-1)]
	}
	return f.find(arn)
}

// DescribeExecution answers ExecutionDoesNotExist for an unknown ARN.
func (f *SFN) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	return awsfake.Do(&f.Recorder, "DescribeExecution", func() (*sfn.DescribeExecutionOutput, error) {
		arn := aws.ToString(in.ExecutionArn)
		if f.describes == nil {
			f.describes = map[string]int{}
		}
		f.describes[arn]++
		e := f.current(arn)
		if e == nil {
			return nil, APIError("ExecutionDoesNotExist", "Execution Does Not Exist: '"+arn+"'")
		}
		out := &sfn.DescribeExecutionOutput{
			ExecutionArn: aws.String(e.ARN), Name: aws.String(e.Name), StateMachineArn: aws.String(e.StateMachineARN),
			Status: e.Status, Input: aws.String(e.Input), StartDate: aws.Time(e.StartDate),
		}
		if e.Output != "" {
			out.Output = aws.String(e.Output)
		}
		if e.Error != "" {
			out.Error = aws.String(e.Error)
		}
		if e.Cause != "" {
			out.Cause = aws.String(e.Cause)
		}
		if !e.StopDate.IsZero() {
			out.StopDate = aws.Time(e.StopDate)
		}
		return out, nil
	})
}

// GetExecutionHistory pages the execution's history, oldest first.
func (f *SFN) GetExecutionHistory(_ context.Context, in *sfn.GetExecutionHistoryInput, _ ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error) {
	return awsfake.Do(&f.Recorder, "GetExecutionHistory", func() (*sfn.GetExecutionHistoryOutput, error) {
		e := f.current(aws.ToString(in.ExecutionArn))
		if e == nil {
			return nil, APIError("ExecutionDoesNotExist", "Execution Does Not Exist: '"+aws.ToString(in.ExecutionArn)+"'")
		}
		events := e.History
		if in.ReverseOrder {
			events = slices.Clone(events)
			slices.Reverse(events)
		}
		page, next := awsfake.Page(events, in.NextToken, awsfake.PageSize(f.PageSize))
		return &sfn.GetExecutionHistoryOutput{Events: page, NextToken: next}, nil
	})
}

// ListExecutions lists the state machine's executions, newest first.
func (f *SFN) ListExecutions(_ context.Context, in *sfn.ListExecutionsInput, _ ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error) {
	return awsfake.Do(&f.Recorder, "ListExecutions", func() (*sfn.ListExecutionsOutput, error) {
		var items []types.ExecutionListItem
		for i := len(f.Executions) - 1; i >= 0; i-- {
			e := f.Executions[i]
			if e.StateMachineARN != aws.ToString(in.StateMachineArn) {
				continue
			}
			item := types.ExecutionListItem{
				ExecutionArn: aws.String(e.ARN), Name: aws.String(e.Name), StateMachineArn: aws.String(e.StateMachineARN),
				Status: e.Status, StartDate: aws.Time(e.StartDate),
			}
			if !e.StopDate.IsZero() {
				item.StopDate = aws.Time(e.StopDate)
			}
			items = append(items, item)
		}
		size := awsfake.PageSize(f.PageSize)
		if in.MaxResults > 0 && int(in.MaxResults) < size {
			size = int(in.MaxResults)
		}
		page, next := awsfake.Page(items, in.NextToken, size)
		return &sfn.ListExecutionsOutput{Executions: page, NextToken: next}, nil
	})
}

// Entered is a history event: the execution entered a state.
func Entered(name string) types.HistoryEvent {
	return types.HistoryEvent{Type: types.HistoryEventTypeTaskStateEntered, StateEnteredEventDetails: &types.StateEnteredEventDetails{Name: aws.String(name)}}
}

// Exited is a history event: a state exited with output.
func Exited(name, output string) types.HistoryEvent {
	return types.HistoryEvent{Type: types.HistoryEventTypeTaskStateExited, StateExitedEventDetails: &types.StateExitedEventDetails{Name: aws.String(name), Output: aws.String(output)}}
}

// Failed is a history event: the execution failed.
func Failed(errName, cause string) types.HistoryEvent {
	return types.HistoryEvent{Type: types.HistoryEventTypeExecutionFailed, ExecutionFailedEventDetails: &types.ExecutionFailedEventDetails{Error: aws.String(errName), Cause: aws.String(cause)}}
}

// S3 fakes GetObject and ListObjectsV2 over Objects, keyed "bucket/key".
type S3 struct {
	mu      sync.Mutex
	Objects map[string]string
	// PageSize pages ListObjectsV2 (default 2).
	PageSize int
	// Gets are the keys read, "bucket/key", in order.
	Gets []string
}

// GetObject answers NoSuchKey for a missing object.
func (f *S3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	f.Gets = append(f.Gets, k)
	body, ok := f.Objects[k]
	if !ok {
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: aws.Int64(int64(len(body)))}, nil
}

// ListObjectsV2 lists keys in order, with Prefix and Delimiter as S3 does;
// common prefixes and keys share the pages.
func (f *S3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	bucket, prefix, delim := aws.ToString(in.Bucket), aws.ToString(in.Prefix), aws.ToString(in.Delimiter)
	type entry struct {
		key    string
		folder bool
	}
	var entries []entry
	seen := map[string]bool{}
	keys := make([]string, 0, len(f.Objects))
	for k := range f.Objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, bk := range keys {
		b, key, _ := strings.Cut(bk, "/")
		if b != bucket || !strings.HasPrefix(key, prefix) {
			continue
		}
		if delim != "" {
			if i := strings.Index(key[len(prefix):], delim); i >= 0 {
				cp := key[:len(prefix)+i+len(delim)]
				if !seen[cp] {
					seen[cp] = true
					entries = append(entries, entry{cp, true})
				}
				continue
			}
		}
		entries = append(entries, entry{key, false})
	}
	page, next := awsfake.Page(entries, in.ContinuationToken, awsfake.PageSize(f.PageSize))
	out := &s3.ListObjectsV2Output{NextContinuationToken: next, IsTruncated: aws.Bool(next != nil)}
	for _, e := range page {
		if e.folder {
			out.CommonPrefixes = append(out.CommonPrefixes, s3types.CommonPrefix{Prefix: aws.String(e.key)})
		} else {
			out.Contents = append(out.Contents, s3types.Object{Key: aws.String(e.key)})
		}
	}
	return out, nil
}
