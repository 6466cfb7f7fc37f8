package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

const role = "arn:aws:iam::123456789012:role/gameday-fis"

func s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

func TestStartAndClose(t *testing.T) {
	before := runtime.NumGoroutine()
	t0 := time.Now()
	s := startAndAsk(t)
	t.Logf("started and answered in %v (BenchmarkStartAndClose measures it)", time.Since(t0))
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Errorf("URL = %q", s.URL())
	}
	if err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("a second Start succeeded")
	}
	t1 := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	t.Logf("closed in %v", time.Since(t1))
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// BenchmarkStartAndClose: a simulator from New to its first answer, and
// closed (what `gameday sim` and every test that builds one pay).
func BenchmarkStartAndClose(b *testing.B) {
	for b.Loop() {
		if err := startAndAsk(b).Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// startAndAsk starts a simulator on a free port and waits for its first
// answer; the caller closes it.
func startAndAsk(tb testing.TB) *sim.Server {
	tb.Helper()
	s, err := sim.New(sim.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	resp, err := http.Get(s.URL() + sim.InspectPath)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return s
}

// At speed 1 the simulated clock starts at the wall clock's time, so this
// test runs faster, to tell the two apart.
// S3Latency delays every S3 request by at least that much.
func TestS3Latency(t *testing.T) {
	const latency = 150 * time.Millisecond
	_, cfg := simtest.New(t, sim.Options{S3Latency: latency})
	ctx := context.Background()
	s3c := s3Client(cfg)
	t0 := time.Now()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("logs"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(t0); took < 3*latency {
		t.Errorf("three S3 requests took %v, want at least 3 x %v", took, latency)
	}
}

func TestS3LastModifiedIsSimulated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, cfg, clock := simtest.NewManual(t, sim.Options{})
		ctx := context.Background()
		clock.Advance(2 * time.Minute) // the simulated clock alone moves
		s3c := s3Client(cfg)
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")}); err != nil {
			t.Fatal(err)
		}
		want := simtest.Epoch.Add(2 * time.Minute)
		if now := s.Clock().Now(); !now.Equal(want) {
			t.Fatalf("simulated now = %v, want %v", now, want)
		}
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
		head, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("logs"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		if lm := aws.ToTime(head.LastModified); !lm.Equal(want) { // whole seconds, as S3 writes it
			t.Errorf("LastModified = %v, want the simulated time %v (wall clock: %v)", lm, want, time.Now().UTC())
		}
	})
}

func TestServicesThroughOneEndpoint(t *testing.T) {
	s, cfg := simtest.New(t, sim.Options{Account: "210987654321", Region: "eu-west-1"})
	ctx := context.Background()

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("sts: %v", err)
	}
	if aws.ToString(id.Account) != "210987654321" || aws.ToString(id.Arn) != "arn:aws:iam::210987654321:root" {
		t.Errorf("caller identity = %s %s", aws.ToString(id.Account), aws.ToString(id.Arn))
	}

	s3c := s3Client(cfg)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("fis-logs")}); err != nil {
		t.Fatalf("s3 create bucket: %v", err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("fis-logs"), Key: aws.String("a/b.txt"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatalf("s3 put: %v", err)
	}
	got, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("fis-logs"), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatalf("s3 get: %v", err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "hello" {
		t.Errorf("s3 body = %q", body)
	}

	cw := cloudwatch.NewFromConfig(cfg)
	if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Test"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("M"), Value: aws.Float64(1)}}}); err != nil {
		t.Fatalf("cloudwatch put: %v", err)
	}
	ms, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("SockShop"), MetricName: aws.String("Latency")})
	if err != nil {
		t.Fatalf("cloudwatch list: %v", err)
	}
	if len(ms.Metrics) == 0 {
		t.Error("no SockShop Latency metrics: the Sock Shop publishes nothing")
	}

	lever, err := fis.NewFromConfig(cfg).GetSafetyLever(ctx, &fis.GetSafetyLeverInput{Id: aws.String("default")})
	if err != nil {
		t.Fatalf("fis: %v", err)
	}
	if want := "arn:aws:fis:eu-west-1:210987654321:safety-lever/default"; aws.ToString(lever.SafetyLever.Arn) != want {
		t.Errorf("lever ARN %s, want %s", aws.ToString(lever.SafetyLever.Arn), want)
	}
	if want := "arn:aws:eks:eu-west-1:210987654321:cluster/sandbox"; s.ClusterARN() != want {
		t.Errorf("ClusterARN = %s, want %s", s.ClusterARN(), want)
	}
}

// sign fakes a SigV4 Authorization header for service: the simulator routes
// on the credential scope and does not check signatures.
func sign(service string) string {
	return "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/" + service + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"
}

func TestBadRequests(t *testing.T) {
	s, _ := simtest.New(t, sim.Options{})
	tests := []struct {
		name, method, path, contentType, auth, body string
		wantStatus                                  int
		wantCode                                    string // in the service's error shape
	}{
		{"unsigned FIS", "GET", "/experimentTemplates", "", "", "", 403, "UnrecognizedClientException"},
		{"unsigned FIS tags", "GET", "/tags/arn%3Aaws%3Afis%3Aus-east-1%3A123456789012%3Aexperiment%2FEXP1", "", "", "", 403, "UnrecognizedClientException"},
		{"unsigned S3", "GET", "/fis-logs?list-type=2", "", "", "", 403, "AccessDenied"},
		{"unsigned S3 put", "PUT", "/fis-logs/key", "", "", "data", 403, "AccessDenied"},
		{"unsigned STS", "POST", "/", "application/x-www-form-urlencoded", "", "Action=GetCallerIdentity&Version=2011-06-15", 403, "MissingAuthenticationToken"},
		{"unsigned CloudWatch query", "POST", "/", "application/x-www-form-urlencoded", "", "Action=ListMetrics&Version=2010-08-01", 403, "MissingAuthenticationToken"},
		{"unsigned CloudWatch CBOR", "POST", "/service/GraniteServiceVersion20100801/operation/ListMetrics", "application/cbor", "", "\xa0", 403, "UnrecognizedClientException"},
		{"malformed Authorization", "GET", "/experiments", "", "AWS4-HMAC-SHA256 Credential=nonsense", "", 403, "UnrecognizedClientException"},
		{"other signature scheme", "GET", "/bucket", "", "AWS AKID:sig", "", 403, "AccessDenied"},
		{"unknown service", "POST", "/", "application/x-www-form-urlencoded", sign("sqs"), "Action=ListQueues", 400, "UnknownService"},
		{"FIS bad JSON", "POST", "/experimentTemplates", "application/json", sign("fis"), "{\"actions\":", 400, "ValidationException"},
		{"FIS wrong types", "POST", "/experiments", "application/json", sign("fis"), `{"clientToken": 1}`, 400, "ValidationException"},
		{"FIS unknown path", "GET", "/nope", "", sign("fis"), "", 404, "UnknownOperationException"},
		{"STS unknown action", "POST", "/", "application/x-www-form-urlencoded", sign("sts"), "Action=AssumeRole", 400, "InvalidAction"},
		{"STS bad form", "POST", "/", "application/x-www-form-urlencoded", sign("sts"), "%zz", 400, "MalformedInput"},
	}
	client := &http.Client{Timeout: 5 * time.Second}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, s.URL()+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if strings.HasPrefix(tt.path, "/service/") {
				req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d (body %q)", resp.StatusCode, tt.wantStatus, body)
			}
			if got := errorCodeOf(t, resp, body); got != tt.wantCode {
				t.Errorf("error code %q, want %q (body %q)", got, tt.wantCode, body)
			}
		})
	}
}

// TestMalformedSignedRequests sends garbage, correctly routed, to every
// service: each answers with a client error, and the server keeps serving.
func TestMalformedSignedRequests(t *testing.T) {
	s, cfg := simtest.New(t, sim.Options{})
	client := &http.Client{Timeout: 5 * time.Second}
	for _, tc := range []struct {
		name, method, path, contentType, service string
		body                                     []byte
		headers                                  map[string]string
	}{
		{"CloudWatch truncated CBOR", "POST", "/service/GraniteServiceVersion20100801/operation/PutMetricData", "application/cbor", "monitoring", []byte{0xbf, 0x69, 'N', 'a'}, map[string]string{"Smithy-Protocol": "rpc-v2-cbor"}},
		{"CloudWatch unknown CBOR operation", "POST", "/service/GraniteServiceVersion20100801/operation/Explode", "application/cbor", "monitoring", []byte{0xa0}, map[string]string{"Smithy-Protocol": "rpc-v2-cbor"}},
		{"CloudWatch query without Action", "POST", "/", "application/x-www-form-urlencoded", "monitoring", []byte("Version=2010-08-01"), nil},
		{"S3 bad bucket configuration", "PUT", "/new-bucket", "application/xml", "s3", []byte("<CreateBucketConfiguration><oops"), nil},
		{"S3 missing bucket", "GET", "/no-such-bucket/key", "", "s3", nil, nil},
		{"FIS body over 1 MiB", "POST", "/experimentTemplates", "application/json", "fis", bytes.Repeat([]byte("a"), 1<<20+10), nil},
		{"FIS array body", "POST", "/experimentTemplates", "application/json", "fis", []byte("[1,2]"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, s.URL()+tc.path, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", sign(tc.service))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 400 || resp.StatusCode > 499 {
				t.Errorf("status %d, want a client error (body %q)", resp.StatusCode, body)
			}
			if code := errorCodeOf(t, resp, body); code == "" {
				t.Errorf("no error code in %q", body)
			}
		})
	}
	// Still serving.
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("after malformed requests: %v", err)
	}
}

// errorCodeOf reads the error code from a response in whichever protocol's
// error shape it is.
func errorCodeOf(t *testing.T, resp *http.Response, body []byte) string {
	t.Helper()
	if c := resp.Header.Get("X-Amzn-Errortype"); c != "" {
		var m map[string]string
		if err := json.Unmarshal(body, &m); err != nil || m["message"] == "" {
			t.Errorf("restJson1 error body %q has no message", body)
		}
		return c
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-amz-json-") {
		var m struct {
			Type string `json:"__type"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("decode awsJson error %q: %v", body, err)
		}
		return m.Type[strings.LastIndex(m.Type, "#")+1:]
	}
	if resp.Header.Get("Content-Type") == "application/cbor" {
		v, err := cbor.Decode(body)
		if err != nil {
			t.Fatalf("decode CBOR error: %v", err)
		}
		typ, _ := v.(cbor.Map)["__type"].(cbor.String)
		s := string(typ)
		return s[strings.LastIndex(s, "#")+1:]
	}
	var x struct {
		Code  string
		Error struct{ Code string }
	}
	if err := xml.Unmarshal(body, &x); err != nil {
		t.Fatalf("error body %q is not XML: %v", body, err)
	}
	if x.Code != "" {
		return x.Code
	}
	return x.Error.Code
}

// waitTemplate is a template that only waits, so that many experiments can
// run without touching the Sock Shop.
func waitTemplate(token string) *fis.CreateExperimentTemplateInput {
	return &fis.CreateExperimentTemplateInput{
		ClientToken:    aws.String(token),
		Description:    aws.String("wait"),
		RoleArn:        aws.String(role),
		StopConditions: []types.CreateExperimentTemplateStopConditionInput{{Source: aws.String("none")}},
		Actions: map[string]types.CreateExperimentTemplateActionInput{
			"wait": {ActionId: aws.String("aws:fis:wait"), Parameters: map[string]string{"duration": "PT1M"}},
		},
	}
}

func TestConcurrentClients(t *testing.T) {
	_, cfg := simtest.New(t, sim.Options{Speed: 600})
	api := fis.NewFromConfig(cfg)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	var mu sync.Mutex
	started := map[string]bool{}
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				out, err := api.CreateExperimentTemplate(ctx, waitTemplate(fmt.Sprintf("g%d-%d", g, i)))
				if err != nil {
					errs <- fmt.Errorf("create: %w", err)
					return
				}
				exp, err := api.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: out.ExperimentTemplate.Id, ClientToken: aws.String(fmt.Sprintf("s%d-%d", g, i))})
				var quota *types.ServiceQuotaExceededException
				switch {
				case errors.As(err, &quota):
					continue // at most 5 run at once, as in FIS
				case err != nil:
					errs <- fmt.Errorf("start: %w", err)
					return
				}
				mu.Lock()
				started[*exp.Experiment.Id] = true
				mu.Unlock()
				if _, err := api.GetExperiment(ctx, &fis.GetExperimentInput{Id: exp.Experiment.Id}); err != nil {
					errs <- fmt.Errorf("get: %w", err)
					return
				}
				if _, err := api.ListExperiments(ctx, &fis.ListExperimentsInput{}); err != nil {
					errs <- fmt.Errorf("list: %w", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(started) == 0 {
		t.Fatal("no experiment started")
	}
	list, err := api.ListExperimentTemplates(ctx, &fis.ListExperimentTemplatesInput{})
	if err != nil {
		t.Fatal(err)
	}
	p := fis.NewListExperimentTemplatesPaginator(api, &fis.ListExperimentTemplatesInput{})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.ExperimentTemplates)
	}
	if n != 40 || len(list.ExperimentTemplates) != 40 {
		t.Errorf("templates = %d, want 40", n)
	}
	t.Logf("%d experiments started under the 5-active quota", len(started))
}

// onDisk is an S3 client of a simulator keeping S3 under dir, with a
// bucket "archive".
func onDisk(t *testing.T, dir string) *s3.Client {
	t.Helper()
	_, cfg := simtest.New(t, sim.Options{DataDir: dir})
	c := s3Client(cfg)
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDataDir(t *testing.T) {
	dir := t.TempDir()
	c, ctx := onDisk(t, dir), context.Background()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("archive"), Key: aws.String("gamedays/x/summary.json"), Body: bytes.NewReader([]byte(`{"ok":true}`))}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "buckets", "archive", "gamedays", "x", "summary.json"))
	if err != nil {
		t.Fatalf("object is not a file a user can open: %v", err)
	}
	if string(b) != `{"ok":true}` {
		t.Errorf("file holds %q", b)
	}
}

func TestNewRefusesMalformedNames(t *testing.T) {
	tests := []struct {
		name string
		o    sim.Options
		ok   bool
	}{
		{"defaults", sim.Options{}, true},
		{"account of letters", sim.Options{Account: "abc"}, false},
		{"account of 11 digits", sim.Options{Account: "12345678901"}, false},
		{"region with a path", sim.Options{Region: "../.."}, false},
		{"gov region", sim.Options{Region: "us-gov-west-1"}, true},
		{"cluster with a slash", sim.Options{Cluster: "a/b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sim.New(tt.o)
			if s != nil {
				defer s.Close()
			}
			if got := err == nil; got != tt.ok {
				t.Errorf("New(%+v) error %v, want ok=%v", tt.o, err, tt.ok)
			}
		})
	}
}

// TestWrongRegion: a request signed for another Region than the
// simulator's is refused in its service's error shape, whatever the
// protocol, and the SDK sees the error rather than another Region's data.
func TestWrongRegion(t *testing.T) {
	s, cfg := simtest.New(t, sim.Options{Region: "eu-west-1"})
	signFor := func(region, service string) string {
		return "AWS4-HMAC-SHA256 Credential=AKID/20260101/" + region + "/" + service + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"
	}
	tests := []struct {
		name, method, path, contentType, service, body string
		headers                                        map[string]string
		wantStatus                                     int
		wantCode                                       string
	}{
		{"CloudWatch query", "POST", "/", "application/x-www-form-urlencoded", "monitoring", "Action=ListMetrics&Version=2010-08-01", nil, 403, "SignatureDoesNotMatch"},
		{"CloudWatch CBOR", "POST", "/service/GraniteServiceVersion20100801/operation/ListMetrics", "application/cbor", "monitoring", "\xa0", map[string]string{"Smithy-Protocol": "rpc-v2-cbor"}, 403, "InvalidSignatureException"},
		{"CloudWatch JSON", "POST", "/", "application/x-amz-json-1.0", "monitoring", "{}", map[string]string{"X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics"}, 403, "InvalidSignatureException"},
		{"FIS", "GET", "/experiments", "", "fis", "", nil, 403, "InvalidSignatureException"},
		{"S3", "GET", "/fis-logs?list-type=2", "", "s3", "", nil, 400, "AuthorizationHeaderMalformed"},
		{"STS", "POST", "/", "application/x-www-form-urlencoded", "sts", "Action=GetCallerIdentity&Version=2011-06-15", nil, 403, "SignatureDoesNotMatch"},
		{"Step Functions", "POST", "/", "application/x-amz-json-1.0", "states", "{}", map[string]string{"X-Amz-Target": "AWSStepFunctions.ListExecutions"}, 403, "InvalidSignatureException"},
	}
	client := &http.Client{Timeout: 5 * time.Second}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, region := range []string{"us-east-1", "eu-west-1"} {
				req, err := http.NewRequest(tt.method, s.URL()+tt.path, strings.NewReader(tt.body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", signFor(region, tt.service))
				if tt.contentType != "" {
					req.Header.Set("Content-Type", tt.contentType)
				}
				for k, v := range tt.headers {
					req.Header.Set(k, v)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if region == "eu-west-1" {
					// The simulator's own Region: no signature error.
					if bytes.Contains(body, []byte(tt.wantCode)) {
						t.Errorf("signed for the simulator's Region: refused with %s (body %q)", tt.wantCode, body)
					}
					continue
				}
				if resp.StatusCode != tt.wantStatus {
					t.Errorf("status %d, want %d (body %q)", resp.StatusCode, tt.wantStatus, body)
				}
				if got := errorCodeOf(t, resp, body); got != tt.wantCode {
					t.Errorf("error code %q, want %q (body %q)", got, tt.wantCode, body)
				}
				if !bytes.Contains(body, []byte("us-east-1")) || !bytes.Contains(body, []byte("eu-west-1")) {
					t.Errorf("the error does not name both Regions: %q", body)
				}
			}
		})
	}

	// Through the SDK: a CloudWatch client for another Region gets the
	// error, not this Region's metrics.
	other := cfg.Copy()
	other.Region = "us-west-2"
	_, err := cloudwatch.NewFromConfig(other).ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{})
	var ae interface{ ErrorCode() string }
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidSignatureException" {
		t.Errorf("ListMetrics signed for us-west-2: err = %v, want InvalidSignatureException", err)
	}
}

// TestDataDirLongKeys: on disk, keys as long as S3 allows work like short
// ones: put, copy (as the archive copies FIS log objects, ~240 bytes once
// under a run's folder), get, head with metadata, list, delete. gofakes3
// named each key's metadata file after the whole key, past the 255 bytes
// a file name may have, so they failed with InternalError. (Each part of a
// key between slashes is a file or folder name, so it must fit one.)
func TestDataDirLongKeys(t *testing.T) {
	c, ctx := onDisk(t, t.TempDir()), context.Background()
	logKey := "fis-logs/AWSLogs/123456789012/fis/us-east-1/EXPAEtvyZDooShGVo/2026/12/06/123456789012_awsfislogs_us-east-1_EXPAEtvyZDooShGVo_202612061352Z_fcdd1a7ce82dd821.log"
	tests := []struct{ name, src, dst string }{
		{"FIS log into a run's folder", logKey, "gamedays/sock-shop-carts-latency/2026-12-06T13-50-52Z_EXPAEtvyZDooShGVo/logs/" + logKey},
		{"near S3's 1024 bytes", strings.Repeat(strings.Repeat("k", 99)+"/", 5) + "k", strings.Repeat(strings.Repeat("d", 199)+"/", 4) + strings.Repeat("x", 200)},
		{"two keys alike but for their end", strings.Repeat("seg/", 100) + "1", strings.Repeat("seg/", 100) + "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := "data of " + tt.name
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("archive"), Key: aws.String(tt.src), Body: strings.NewReader(body),
				Metadata: map[string]string{"origin": "fis"}}); err != nil {
				t.Fatalf("PutObject (%d bytes of key): %v", len(tt.src), err)
			}
			if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("archive"), Key: aws.String(tt.dst), CopySource: aws.String("archive/" + tt.src)}); err != nil {
				t.Fatalf("CopyObject (%d bytes of key): %v", len(tt.dst), err)
			}
			for _, k := range []string{tt.src, tt.dst} {
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("archive"), Key: aws.String(k)})
				if err != nil {
					t.Fatalf("GetObject: %v", err)
				}
				b, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if string(b) != body || out.Metadata["origin"] != "fis" {
					t.Errorf("%d-byte key holds %q with metadata %v, want %q and origin=fis", len(k), b, out.Metadata, body)
				}
			}
			list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("archive"), Prefix: aws.String(tt.dst)})
			if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != tt.dst {
				t.Errorf("ListObjectsV2 of the copy: %v, %d objects", err, len(list.Contents))
			}
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("archive"), Key: aws.String(tt.dst)}); err != nil {
				t.Errorf("DeleteObject: %v", err)
			}
			if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("archive"), Key: aws.String(tt.dst)}); err == nil {
				t.Error("the deleted copy is still there")
			}
		})
	}
}
