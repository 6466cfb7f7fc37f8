// Package awsenv builds the Lambdas' SDK configuration from the environment
// alone, as config.LoadDefaultConfig resolves it inside Lambda, without
// linking the SDK's whole credential chain.
//
// Inside Lambda the default chain stops at its first link: the execution
// role's temporary credentials are in AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and the region in
// AWS_REGION. Importing the config package links every other link too
// (SSO, SSO OIDC, STS assume-role and web identity, sign-in, process,
// ECS/EKS container and EC2 instance-metadata providers, the shared config
// files' parser): about 0.5 MiB of each zip, and their schemas are
// initialised at every cold start even when unused.
//
// What LoadDefaultConfig reads from the environment and Load reads too:
// the region (AWS_REGION, else AWS_DEFAULT_REGION); static credentials
// (AWS_ACCESS_KEY_ID or AWS_ACCESS_KEY, AWS_SECRET_ACCESS_KEY or
// AWS_SECRET_KEY, AWS_SESSION_TOKEN, AWS_ACCOUNT_ID), in a credentials
// cache; AWS_ENDPOINT_URL as BaseEndpoint, and the config source through
// which each client reads AWS_ENDPOINT_URL_<SERVICE>,
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, AWS_USE_FIPS_ENDPOINT and
// AWS_USE_DUALSTACK_ENDPOINT; AWS_MAX_ATTEMPTS and AWS_RETRY_MODE (the
// clients then build their standard retryer, as with LoadDefaultConfig);
// AWS_DEFAULTS_MODE (legacy when unset; auto describes the environment
// from AWS_EXECUTION_ENV and the region, Lambda having no instance
// metadata to ask); AWS_SDK_UA_APP_ID; AWS_ACCOUNT_ID_ENDPOINT_MODE;
// AWS_REQUEST_CHECKSUM_CALCULATION and AWS_RESPONSE_CHECKSUM_VALIDATION;
// AWS_DISABLE_REQUEST_COMPRESSION and
// AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES; AWS_DISABLE_CLOCK_SKEW_CORRECTION.
// Like LoadDefaultConfig it leaves the retryer to each client's defaults;
// unlike it, it bounds how long an attempt waits on AWS (HTTPClient). The
// SDK's warnings go to log/slog (LoadDefaultConfig prints them as plain
// text on stderr), so that they are JSON records in the Lambda's log like
// every other line.
//
// Left out on purpose, what a Lambda on the provided.al2023 runtime never
// has: shared config and credentials files (AWS_PROFILE, AWS_CONFIG_FILE),
// SSO and sign-in sessions, assume-role and web identity (AWS_ROLE_ARN,
// AWS_WEB_IDENTITY_TOKEN_FILE), credential processes, container and
// instance-metadata credentials (Lambda sets AWS_CONTAINER_CREDENTIALS_*
// only under SnapStart, which custom runtimes do not have), AWS_CA_BUNDLE;
// and what gameday never uses: AWS_AUTH_SCHEME_PREFERENCE, the S3 options
// for ARNs, multi-region access points and express sessions
// (AWS_S3_USE_ARN_REGION...), DynamoDB's endpoint discovery. The clients
// keep their defaults for those. Credentials or a region missing is an
// error: in Lambda it cannot happen, elsewhere it means the environment is
// not a Lambda's.
package awsenv

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"

	"github.com/gameday-dev/gameday/pkg/deploy"
)

// maxMinCompressSize is the largest AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES
// the SDK accepts (10 MiB).
const maxMinCompressSize = 10485760

// Load returns the SDK configuration the environment describes, read
// through lookup (os.LookupEnv in Lambda; the simulator's variables in a
// local run). An empty variable counts as unset, as for the SDK. The error
// names the variable that is missing or malformed.
func Load(lookup func(string) (string, bool)) (aws.Config, error) {
	e := env{lookup: lookup}
	cfg := aws.Config{
		Region:                      e.first("AWS_REGION", "AWS_DEFAULT_REGION"),
		AppID:                       e.get("AWS_SDK_UA_APP_ID"),
		Logger:                      slogLogger,
		DefaultsMode:                aws.DefaultsModeLegacy,
		AccountIDEndpointMode:       aws.AccountIDEndpointModePreferred,
		RequestChecksumCalculation:  aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation:  aws.ResponseChecksumValidationWhenSupported,
		RequestMinCompressSizeBytes: 10240,
		ConfigSources:               []any{&e},
		HTTPClient:                  HTTPClient(deploy.AWSWait),
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("aws config: environment variable AWS_REGION is not set")
	}
	creds := aws.Credentials{
		AccessKeyID:     e.first("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"),
		SecretAccessKey: e.first("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"),
		SessionToken:    e.get("AWS_SESSION_TOKEN"),
		AccountID:       e.get("AWS_ACCOUNT_ID"),
		Source:          "EnvConfigCredentials", // config.CredentialsSourceName
	}
	if !creds.HasKeys() {
		return aws.Config{}, fmt.Errorf("aws config: environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set (Lambda sets them from the execution role)")
	}
	cfg.Credentials = aws.NewCredentialsCache(credentials.StaticCredentialsProvider{
		Value: creds, Source: []aws.CredentialSource{aws.CredentialSourceEnvVars}})
	if err := e.parse(&cfg); err != nil {
		return aws.Config{}, fmt.Errorf("aws config: %w", err)
	}
	if v := e.get("AWS_ENDPOINT_URL"); v != "" && !e.ignoreEndpoints {
		cfg.BaseEndpoint = aws.String(v)
	}
	if cfg.DefaultsMode == aws.DefaultsModeAuto {
		cfg.RuntimeEnvironment = aws.RuntimeEnvironment{
			EnvironmentIdentifier: aws.ExecutionEnvironmentID(e.get("AWS_EXECUTION_ENV")),
			Region:                cfg.Region,
		}
	}
	return cfg, nil
}

// Local is the SDK's part of the environment Lambda gives a function, as
// gameday's local runs, benchmarks and tests give it to the handlers
// against the simulator at endpoint: the region, stand-in static
// credentials in place of the execution role's, and AWS_ENDPOINT_URL.
func Local(region, endpoint string) map[string]string {
	return map[string]string{
		"AWS_REGION":            region,
		"AWS_ACCESS_KEY_ID":     "AKIDLOCAL",
		"AWS_SECRET_ACCESS_KEY": "local-secret",
		"AWS_ENDPOINT_URL":      endpoint,
	}
}

// LoadLocal is Load of Local(region, endpoint). Every variable Load needs
// is set there and well-formed, so an error is a bug: it panics.
func LoadLocal(region, endpoint string) aws.Config {
	env := Local(region, endpoint)
	cfg, err := Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		panic(fmt.Sprintf("local aws config: %v", err))
	}
	return cfg
}

// HTTPClient is the SDK's default HTTP client with each wait of an attempt
// on AWS bounded by wait (deploy.AWSWait in Lambda): to connect (the
// dialer's timeout, 30 s by default), for the TLS handshake (10 s), and,
// the request written, body and all, for the answer's headers (the
// transport's ResponseHeaderTimeout, unbounded by default). An attempt
// past one of them fails with a timeout, which the SDK retries. The
// answer's body is not bounded (http.Client.Timeout would cut an S3 object
// read after its call returned). Each client still applies its defaults
// mode (AWS_DEFAULTS_MODE) to the copy it makes: legacy, the default,
// sets no timeout of its own; the others put theirs in place of the
// connect and handshake bounds.
func HTTPClient(wait time.Duration) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = wait }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.TLSHandshakeTimeout = wait
			tr.ResponseHeaderTimeout = wait
		})
}

// slogLogger passes the SDK's log lines (warnings, and debug lines when a
// client's log mode asks for them) to the default slog logger.
var slogLogger = logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
	level := slog.LevelWarn
	if c == logging.Debug {
		level = slog.LevelDebug
	}
	slog.Log(context.Background(), level, "aws sdk", "detail", fmt.Sprintf(format, v...))
})

// env is the environment read through lookup, and the config source the
// clients ask for their endpoint settings (the interfaces of the SDK's
// internal/configsources, which config.EnvConfig implements too).
type env struct {
	lookup          func(string) (string, bool)
	ignoreEndpoints bool
	fips            aws.FIPSEndpointState
	dualStack       aws.DualStackEndpointState
}

// get is the variable k's value, "" when unset.
func (e *env) get(k string) string {
	v, _ := e.lookup(k)
	return v
}

// first is the value of the first of keys that is set and not empty.
func (e *env) first(keys ...string) string {
	for _, k := range keys {
		if v := e.get(k); v != "" {
			return v
		}
	}
	return ""
}

// parse reads the variables that have a syntax into cfg and e, as
// config.NewEnvConfig parses them.
func (e *env) parse(cfg *aws.Config) error {
	if v := e.get("AWS_MAX_ATTEMPTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("environment variable AWS_MAX_ATTEMPTS=%q: not an integer", v)
		}
		cfg.RetryMaxAttempts = n
	}
	if v := e.get("AWS_RETRY_MODE"); v != "" {
		m, err := aws.ParseRetryMode(v)
		if err != nil {
			return fmt.Errorf("environment variable AWS_RETRY_MODE: %w", err)
		}
		cfg.RetryMode = m
	}
	if v := e.get("AWS_DEFAULTS_MODE"); v != "" && !cfg.DefaultsMode.SetFromString(v) {
		return fmt.Errorf("environment variable AWS_DEFAULTS_MODE=%q: not a defaults mode", v)
	}
	if v := e.get("AWS_ACCOUNT_ID_ENDPOINT_MODE"); v != "" {
		switch m := aws.AccountIDEndpointMode(v); m {
		case aws.AccountIDEndpointModePreferred, aws.AccountIDEndpointModeRequired, aws.AccountIDEndpointModeDisabled:
			cfg.AccountIDEndpointMode = m
		default:
			return fmt.Errorf("environment variable AWS_ACCOUNT_ID_ENDPOINT_MODE=%q: want preferred, required or disabled", v)
		}
	}
	if required, err := e.whenRequired("AWS_REQUEST_CHECKSUM_CALCULATION"); err != nil {
		return err
	} else if required {
		cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	}
	if required, err := e.whenRequired("AWS_RESPONSE_CHECKSUM_VALIDATION"); err != nil {
		return err
	} else if required {
		cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}
	if v := e.get("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > maxMinCompressSize {
			return fmt.Errorf("environment variable AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES=%q: want an integer from 0 to %d", v, maxMinCompressSize)
		}
		cfg.RequestMinCompressSizeBytes = n
	}
	for _, b := range []struct {
		key string
		set func(bool)
	}{
		{"AWS_DISABLE_REQUEST_COMPRESSION", func(t bool) { cfg.DisableRequestCompression = t }},
		{"AWS_DISABLE_CLOCK_SKEW_CORRECTION", func(t bool) { cfg.DisableClockSkewCorrection = t }},
		{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", func(t bool) { e.ignoreEndpoints = t }},
		{"AWS_USE_FIPS_ENDPOINT", func(t bool) { e.fips = state(t, aws.FIPSEndpointStateEnabled, aws.FIPSEndpointStateDisabled) }},
		{"AWS_USE_DUALSTACK_ENDPOINT", func(t bool) {
			e.dualStack = state(t, aws.DualStackEndpointStateEnabled, aws.DualStackEndpointStateDisabled)
		}},
	} {
		switch v := e.get(b.key); {
		case v == "":
		case strings.EqualFold(v, "true"), strings.EqualFold(v, "false"):
			b.set(strings.EqualFold(v, "true"))
		default:
			return fmt.Errorf("environment variable %s=%q: want true or false", b.key, v)
		}
	}
	return nil
}

// whenRequired reads a checksum setting: when_supported (the default) or
// when_required, in any case.
func (e *env) whenRequired(key string) (bool, error) {
	switch v := e.get(key); strings.ToLower(v) {
	case "", "when_supported":
		return false, nil
	case "when_required":
		return true, nil
	default:
		return false, fmt.Errorf("environment variable %s=%q: want when_supported or when_required", key, v)
	}
}

// state is on when t, else off.
func state[S any](t bool, on, off S) S {
	if t {
		return on
	}
	return off
}

// GetServiceBaseEndpoint is AWS_ENDPOINT_URL_<SERVICE>, the service's SDK
// ID upper-cased with spaces as underscores (AWS_ENDPOINT_URL_S3,
// AWS_ENDPOINT_URL_DYNAMODB...). The clients skip it when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
func (e *env) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	v := e.get("AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_"))
	return v, v != "", nil
}

// GetIgnoreConfiguredEndpoints is AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func (e *env) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	return e.ignoreEndpoints, e.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") != "", nil
}

// GetUseFIPSEndpoint is AWS_USE_FIPS_ENDPOINT.
func (e *env) GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error) {
	return e.fips, e.fips != aws.FIPSEndpointStateUnset, nil
}

// GetUseDualStackEndpoint is AWS_USE_DUALSTACK_ENDPOINT.
func (e *env) GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error) {
	return e.dualStack, e.dualStack != aws.DualStackEndpointStateUnset, nil
}
