package awsenv_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/awsenv"
	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// lambdaEnv is what Lambda sets for a function's execution role and
// region.
var lambdaEnv = map[string]string{
	"AWS_REGION":            "eu-west-1",
	"AWS_DEFAULT_REGION":    "eu-west-1",
	"AWS_ACCESS_KEY_ID":     "ASIAEXAMPLE",
	"AWS_SECRET_ACCESS_KEY": "secret",
	"AWS_SESSION_TOKEN":     "token",
	"AWS_EXECUTION_ENV":     "AWS_Lambda_provided.al2023",
}

// with is lambdaEnv with the given changes ("" unsets a variable).
func with(kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range lambdaEnv {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// client is what one service client makes of a config: the settings that
// choose its endpoint and its retries.
type client struct {
	Region, BaseEndpoint string
	FIPS                 aws.FIPSEndpointState
	DualStack            aws.DualStackEndpointState
	MaxAttempts          int
	Retryer              string
}

// view is what the Lambdas' clients take from an aws.Config.
type view struct {
	Region                      string
	BaseEndpoint                string
	Credentials                 aws.Credentials
	CredentialSources           []aws.CredentialSource
	RetryMaxAttempts            int
	RetryMode                   aws.RetryMode
	AppID                       string
	DefaultsMode                aws.DefaultsMode
	RuntimeEnvironment          aws.RuntimeEnvironment
	AccountIDEndpointMode       aws.AccountIDEndpointMode
	RequestChecksumCalculation  aws.RequestChecksumCalculation
	ResponseChecksumValidation  aws.ResponseChecksumValidation
	DisableRequestCompression   bool
	RequestMinCompressSizeBytes int64
	DisableClockSkewCorrection  bool
	Clients                     map[string]client
}

func viewOf(t *testing.T, cfg aws.Config) view {
	t.Helper()
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("retrieve credentials: %v", err)
	}
	v := view{
		Region: cfg.Region, BaseEndpoint: aws.ToString(cfg.BaseEndpoint), Credentials: creds,
		RetryMaxAttempts: cfg.RetryMaxAttempts, RetryMode: cfg.RetryMode, AppID: cfg.AppID,
		DefaultsMode: cfg.DefaultsMode, RuntimeEnvironment: cfg.RuntimeEnvironment,
		AccountIDEndpointMode: cfg.AccountIDEndpointMode, RequestChecksumCalculation: cfg.RequestChecksumCalculation,
		ResponseChecksumValidation: cfg.ResponseChecksumValidation, DisableRequestCompression: cfg.DisableRequestCompression,
		RequestMinCompressSizeBytes: cfg.RequestMinCompressSizeBytes, DisableClockSkewCorrection: cfg.DisableClockSkewCorrection,
	}
	if p, ok := cfg.Credentials.(interface{ ProviderSources() []aws.CredentialSource }); ok {
		v.CredentialSources = p.ProviderSources()
	}
	of := func(region string, base *string, fips aws.FIPSEndpointState, dual aws.DualStackEndpointState, r aws.Retryer) client {
		return client{Region: region, BaseEndpoint: aws.ToString(base), FIPS: fips, DualStack: dual, MaxAttempts: r.MaxAttempts(), Retryer: fmt.Sprintf("%T", r)}
	}
	fo := fis.NewFromConfig(cfg).Options()
	so := s3.NewFromConfig(cfg).Options()
	do := dynamodb.NewFromConfig(cfg).Options()
	sfo := sfn.NewFromConfig(cfg).Options()
	sno := sns.NewFromConfig(cfg).Options()
	eo := eventbridge.NewFromConfig(cfg).Options()
	co := cloudwatch.NewFromConfig(cfg).Options()
	v.Clients = map[string]client{
		"fis":         of(fo.Region, fo.BaseEndpoint, fo.EndpointOptions.UseFIPSEndpoint, fo.EndpointOptions.UseDualStackEndpoint, fo.Retryer),
		"s3":          of(so.Region, so.BaseEndpoint, so.EndpointOptions.UseFIPSEndpoint, so.EndpointOptions.UseDualStackEndpoint, so.Retryer),
		"dynamodb":    of(do.Region, do.BaseEndpoint, do.EndpointOptions.UseFIPSEndpoint, do.EndpointOptions.UseDualStackEndpoint, do.Retryer),
		"sfn":         of(sfo.Region, sfo.BaseEndpoint, sfo.EndpointOptions.UseFIPSEndpoint, sfo.EndpointOptions.UseDualStackEndpoint, sfo.Retryer),
		"sns":         of(sno.Region, sno.BaseEndpoint, sno.EndpointOptions.UseFIPSEndpoint, sno.EndpointOptions.UseDualStackEndpoint, sno.Retryer),
		"eventbridge": of(eo.Region, eo.BaseEndpoint, eo.EndpointOptions.UseFIPSEndpoint, eo.EndpointOptions.UseDualStackEndpoint, eo.Retryer),
		"cloudwatch":  of(co.Region, co.BaseEndpoint, co.EndpointOptions.UseFIPSEndpoint, co.EndpointOptions.UseDualStackEndpoint, co.Retryer),
	}
	return v
}

// setEnv replaces the process's AWS variables by env, with no shared
// config or credentials file and no instance metadata service to find.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "") // empty is unset, for the SDK and for Load
		}
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// TestLoadAgreesWithLoadDefaultConfig: in a Lambda's environment, Load
// gives every client the region, credentials, endpoint and retries that
// config.LoadDefaultConfig gives it.
func TestLoadAgreesWithLoadDefaultConfig(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		// check is what the case is about, on Load's view (agreeing with
		// the SDK is checked for every case).
		check func(t *testing.T, v view)
	}{
		{name: "a Lambda's environment", env: lambdaEnv, check: func(t *testing.T, v view) {
			if v.Region != "eu-west-1" || v.Credentials.SessionToken != "token" || v.Clients["fis"].BaseEndpoint != "" {
				t.Errorf("view = %+v, want eu-west-1, the session token, no endpoint", v)
			}
		}},
		{name: "AWS_DEFAULT_REGION alone", env: with("AWS_REGION", "", "AWS_DEFAULT_REGION", "us-west-2"), check: func(t *testing.T, v view) {
			if v.Region != "us-west-2" {
				t.Errorf("region = %q, want us-west-2", v.Region)
			}
		}},
		{name: "the older key names and an account id", env: with("AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "",
			"AWS_ACCESS_KEY", "AKIDOLD", "AWS_SECRET_KEY", "old", "AWS_ACCOUNT_ID", "123456789012"), check: func(t *testing.T, v view) {
			if v.Credentials.AccessKeyID != "AKIDOLD" || v.Credentials.AccountID != "123456789012" {
				t.Errorf("credentials = %+v, want AKIDOLD of 123456789012", v.Credentials)
			}
		}},
		{name: "a general endpoint", env: with("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"), check: func(t *testing.T, v view) {
			for name, c := range v.Clients {
				if c.BaseEndpoint != "http://127.0.0.1:4566" {
					t.Errorf("%s endpoint = %q, want the general one", name, c.BaseEndpoint)
				}
			}
		}},
		{name: "service endpoints over the general one", env: with("AWS_ENDPOINT_URL", "http://general",
			"AWS_ENDPOINT_URL_S3", "http://s3.local", "AWS_ENDPOINT_URL_DYNAMODB", "http://ddb.local", "AWS_ENDPOINT_URL_FIS", "http://fis.local",
			"AWS_ENDPOINT_URL_SFN", "http://sfn.local", "AWS_ENDPOINT_URL_EVENTBRIDGE", "http://events.local"), check: func(t *testing.T, v view) {
			want := map[string]string{"s3": "http://s3.local", "dynamodb": "http://ddb.local", "fis": "http://fis.local", "sfn": "http://sfn.local",
				"eventbridge": "http://events.local", "sns": "http://general", "cloudwatch": "http://general"}
			for name, c := range v.Clients {
				if c.BaseEndpoint != want[name] {
					t.Errorf("%s endpoint = %q, want %q", name, c.BaseEndpoint, want[name])
				}
			}
		}},
		{name: "a service endpoint alone", env: with("AWS_ENDPOINT_URL_SNS", "http://sns.local"), check: func(t *testing.T, v view) {
			if v.Clients["sns"].BaseEndpoint != "http://sns.local" || v.Clients["s3"].BaseEndpoint != "" {
				t.Errorf("clients = %+v, want only sns's endpoint set", v.Clients)
			}
		}},
		{name: "configured endpoints ignored", env: with("AWS_ENDPOINT_URL", "http://general", "AWS_ENDPOINT_URL_S3", "http://s3.local",
			"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"), check: func(t *testing.T, v view) {
			for name, c := range v.Clients {
				if c.BaseEndpoint != "" {
					t.Errorf("%s endpoint = %q, want none", name, c.BaseEndpoint)
				}
			}
		}},
		{name: "configured endpoints not ignored", env: with("AWS_ENDPOINT_URL_S3", "http://s3.local", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"),
			check: func(t *testing.T, v view) {
				if v.Clients["s3"].BaseEndpoint != "http://s3.local" {
					t.Errorf("s3 endpoint = %q, want http://s3.local", v.Clients["s3"].BaseEndpoint)
				}
			}},
		{name: "FIPS and dual-stack", env: with("AWS_USE_FIPS_ENDPOINT", "true", "AWS_USE_DUALSTACK_ENDPOINT", "false"), check: func(t *testing.T, v view) {
			if c := v.Clients["fis"]; c.FIPS != aws.FIPSEndpointStateEnabled || c.DualStack != aws.DualStackEndpointStateDisabled {
				t.Errorf("fis = %+v, want FIPS on, dual-stack off", c)
			}
		}},
		{name: "retries", env: with("AWS_MAX_ATTEMPTS", "7", "AWS_RETRY_MODE", "adaptive"), check: func(t *testing.T, v view) {
			if c := v.Clients["s3"]; c.MaxAttempts != 7 || v.RetryMode != aws.RetryModeAdaptive {
				t.Errorf("s3 retries = %d in mode %q, want 7 adaptive", c.MaxAttempts, v.RetryMode)
			}
		}},
		{name: "standard retries by default", env: lambdaEnv, check: func(t *testing.T, v view) {
			if c := v.Clients["fis"]; c.MaxAttempts != 3 || v.RetryMaxAttempts != 0 || v.RetryMode != "" {
				t.Errorf("fis attempts = %d, config's %d in mode %q, want the client's standard 3", c.MaxAttempts, v.RetryMaxAttempts, v.RetryMode)
			}
		}},
		{name: "defaults mode auto", env: with("AWS_DEFAULTS_MODE", "auto"), check: func(t *testing.T, v view) {
			if v.DefaultsMode != aws.DefaultsModeAuto || v.RuntimeEnvironment.EnvironmentIdentifier != "AWS_Lambda_provided.al2023" {
				t.Errorf("defaults mode %q in %+v, want auto in Lambda", v.DefaultsMode, v.RuntimeEnvironment)
			}
		}},
		{name: "request settings", env: with("AWS_SDK_UA_APP_ID", "gameday", "AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled",
			"AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED", "AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required",
			"AWS_DISABLE_REQUEST_COMPRESSION", "true", "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "100", "AWS_DISABLE_CLOCK_SKEW_CORRECTION", "true"),
			check: func(t *testing.T, v view) {
				if v.AppID != "gameday" || v.AccountIDEndpointMode != aws.AccountIDEndpointModeDisabled || v.RequestMinCompressSizeBytes != 100 ||
					v.RequestChecksumCalculation != aws.RequestChecksumCalculationWhenRequired || !v.DisableRequestCompression {
					t.Errorf("view = %+v, want every request setting from the environment", v)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			want, err := config.LoadDefaultConfig(context.Background())
			if err != nil {
				t.Fatalf("LoadDefaultConfig() error = %v", err)
			}
			got, err := awsenv.Load(os.LookupEnv)
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			gotView := viewOf(t, got)
			if diff := cmp.Diff(viewOf(t, want), gotView); diff != "" {
				t.Errorf("Load() disagrees with LoadDefaultConfig (-sdk +load):\n%s", diff)
			}
			tt.check(t, gotView)
		})
	}
}

// TestLoadFails: without credentials or a region, or with a malformed
// setting, Load fails with one line naming the variable, where
// LoadDefaultConfig fails too or leaves the clients without credentials or
// region.
func TestLoadFails(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		// sdkLoads: LoadDefaultConfig itself succeeds (and its failure is
		// checked on the credentials or the region instead).
		sdkLoads bool
	}{
		{name: "no credentials", env: with("AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "", "AWS_SESSION_TOKEN", ""), wantErr: "AWS_ACCESS_KEY_ID", sdkLoads: true},
		{name: "no secret", env: with("AWS_SECRET_ACCESS_KEY", ""), wantErr: "AWS_SECRET_ACCESS_KEY", sdkLoads: true},
		{name: "no region", env: with("AWS_REGION", "", "AWS_DEFAULT_REGION", ""), wantErr: "AWS_REGION", sdkLoads: true},
		{name: "max attempts", env: with("AWS_MAX_ATTEMPTS", "three"), wantErr: "AWS_MAX_ATTEMPTS"},
		{name: "retry mode", env: with("AWS_RETRY_MODE", "eager"), wantErr: "AWS_RETRY_MODE"},
		{name: "defaults mode", env: with("AWS_DEFAULTS_MODE", "fast"), wantErr: "AWS_DEFAULTS_MODE"},
		{name: "ignore flag", env: with("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes"), wantErr: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"},
		{name: "FIPS", env: with("AWS_USE_FIPS_ENDPOINT", "1"), wantErr: "AWS_USE_FIPS_ENDPOINT"},
		{name: "account id endpoint mode", env: with("AWS_ACCOUNT_ID_ENDPOINT_MODE", "Preferred"), wantErr: "AWS_ACCOUNT_ID_ENDPOINT_MODE"},
		{name: "checksums", env: with("AWS_RESPONSE_CHECKSUM_VALIDATION", "always"), wantErr: "AWS_RESPONSE_CHECKSUM_VALIDATION"},
		{name: "compression size", env: with("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES", "10485761"), wantErr: "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			_, err := awsenv.Load(os.LookupEnv)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Load() error = %v, want one line naming %s", err, tt.wantErr)
			}
			sdk, sdkErr := config.LoadDefaultConfig(context.Background())
			switch {
			case !tt.sdkLoads && sdkErr == nil:
				t.Errorf("LoadDefaultConfig() loaded what Load refuses")
			case tt.sdkLoads && sdkErr != nil:
				t.Fatalf("LoadDefaultConfig() error = %v", sdkErr)
			case tt.sdkLoads:
				if _, err := sdk.Credentials.Retrieve(context.Background()); err == nil && sdk.Region != "" {
					t.Errorf("LoadDefaultConfig() found credentials and region where Load finds none")
				}
			}
		})
	}
}

// TestLoadLocal: the local runs' configuration is the simulator's region
// and endpoint with the stand-in credentials of Local.
func TestLoadLocal(t *testing.T) {
	cfg := awsenv.LoadLocal("us-east-1", "http://127.0.0.1:4566")
	if cfg.Region != "us-east-1" || aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:4566" {
		t.Errorf("region %q, endpoint %q; want us-east-1, http://127.0.0.1:4566", cfg.Region, aws.ToString(cfg.BaseEndpoint))
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("retrieve credentials: %v", err)
	}
	local := awsenv.Local("us-east-1", "http://127.0.0.1:4566")
	if creds.AccessKeyID != local["AWS_ACCESS_KEY_ID"] || creds.SecretAccessKey != local["AWS_SECRET_ACCESS_KEY"] {
		t.Errorf("credentials %q/%q, want Local's", creds.AccessKeyID, creds.SecretAccessKey)
	}
}

// TestLoadBoundsEveryWait: every client the Lambdas build from Load waits
// at most deploy.AWSWait to connect, for the TLS handshake and for an
// answer's headers; the SDK's defaults are 30 s, 10 s and forever. Fails on
// the old code, which left the HTTP client to the defaults.
func TestLoadBoundsEveryWait(t *testing.T) {
	cfg, err := awsenv.Load(lookup(lambdaEnv))
	if err != nil {
		t.Fatal(err)
	}
	clients := map[string]aws.HTTPClient{
		"fis":         fis.NewFromConfig(cfg).Options().HTTPClient,
		"s3":          s3.NewFromConfig(cfg).Options().HTTPClient,
		"dynamodb":    dynamodb.NewFromConfig(cfg).Options().HTTPClient,
		"sfn":         sfn.NewFromConfig(cfg).Options().HTTPClient,
		"sns":         sns.NewFromConfig(cfg).Options().HTTPClient,
		"eventbridge": eventbridge.NewFromConfig(cfg).Options().HTTPClient,
		"cloudwatch":  cloudwatch.NewFromConfig(cfg).Options().HTTPClient,
	}
	for name, c := range clients {
		b, ok := c.(*awshttp.BuildableClient)
		if !ok {
			t.Errorf("%s: HTTP client %T, want the SDK's buildable client", name, c)
			continue
		}
		tr, d := b.GetTransport(), b.GetDialer()
		if tr.ResponseHeaderTimeout != deploy.AWSWait || tr.TLSHandshakeTimeout != deploy.AWSWait || d.Timeout != deploy.AWSWait {
			t.Errorf("%s: waits for headers %s, TLS %s, connection %s; want %s each", name,
				tr.ResponseHeaderTimeout, tr.TLSHandshakeTimeout, d.Timeout, deploy.AWSWait)
		}
		if b.GetTimeout() != 0 {
			t.Errorf("%s: client timeout %s, which would cut an S3 object's read", name, b.GetTimeout())
		}
	}
}

// TestUnansweredCallEnds: a GetExperiment (the poll's call) to an endpoint
// that takes the connection and never answers, through Load's config with
// one attempt, fails within deploy.AWSWait (and a little) with an error
// awserr calls unavailable, over plain HTTP (no answer's headers) and over
// HTTPS (no TLS handshake). On the old code the call waits for its
// context: the test's 30 s.
func TestUnansweredCallEnds(t *testing.T) {
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			env := with("AWS_ENDPOINT_URL", scheme+"://"+silent(t), "AWS_MAX_ATTEMPTS", "1")
			cfg, err := awsenv.Load(lookup(env))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			began := time.Now()
			_, err = fis.NewFromConfig(cfg).GetExperiment(ctx, &fis.GetExperimentInput{Id: aws.String("EXP1")})
			took := time.Since(began)
			if err == nil || took > deploy.AWSWait+3*time.Second {
				t.Fatalf("GetExperiment: %v after %s, want an error within %s", err, took, deploy.AWSWait)
			}
			if awserr.Sentinel(err) != gameday.ErrUnavailable {
				t.Errorf("GetExperiment: %v, not classified unavailable", err)
			}
		})
	}
}

// TestHTTPClientKeepsBodies: the bound is on waiting for an answer, not on
// reading it: a body that takes longer than the bound to arrive, in parts,
// is read whole.
func TestHTTPClientKeepsBodies(t *testing.T) {
	wait := 100 * time.Millisecond
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for range 4 {
			_, _ = w.Write([]byte("part "))
			w.(http.Flusher).Flush()
			time.Sleep(wait)
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	resp, err := awsenv.HTTPClient(wait).Do(must(http.NewRequest(http.MethodGet, "http://"+ln.Addr().String(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []byte
	buf := make([]byte, 64)
	for {
		n, err := resp.Body.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	if string(got) != "part part part part " {
		t.Errorf("body %q, want the four parts", got)
	}
}

func must(r *http.Request, err error) *http.Request {
	if err != nil {
		panic(err)
	}
	return r
}

// silent listens, takes every connection and never says anything on it
// until the test ends; it returns its address.
func silent(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-held:
				c.Close()
			default:
				return
			}
		}
	})
	return ln.Addr().String()
}

// lookup reads env as Load reads the process's environment.
func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}
