package awserr

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// peer is a TCP server that reads each request's head and then does what
// answer says with the connection; it holds every connection it keeps
// until the test ends.
func peer(t *testing.T, answer func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
					answer(c)
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// closedPort is the address of a port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// describe makes one Step Functions call to endpoint with the SDK's
// standard retries (three attempts), each attempt waiting at most wait
// for the answer's headers (0: unbounded), within ctx.
func describe(ctx context.Context, endpoint string, wait time.Duration) error {
	client := sfn.NewFromConfig(aws.Config{
		Region:      "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.ResponseHeaderTimeout = wait
		}),
	}, func(o *sfn.Options) { o.BaseEndpoint = aws.String(endpoint) })
	_, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{
		ExecutionArn: aws.String("arn:aws:states:eu-west-1:123456789012:execution:sm:run")})
	return err
}

// TestUnanswered: a call AWS never answers, past the SDK's retries, is
// ErrUnavailable (retried by every Task), however the answer failed to
// come; a call whose caller gave up (the Lambda's context cancelled or past
// its deadline) is not. Every unavailable case fails on the old code,
// which read only API error codes and HTTP statuses.
func TestUnanswered(t *testing.T) {
	t.Parallel()
	reset := func(c net.Conn) {
		_ = c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
	hang := func(net.Conn) {} // held until the test ends
	tests := []struct {
		name string
		call func(t *testing.T) error
		want error
	}{
		{"connection reset", func(t *testing.T) error {
			return describe(context.Background(), peer(t, reset), 0)
		}, gameday.ErrUnavailable},
		{"connection closed with no answer (EOF)", func(t *testing.T) error {
			return describe(context.Background(), peer(t, func(c net.Conn) { c.Close() }), 0)
		}, gameday.ErrUnavailable},
		{"connection refused", func(t *testing.T) error {
			return describe(context.Background(), closedPort(t), 0)
		}, gameday.ErrUnavailable},
		{"no answer within the response timeout", func(t *testing.T) error {
			return describe(context.Background(), peer(t, hang), 100*time.Millisecond)
		}, gameday.ErrUnavailable},
		{"the caller's deadline passed", func(t *testing.T) error {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			return describe(ctx, peer(t, hang), 0)
		}, nil},
		{"the caller cancelled", func(t *testing.T) error {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			return describe(ctx, peer(t, hang), 0)
		}, nil},
		{"the caller's deadline passed during a response timeout's retry", func(t *testing.T) error {
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			return describe(ctx, peer(t, hang), 100*time.Millisecond)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			began := time.Now()
			err := tt.call(t)
			if err == nil {
				t.Fatal("the call succeeded")
			}
			if took := time.Since(began); took > 10*time.Second {
				t.Errorf("the call took %s", took)
			}
			if got := Sentinel(err); got != tt.want {
				t.Errorf("Sentinel(%v) = %v, want %v", err, got, tt.want)
			}
			if got := gameday.ErrorName(Classify(err)); tt.want == gameday.ErrUnavailable && got != gameday.ErrNameUnavailable {
				t.Errorf("ErrorName(Classify(%v)) = %s, want %s", err, got, gameday.ErrNameUnavailable)
			}
		})
	}
}

// TestUnansweredErrors: the transport errors as the SDK wraps them.
func TestUnansweredErrors(t *testing.T) {
	// A dial that timed out: net's timeout error, which errors.Is calls
	// context.DeadlineExceeded too.
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, dialErr := (&net.Dialer{}).DialContext(expired, "tcp", "127.0.0.1:1")
	if dialErr == nil || !errors.Is(dialErr, context.DeadlineExceeded) {
		t.Fatalf("dial with an expired context: %v, want a net timeout that is context.DeadlineExceeded", dialErr)
	}
	send := func(err error) error {
		return fmt.Errorf("operation error SFN: DescribeExecution: %w", &smithyhttp.RequestSendError{Err: err})
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"dial timeout", send(dialErr), gameday.ErrUnavailable},
		{"name not found", send(&net.DNSError{Err: "no such host", Name: "fis.example.invalid", IsNotFound: true}), nil},
		{"cancelled during the retry backoff", &aws.RequestCanceledError{Err: context.DeadlineExceeded}, nil},
		{"body read past the caller's deadline", fmt.Errorf("read log: %w", context.DeadlineExceeded), nil},
		{"body read after cancel", fmt.Errorf("read log: %w", context.Canceled), nil},
		{"both a reset and the caller's deadline", errors.Join(send(errors.New("connection reset by peer")), context.DeadlineExceeded), nil},
		{"an error of no kind", errors.New("boom"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sentinel(tt.err); got != tt.want {
				t.Errorf("Sentinel(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
