package lambdasim

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

type namedErr struct{}

func (namedErr) Error() string { return "typed" }

func TestInvokeWithTheSDK(t *testing.T) {
	svc := New("123456789012", "us-east-1")
	svc.Register("echo", lambda.NewHandler(func(ctx context.Context, in map[string]any) (map[string]any, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		return map[string]any{"got": in["x"], "arn": lc.InvokedFunctionArn}, nil
	}))
	svc.Register("named", lambda.NewHandler(func(context.Context) error {
		return messages.InvokeResponse_Error{Type: "PreflightFailed", Message: "alarm x is in ALARM"}
	}))
	svc.Register("typed", lambda.NewHandler(func(context.Context) error { return namedErr{} }))
	svc.Register("plain", lambda.NewHandler(func(context.Context) error { return errors.New("boom") }))
	svc.Register("panics", lambda.NewHandler(func(context.Context) error { panic("kaboom") }))
	srv := httptest.NewServer(svc)
	defer srv.Close()

	client := awslambda.New(awslambda.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	tests := []struct {
		name, fn, payload string
		wantPayload       string
		wantFunctionError string
	}{
		{"result", "echo", `{"x":1}`, `{"arn":"arn:aws:lambda:us-east-1:123456789012:function:echo","got":1}`, ""},
		{"by ARN", "arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST", `{"x":2}`, `{"arn":"arn:aws:lambda:us-east-1:123456789012:function:echo","got":2}`, ""},
		{"named error passes through", "named", `{}`, `{"errorMessage":"alarm x is in ALARM","errorType":"PreflightFailed"}`, "Unhandled"},
		{"typed error named after its type", "typed", `{}`, `{"errorMessage":"typed","errorType":"namedErr"}`, "Unhandled"},
		{"plain error", "plain", `{}`, `{"errorMessage":"boom","errorType":"errorString"}`, "Unhandled"},
		{"panic", "panics", `{}`, `{"errorMessage":"kaboom","errorType":"string"}`, "Unhandled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.Invoke(context.Background(), &awslambda.InvokeInput{FunctionName: aws.String(tt.fn), Payload: []byte(tt.payload)})
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if got := string(out.Payload); got != tt.wantPayload {
				t.Errorf("payload = %s, want %s", got, tt.wantPayload)
			}
			if got := aws.ToString(out.FunctionError); got != tt.wantFunctionError {
				t.Errorf("FunctionError = %q, want %q", got, tt.wantFunctionError)
			}
		})
	}

	_, err := client.Invoke(context.Background(), &awslambda.InvokeInput{FunctionName: aws.String("missing")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown function: err = %v, want ResourceNotFoundException", err)
	}
	_, err = client.Invoke(context.Background(), &awslambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte("not json")})
	var bad *types.InvalidRequestContentException
	if !errors.As(err, &bad) {
		t.Errorf("payload that is not JSON: err = %v, want InvalidRequestContentException", err)
	}
	if got := svc.Invocations()["echo"]; got != 2 {
		t.Errorf("echo invocations = %d, want 2", got)
	}
}
