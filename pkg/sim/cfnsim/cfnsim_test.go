package cfnsim

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
)

func TestDescribeStacksWithTheSDK(t *testing.T) {
	svc := New("123456789012", "us-east-1")
	created := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	svc.DeclareStack("GameDay", created, map[string]string{"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:gameday", "ArchiveBucketName": "archive"})
	srv := httptest.NewServer(svc)
	defer srv.Close()
	c := cloudformation.New(cloudformation.Options{
		BaseEndpoint: aws.String(srv.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	out, err := c.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("GameDay")})
	if err != nil {
		t.Fatalf("DescribeStacks: %v", err)
	}
	if len(out.Stacks) != 1 {
		t.Fatalf("%d stacks, want 1", len(out.Stacks))
	}
	st := out.Stacks[0]
	got := map[string]string{}
	for _, o := range st.Outputs {
		got[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if aws.ToString(st.StackName) != "GameDay" || string(st.StackStatus) != "CREATE_COMPLETE" || !aws.ToTime(st.CreationTime).Equal(created) ||
		got["StateMachineArn"] != "arn:aws:states:us-east-1:123456789012:stateMachine:gameday" || got["ArchiveBucketName"] != "archive" {
		t.Errorf("stack = %+v, outputs %v", st, got)
	}

	_, err = c.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("Missing")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" || ae.ErrorMessage() != "Stack with id Missing does not exist" {
		t.Errorf("missing stack: %v", err)
	}
}
