package awsfake

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
)

func TestPage(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	tests := []struct {
		name     string
		token    *string
		size     int
		want     []int
		wantNext *string
	}{
		{name: "first page", size: 2, want: []int{1, 2}, wantNext: aws.String("2")},
		{name: "middle page", token: aws.String("2"), size: 2, want: []int{3, 4}, wantNext: aws.String("4")},
		{name: "last page", token: aws.String("4"), size: 2, want: []int{5}},
		{name: "exactly the rest", token: aws.String("3"), size: 2, want: []int{4, 5}},
		{name: "all in one", size: 10, want: items},
		{name: "token past the end", token: aws.String("9"), size: 2, want: []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next := Page(items, tt.token, tt.size)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			if aws.ToString(next) != aws.ToString(tt.wantNext) || (next == nil) != (tt.wantNext == nil) {
				t.Errorf("next token %v, want %v", aws.ToString(next), aws.ToString(tt.wantNext))
			}
		})
	}
}

func TestDo(t *testing.T) {
	always, once := errors.New("always"), errors.New("once")
	r := &Recorder{
		Fail: map[string]error{"A": always},
		Errs: map[string][]error{"B": {once}},
	}
	ran := 0
	op := func() (string, error) { ran++; return "answer", nil }
	tests := []struct {
		op      string
		want    string
		wantErr error
	}{
		{op: "A", wantErr: always},
		{op: "A", wantErr: always},
		{op: "B", wantErr: once},
		{op: "B", want: "answer"},
		{op: "C", want: "answer"},
	}
	for i, tt := range tests {
		got, err := Do(r, tt.op, op)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("call %d (%s): got %q, %v; want %q, %v", i, tt.op, got, err, tt.want, tt.wantErr)
		}
	}
	if ran != 2 {
		t.Errorf("the operation ran %d times, want 2 (a failed call does not run it)", ran)
	}
	if diff := cmp.Diff([]string{"A", "A", "B", "B", "C"}, r.Calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if got := r.Count("B"); got != 2 {
		t.Errorf("Count(B) = %d, want 2", got)
	}
}
