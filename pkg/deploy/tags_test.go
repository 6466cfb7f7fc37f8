package deploy

import "testing"

func TestStateMachineARNs(t *testing.T) {
	for _, tt := range []struct {
		execution, stateMachine, prefix string
	}{
		{"arn:aws:states:eu-west-1:123456789012:execution:GameDay-run:carts-20261205T101500Z",
			"arn:aws:states:eu-west-1:123456789012:stateMachine:GameDay-run", "arn:aws:states:eu-west-1:123456789012:execution:GameDay-run:"},
		{"arn:aws-cn:states:cn-north-1:123456789012:execution:m:e",
			"arn:aws-cn:states:cn-north-1:123456789012:stateMachine:m", "arn:aws-cn:states:cn-north-1:123456789012:execution:m:"},
	} {
		sm, err := StateMachineOf(tt.execution)
		if err != nil || sm != tt.stateMachine {
			t.Errorf("StateMachineOf(%s) = %q, %v; want %q", tt.execution, sm, err, tt.stateMachine)
		}
		prefix, err := ExecutionPrefix(sm)
		if err != nil || prefix != tt.prefix {
			t.Errorf("ExecutionPrefix(%s) = %q, %v; want %q", sm, prefix, err, tt.prefix)
		}
	}
	for _, bad := range []string{"", "gameday", "arn:aws:states:r:a:stateMachine:m", "arn:aws:states:r:a:execution:m",
		"arn:aws:states:r:a:execution::e", "arn:aws:lambda:r:a:execution:m:e", "arn:aws:states:r:a:express:m:e:id"} {
		if got, err := StateMachineOf(bad); err == nil {
			t.Errorf("StateMachineOf(%q) = %q, want an error", bad, got)
		}
	}
	for _, bad := range []string{"", "gameday", "arn:aws:states:r:a:execution:m:e", "arn:aws:states:r:a:stateMachine:", "arn:aws:states:r:a:stateMachine:m:v1"} {
		if got, err := ExecutionPrefix(bad); err == nil {
			t.Errorf("ExecutionPrefix(%q) = %q, want an error", bad, got)
		}
	}
}
