// Package cwmetricstest is a stateful fake of CloudWatch's ListMetrics,
// shared by the tests of the packages that ask whether a metric exists.
package cwmetricstest

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/gameday-dev/gameday/pkg/awsfake"
)

// Metrics lists its metrics as ListMetrics does: by namespace and name,
// and a dimension filter matches a metric that has that dimension (with
// its value, when given) among others; with Exact, only a metric with
// exactly the filters' dimensions (the other plausible reading of "Only
// the dimensions that match exactly will be returned"). PageSize metrics
// a page (awsfake.PageSize's default). Fail it with the Recorder.
type Metrics struct {
	awsfake.Recorder
	Metrics  []cwtypes.Metric
	Exact    bool
	PageSize int
}

var _ cloudwatch.ListMetricsAPIClient = (*Metrics)(nil)

// Add lists a metric of namespace named name, with dimensions given as
// "name=value".
func (f *Metrics) Add(namespace, name string, dims ...string) {
	f.Lock()
	defer f.Unlock()
	m := cwtypes.Metric{Namespace: aws.String(namespace), MetricName: aws.String(name)}
	for _, d := range dims {
		k, v, _ := strings.Cut(d, "=")
		m.Dimensions = append(m.Dimensions, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(v)})
	}
	f.Metrics = append(f.Metrics, m)
}

// ListMetrics pages through the metrics the request matches.
func (f *Metrics) ListMetrics(_ context.Context, in *cloudwatch.ListMetricsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	return awsfake.Do(&f.Recorder, "ListMetrics", func() (*cloudwatch.ListMetricsOutput, error) {
		var found []cwtypes.Metric
		for _, m := range f.Metrics {
			if f.matches(m, in) {
				found = append(found, m)
			}
		}
		page, next := awsfake.Page(found, in.NextToken, awsfake.PageSize(f.PageSize))
		return &cloudwatch.ListMetricsOutput{Metrics: page, NextToken: next}, nil
	})
}

func (f *Metrics) matches(m cwtypes.Metric, in *cloudwatch.ListMetricsInput) bool {
	if (in.Namespace != nil && *in.Namespace != aws.ToString(m.Namespace)) || (in.MetricName != nil && *in.MetricName != aws.ToString(m.MetricName)) {
		return false
	}
	if f.Exact && len(in.Dimensions) > 0 && len(in.Dimensions) != len(m.Dimensions) {
		return false
	}
	for _, flt := range in.Dimensions {
		if !has(m.Dimensions, flt) {
			return false
		}
	}
	return true
}

func has(dims []cwtypes.Dimension, flt cwtypes.DimensionFilter) bool {
	for _, d := range dims {
		if aws.ToString(d.Name) == aws.ToString(flt.Name) && (flt.Value == nil || *flt.Value == aws.ToString(d.Value)) {
			return true
		}
	}
	return false
}
