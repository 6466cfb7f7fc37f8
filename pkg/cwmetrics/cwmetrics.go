// Package cwmetrics asks CloudWatch whether a metric exists. ListMetrics
// lists a metric while it has reported data in the past two weeks (a new
// one may take up to 15 minutes to appear); a dimension filter matches
// metrics that have that dimension, so the dimensions a metric is listed
// with are compared here, whole: CloudWatch treats each combination of
// dimensions as a metric of its own.
package cwmetrics

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Of is a GameDay file's metric as CloudWatch names it, its dimensions
// sorted by name.
func Of(m gameday.Metric) cwtypes.Metric {
	dims := make([]cwtypes.Dimension, 0, len(m.Dimensions))
	for _, k := range slices.Sorted(maps.Keys(m.Dimensions)) {
		dims = append(dims, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(m.Dimensions[k])})
	}
	return cwtypes.Metric{Namespace: aws.String(m.Namespace), MetricName: aws.String(m.Name), Dimensions: dims}
}

// maxFilters is the most dimension filters ListMetrics takes.
const maxFilters = 10

// Listed reports whether ListMetrics lists m: its namespace, its name and
// exactly its dimensions.
func Listed(ctx context.Context, api cloudwatch.ListMetricsAPIClient, m cwtypes.Metric) (bool, error) {
	ok, err := find(ctx, api, aws.ToString(m.Namespace), m.MetricName, m.Dimensions)
	if err != nil {
		return false, fmt.Errorf("list metrics %s: %w", String(m), err)
	}
	return ok, nil
}

// DimensionsListed reports whether ListMetrics lists any metric of
// namespace with exactly dims: whether what the dimensions name (a load
// balancer, a service) publishes anything there.
func DimensionsListed(ctx context.Context, api cloudwatch.ListMetricsAPIClient, namespace string, dims []cwtypes.Dimension) (bool, error) {
	ok, err := find(ctx, api, namespace, nil, dims)
	if err != nil {
		return false, fmt.Errorf("list metrics of %s with %s: %w", namespace, Dimensions(dims), err)
	}
	return ok, nil
}

// find pages through ListMetrics until a metric of namespace (named name,
// unless nil) has exactly dims.
func find(ctx context.Context, api cloudwatch.ListMetricsAPIClient, namespace string, name *string, dims []cwtypes.Dimension) (bool, error) {
	in := &cloudwatch.ListMetricsInput{Namespace: aws.String(namespace), MetricName: name}
	// ListMetrics takes at most 10 filters: a metric with more dimensions
	// is looked for among all of the name's, unfiltered (10 of them as
	// filters would miss it if CloudWatch matched filters exactly).
	if len(dims) <= maxFilters {
		for _, d := range dims {
			in.Dimensions = append(in.Dimensions, cwtypes.DimensionFilter{Name: d.Name, Value: d.Value})
		}
	}
	pg := cloudwatch.NewListMetricsPaginator(api, in)
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return false, awserr.Classify(err)
		}
		for _, m := range page.Metrics {
			if aws.ToString(m.Namespace) == namespace && (name == nil || aws.ToString(m.MetricName) == *name) && sameDimensions(m.Dimensions, dims) {
				return true, nil
			}
		}
	}
	return false, nil
}

// sameDimensions reports whether a and b are the same set of dimensions.
func sameDimensions(a, b []cwtypes.Dimension) bool {
	if len(a) != len(b) {
		return false
	}
	in := make(map[string]string, len(a))
	for _, d := range a {
		in[aws.ToString(d.Name)] = aws.ToString(d.Value)
	}
	for _, d := range b {
		if v, ok := in[aws.ToString(d.Name)]; !ok || v != aws.ToString(d.Value) {
			return false
		}
	}
	return len(in) == len(b)
}

// String is m as refusals name it: namespace/name (k=v, ...), the
// dimensions sorted by name.
func String(m cwtypes.Metric) string {
	return aws.ToString(m.Namespace) + "/" + aws.ToString(m.MetricName) + " " + Dimensions(m.Dimensions)
}

// Dimensions is dims as refusals name them: (k=v, ...) sorted by name,
// or (no dimensions).
func Dimensions(dims []cwtypes.Dimension) string {
	if len(dims) == 0 {
		return "(no dimensions)"
	}
	kv := make([]string, 0, len(dims))
	for _, d := range dims {
		kv = append(kv, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	slices.Sort(kv)
	return "(" + strings.Join(kv, ", ") + ")"
}
