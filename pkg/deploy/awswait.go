package deploy

import "time"

// AWSWait bounds how long a Lambda's AWS call waits on AWS at each stage of
// one attempt: to connect, for the TLS handshake and, the request sent, for
// the answer's headers (pkg/awsenv sets these on every client; an answer's
// body, an S3 object's included, is not bounded). An attempt that waits
// longer fails as a timeout, which the SDK retries as it retries a reset
// connection; past its retries the step fails AWSUnavailable, which every
// Task retries. Without it a call that AWS never answers waits for the
// Lambda's timeout: a hung StopExperiment would leave the fault running
// that long, a hung GetExperiment fail the run.
//
// It is far above what AWS takes to answer the calls gameday makes (tens
// to hundreds of milliseconds; a GetMetricData of many percentile queries,
// the slowest, seconds), yet well under botocore's 60 s read timeout,
// which would not fit a Lambda's timeout three times; and small enough
// that every Lambda's timeout (infra) holds a whole unanswered call,
// AWSUnanswered, with room to spare: the shortest, 60 s, leaves 27 s.
const AWSWait = 10 * time.Second

// AWSUnanswered is how long one AWS call lasts when AWS answers none of
// its attempts: the SDK's three attempts (aws.DefaultRetryMaxAttempts, unless
// AWS_MAX_ATTEMPTS says otherwise), each ending after AWSWait (an attempt
// whose connection or handshake was slow but done waits up to AWSWait
// more at each of those stages, which this does not count), and the
// backoff before the second and the third (retry.NewStandard: a random part
// of 50 ms, then of 100 ms, after a timeout; of 1 s, then of 2 s, after
// throttling, the longest).
const AWSUnanswered = 3*AWSWait + 1*time.Second + 2*time.Second
