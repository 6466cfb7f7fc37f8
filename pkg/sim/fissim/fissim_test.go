package fissim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/sim/fissim"
	"github.com/gameday-dev/gameday/pkg/sim/simcheck"
	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/gameday-dev/gameday/pkg/sim/simnet"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

const (
	account    = "123456789012"
	region     = "us-east-1"
	clusterARN = "arn:aws:eks:us-east-1:123456789012:cluster/sandbox"
	role       = "arn:aws:iam::123456789012:role/gameday-fis"
	alarm      = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:sock-shop-errors"
)

// fakeCluster is a stateful Cluster: it records what is applied and refuses
// a selector that names the label value "nothing".
type fakeCluster struct {
	mu      sync.Mutex
	applied []fissim.CustomResource
	active  map[string]bool
}

func (c *fakeCluster) ARN() string { return clusterARN }

func (c *fakeCluster) Apply(cr fissim.CustomResource) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sel, _ := cr.Spec["selector"].(map[string]any)
	labels, _ := sel["labelSelectors"].(map[string]any)
	if labels["name"] == "nothing" {
		return nil, errors.New("no pod is selected")
	}
	c.applied = append(c.applied, cr)
	if c.active == nil {
		c.active = map[string]bool{}
	}
	c.active[cr.ID] = true
	return []string{"sock-shop/carts-0"}, nil
}

func (c *fakeCluster) Delete(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.active, id)
}

func (c *fakeCluster) Active() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	for id := range c.active {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// fakeAlarms reports every alarm as OK.
type fakeAlarms struct{}

func (fakeAlarms) AlarmState(string) (string, bool) { return "OK", true }

// objects is an in-memory bucket store for delivered logs.
type objects struct {
	mu      sync.Mutex
	buckets map[string]bool
	keys    []string
	bodies  map[string][]byte
}

func (o *objects) put(bucket, key string, body []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.buckets[bucket] {
		return fmt.Errorf("put %s/%s: NoSuchBucket", bucket, key)
	}
	o.keys = append(o.keys, key)
	o.bodies[key] = body
	return nil
}

func (o *objects) snapshot() ([]string, map[string][]byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b := map[string][]byte{}
	for k, v := range o.bodies {
		b[k] = v
	}
	return append([]string(nil), o.keys...), b
}

type env struct {
	svc     *fissim.Service
	api     *fis.Client
	cluster *fakeCluster
	objects *objects
	clock   *simtest.Clock
}

func newEnv(t *testing.T, mod ...func(*fissim.Options)) *env {
	t.Helper()
	e := &env{
		cluster: &fakeCluster{},
		objects: &objects{buckets: map[string]bool{"fis-logs": true}, bodies: map[string][]byte{}},
		clock:   &simtest.Clock{Manual: simclock.NewManual(time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC))},
	}
	o := fissim.Options{
		Account: account, Region: region, Clock: e.clock.Manual, Cluster: e.cluster,
		Alarms: fakeAlarms{}, PutObject: e.objects.put, LogDelay: 2 * time.Minute, Seed: 1,
	}
	for _, m := range mod {
		m(&o)
	}
	e.svc = fissim.New(o)
	t.Cleanup(func() { e.svc.Close() })
	client := simnet.Serve(t, e.svc)
	e.api = fis.New(fis.Options{
		BaseEndpoint: aws.String("http://fis.test"),
		HTTPClient:   client,
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSIM", "secret", ""),
	})
	return e
}

// crSpec is the walkthrough's NetworkChaos: 90 ms on carts for duration.
func crSpec(duration, label string) string {
	spec := map[string]any{
		"action":   "delay",
		"mode":     "one",
		"selector": map[string]any{"namespaces": []string{"sock-shop"}, "labelSelectors": map[string]any{"name": label}},
		"delay":    map[string]any{"latency": "90ms"},
	}
	if duration != "" {
		spec["duration"] = duration
	}
	b, _ := json.Marshal(spec)
	return string(b)
}

func crAction(duration, maxDuration, label string) types.CreateExperimentTemplateActionInput {
	return types.CreateExperimentTemplateActionInput{
		ActionId: aws.String(fissim.ActionInjectCR),
		Parameters: map[string]string{
			"kubernetesApiVersion": "chaos-mesh.org/v1alpha1",
			"kubernetesKind":       "NetworkChaos",
			"kubernetesNamespace":  "default",
			"kubernetesSpec":       crSpec(duration, label),
			"maxDuration":          maxDuration,
		},
		Targets: map[string]string{"Cluster": "cluster"},
	}
}

// walkthrough is the carts-delay template of the walkthrough.
func walkthrough() *fis.CreateExperimentTemplateInput {
	return &fis.CreateExperimentTemplateInput{
		ClientToken: aws.String("walkthrough"),
		Description: aws.String("90 ms delay on carts"),
		RoleArn:     aws.String(role),
		StopConditions: []types.CreateExperimentTemplateStopConditionInput{
			{Source: aws.String("aws:cloudwatch:alarm"), Value: aws.String(alarm)},
		},
		Targets: map[string]types.CreateExperimentTemplateTargetInput{
			"cluster": {ResourceType: aws.String("aws:eks:cluster"), ResourceArns: []string{clusterARN}, SelectionMode: aws.String("ALL")},
		},
		Actions: map[string]types.CreateExperimentTemplateActionInput{
			"carts-delay": crAction("180s", "PT4M", "carts"),
		},
		LogConfiguration: &types.CreateExperimentTemplateLogConfigurationInput{
			LogSchemaVersion: aws.Int32(2),
			S3Configuration:  &types.ExperimentTemplateS3LogConfigurationInput{BucketName: aws.String("fis-logs"), Prefix: aws.String("fis")},
		},
		Tags: map[string]string{"gameday": "sock-shop-carts-latency"},
	}
}

func (e *env) create(t *testing.T, in *fis.CreateExperimentTemplateInput) string {
	t.Helper()
	out, err := e.api.CreateExperimentTemplate(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateExperimentTemplate: %v", err)
	}
	return *out.ExperimentTemplate.Id
}

func (e *env) start(t *testing.T, tmpl, token string) *types.Experiment {
	t.Helper()
	out, err := e.api.StartExperiment(context.Background(), &fis.StartExperimentInput{
		ExperimentTemplateId: aws.String(tmpl), ClientToken: aws.String(token),
	})
	if err != nil {
		t.Fatalf("StartExperiment: %v", err)
	}
	return out.Experiment
}

// awaitLimit is how much simulated time await and awaitStatus allow.
const awaitLimit = 3 * time.Hour

// await advances the clock until the experiment reaches a terminal state.
func (e *env) await(t *testing.T, id string) *types.Experiment {
	t.Helper()
	var exp *types.Experiment
	e.clock.Until(t, time.Second, awaitLimit, "experiment "+id+" ended", func() bool {
		out, err := e.api.GetExperiment(context.Background(), &fis.GetExperimentInput{Id: aws.String(id)})
		if err != nil {
			t.Fatalf("GetExperiment: %v", err)
		}
		exp = out.Experiment
		switch exp.State.Status {
		case types.ExperimentStatusCompleted, types.ExperimentStatusStopped, types.ExperimentStatusFailed, types.ExperimentStatusCancelled:
			return true
		}
		return false
	})
	return exp
}

// awaitStatus advances the clock until the experiment has the given status.
func (e *env) awaitStatus(t *testing.T, id string, want types.ExperimentStatus) {
	t.Helper()
	e.clock.Until(t, time.Second, awaitLimit, "experiment "+id+" "+string(want), func() bool {
		out, err := e.api.GetExperiment(context.Background(), &fis.GetExperimentInput{Id: aws.String(id)})
		if err != nil {
			t.Fatalf("GetExperiment: %v", err)
		}
		return out.Experiment.State.Status == want
	})
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestCreateExperimentTemplate(t *testing.T) {
	e := newEnv(t)
	out, err := e.api.CreateExperimentTemplate(context.Background(), walkthrough())
	if err != nil {
		t.Fatal(err)
	}
	tm := out.ExperimentTemplate
	if !strings.HasPrefix(*tm.Id, "EXT") || len(*tm.Id) != 17 {
		t.Errorf("id = %q, want EXT and 14 characters", *tm.Id)
	}
	if want := "arn:aws:fis:us-east-1:123456789012:experiment-template/" + *tm.Id; *tm.Arn != want {
		t.Errorf("arn = %q, want %q", *tm.Arn, want)
	}
	if tm.CreationTime == nil || tm.LastUpdateTime == nil || tm.CreationTime.Year() != 2026 {
		t.Errorf("creation/update times = %v/%v, want simulated 2026 times", tm.CreationTime, tm.LastUpdateTime)
	}
	got := struct {
		Role, Desc, Action, Kind, Bucket string
		Stops                            []string
		Tags                             map[string]string
		Arns                             []string
	}{
		*tm.RoleArn, *tm.Description, *tm.Actions["carts-delay"].ActionId,
		tm.Actions["carts-delay"].Parameters["kubernetesKind"], *tm.LogConfiguration.S3Configuration.BucketName,
		[]string{*tm.StopConditions[0].Source, *tm.StopConditions[0].Value}, tm.Tags, tm.Targets["cluster"].ResourceArns,
	}
	want := struct {
		Role, Desc, Action, Kind, Bucket string
		Stops                            []string
		Tags                             map[string]string
		Arns                             []string
	}{role, "90 ms delay on carts", fissim.ActionInjectCR, "NetworkChaos", "fis-logs",
		[]string{"aws:cloudwatch:alarm", alarm}, map[string]string{"gameday": "sock-shop-carts-latency"}, []string{clusterARN}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("template (-want +got):\n%s", diff)
	}
	again, err := e.api.CreateExperimentTemplate(context.Background(), walkthrough())
	if err != nil {
		t.Fatal(err)
	}
	if *again.ExperimentTemplate.Id != *tm.Id {
		t.Errorf("same clientToken created %s, then %s; want one template", *tm.Id, *again.ExperimentTemplate.Id)
	}
}

// TestExperimentCarriesTemplateDefinition reads a template and an experiment
// started from it as raw bodies: the experiment carries the template's
// definition and its actions member for member, each lists as its summary,
// and every body fits botocore's FIS model (testdata/botocore_shapes.py).
func TestExperimentCarriesTemplateDefinition(t *testing.T) {
	raw := map[string]json.RawMessage{}
	synctest.Test(t, func(t *testing.T) { carriesDefinition(t, raw) })
	t.Run("botocore model", func(t *testing.T) {
		if len(raw) != 4 {
			t.Fatalf("raw bodies of %d operations, want 4", len(raw))
		}
		simcheck.Boto3(t)
		stdin, err := json.Marshal(raw)
		if err != nil {
			t.Fatal(err)
		}
		out := simcheck.Python(t, stdin, filepath.Join("testdata", "botocore_shapes.py"))
		var errs []string
		if err := json.Unmarshal(out, &errs); err != nil {
			t.Fatalf("botocore_shapes.py output %q: %v", out, err)
		}
		for _, e := range errs {
			t.Errorf("botocore model: %s", e)
		}
	})
}

// carriesDefinition is TestExperimentCarriesTemplateDefinition in a bubble;
// it keeps each raw body in raw under its operation's name.
func carriesDefinition(t *testing.T, raw map[string]json.RawMessage) {
	e := newEnv(t)
	in := walkthrough()
	in.Actions["settle"] = types.CreateExperimentTemplateActionInput{
		ActionId: aws.String(fissim.ActionWait), Description: aws.String("let carts settle"),
		Parameters: map[string]string{"duration": "PT1M"}, StartAfter: []string{"carts-delay"},
	}
	tmplID := e.create(t, in)
	expID := *e.start(t, tmplID, "definition").Id
	e.await(t, expID) // an ended experiment changes no more
	get := func(op, path string) map[string]any {
		t.Helper()
		rec := httptest.NewRecorder()
		e.svc.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		raw[op] = rec.Body.Bytes()
		var body map[string]any
		if err := json.Unmarshal(raw[op], &body); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return body
	}
	listed := func(op, path, member string) map[string]any {
		t.Helper()
		l, _ := get(op, path)[member].([]any)
		if len(l) != 1 {
			t.Fatalf("GET %s: %s = %v, want one", path, member, l)
		}
		m, _ := l[0].(map[string]any)
		return m
	}
	tmpl, _ := get("GetExperimentTemplate", "/experimentTemplates/"+tmplID)["experimentTemplate"].(map[string]any)
	exp, _ := get("GetExperiment", "/experiments/"+expID)["experiment"].(map[string]any)
	for what, s := range map[string]struct{ listed, got map[string]any }{
		"template":   {listed("ListExperimentTemplates", "/experimentTemplates", "experimentTemplates"), tmpl},
		"experiment": {listed("ListExperiments", "/experiments", "experiments"), exp},
	} {
		if len(s.listed) < 6 {
			t.Errorf("listed %s = %v, want its summary", what, s.listed)
		}
		for k, v := range s.listed {
			if diff := cmp.Diff(v, s.got[k]); diff != "" {
				t.Errorf("%s's %s (-listed +got):\n%s", what, k, diff)
			}
		}
	}
	for _, k := range []string{"roleArn", "targets", "stopConditions", "logConfiguration", "targetAccountConfigurationsCount"} {
		if tmpl[k] == nil {
			t.Errorf("template has no %s", k)
		}
		if diff := cmp.Diff(tmpl[k], exp[k]); diff != "" {
			t.Errorf("experiment's %s (-template +experiment):\n%s", k, diff)
		}
	}
	tmplActions, _ := tmpl["actions"].(map[string]any)
	expActions, _ := exp["actions"].(map[string]any)
	if len(tmplActions) != 2 || len(expActions) != 2 {
		t.Fatalf("actions: template %v, experiment %v; want carts-delay and settle in both", tmplActions, expActions)
	}
	for name, a := range tmplActions {
		got, _ := expActions[name].(map[string]any)
		for k, v := range a.(map[string]any) {
			if diff := cmp.Diff(v, got[k]); diff != "" {
				t.Errorf("experiment's action %s %s (-template +experiment):\n%s", name, k, diff)
			}
		}
		if got["state"] == nil {
			t.Errorf("experiment's action %s has no state", name)
		}
	}
}

func TestCreateExperimentTemplateValidation(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		mod  func(in *fis.CreateExperimentTemplateInput)
		want string // a word of the message
	}{
		{"bad role", func(in *fis.CreateExperimentTemplateInput) { in.RoleArn = aws.String("gameday-fis") }, "role ARN"},
		{"unknown action", func(in *fis.CreateExperimentTemplateInput) {
			a := in.Actions["carts-delay"]
			a.ActionId = aws.String("aws:eks:inject-chaos")
			in.Actions["carts-delay"] = a
		}, "not supported"},
		{"missing parameter", func(in *fis.CreateExperimentTemplateInput) {
			delete(in.Actions["carts-delay"].Parameters, "kubernetesSpec")
		}, "kubernetesSpec"},
		{"unknown parameter", func(in *fis.CreateExperimentTemplateInput) {
			in.Actions["carts-delay"].Parameters["duration"] = "PT1M"
		}, "duration"},
		{"maxDuration not ISO 8601", func(in *fis.CreateExperimentTemplateInput) {
			in.Actions["carts-delay"].Parameters["maxDuration"] = "5m"
		}, "maxDuration"},
		{"maxDuration above 12h", func(in *fis.CreateExperimentTemplateInput) {
			in.Actions["carts-delay"].Parameters["maxDuration"] = "PT13H"
		}, "PT12H"},
		{"maxDuration below 1m", func(in *fis.CreateExperimentTemplateInput) {
			in.Actions["carts-delay"].Parameters["maxDuration"] = "PT30S"
		}, "PT1M"},
		{"spec not JSON", func(in *fis.CreateExperimentTemplateInput) {
			in.Actions["carts-delay"].Parameters["kubernetesSpec"] = "action: delay"
		}, "kubernetesSpec"},
		{"unknown target", func(in *fis.CreateExperimentTemplateInput) {
			in.Actions["carts-delay"].Targets["Cluster"] = "clusters"
		}, "does not exist"},
		{"unknown startAfter", func(in *fis.CreateExperimentTemplateInput) {
			a := in.Actions["carts-delay"]
			a.StartAfter = []string{"warm-up"}
			in.Actions["carts-delay"] = a
		}, "warm-up"},
		{"startAfter cycle", func(in *fis.CreateExperimentTemplateInput) {
			a, b := crAction("60s", "PT2M", "carts"), crAction("60s", "PT2M", "orders")
			a.StartAfter, b.StartAfter = []string{"b"}, []string{"a"}
			in.Actions = map[string]types.CreateExperimentTemplateActionInput{"a": a, "b": b}
		}, "cycle"},
		{"bad stop condition source", func(in *fis.CreateExperimentTemplateInput) {
			in.StopConditions[0].Source = aws.String("aws:cloudwatch:metric")
		}, "not supported"},
		{"stop condition not an alarm ARN", func(in *fis.CreateExperimentTemplateInput) {
			in.StopConditions[0].Value = aws.String("sock-shop-errors")
		}, "alarm ARN"},
		{"no stop conditions", func(in *fis.CreateExperimentTemplateInput) {
			in.StopConditions = []types.CreateExperimentTemplateStopConditionInput{}
		}, "stopConditions"},
		{"wrong target type", func(in *fis.CreateExperimentTemplateInput) {
			in.Targets["cluster"] = types.CreateExperimentTemplateTargetInput{ResourceType: aws.String("aws:ec2:instance"), ResourceArns: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-1"}, SelectionMode: aws.String("ALL")}
		}, "resource type"},
		{"bad selection mode", func(in *fis.CreateExperimentTemplateInput) {
			in.Targets["cluster"] = types.CreateExperimentTemplateTargetInput{ResourceType: aws.String("aws:eks:cluster"), ResourceArns: []string{clusterARN}, SelectionMode: aws.String("SOME")}
		}, "selection mode"},
		{"21 actions", func(in *fis.CreateExperimentTemplateInput) {
			for i := range 20 {
				in.Actions[fmt.Sprintf("wait-%d", i)] = types.CreateExperimentTemplateActionInput{ActionId: aws.String(fissim.ActionWait), Parameters: map[string]string{"duration": "PT1M"}}
			}
		}, "limit (20)"},
		{"log bucket missing", func(in *fis.CreateExperimentTemplateInput) {
			in.LogConfiguration.S3Configuration.BucketName = aws.String("")
		}, "bucketName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := walkthrough()
			in.ClientToken = aws.String(tt.name)
			tt.mod(in)
			_, err := e.api.CreateExperimentTemplate(context.Background(), in)
			var ve *types.ValidationException
			if !errors.As(err, &ve) {
				t.Fatalf("error = %v, want ValidationException", err)
			}
			if !strings.Contains(ve.ErrorMessage(), tt.want) {
				t.Errorf("message = %q, want it to mention %q", ve.ErrorMessage(), tt.want)
			}
		})
	}
	list, err := e.api.ListExperimentTemplates(context.Background(), &fis.ListExperimentTemplatesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ExperimentTemplates) != 0 {
		t.Errorf("invalid templates were stored: %d", len(list.ExperimentTemplates))
	}
}

func TestGetUpdateDeleteExperimentTemplate(t *testing.T) {
	clock := simclock.NewManual(time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC))
	e := newEnv(t, func(o *fissim.Options) { o.Clock = clock })
	ctx := context.Background()
	id := e.create(t, walkthrough())

	got, err := e.api.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	created := *got.ExperimentTemplate.LastUpdateTime
	clock.Advance(5 * time.Second)

	up, err := e.api.UpdateExperimentTemplate(ctx, &fis.UpdateExperimentTemplateInput{
		Id: aws.String(id), Description: aws.String("120 ms now"),
		Actions: map[string]types.UpdateExperimentTemplateActionInputItem{
			"carts-delay": {ActionId: aws.String(fissim.ActionInjectCR), Parameters: crAction("120s", "PT3M", "carts").Parameters, Targets: map[string]string{"Cluster": "cluster"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := *up.ExperimentTemplate.Description; d != "120 ms now" {
		t.Errorf("description = %q after update", d)
	}
	if p := up.ExperimentTemplate.Actions["carts-delay"].Parameters["maxDuration"]; p != "PT3M" {
		t.Errorf("maxDuration = %q after update, want PT3M", p)
	}
	if !up.ExperimentTemplate.LastUpdateTime.After(created) {
		t.Errorf("lastUpdateTime %v did not move past %v", up.ExperimentTemplate.LastUpdateTime, created)
	}
	if !up.ExperimentTemplate.CreationTime.Equal(*got.ExperimentTemplate.CreationTime) {
		t.Errorf("creationTime changed on update")
	}

	_, err = e.api.UpdateExperimentTemplate(ctx, &fis.UpdateExperimentTemplateInput{Id: aws.String(id), RoleArn: aws.String("nope")})
	if c := errorCode(err); c != "ValidationException" {
		t.Errorf("bad update: code %q (%v), want ValidationException", c, err)
	}

	if _, err := e.api.DeleteExperimentTemplate(ctx, &fis.DeleteExperimentTemplateInput{Id: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"get": func() error {
			_, err := e.api.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: aws.String(id)})
			return err
		},
		"update": func() error {
			_, err := e.api.UpdateExperimentTemplate(ctx, &fis.UpdateExperimentTemplateInput{Id: aws.String(id), Description: aws.String("x")})
			return err
		},
		"delete": func() error {
			_, err := e.api.DeleteExperimentTemplate(ctx, &fis.DeleteExperimentTemplateInput{Id: aws.String(id)})
			return err
		},
		"start": func() error {
			_, err := e.api.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: aws.String(id), ClientToken: aws.String("t")})
			return err
		},
	} {
		var nf *types.ResourceNotFoundException
		if err := call(); !errors.As(err, &nf) {
			t.Errorf("%s after delete: %v, want ResourceNotFoundException", name, err)
		}
	}
}

func TestListExperimentTemplatesPages(t *testing.T) {
	e := newEnv(t)
	var want []string
	for i := range 5 {
		in := walkthrough()
		in.ClientToken = aws.String(fmt.Sprint("t", i))
		want = append(want, e.create(t, in))
	}
	p := fis.NewListExperimentTemplatesPaginator(e.api, &fis.ListExperimentTemplatesInput{MaxResults: aws.Int32(2)})
	var got []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.ExperimentTemplates) > 2 {
			t.Errorf("page of %d, want at most 2", len(out.ExperimentTemplates))
		}
		for _, s := range out.ExperimentTemplates {
			got = append(got, *s.Id)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if pages != 3 {
		t.Errorf("pages = %d, want 3", pages)
	}
	_, err := e.api.ListExperimentTemplates(context.Background(), &fis.ListExperimentTemplatesInput{NextToken: aws.String("garbage")})
	if c := errorCode(err); c != "ValidationException" {
		t.Errorf("bad nextToken: %q, want ValidationException", c)
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.create(t, walkthrough())
	tmpl, err := e.api.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	exp := e.start(t, id, "tags")
	for _, arn := range []string{*tmpl.ExperimentTemplate.Arn, *exp.Arn} {
		if _, err := e.api.TagResource(ctx, &fis.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "sre", "env": "staging"}}); err != nil {
			t.Fatalf("TagResource %s: %v", arn, err)
		}
		if _, err := e.api.UntagResource(ctx, &fis.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
			t.Fatalf("UntagResource %s: %v", arn, err)
		}
		out, err := e.api.ListTagsForResource(ctx, &fis.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Tags["team"] != "sre" || out.Tags["env"] != "" {
			t.Errorf("tags of %s = %v, want team=sre and no env", arn, out.Tags)
		}
	}
	_, err = e.api.ListTagsForResource(ctx, &fis.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:fis:us-east-1:123456789012:experiment/EXPnope")})
	if c := errorCode(err); c != "ResourceNotFoundException" {
		t.Errorf("unknown ARN: %q, want ResourceNotFoundException", c)
	}
}

func TestStartExperimentIdempotent(t *testing.T) {
	e := newEnv(t)
	id := e.create(t, walkthrough())
	first := e.start(t, id, "exec-1/start")
	second := e.start(t, id, "exec-1/start")
	if *first.Id != *second.Id {
		t.Errorf("same clientToken started %s and %s", *first.Id, *second.Id)
	}
	if !strings.HasPrefix(*first.Id, "EXP") || *first.Arn != "arn:aws:fis:us-east-1:123456789012:experiment/"+*first.Id {
		t.Errorf("id %s arn %s", *first.Id, *first.Arn)
	}
	if first.State.Status != types.ExperimentStatusPending || *first.ExperimentTemplateId != id {
		t.Errorf("start returned %s for template %s", first.State.Status, *first.ExperimentTemplateId)
	}
	third := e.start(t, id, "exec-2/start")
	if *third.Id == *first.Id {
		t.Errorf("a new clientToken reused experiment %s", *first.Id)
	}
	_, err := e.api.StartExperiment(context.Background(), &fis.StartExperimentInput{ExperimentTemplateId: aws.String("EXTnope"), ClientToken: aws.String("x")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown template: %v, want ResourceNotFoundException", err)
	}
}

func TestStartExperimentQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		in := walkthrough()
		in.Actions["carts-delay"] = crAction("", "PT12H", "carts") // runs until stopped
		id := e.create(t, in)
		var ids []string
		for i := range fissim.MaxActiveExperiments {
			ids = append(ids, *e.start(t, id, fmt.Sprint("q", i)).Id)
		}
		_, err := e.api.StartExperiment(context.Background(), &fis.StartExperimentInput{ExperimentTemplateId: aws.String(id), ClientToken: aws.String("q-6")})
		var qe *types.ServiceQuotaExceededException
		if !errors.As(err, &qe) {
			t.Fatalf("6th active experiment: %v, want ServiceQuotaExceededException", err)
		}
		if got := e.svc.ActiveExperiments(); len(got) != 5 {
			t.Errorf("active = %v, want 5", got)
		}
		if _, err := e.api.StopExperiment(context.Background(), &fis.StopExperimentInput{Id: aws.String(ids[0])}); err != nil {
			t.Fatal(err)
		}
		e.await(t, ids[0])
		e.start(t, id, "q-7") // room again
	})
}

func TestTemplateQuota(t *testing.T) {
	e := newEnv(t)
	for i := range fissim.MaxTemplates {
		in := walkthrough()
		in.ClientToken = aws.String(fmt.Sprint("t", i))
		e.create(t, in)
	}
	in := walkthrough()
	in.ClientToken = aws.String("one-too-many")
	_, err := e.api.CreateExperimentTemplate(context.Background(), in)
	var qe *types.ServiceQuotaExceededException
	if !errors.As(err, &qe) {
		t.Fatalf("template %d: %v, want ServiceQuotaExceededException", fissim.MaxTemplates+1, err)
	}
	in.ClientToken = aws.String("t0") // a retry of an earlier create still answers
	e.create(t, in)
}

func TestStopExperiment(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		in := walkthrough()
		in.Actions["carts-delay"] = crAction("", "PT12H", "carts")
		id := e.create(t, in)
		exp := e.start(t, id, "stop")
		e.awaitStatus(t, *exp.Id, types.ExperimentStatusRunning)
		e.clock.Until(t, time.Second, time.Hour, "chaos applied", func() bool { return len(e.cluster.Active()) > 0 })
		if len(e.cluster.Active()) != 1 {
			t.Fatalf("chaos applied = %v, want one CR", e.cluster.Active())
		}
		e.clock.Until(t, time.Second, time.Hour, "action running", func() bool {
			got, err := e.api.GetExperiment(context.Background(), &fis.GetExperimentInput{Id: exp.Id})
			if err != nil {
				t.Fatal(err)
			}
			a := got.Experiment.Actions["carts-delay"]
			return a.State.Status == types.ExperimentActionStatusRunning && a.StartTime != nil
		})
		out, err := e.api.StopExperiment(context.Background(), &fis.StopExperimentInput{Id: exp.Id})
		if err != nil {
			t.Fatal(err)
		}
		if out.Experiment.State.Status != types.ExperimentStatusStopping {
			t.Errorf("StopExperiment returned %s, want stopping", out.Experiment.State.Status)
		}
		end := e.await(t, *exp.Id)
		if end.State.Status != types.ExperimentStatusStopped || *end.State.Reason != "Experiment stopped by user." {
			t.Errorf("state = %s (%s), want stopped by user", end.State.Status, aws.ToString(end.State.Reason))
		}
		if a := end.Actions["carts-delay"].State.Status; a != types.ExperimentActionStatusStopped {
			t.Errorf("action = %s, want stopped", a)
		}
		if end.EndTime == nil || end.EndTime.Before(*end.StartTime) {
			t.Errorf("endTime %v, startTime %v", end.EndTime, end.StartTime)
		}
		if got := e.cluster.Active(); len(got) != 0 {
			t.Errorf("chaos left after stop: %v", got)
		}
		_, err = e.api.StopExperiment(context.Background(), &fis.StopExperimentInput{Id: exp.Id})
		if c := errorCode(err); c != "ValidationException" { // the default variant (variants.go)
			t.Errorf("stop a stopped experiment: %q, want ValidationException", c)
		}
		_, err = e.api.StopExperiment(context.Background(), &fis.StopExperimentInput{Id: aws.String("EXPnope")})
		if c := errorCode(err); c != "ResourceNotFoundException" {
			t.Errorf("stop unknown: %q, want ResourceNotFoundException", c)
		}
	})
}

func TestListExperiments(t *testing.T) {
	e := newEnv(t)
	a := e.create(t, walkthrough())
	in := walkthrough()
	in.ClientToken = aws.String("other")
	b := e.create(t, in)
	var wantA []string
	for i := range 3 {
		wantA = append(wantA, *e.start(t, a, fmt.Sprint("a", i)).Id)
	}
	e.start(t, b, "b0")
	p := fis.NewListExperimentsPaginator(e.api, &fis.ListExperimentsInput{ExperimentTemplateId: aws.String(a), MaxResults: aws.Int32(2)})
	var got []string
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.Experiments {
			if *s.ExperimentTemplateId != a || s.State == nil || s.CreationTime == nil {
				t.Errorf("summary %+v", s)
			}
			got = append(got, *s.Id)
		}
	}
	sort.Strings(got)
	sort.Strings(wantA)
	if diff := cmp.Diff(wantA, got); diff != "" {
		t.Errorf("experiments of %s (-want +got):\n%s", a, diff)
	}
	all, err := e.api.ListExperiments(context.Background(), &fis.ListExperimentsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Experiments) != 4 {
		t.Errorf("all experiments = %d, want 4", len(all.Experiments))
	}
}

func TestSafetyLever(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		ctx := context.Background()
		in := walkthrough()
		in.Actions["carts-delay"] = crAction("", "PT12H", "carts")
		id := e.create(t, in)
		running := e.start(t, id, "before-lever")

		got, err := e.api.GetSafetyLever(ctx, &fis.GetSafetyLeverInput{Id: aws.String("default")})
		if err != nil {
			t.Fatal(err)
		}
		if got.SafetyLever.State.Status != types.SafetyLeverStatusDisengaged || *got.SafetyLever.Arn != "arn:aws:fis:us-east-1:123456789012:safety-lever/default" {
			t.Errorf("lever = %s %s", got.SafetyLever.State.Status, *got.SafetyLever.Arn)
		}
		up, err := e.api.UpdateSafetyLeverState(ctx, &fis.UpdateSafetyLeverStateInput{Id: aws.String("default"),
			State: &types.UpdateSafetyLeverStateInput{Status: types.SafetyLeverStatusInputEngaged, Reason: aws.String("incident")}})
		if err != nil {
			t.Fatal(err)
		}
		if s := up.SafetyLever.State.Status; s != types.SafetyLeverStatusEngaging && s != types.SafetyLeverStatusEngaged {
			t.Errorf("after engage: %s", s)
		}
		end := e.await(t, *running.Id)
		if end.State.Status != types.ExperimentStatusStopped {
			t.Errorf("running experiment under an engaged lever: %s", end.State.Status)
		}
		// FIS starts an experiment under an engaged lever, and cancels it
		// (user guide, "Safety levers for AWS FIS").
		cancelled, err := e.api.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: aws.String(id), ClientToken: aws.String("after-lever")})
		if err != nil {
			t.Fatalf("start under engaged lever: %v, want it started (and cancelled)", err)
		}
		if end := e.await(t, *cancelled.Experiment.Id); end.State.Status != types.ExperimentStatusCancelled ||
			!strings.Contains(aws.ToString(end.State.Reason), "safety lever") {
			t.Errorf("experiment started under an engaged lever: %s (%s), want cancelled for the safety lever", end.State.Status, aws.ToString(end.State.Reason))
		}
		e.clock.Until(t, time.Second, time.Hour, "lever engaged", func() bool {
			got, err = e.api.GetSafetyLever(ctx, &fis.GetSafetyLeverInput{Id: aws.String("default")})
			if err != nil {
				t.Fatal(err)
			}
			return got.SafetyLever.State.Status == types.SafetyLeverStatusEngaged
		})
		if got.SafetyLever.State.Status != types.SafetyLeverStatusEngaged || *got.SafetyLever.State.Reason != "incident" {
			t.Errorf("lever = %s (%s), want engaged (incident)", got.SafetyLever.State.Status, aws.ToString(got.SafetyLever.State.Reason))
		}
		if _, err := e.api.UpdateSafetyLeverState(ctx, &fis.UpdateSafetyLeverStateInput{Id: aws.String("default"),
			State: &types.UpdateSafetyLeverStateInput{Status: types.SafetyLeverStatusInputDisengaged, Reason: aws.String("over")}}); err != nil {
			t.Fatal(err)
		}
		e.start(t, id, "after-disengage")
		_, err = e.api.GetSafetyLever(ctx, &fis.GetSafetyLeverInput{Id: aws.String("other")})
		if c := errorCode(err); c != "ResourceNotFoundException" {
			t.Errorf("unknown lever: %q", c)
		}
	})
}

func TestLifecycle(t *testing.T) {
	tests := []struct {
		name       string
		mod        func(in *fis.CreateExperimentTemplateInput)
		wantState  types.ExperimentStatus
		wantReason string
		wantAction map[string]types.ExperimentActionStatus
		// wantError is the state's error as "code at location", "" for none.
		wantError string
		// simulated duration of the running phase, roughly
		minRun time.Duration
	}{
		{
			name:       "walkthrough completes",
			mod:        func(*fis.CreateExperimentTemplateInput) {},
			wantState:  types.ExperimentStatusCompleted,
			wantReason: "Experiment completed.",
			wantAction: map[string]types.ExperimentActionStatus{"carts-delay": types.ExperimentActionStatusCompleted},
			minRun:     180 * time.Second,
		},
		{
			name: "CR outlives maxDuration",
			mod: func(in *fis.CreateExperimentTemplateInput) {
				in.Actions["carts-delay"] = crAction("10m", "PT2M", "carts")
			},
			wantState:  types.ExperimentStatusFailed,
			wantReason: "maxDuration",
			wantAction: map[string]types.ExperimentActionStatus{"carts-delay": types.ExperimentActionStatusFailed},
			wantError:  "ConfigurationFailure at carts-delay",
			minRun:     2 * time.Minute,
		},
		{
			name: "CR without duration runs until maxDuration",
			mod: func(in *fis.CreateExperimentTemplateInput) {
				in.Actions["carts-delay"] = crAction("", "PT3M", "carts")
			},
			wantState:  types.ExperimentStatusCompleted,
			wantReason: "Experiment completed.",
			wantAction: map[string]types.ExperimentActionStatus{"carts-delay": types.ExperimentActionStatusCompleted},
			minRun:     3 * time.Minute,
		},
		{
			name: "unknown cluster",
			mod: func(in *fis.CreateExperimentTemplateInput) {
				in.Targets["cluster"] = types.CreateExperimentTemplateTargetInput{ResourceType: aws.String("aws:eks:cluster"),
					ResourceArns: []string{"arn:aws:eks:us-east-1:123456789012:cluster/prod"}, SelectionMode: aws.String("ALL")}
			},
			wantState:  types.ExperimentStatusFailed,
			wantReason: "cluster/prod",
			wantAction: map[string]types.ExperimentActionStatus{"carts-delay": types.ExperimentActionStatusCancelled},
			wantError:  "InvalidTarget at cluster",
		},
		{
			name: "selector matches no pod",
			mod: func(in *fis.CreateExperimentTemplateInput) {
				in.Actions["carts-delay"] = crAction("60s", "PT2M", "nothing")
			},
			wantState:  types.ExperimentStatusFailed,
			wantReason: "no pod is selected",
			wantAction: map[string]types.ExperimentActionStatus{"carts-delay": types.ExperimentActionStatusFailed},
			wantError:  "ConfigurationFailure at carts-delay",
		},
		{
			name: "startAfter runs in sequence; a failure cancels what follows",
			mod: func(in *fis.CreateExperimentTemplateInput) {
				first := crAction("60s", "PT2M", "carts")
				bad := crAction("60s", "PT2M", "nothing")
				bad.StartAfter = []string{"first"}
				last := types.CreateExperimentTemplateActionInput{ActionId: aws.String(fissim.ActionWait), Parameters: map[string]string{"duration": "PT1M"}, StartAfter: []string{"bad"}}
				in.Actions = map[string]types.CreateExperimentTemplateActionInput{"first": first, "bad": bad, "last": last}
			},
			wantState:  types.ExperimentStatusFailed,
			wantReason: "no pod is selected",
			wantAction: map[string]types.ExperimentActionStatus{
				"first": types.ExperimentActionStatusCompleted, "bad": types.ExperimentActionStatusFailed, "last": types.ExperimentActionStatusCancelled,
			},
			wantError: "ConfigurationFailure at bad",
			minRun:    time.Minute,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t)
				in := walkthrough()
				tt.mod(in)
				id := e.create(t, in)
				exp := e.start(t, id, "run")
				end := e.await(t, *exp.Id)
				if end.State.Status != tt.wantState || !strings.Contains(aws.ToString(end.State.Reason), tt.wantReason) {
					t.Errorf("state = %s (%q), want %s (…%s…)", end.State.Status, aws.ToString(end.State.Reason), tt.wantState, tt.wantReason)
				}
				if got := stateError(end.State); got != tt.wantError {
					t.Errorf("state error = %q, want %q", got, tt.wantError)
				}
				got := map[string]types.ExperimentActionStatus{}
				for n, a := range end.Actions {
					got[n] = a.State.Status
				}
				if diff := cmp.Diff(tt.wantAction, got); diff != "" {
					t.Errorf("actions (-want +got):\n%s", diff)
				}
				if run := end.EndTime.Sub(*end.StartTime); run < tt.minRun {
					t.Errorf("experiment took %v of simulated time, want at least %v", run, tt.minRun)
				}
				if len(e.cluster.Active()) != 0 {
					t.Errorf("chaos left applied: %v", e.cluster.Active())
				}
				if first, ok := end.Actions["first"]; ok {
					if bad := end.Actions["bad"]; bad.StartTime.Before(*first.EndTime) {
						t.Errorf("bad started at %v before first ended at %v", bad.StartTime, first.EndTime)
					}
				}
			})
		})
	}
}

// stateError is an experiment state's error as "code at location"; an
// error must name the simulated account.
func stateError(st *types.ExperimentState) string {
	e := st.Error
	if e == nil {
		return ""
	}
	if aws.ToString(e.AccountId) != account {
		return "error in account " + aws.ToString(e.AccountId)
	}
	return aws.ToString(e.Code) + " at " + aws.ToString(e.Location)
}

func TestActionsModeSkipAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		id := e.create(t, walkthrough())
		out, err := e.api.StartExperiment(context.Background(), &fis.StartExperimentInput{
			ExperimentTemplateId: aws.String(id), ClientToken: aws.String("skip"),
			ExperimentOptions: &types.StartExperimentExperimentOptionsInput{ActionsMode: types.ActionsModeSkipAll},
		})
		if err != nil {
			t.Fatal(err)
		}
		end := e.await(t, *out.Experiment.Id)
		if end.State.Status != types.ExperimentStatusCompleted || end.Actions["carts-delay"].State.Status != types.ExperimentActionStatusSkipped {
			t.Errorf("skip-all: experiment %s, action %s; want completed, skipped", end.State.Status, end.Actions["carts-delay"].State.Status)
		}
		if end.ExperimentOptions == nil || end.ExperimentOptions.ActionsMode != types.ActionsModeSkipAll {
			t.Errorf("experimentOptions = %+v", end.ExperimentOptions)
		}
		e.cluster.mu.Lock()
		applied := len(e.cluster.applied)
		e.cluster.mu.Unlock()
		if applied != 0 {
			t.Errorf("skip-all applied %d custom resources", applied)
		}
	})
}

func TestStopCondition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		in := walkthrough()
		in.Actions["carts-delay"] = crAction("", "PT12H", "carts")
		id := e.create(t, in)
		exp := e.start(t, id, "alarm")
		e.awaitStatus(t, *exp.Id, types.ExperimentStatusRunning)
		e.svc.AlarmChanged("arn:aws:cloudwatch:us-east-1:123456789012:alarm:other", "ALARM")
		e.svc.AlarmChanged(alarm, "OK")
		e.clock.Advance(15 * time.Second)
		if got := e.svc.ActiveExperiments(); len(got) != 1 {
			t.Fatalf("an unrelated alarm or an OK transition stopped the experiment: active %v", got)
		}
		e.svc.AlarmChanged(alarm, "ALARM")
		end := e.await(t, *exp.Id)
		if want := "Experiment stopped by stop condition " + alarm; end.State.Status != types.ExperimentStatusStopped || aws.ToString(end.State.Reason) != want {
			t.Errorf("state = %s (%q), want stopped (%q)", end.State.Status, aws.ToString(end.State.Reason), want)
		}
		if len(e.cluster.Active()) != 0 {
			t.Errorf("chaos left applied: %v", e.cluster.Active())
		}
	})
}

func TestUnknownOperationAndBadBody(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		method, path, body string
		code               int
		errType            string
	}{
		{"GET", "/nothing", "", 404, "UnknownOperationException"},
		{"POST", "/experimentTemplates", "{not json", 400, "ValidationException"},
		{"POST", "/experiments", `{"experimentTemplateId": 7}`, 400, "ValidationException"},
		{"POST", "/experiments", `{"experimentTemplateId": "EXT1"}`, 400, "ValidationException"},
		{"PATCH", "/safetyLevers/default/state", `{}`, 400, "ValidationException"},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		rec := httptest.NewRecorder()
		e.svc.ServeHTTP(rec, req)
		if rec.Code != tc.code || rec.Header().Get("X-Amzn-Errortype") != tc.errType {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path, rec.Code, rec.Header().Get("X-Amzn-Errortype"), tc.code, tc.errType)
		}
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["message"] == "" {
			t.Errorf("%s %s: body %q is not {\"message\": ...}", tc.method, tc.path, rec.Body.String())
		}
	}
}

// TestListAndGetActions: ListActions pages through every action of the FIS
// actions reference (pkg/fisactions), and GetAction gives each one's
// targets and parameters as the catalogue has them.
func TestListAndGetActions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var ids []string
	pages := 0
	p := fis.NewListActionsPaginator(e.api, &fis.ListActionsInput{MaxResults: aws.Int32(20)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range page.Actions {
			ids = append(ids, *a.Id)
		}
	}
	var want []string
	for _, a := range fisactions.All() {
		if a.RenamedTo == "" {
			want = append(want, a.ID)
		}
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("listed actions (-catalogue +ListActions):\n%s", diff)
	}
	if pages < 3 {
		t.Errorf("%d pages of at most 20 for %d actions", pages, len(ids))
	}
	for _, a := range fisactions.All() {
		t.Run(a.ID, func(t *testing.T) {
			got, err := e.api.GetAction(ctx, &fis.GetActionInput{Id: aws.String(a.ID)})
			if err != nil {
				t.Fatal(err)
			}
			targets := map[string]string{}
			for k, tg := range got.Action.Targets {
				targets[k] = aws.ToString(tg.ResourceType)
			}
			params := map[string]bool{}
			for k, p := range got.Action.Parameters {
				params[k] = aws.ToBool(p.Required)
			}
			wantParams := map[string]bool{}
			for k, p := range a.Parameters {
				wantParams[k] = p.Required
			}
			if diff := cmp.Diff(a.Targets, targets, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("targets (-catalogue +GetAction):\n%s", diff)
			}
			if diff := cmp.Diff(wantParams, params, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("parameters required (-catalogue +GetAction):\n%s", diff)
			}
			if aws.ToString(got.Action.Arn) != "arn:aws:fis:"+region+":"+account+":action/"+a.ID {
				t.Errorf("arn %s", aws.ToString(got.Action.Arn))
			}
		})
	}
	_, err := e.api.GetAction(ctx, &fis.GetActionInput{Id: aws.String("aws:ec2:no-such-action")})
	if c := errorCode(err); c != "ResourceNotFoundException" {
		t.Errorf("unknown action: %q, want ResourceNotFoundException", c)
	}
}

// validAction is a template action of a catalogue action with its required
// parameters set to valid values and its target, if any, named "t".
func validAction(a fisactions.Action) types.CreateExperimentTemplateActionInput {
	in := types.CreateExperimentTemplateActionInput{ActionId: aws.String(a.ID), Parameters: map[string]string{}}
	for name, p := range a.Parameters {
		if !p.Required {
			continue
		}
		switch {
		case !p.Min.IsZero():
			in.Parameters[name] = p.Min.Text
		case name == "duration":
			in.Parameters[name] = "PT5M"
		case name == "kubernetesSpec":
			in.Parameters[name] = `{"action":"delay"}`
		default:
			in.Parameters[name] = "1"
		}
	}
	if key, _, ok := a.Target(); ok {
		in.Targets = map[string]string{key: "t"}
	}
	return in
}

// TestTemplatesAcceptEveryCatalogueAction: CreateExperimentTemplate accepts
// each action of the reference, former ids too, as FIS does; and refuses,
// for each, a parameter it does not take, a missing required one, a target
// under another key or of another resource type.
func TestTemplatesAcceptEveryCatalogueAction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	create := func(a fisactions.Action, act types.CreateExperimentTemplateActionInput, resourceType string) error {
		in := walkthrough()
		in.ClientToken = nil
		in.Targets = map[string]types.CreateExperimentTemplateTargetInput{}
		if len(act.Targets) > 0 {
			in.Targets["t"] = types.CreateExperimentTemplateTargetInput{ResourceType: aws.String(resourceType),
				ResourceTags: map[string]string{"chaos": "yes"}, SelectionMode: aws.String("ALL")}
		}
		in.Actions = map[string]types.CreateExperimentTemplateActionInput{"a": act}
		out, err := e.api.CreateExperimentTemplate(ctx, in)
		if err == nil {
			_, _ = e.api.DeleteExperimentTemplate(ctx, &fis.DeleteExperimentTemplateInput{Id: out.ExperimentTemplate.Id})
		}
		return err
	}
	for _, a := range fisactions.All() {
		t.Run(a.ID, func(t *testing.T) {
			_, rt, hasTarget := a.Target()
			if err := create(a, validAction(a), rt); err != nil {
				t.Fatalf("valid action refused: %v", err)
			}
			type bad struct {
				name string
				act  types.CreateExperimentTemplateActionInput
				rt   string
				want string
			}
			var cases []bad
			act := validAction(a)
			act.Parameters["noSuchParameter"] = "1"
			cases = append(cases, bad{"unknown parameter", act, rt, "noSuchParameter"})
			for _, name := range a.ParameterNames() {
				if a.Parameters[name].Required {
					act := validAction(a)
					delete(act.Parameters, name)
					cases = append(cases, bad{"missing " + name, act, rt, name})
				}
				if p := a.Parameters[name]; !p.Max.IsZero() {
					act := validAction(a)
					act.Parameters[name] = "PT13H"
					if p.Max.Duration > 13*time.Hour {
						act.Parameters[name] = "P2D"
					}
					cases = append(cases, bad{name + " above its range", act, rt, p.Max.Text})
				}
			}
			if hasTarget {
				act := validAction(a)
				act.Targets = map[string]string{"Things": "t"}
				cases = append(cases, bad{"wrong target key", act, rt, "Things"})
				cases = append(cases, bad{"wrong resource type", validAction(a), "aws:ec2:no-such-type", "resource type"})
				act = validAction(a)
				act.Targets = nil
				cases = append(cases, bad{"no target", act, rt, "required"})
			}
			for _, c := range cases {
				err := create(a, c.act, c.rt)
				var ve *types.ValidationException
				if !errors.As(err, &ve) || !strings.Contains(ve.ErrorMessage(), c.want) {
					t.Errorf("%s: error %v, want a ValidationException mentioning %q", c.name, err, c.want)
				}
			}
		})
	}
}

// TestResolvedTargets lists an experiment's resolved targets.
func TestResolvedTargets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		ctx := context.Background()
		exp := e.start(t, e.create(t, walkthrough()), "resolved")
		e.await(t, *exp.Id)
		rt, err := e.api.ListExperimentResolvedTargets(ctx, &fis.ListExperimentResolvedTargetsInput{ExperimentId: exp.Id})
		if err != nil {
			t.Fatal(err)
		}
		if len(rt.ResolvedTargets) != 1 || rt.ResolvedTargets[0].TargetInformation["arn"] != clusterARN || aws.ToString(rt.ResolvedTargets[0].TargetName) != "cluster" {
			t.Errorf("resolved targets = %+v", rt.ResolvedTargets)
		}
	})
}

// An action FIS has but the simulator does not run: the template is
// accepted, as FIS accepts it, and the experiment fails at target
// resolution (the simulator has no EC2 instances), saying why.
func TestUnsimulatedActionFailsAtRunTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		in := walkthrough()
		in.Targets = map[string]types.CreateExperimentTemplateTargetInput{
			"nodes": {ResourceType: aws.String("aws:ec2:instance"), ResourceArns: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"}, SelectionMode: aws.String("ALL")},
		}
		in.Actions = map[string]types.CreateExperimentTemplateActionInput{
			"stop-nodes": {ActionId: aws.String("aws:ec2:stop-instances"), Targets: map[string]string{"Instances": "nodes"}},
		}
		exp := e.await(t, *e.start(t, e.create(t, in), "unsimulated").Id)
		if exp.State.Status != types.ExperimentStatusFailed || !strings.Contains(aws.ToString(exp.State.Reason), "aws:ec2:instance") {
			t.Errorf("state %s (%s), want failed at target resolution", exp.State.Status, aws.ToString(exp.State.Reason))
		}
	})
}

// TestActionsWithBoto3 lists and gets every action with boto3
// (testdata/actions_shapes.py) and checks each raw response against
// botocore's FIS service model, then the actions against the catalogue.
func TestActionsWithBoto3(t *testing.T) {
	simcheck.Boto3(t)
	out := simcheck.Python(t, nil, filepath.Join("testdata", "actions_shapes.py"), serve(t, fissim.Options{Account: account, Region: region}))
	var res struct {
		IDs []string `json:"ids"`
		Got map[string]struct {
			Targets    map[string]string `json:"targets"`
			Parameters map[string]bool   `json:"parameters"`
		} `json:"got"`
		Errors []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("actions_shapes.py output %q: %v", out, err)
	}
	for _, e := range res.Errors {
		t.Errorf("botocore model: %s", e)
	}
	var want []string
	for _, a := range fisactions.All() {
		if a.RenamedTo != "" {
			continue
		}
		want = append(want, a.ID)
		params := map[string]bool{}
		for k, p := range a.Parameters {
			params[k] = p.Required
		}
		g := res.Got[a.ID]
		if diff := cmp.Diff(a.Targets, g.Targets, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s targets (-catalogue +boto3):\n%s", a.ID, diff)
		}
		if diff := cmp.Diff(params, g.Parameters, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s parameters (-catalogue +boto3):\n%s", a.ID, diff)
		}
	}
	if diff := cmp.Diff(want, res.IDs); diff != "" {
		t.Errorf("ids (-catalogue +boto3):\n%s", diff)
	}
}
