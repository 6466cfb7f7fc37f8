package cwmetrics_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/gameday-dev/gameday/pkg/cwmetrics"
	"github.com/gameday-dev/gameday/pkg/cwmetrics/cwmetricstest"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

func metric(ns, name string, dims ...string) cwtypes.Metric {
	f := &cwmetricstest.Metrics{}
	f.Add(ns, name, dims...)
	return f.Metrics[0]
}

// seed is an account's metrics: an ALB's, several pages of them.
func seed(f *cwmetricstest.Metrics) {
	for i := range 5 {
		f.Add("AWS/ApplicationELB", fmt.Sprintf("Other%d", i), "LoadBalancer=app/shop/1")
	}
	f.Add("AWS/ApplicationELB", "RequestCount", "LoadBalancer=app/shop/1")
	f.Add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer=app/shop/1", "TargetGroup=tg/carts/2")
	f.Add("SockShop", "Requests")
	f.Add("SockShop", "ErrorRate", "service=front-end", "pod=front-end-1")
	var many []string
	for i := range 12 {
		many = append(many, fmt.Sprintf("d%02d=v", i))
	}
	f.Add("Wide", "M", many...)
}

// TestListed: a metric is found only with exactly its dimensions, on any
// page, whether ListMetrics' dimension filters match metrics with more
// dimensions (as the simulator and moto do) or only exact ones.
func TestListed(t *testing.T) {
	var wide []string
	for i := range 12 {
		wide = append(wide, fmt.Sprintf("d%02d=v", i))
	}
	tests := []struct {
		name string
		m    cwtypes.Metric
		want bool
	}{
		{"listed", metric("AWS/ApplicationELB", "RequestCount", "LoadBalancer=app/shop/1"), true},
		{"on a later page", metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "TargetGroup=tg/carts/2", "LoadBalancer=app/shop/1"), true},
		{"name typo", metric("AWS/ApplicationELB", "RequestCnt", "LoadBalancer=app/shop/1"), false},
		{"namespace typo", metric("AWS/ELB", "RequestCount", "LoadBalancer=app/shop/1"), false},
		{"wrong load balancer", metric("AWS/ApplicationELB", "RequestCount", "LoadBalancer=app/shop/2"), false},
		{"listed only with more dimensions", metric("SockShop", "ErrorRate", "service=front-end"), false},
		{"fewer dimensions than asked", metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer=app/shop/1"), false},
		{"no dimensions", metric("SockShop", "Requests"), true},
		{"more dimensions than ListMetrics filters", metric("Wide", "M", wide...), true},
		{"more dimensions than ListMetrics filters, one differs", metric("Wide", "M", append(wide[:11:11], "d11=w")...), false},
	}
	for _, exact := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s exact=%v", tt.name, exact), func(t *testing.T) {
				f := &cwmetricstest.Metrics{Exact: exact}
				seed(f)
				got, err := cwmetrics.Listed(context.Background(), f, tt.m)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("Listed(%s) = %v, want %v", cwmetrics.String(tt.m), got, tt.want)
				}
			})
		}
	}
}

func TestDimensionsListed(t *testing.T) {
	dims := func(kv ...string) []cwtypes.Dimension { return metric("", "", kv...).Dimensions }
	tests := []struct {
		name string
		ns   string
		dims []cwtypes.Dimension
		want bool
	}{
		{"the load balancer publishes", "AWS/ApplicationELB", dims("LoadBalancer=app/shop/1"), true},
		{"its target group too", "AWS/ApplicationELB", dims("LoadBalancer=app/shop/1", "TargetGroup=tg/carts/2"), true},
		{"wrong load balancer", "AWS/ApplicationELB", dims("LoadBalancer=app/shop/9"), false},
		{"dimension name typo", "AWS/ApplicationELB", dims("Loadbalancer=app/shop/1"), false},
		{"listed only with more dimensions", "SockShop", dims("service=front-end"), false},
	}
	for _, exact := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s exact=%v", tt.name, exact), func(t *testing.T) {
				f := &cwmetricstest.Metrics{Exact: exact}
				seed(f)
				got, err := cwmetrics.DimensionsListed(context.Background(), f, tt.ns, tt.dims)
				if err != nil || got != tt.want {
					t.Errorf("DimensionsListed = %v, %v; want %v", got, err, tt.want)
				}
			})
		}
	}
}

// TestListedErrors: a failed ListMetrics is an error, classified, never
// "not listed" nor "listed".
func TestListedErrors(t *testing.T) {
	for code, sentinel := range map[string]error{"Throttling": gameday.ErrThrottled, "ServiceUnavailable": gameday.ErrUnavailable} {
		t.Run(code, func(t *testing.T) {
			f := &cwmetricstest.Metrics{}
			seed(f)
			f.Fail = map[string]error{"ListMetrics": &smithy.GenericAPIError{Code: code}}
			_, err := cwmetrics.Listed(context.Background(), f, metric("AWS/ApplicationELB", "Nope", "LoadBalancer=app/shop/1"))
			if !errors.Is(err, sentinel) {
				t.Errorf("Listed error = %v, want errors.Is %v", err, sentinel)
			}
			if want := "list metrics AWS/ApplicationELB/Nope (LoadBalancer=app/shop/1)"; err == nil || len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
				t.Errorf("error %q does not name the metric", err)
			}
		})
	}
	if got := cwmetrics.String(cwtypes.Metric{Namespace: aws.String("SockShop"), MetricName: aws.String("Requests")}); got != "SockShop/Requests (no dimensions)" {
		t.Errorf("String = %q", got)
	}
}
