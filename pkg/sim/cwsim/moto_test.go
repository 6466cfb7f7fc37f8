package cwsim

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim/simcheck"
	"github.com/gameday-dev/gameday/pkg/sim/simclock"
)

// This file checks the simulator against moto (moto_server 5.2.1 on this
// machine; its CloudWatch speaks only awsQuery). One scenario runs through a
// small hand-written awsQuery client against both, and the answers are
// compared, so that a mistake the simulator shares with our own code shows
// up. Where moto is known to differ from CloudWatch, the test says so and
// checks the simulator against the AWS documentation instead.

// xnode is a parsed XML element.
type xnode struct {
	name string
	text string
	kids []*xnode
}

func parseXML(r io.Reader) (*xnode, error) {
	d := xml.NewDecoder(r)
	root := &xnode{}
	stack := []*xnode{root}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: t.Name.Local}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			stack[len(stack)-1].text += string(t)
		}
	}
	if len(root.kids) != 1 {
		return nil, fmt.Errorf("parse XML: %d root elements", len(root.kids))
	}
	return root.kids[0], nil
}

// at follows a path of element names ("member" steps into every member is
// not supported: use members).
func (n *xnode) at(path ...string) *xnode {
	cur := n
	for _, p := range path {
		var next *xnode
		if cur != nil {
			for _, k := range cur.kids {
				if k.name == p {
					next = k
					break
				}
			}
		}
		cur = next
	}
	return cur
}

func (n *xnode) str(path ...string) string {
	if x := n.at(path...); x != nil {
		return strings.TrimSpace(x.text)
	}
	return ""
}

func (n *xnode) members(path ...string) []*xnode {
	x := n.at(path...)
	if x == nil {
		return nil
	}
	var out []*xnode
	for _, k := range x.kids {
		if k.name == "member" {
			out = append(out, k)
		}
	}
	return out
}

// queryClient is a minimal awsQuery client: a form POST with a SigV4-shaped
// Authorization header (moto reads the service and region from it; neither
// server checks the signature).
type queryClient struct {
	endpoint string
}

type queryErr struct{ code, message string }

func (e *queryErr) Error() string { return e.code + ": " + e.message }

func (c *queryClient) call(action string, params map[string]string) (*xnode, error) {
	form := url.Values{"Action": {action}, "Version": {"2010-08-01"}}
	for k, v := range params {
		form.Set(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/"+time.Now().UTC().Format("20060102")+
		"/"+testRegion+"/monitoring/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	doc, err := parseXML(strings.NewReader(string(body)))
	if err != nil {
		return nil, fmt.Errorf("%s: HTTP %d %q: %w", action, resp.StatusCode, body, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &queryErr{code: doc.str("Error", "Code"), message: doc.str("Error", "Message")}
	}
	return doc.at(action + "Result"), nil
}

// alarmView is what the test compares of a DescribeAlarms MetricAlarm.
type alarmView struct {
	Name, Arn, Namespace, Metric, Statistic, Comparison, Treat string
	Dimensions                                                 []string
	Period, EvaluationPeriods, DatapointsToAlarm               string
	Threshold                                                  float64
	ActionsEnabled                                             string
	AlarmActions                                               []string
	StateValue, StateReason                                    string
}

func alarmsOf(t *testing.T, res *xnode) []alarmView {
	t.Helper()
	var out []alarmView
	for _, m := range res.members("MetricAlarms") {
		th, err := strconv.ParseFloat(m.str("Threshold"), 64)
		if err != nil {
			t.Fatalf("Threshold %q: %v", m.str("Threshold"), err)
		}
		v := alarmView{
			Name: m.str("AlarmName"), Arn: m.str("AlarmArn"), Namespace: m.str("Namespace"), Metric: m.str("MetricName"),
			Statistic: m.str("Statistic"), Comparison: m.str("ComparisonOperator"), Treat: m.str("TreatMissingData"),
			Period: m.str("Period"), EvaluationPeriods: m.str("EvaluationPeriods"), DatapointsToAlarm: m.str("DatapointsToAlarm"),
			Threshold: th, ActionsEnabled: m.str("ActionsEnabled"),
			StateValue: m.str("StateValue"), StateReason: m.str("StateReason"),
		}
		for _, d := range m.members("Dimensions") {
			v.Dimensions = append(v.Dimensions, d.str("Name")+"="+d.str("Value"))
		}
		for _, a := range m.members("AlarmActions") {
			v.AlarmActions = append(v.AlarmActions, strings.TrimSpace(a.text))
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

type seriesView struct {
	ID, Label, Status string
	Timestamps        []time.Time
	Values            []float64
}

func seriesOf(t *testing.T, res *xnode) []seriesView {
	t.Helper()
	var out []seriesView
	for _, r := range res.members("MetricDataResults") {
		s := seriesView{ID: r.str("Id"), Label: r.str("Label"), Status: r.str("StatusCode")}
		for _, ts := range r.members("Timestamps") {
			tm, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(ts.text))
			if err != nil {
				t.Fatalf("timestamp %q: %v", ts.text, err)
			}
			s.Timestamps = append(s.Timestamps, tm.UTC())
		}
		for _, v := range r.members("Values") {
			f, err := strconv.ParseFloat(strings.TrimSpace(v.text), 64)
			if err != nil {
				t.Fatalf("value %q: %v", v.text, err)
			}
			s.Values = append(s.Values, f)
		}
		out = append(out, s)
	}
	return out
}

func errCode(err error) string {
	var qe *queryErr
	if errors.As(err, &qe) {
		return qe.code
	}
	if err != nil {
		return "unexpected: " + err.Error()
	}
	return ""
}

func TestConformanceWithMoto(t *testing.T) {
	motoURL := simcheck.Moto(t)
	// moto stamps with the wall clock, so the simulator's clock starts at
	// the wall clock's now and runs at speed 1 for this test.
	sim := New(simclock.New(time.Time{}, 1), testAccount, testRegion)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	targets := map[string]*queryClient{"moto": {endpoint: motoURL}, "sim": {endpoint: srv.URL}}

	// both runs the same call against moto and the simulator.
	both := func(action string, params map[string]string) (moto, sim *xnode, motoErr, simErr error) {
		t.Helper()
		moto, motoErr = targets["moto"].call(action, params)
		sim, simErr = targets["sim"].call(action, params)
		return
	}
	mustBoth := func(action string, params map[string]string) (moto, sim *xnode) {
		t.Helper()
		m, s, me, se := both(action, params)
		if me != nil || se != nil {
			t.Fatalf("%s: moto err %v, sim err %v", action, me, se)
		}
		return m, s
	}

	base := time.Now().UTC().Truncate(time.Minute)
	ts := func(minutesAgo int) string {
		return base.Add(-time.Duration(minutesAgo) * time.Minute).Format(time.RFC3339)
	}
	put := map[string]string{
		"Namespace": "GameDay/Conformance",
		// 5 minutes ago: Values with Counts.
		"MetricData.member.1.MetricName": "Latency", "MetricData.member.1.Unit": "Milliseconds",
		"MetricData.member.1.Dimensions.member.1.Name": "service", "MetricData.member.1.Dimensions.member.1.Value": "carts",
		"MetricData.member.1.Timestamp": ts(5), "MetricData.member.1.Values.member.1": "10", "MetricData.member.1.Values.member.2": "20",
		"MetricData.member.1.Values.member.3": "30", "MetricData.member.1.Counts.member.1": "1", "MetricData.member.1.Counts.member.2": "1",
		"MetricData.member.1.Counts.member.3": "2",
		// 4 minutes ago: a single Value.
		"MetricData.member.2.MetricName": "Latency", "MetricData.member.2.Unit": "Milliseconds",
		"MetricData.member.2.Dimensions.member.1.Name": "service", "MetricData.member.2.Dimensions.member.1.Value": "carts",
		"MetricData.member.2.Timestamp": ts(4), "MetricData.member.2.Value": "50",
		// 3 minutes ago: a statistic set.
		"MetricData.member.3.MetricName": "Latency", "MetricData.member.3.Unit": "Milliseconds",
		"MetricData.member.3.Dimensions.member.1.Name": "service", "MetricData.member.3.Dimensions.member.1.Value": "carts",
		"MetricData.member.3.Timestamp":                   ts(3),
		"MetricData.member.3.StatisticValues.SampleCount": "4", "MetricData.member.3.StatisticValues.Sum": "100",
		"MetricData.member.3.StatisticValues.Minimum": "10", "MetricData.member.3.StatisticValues.Maximum": "40",
		// Same minute as member 2, another value.
		"MetricData.member.4.MetricName": "Latency", "MetricData.member.4.Unit": "Milliseconds",
		"MetricData.member.4.Dimensions.member.1.Name": "service", "MetricData.member.4.Dimensions.member.1.Value": "carts",
		"MetricData.member.4.Timestamp": base.Add(-4*time.Minute + 30*time.Second).Format(time.RFC3339), "MetricData.member.4.Value": "70",
	}
	mustBoth("PutMetricData", put)

	t.Run("GetMetricData", func(t *testing.T) {
		params := map[string]string{
			"StartTime": ts(10), "EndTime": ts(0),
			// moto's default ScanBy is ascending, CloudWatch's descending
			// (checked with the SDK elsewhere): ask explicitly.
			"ScanBy": "TimestampAscending",
		}
		for i, st := range []string{"Average", "Sum", "Minimum", "Maximum", "SampleCount"} {
			p := fmt.Sprintf("MetricDataQueries.member.%d.", i+1)
			params[p+"Id"] = strings.ToLower(st)
			params[p+"Label"] = "latency " + st // moto's default label differs ("Latency Average")
			params[p+"MetricStat.Metric.Namespace"] = "GameDay/Conformance"
			params[p+"MetricStat.Metric.MetricName"] = "Latency"
			params[p+"MetricStat.Metric.Dimensions.member.1.Name"] = "service"
			params[p+"MetricStat.Metric.Dimensions.member.1.Value"] = "carts"
			params[p+"MetricStat.Period"] = "60"
			params[p+"MetricStat.Stat"] = st
		}
		m, s := mustBoth("GetMetricData", params)
		got, want := seriesOf(t, s), seriesOf(t, m)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GetMetricData: moto (-) vs sim (+):\n%s", diff)
		}
		// moto computes no percentiles (pNN), so those are checked only
		// against hand-computed values, in sdk_test.go. And the simulator
		// against hand-computed statistics, so both cannot be wrong alike.
		minute := func(n int) time.Time { return base.Add(-time.Duration(n) * time.Minute) }
		times := []time.Time{minute(5), minute(4), minute(3)}
		wantAvg := seriesView{ID: "average", Label: "latency Average", Status: "Complete", Timestamps: times, Values: []float64{22.5, 60, 25}}
		if len(got) == 0 {
			t.Fatal("sim returned no results")
		}
		if diff := cmp.Diff(wantAvg, got[0]); diff != "" {
			t.Errorf("sim Average (-want +got):\n%s", diff)
		}
	})

	t.Run("GetMetricStatistics", func(t *testing.T) {
		params := map[string]string{
			"Namespace": "GameDay/Conformance", "MetricName": "Latency", "StartTime": ts(10), "EndTime": ts(0), "Period": "60",
			"Dimensions.member.1.Name": "service", "Dimensions.member.1.Value": "carts",
			"Statistics.member.1": "Average", "Statistics.member.2": "Sum", "Statistics.member.3": "SampleCount",
			"Statistics.member.4": "Minimum", "Statistics.member.5": "Maximum",
		}
		m, s := mustBoth("GetMetricStatistics", params)
		pointsOf := func(n *xnode) []string {
			var out []string
			for _, d := range n.members("Datapoints") {
				ts, err := time.Parse(time.RFC3339, d.str("Timestamp"))
				if err != nil {
					t.Fatalf("datapoint timestamp %q: %v", d.str("Timestamp"), err)
				}
				num := func(name string) float64 { // moto writes 60.0, the simulator 60
					f, err := strconv.ParseFloat(d.str(name), 64)
					if err != nil {
						t.Fatalf("datapoint %s %q: %v", name, d.str(name), err)
					}
					return f
				}
				out = append(out, fmt.Sprintf("%s avg=%g sum=%g n=%g min=%g max=%g %s", ts.UTC().Format("15:04"),
					num("Average"), num("Sum"), num("SampleCount"), num("Minimum"), num("Maximum"), d.str("Unit")))
			}
			sort.Strings(out) // CloudWatch promises no order
			return out
		}
		got := pointsOf(s)
		if diff := cmp.Diff(pointsOf(m), got); diff != "" {
			t.Errorf("GetMetricStatistics: moto (-) vs sim (+):\n%s", diff)
		}
		hm := func(n int) string { return base.Add(-time.Duration(n) * time.Minute).Format("15:04") }
		want := []string{
			hm(5) + " avg=22.5 sum=90 n=4 min=10 max=30 Milliseconds",
			hm(4) + " avg=60 sum=120 n=2 min=50 max=70 Milliseconds",
			hm(3) + " avg=25 sum=100 n=4 min=10 max=40 Milliseconds",
		}
		sort.Strings(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sim GetMetricStatistics (-want +got):\n%s", diff)
		}
	})

	t.Run("ListMetrics", func(t *testing.T) {
		mustBoth("PutMetricData", map[string]string{"Namespace": "GameDay/Conformance",
			"MetricData.member.1.MetricName": "ErrorRate", "MetricData.member.1.Value": "1", "MetricData.member.1.Unit": "Percent",
			"MetricData.member.1.Dimensions.member.1.Name": "service", "MetricData.member.1.Dimensions.member.1.Value": "orders",
			"MetricData.member.1.Dimensions.member.2.Name": "pod", "MetricData.member.1.Dimensions.member.2.Value": "orders-1"})
		metricsOf := func(n *xnode) []string {
			var out []string
			for _, m := range n.members("Metrics") {
				var dims []string
				for _, d := range m.members("Dimensions") {
					dims = append(dims, d.str("Name")+"="+d.str("Value"))
				}
				sort.Strings(dims)
				out = append(out, m.str("Namespace")+"/"+m.str("MetricName")+" "+strings.Join(dims, ","))
			}
			sort.Strings(out)
			return out
		}
		for _, params := range []map[string]string{
			{"Namespace": "GameDay/Conformance"},
			{"Namespace": "GameDay/Conformance", "MetricName": "ErrorRate"},
			{"Namespace": "GameDay/Conformance", "Dimensions.member.1.Name": "service", "Dimensions.member.1.Value": "carts"},
		} {
			m, s := mustBoth("ListMetrics", params)
			if diff := cmp.Diff(metricsOf(m), metricsOf(s)); diff != "" {
				t.Errorf("ListMetrics %v: moto (-) vs sim (+):\n%s", params, diff)
			}
			if len(metricsOf(s)) == 0 {
				t.Errorf("ListMetrics %v: sim listed nothing", params)
			}
		}
	})

	ops := []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
	for i, op := range ops {
		p := map[string]string{
			"AlarmName": fmt.Sprintf("conf-%d-%s", i, op), "Namespace": "GameDay/Conformance", "MetricName": "Latency",
			"Dimensions.member.1.Name": "service", "Dimensions.member.1.Value": "carts",
			"Statistic": "Average", "Period": "60", "EvaluationPeriods": "3", "DatapointsToAlarm": "2",
			"Threshold": strconv.Itoa(10 * (i + 1)), "ComparisonOperator": op, "TreatMissingData": "notBreaching",
			"AlarmActions.member.1": "arn:aws:sns:us-east-1:123456789012:gameday",
			"Tags.member.1.Key":     "team", "Tags.member.1.Value": "shop",
		}
		mustBoth("PutMetricAlarm", p)
	}

	t.Run("DescribeAlarms", func(t *testing.T) {
		m, s := mustBoth("DescribeAlarms", nil)
		got, want := alarmsOf(t, s), alarmsOf(t, m)
		if len(got) != len(ops) {
			t.Fatalf("sim has %d alarms, want %d", len(got), len(ops))
		}
		// moto creates alarms in OK; CloudWatch (and the simulator) start
		// in INSUFFICIENT_DATA, as the PutMetricAlarm reference says.
		for i := range want {
			if want[i].StateValue != "OK" {
				t.Errorf("moto's new alarm state is %s; if moto now follows CloudWatch, drop this adjustment", want[i].StateValue)
			}
			want[i].StateValue = StateInsufficientData
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("DescribeAlarms: moto (-) vs sim (+):\n%s", diff)
		}
		m, s = mustBoth("DescribeAlarms", map[string]string{"AlarmNamePrefix": "conf-1"})
		if diff := cmp.Diff(names(alarmsOf(t, m)), names(alarmsOf(t, s))); diff != "" {
			t.Errorf("DescribeAlarms AlarmNamePrefix: moto (-) vs sim (+):\n%s", diff)
		}
	})

	t.Run("SetAlarmState", func(t *testing.T) {
		name := "conf-0-GreaterThanOrEqualToThreshold"
		mustBoth("SetAlarmState", map[string]string{"AlarmName": name, "StateValue": "ALARM",
			"StateReason": "testing the stop condition", "StateReasonData": `{"source":"conformance"}`})
		m, s := mustBoth("DescribeAlarms", map[string]string{"StateValue": "ALARM"})
		got, want := alarmsOf(t, s), alarmsOf(t, m)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("DescribeAlarms StateValue=ALARM: moto (-) vs sim (+):\n%s", diff)
		}
		if len(got) != 1 || got[0].StateReason != "testing the stop condition" {
			t.Errorf("sim alarms in ALARM = %+v, want %s with the given reason", got, name)
		}

		_, _, me, se := both("SetAlarmState", map[string]string{"AlarmName": "no-such-alarm", "StateValue": "OK", "StateReason": "x"})
		if diff := cmp.Diff([]string{"ResourceNotFound", "ResourceNotFound"}, []string{errCode(me), errCode(se)}); diff != "" {
			t.Errorf("SetAlarmState unknown alarm codes [moto sim] (-want +got):\n%s", diff)
		}
		_, _, me, se = both("SetAlarmState", map[string]string{"AlarmName": name, "StateValue": "OK", "StateReason": "x", "StateReasonData": "{not json"})
		if diff := cmp.Diff([]string{"InvalidFormat", "InvalidFormat"}, []string{errCode(me), errCode(se)}); diff != "" {
			t.Errorf("SetAlarmState bad StateReasonData codes [moto sim] (-want +got):\n%s", diff)
		}
	})

	t.Run("DescribeAlarmHistory", func(t *testing.T) {
		// moto 5.2.1 does not implement DescribeAlarmHistory (it answers
		// with an internal error); the simulator is checked against the
		// fields CloudWatch documents.
		if _, err := targets["moto"].call("DescribeAlarmHistory", map[string]string{"AlarmName": "conf-0-GreaterThanOrEqualToThreshold"}); err == nil {
			t.Log("moto now implements DescribeAlarmHistory: extend this test to compare it")
		}
		res, err := targets["sim"].call("DescribeAlarmHistory", map[string]string{
			"AlarmName": "conf-0-GreaterThanOrEqualToThreshold", "HistoryItemType": "StateUpdate"})
		if err != nil {
			t.Fatal(err)
		}
		items := res.members("AlarmHistoryItems")
		if len(items) != 1 {
			t.Fatalf("history items = %d, want 1", len(items))
		}
		it := items[0]
		got := []string{it.str("AlarmName"), it.str("AlarmType"), it.str("HistoryItemType"), it.str("HistorySummary"), it.str("HistoryData")}
		want := []string{"conf-0-GreaterThanOrEqualToThreshold", "MetricAlarm", "StateUpdate", "Alarm updated from INSUFFICIENT_DATA to ALARM",
			`{"version":"1.0","oldState":{"stateValue":"INSUFFICIENT_DATA","stateReason":"Unchecked: Initial alarm creation"},` +
				`"newState":{"stateValue":"ALARM","stateReason":"testing the stop condition","stateReasonData":{"source":"conformance"}}}`}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("history item (-want +got):\n%s", diff)
		}
		if _, err := time.Parse(time.RFC3339Nano, it.str("Timestamp")); err != nil {
			t.Errorf("history Timestamp %q: %v", it.str("Timestamp"), err)
		}
	})

	t.Run("ListTagsForResource", func(t *testing.T) {
		arn := "arn:aws:cloudwatch:us-east-1:123456789012:alarm:conf-1-GreaterThanThreshold"
		m, s := mustBoth("ListTagsForResource", map[string]string{"ResourceARN": arn})
		tagsOf := func(n *xnode) []string {
			var out []string
			for _, tg := range n.members("Tags") {
				out = append(out, tg.str("Key")+"="+tg.str("Value"))
			}
			return out
		}
		if diff := cmp.Diff(tagsOf(m), tagsOf(s)); diff != "" {
			t.Errorf("ListTagsForResource: moto (-) vs sim (+):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"team=shop"}, tagsOf(s)); diff != "" {
			t.Errorf("sim tags (-want +got):\n%s", diff)
		}
	})

	t.Run("DeleteAlarms", func(t *testing.T) {
		mustBoth("DeleteAlarms", map[string]string{"AlarmNames.member.1": "conf-3-LessThanOrEqualToThreshold"})
		m, s := mustBoth("DescribeAlarms", nil)
		if diff := cmp.Diff(names(alarmsOf(t, m)), names(alarmsOf(t, s))); diff != "" {
			t.Errorf("after DeleteAlarms: moto (-) vs sim (+):\n%s", diff)
		}
		// moto ignores unknown names; the DeleteAlarms reference lists
		// ResourceNotFound and says that with a wrong name no alarm is
		// deleted, which the simulator follows.
		_, err := targets["sim"].call("DeleteAlarms", map[string]string{"AlarmNames.member.1": "conf-2-LessThanThreshold", "AlarmNames.member.2": "nope"})
		if errCode(err) != "ResourceNotFound" {
			t.Errorf("sim DeleteAlarms with an unknown name: %v, want ResourceNotFound", err)
		}
	})
}

func names(as []alarmView) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}
