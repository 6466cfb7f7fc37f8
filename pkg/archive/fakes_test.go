package archive

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gameday-dev/gameday/pkg/experiment"
)

// fakeS3 is an in-memory S3: buckets of objects, listing two keys a page so
// that the real paginator has to follow continuation tokens.
type fakeS3 struct {
	mu      sync.Mutex
	objects map[string]map[string]fakeObject
	calls   map[string]int
	// listErr, when set, fails ListObjectsV2.
	listErr error
}

type fakeObject struct {
	body        []byte
	contentType string
}

func newFakeS3() *fakeS3 {
	return &fakeS3{objects: map[string]map[string]fakeObject{}, calls: map[string]int{}}
}

func (f *fakeS3) put(bucket, key string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.objects[bucket] == nil {
		f.objects[bucket] = map[string]fakeObject{}
	}
	f.objects[bucket][key] = fakeObject{body: body}
}

// snapshot is a bucket's keys and bodies.
func (f *fakeS3) snapshot(bucket string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, o := range f.objects[bucket] {
		out[k] = string(o.body)
	}
	return out
}

func noSuchKey() error {
	return &smithy.GenericAPIError{Code: "NoSuchKey", Message: "The specified key does not exist."}
}

func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["ListObjectsV2"]++
	if f.listErr != nil {
		return nil, f.listErr
	}
	var keys []string
	for k := range f.objects[aws.ToString(in.Bucket)] {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	start := 0
	if in.ContinuationToken != nil {
		start, _ = strconv.Atoi(*in.ContinuationToken)
	}
	end := min(start+2, len(keys))
	out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(end < len(keys))}
	for _, k := range keys[start:end] {
		out.Contents = append(out.Contents, s3types.Object{Key: aws.String(k), Size: aws.Int64(int64(len(f.objects[*in.Bucket][k].body)))})
	}
	if end < len(keys) {
		out.NextContinuationToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["GetObject"]++
	o, ok := f.objects[aws.ToString(in.Bucket)][aws.ToString(in.Key)]
	if !ok {
		return nil, noSuchKey()
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(o.body))}, nil
}

func (f *fakeS3) CopyObject(_ context.Context, in *s3.CopyObjectInput, _ ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["CopyObject"]++
	src := aws.ToString(in.CopySource)
	bucket, escaped, ok := strings.Cut(src, "/")
	if !ok {
		return nil, fmt.Errorf("bad copy source %q", src)
	}
	key, err := url.PathUnescape(escaped)
	if err != nil {
		return nil, err
	}
	o, ok := f.objects[bucket][key]
	if !ok {
		return nil, noSuchKey()
	}
	dst := aws.ToString(in.Bucket)
	if f.objects[dst] == nil {
		f.objects[dst] = map[string]fakeObject{}
	}
	f.objects[dst][aws.ToString(in.Key)] = o
	return &s3.CopyObjectOutput{}, nil
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["PutObject"]++
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	dst := aws.ToString(in.Bucket)
	if f.objects[dst] == nil {
		f.objects[dst] = map[string]fakeObject{}
	}
	f.objects[dst][aws.ToString(in.Key)] = fakeObject{body: b, contentType: aws.ToString(in.ContentType)}
	return &s3.PutObjectOutput{}, nil
}

// fakeFIS is a function-type double for GetExperiment.
type fakeFIS func(ctx context.Context, in *fis.GetExperimentInput) (*fis.GetExperimentOutput, error)

func (f fakeFIS) GetExperiment(ctx context.Context, in *fis.GetExperimentInput, _ ...func(*fis.Options)) (*fis.GetExperimentOutput, error) {
	return f(ctx, in)
}

// fakeCW answers GetMetricData and DescribeAlarmHistory from functions and
// records the inputs.
type fakeCW struct {
	metric  func(in *cloudwatch.GetMetricDataInput) *cloudwatch.GetMetricDataOutput
	history func(in *cloudwatch.DescribeAlarmHistoryInput) *cloudwatch.DescribeAlarmHistoryOutput

	// unknown lists no metric for these metric names (others exist).
	unknown map[string]bool

	metricInputs  []*cloudwatch.GetMetricDataInput
	historyInputs []*cloudwatch.DescribeAlarmHistoryInput
}

func (f *fakeCW) ListMetrics(_ context.Context, in *cloudwatch.ListMetricsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	if f.unknown[aws.ToString(in.MetricName)] {
		return &cloudwatch.ListMetricsOutput{}, nil
	}
	m := cwtypes.Metric{Namespace: in.Namespace, MetricName: in.MetricName}
	for _, d := range in.Dimensions {
		m.Dimensions = append(m.Dimensions, cwtypes.Dimension{Name: d.Name, Value: d.Value})
	}
	return &cloudwatch.ListMetricsOutput{Metrics: []cwtypes.Metric{m}}, nil
}

func (f *fakeCW) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	f.metricInputs = append(f.metricInputs, in)
	if f.metric == nil {
		return &cloudwatch.GetMetricDataOutput{}, nil
	}
	return f.metric(in), nil
}

func (f *fakeCW) DescribeAlarmHistory(_ context.Context, in *cloudwatch.DescribeAlarmHistoryInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error) {
	f.historyInputs = append(f.historyInputs, in)
	if f.history == nil {
		return &cloudwatch.DescribeAlarmHistoryOutput{}, nil
	}
	return f.history(in), nil
}

var (
	_ S3API                       = (*fakeS3)(nil)
	_ experiment.GetExperimentAPI = fakeFIS(nil)
	_ CloudWatchAPI               = (*fakeCW)(nil)
)
