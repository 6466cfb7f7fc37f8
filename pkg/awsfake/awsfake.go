// Package awsfake holds what gameday's hand-written AWS fakes share: the
// record of the calls made, the failures a test asks for and list pages
// turned by offset tokens, so that the real SDK paginators are exercised
// (the stateful fakes of experimenttest and deployedtest), and an SDK
// configuration that sends every call to a fake endpoint.
package awsfake

import (
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Recorder records a fake's calls and fails them on demand. Its lock
// guards the whole fake: Do holds it while an operation runs, and the
// fake's other methods take it too. The zero value is ready to use.
type Recorder struct {
	sync.Mutex
	// Fail makes the named operation return the error, every time.
	Fail map[string]error
	// Errs, by operation name, are returned one per call, in order; then
	// the calls succeed.
	Errs map[string][]error
	// Calls lists the operations called, in order.
	Calls []string
}

// Do runs the fake's operation op under the recorder's lock: it records
// the call, then returns the failure asked for, if any, or else what fn
// returns.
func Do[O any](r *Recorder, op string, fn func() (O, error)) (O, error) {
	r.Lock()
	defer r.Unlock()
	r.Calls = append(r.Calls, op)
	if err := r.Fail[op]; err != nil {
		var zero O
		return zero, err
	}
	if errs := r.Errs[op]; len(errs) > 0 {
		r.Errs[op] = errs[1:]
		var zero O
		return zero, errs[0]
	}
	return fn()
}

// Count is how often op was called (for a list operation: how many pages
// were read).
func (r *Recorder) Count(op string) int {
	r.Lock()
	defer r.Unlock()
	n := 0
	for _, c := range r.Calls {
		if c == op {
			n++
		}
	}
	return n
}

// Page is the page of items that starts at token (an offset; nil is the
// first page) and holds at most size items, with the next page's token,
// nil on the last page.
func Page[T any](items []T, token *string, size int) ([]T, *string) {
	from, _ := strconv.Atoi(aws.ToString(token))
	from = min(from, len(items))
	to := min(from+size, len(items))
	if to == len(items) {
		return items[from:], nil
	}
	return items[from:to], aws.String(strconv.Itoa(to))
}

// PageSize is size, or 2 when size is not positive: the fakes' default, so
// that a list of three items already turns a page.
func PageSize(size int) int {
	if size > 0 {
		return size
	}
	return 2
}

// Config is an SDK configuration that sends every client's calls to
// endpoint (a test server standing in for AWS, or an address where none
// listens), with fake static credentials and the SDK's standard retries,
// as the Lambdas have them (a connection broken under load is retried, a
// throttled call is tried 3 times), without the waits between attempts.
func Config(endpoint string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			})
		},
	}
}
