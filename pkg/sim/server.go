// Package sim is gameday's embedded simulator of AWS: one HTTP endpoint that
// serves FIS (fissim), CloudWatch (cwsim), S3 (gofakes3), Lambda Invoke
// (lambdasim), EventBridge PutEvents (eventsim), SNS Publish (snssim), DynamoDB
// (ddbsim), Step Functions executions (sfnsim), CloudFormation DescribeStacks
// (cfnsim) and STS GetCallerIdentity, with a Sock Shop (sockshop) on an EKS
// cluster to break, all on one accelerated clock (simclock). The real AWS SDK clients and the
// AWS CLI talk to it with only the endpoint changed; requests are routed by
// the service named in their SigV4 credential scope, as LocalStack does.
package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/spf13/afero"

	"github.com/gameday-dev/gameday/pkg/sim/cfnsim"
	"github.com/gameday-dev/gameday/pkg/sim/cwsim"
	"github.com/gameday-dev/gameday/pkg/sim/ddbsim"
	"github.com/gameday-dev/gameday/pkg/sim/eventsim"
	"github.com/gameday-dev/gameday/pkg/sim/fissim"
	"github.com/gameday-dev/gameday/pkg/sim/lambdasim"
	"github.com/gameday-dev/gameday/pkg/sim/sfnsim"
	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/gameday-dev/gameday/pkg/sim/snssim"
	"github.com/gameday-dev/gameday/pkg/sim/sockshop"
)

// Defaults of Options.
const (
	DefaultAccount      = "123456789012"
	DefaultRegion       = "us-east-1"
	DefaultCluster      = "sandbox"
	DefaultLogDelay     = 2 * time.Minute
	DefaultMetricPeriod = 60 * time.Second
	// metricBackfill is how much Sock Shop history exists when the
	// simulator starts, so that "before the fault" windows have data.
	metricBackfill = 15 * time.Minute
)

// The range of Options.Speed the CLI accepts: slower than real time is
// pointless, and far faster the simulated clock outruns the interpreter
// and the handlers, so that waits time out that would not in AWS.
const (
	MinSpeed = 1.0
	MaxSpeed = 1000.0
)

// Options configure a Server. The zero value is usable.
type Options struct {
	Account, Region string // default 123456789012, us-east-1
	Cluster         string // EKS cluster name, default "sandbox"
	// DataDir keeps S3 on disk: "" holds it in memory; otherwise each object
	// is the file DataDir/buckets/<bucket>/<key> (gofakes3's s3afero layout,
	// metadata under DataDir/metadata, a long key's file name shortened).
	// On disk, LastModified is the file's wall-clock mtime, not simulated
	// time, and each part of a key between slashes must fit a file name
	// (255 bytes).
	DataDir string
	Speed   float64 // simulated seconds per wall second, default 1
	// Clock is the simulator's timeline; nil is a simclock.Scaled at Speed
	// (`gameday sim`, run --local, the scenario suite). Unit tests pass a
	// simclock.Manual (see simtest.NewManual), so that simulated time moves
	// only when they advance it.
	Clock simclock.Clock
	Seed  int64 // makes pod picks and metric noise reproducible
	// Origin is the simulated time at start (zero: the wall clock's now),
	// for the default clock; the Sock Shop draws each period's metric
	// noise by its time since Origin (since the Unix epoch when zero), so
	// that simulators started at different whole minutes with one seed
	// publish the same metrics, period for period from their start.
	Origin time.Time
	// ReproducibleIDs derives experiment and template ids from Seed too;
	// otherwise they are random, so two simulators never share one.
	ReproducibleIDs bool
	LogDelay        time.Duration // FIS log delivery delay in simulated time, default 2m
	MetricPeriod    time.Duration // Sock Shop publishing period, default 60s
	Logger          *slog.Logger  // default: discard
	// S3Latency is added (in wall-clock time) to every S3 request before it
	// is served, as S3's own first-byte latency would be; default none.
	S3Latency time.Duration
	// IngestionDelay is how long after PutMetricData a datum becomes visible
	// to alarm evaluation, in simulated time: default
	// cwsim.DefaultIngestionDelay (30s), negative for none. AWS documents no
	// figure (docs/fidelity.md).
	IngestionDelay time.Duration
	// FIS picks, where AWS documents nothing, which plausible behaviour the
	// simulated FIS plays (docs/fidelity.md); the zero value is the default.
	FIS fissim.Variants
	// FISStopDelay is how long a stopped FIS experiment stays stopping
	// (default: a second): a long one plays an experiment stuck in stopping.
	FISStopDelay time.Duration
}

// Server is the simulator. Create it with New, serve it with Start (or mount
// Handler), and always Close it.
type Server struct {
	o       Options
	clock   simclock.Clock
	log     *slog.Logger
	fis     *fissim.Service
	cw      *cwsim.Service
	shop    *sockshop.Model
	lambda  *lambdasim.Service
	events  *eventsim.Service
	sns     *snssim.Service
	sfn     *sfnsim.Service
	cfn     *cfnsim.Service
	ddb     *ddbsim.Service
	backend gofakes3.Backend
	s3      http.Handler
	handler http.Handler

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	schedules map[string]bool
	conns     map[net.Conn]http.ConnState
	listener  net.Listener
	http      *http.Server
	url       string
	closeOnce sync.Once
}

// New builds a simulator and starts its background work (alarm evaluation,
// Sock Shop metrics); it does not listen until Start.
func New(o Options) (*Server, error) {
	o = o.withDefaults()
	if err := checkNames(o); err != nil {
		return nil, err
	}
	s := &Server{o: o, log: o.Logger, clock: o.Clock}
	if s.clock == nil {
		s.clock = simclock.New(o.Origin, o.Speed)
	}

	ts := clockSource{s.clock}
	backend, err := newS3Backend(o.DataDir, ts)
	if err != nil {
		return nil, err
	}
	s.backend = backend
	s.s3 = gofakes3.New(s.backend,
		gofakes3.WithTimeSource(ts),
		// Requests are signed with wall-clock time while the simulator runs
		// on simulated time: never refuse them as skewed.
		gofakes3.WithTimeSkewLimit(0),
		gofakes3.WithLogger(gofakes3.DiscardLog()),
	).Server()
	if o.S3Latency > 0 {
		s.s3 = withLatency(s.s3, o.S3Latency)
	}

	s.shop = sockshop.New(sockshop.Options{Seed: o.Seed, Namespace: sockshop.DefaultNamespace, Origin: o.Origin})
	s.cw = cwsim.New(s.clock, o.Account, o.Region)
	switch {
	case o.IngestionDelay == 0:
		s.cw.SetIngestionDelay(cwsim.DefaultIngestionDelay)
	case o.IngestionDelay > 0:
		s.cw.SetIngestionDelay(o.IngestionDelay)
	}
	s.fis = fissim.New(fissim.Options{
		Account: o.Account, Region: o.Region, Clock: s.clock,
		Cluster:   &cluster{arn: s.ClusterARN(), shop: s.shop},
		Alarms:    s.cw,
		PutObject: s.putObject,
		LogDelay:  o.LogDelay,
		StopDelay: o.FISStopDelay,
		Seed:      o.Seed, ReproducibleIDs: o.ReproducibleIDs,
		Variants: o.FIS,
		Logger:   o.Logger.With("service", "fis"),
	})
	s.cw.OnTransition(func(t cwsim.Transition) { s.fis.AlarmChanged(t.AlarmARN, t.To) })
	s.cw.OnTransition(s.alarmActions)
	s.lambda = lambdasim.New(o.Account, o.Region)
	s.events = eventsim.New(s.clock, o.Account, o.Region)
	s.sns = snssim.New(s.clock, o.Account, o.Region)
	s.sfn = sfnsim.New(s.clock, o.Account, o.Region)
	s.cfn = cfnsim.New(o.Account, o.Region)
	s.ddb = ddbsim.New(s.clock, o.Account, o.Region)
	s.handler = s.router()

	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.publishMetrics(s.clock.Now().Add(-metricBackfill), s.clock.Now())
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.cw.Run(s.ctx)
	}()
	go func() {
		defer s.wg.Done()
		s.pumpMetrics()
	}()
	return s, nil
}

// withDefaults is o with every empty field that has a default filled.
func (o Options) withDefaults() Options {
	if o.Account == "" {
		o.Account = DefaultAccount
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Cluster == "" {
		o.Cluster = DefaultCluster
	}
	if o.Speed <= 0 {
		o.Speed = 1
	}
	if o.LogDelay <= 0 {
		o.LogDelay = DefaultLogDelay
	}
	if o.MetricPeriod <= 0 {
		o.MetricPeriod = DefaultMetricPeriod
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// newS3Backend keeps S3 objects in memory, or as files under dataDir.
func newS3Backend(dataDir string, ts clockSource) (gofakes3.Backend, error) {
	if dataDir == "" {
		mem := s3mem.New(s3mem.WithTimeSource(ts))
		return s3ListingVersioned{s3Listing{mem}, mem}, nil
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	fs := afero.NewBasePathFs(afero.NewOsFs(), dataDir)
	meta, err := s3afero.NewBasePathFs(fs, "metadata", s3afero.FsPathCreateAll)
	if err != nil {
		return nil, fmt.Errorf("open data directory %s: %w", dataDir, err)
	}
	b, err := s3afero.MultiBucket(fs, s3afero.MultiWithMetaFs(shortNames{meta}))
	if err != nil {
		return nil, fmt.Errorf("open data directory %s: %w", dataDir, err)
	}
	return s3Listing{b}, nil
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in the
// background until Close.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if err := s.Serve(ln); err != nil {
		_ = ln.Close()
		return err
	}
	return nil
}

// Serve serves on ln in the background until Close, at
// http://<ln's address>. Start serves on TCP; tests may serve on
// in-memory connections (simtest.NewManual).
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return errors.New("start simulator: already started")
	}
	if s.ctx.Err() != nil {
		return errors.New("start simulator: closed")
	}
	s.listener = ln
	s.url = "http://" + ln.Addr().String()
	s.conns = map[net.Conn]http.ConnState{}
	s.http = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ConnState: s.trackConn}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve simulator", "err", err)
		}
	}()
	s.log.Info("simulator listening", "url", s.url)
	return nil
}

// trackConn remembers each connection's state, so that Close can drop the
// ones a client opened but never sent a request on (Shutdown would wait 5 s
// for those).
func (s *Server) trackConn(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	default:
		s.conns[c] = st
	}
}

// URL is the base URL to use as the AWS endpoint, once started.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops serving, ends every experiment's goroutines and the background
// work, and waits for them all.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		// Executions first, while the endpoint still serves: aborting one
		// runs the guard through it.
		s.sfn.Close()
		s.mu.Lock()
		srv := s.http
		if srv != nil {
			srv.SetKeepAlivesEnabled(false)
			for c, st := range s.conns {
				if st == http.StateNew {
					_ = c.Close()
				}
			}
		}
		s.mu.Unlock()
		if srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if e := srv.Shutdown(ctx); e != nil {
				err = fmt.Errorf("shut down simulator: %w", e)
				_ = srv.Close()
			}
			cancel()
		}
		s.cancel()
		_ = s.fis.Close()
		s.wg.Wait()
	})
	return err
}

// Clock is the simulator's timeline.
func (s *Server) Clock() simclock.Clock { return s.clock }

// ScaledClock is the simulator's clock when it is sped-up wall time (the
// default), which another process can follow from its anchor; nil when the
// simulator runs on another clock (Options.Clock).
func (s *Server) ScaledClock() *simclock.Scaled {
	c, _ := s.clock.(*simclock.Scaled)
	return c
}

// ActiveExperiments lists the FIS experiments not in a terminal state.
func (s *Server) ActiveExperiments() []string { return s.fis.ActiveExperiments() }

// ActiveChaos lists the fault injections still applied in the Sock Shop.
func (s *Server) ActiveChaos() []string { return s.shop.Active() }

// ClusterARN is the simulated EKS cluster's ARN.
func (s *Server) ClusterARN() string {
	return fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", s.o.Region, s.o.Account, s.o.Cluster)
}

// Lambda is the simulated Lambda service: register the Go handlers it
// invokes (gameday run --local registers the workflow's functions).
func (s *Server) Lambda() *lambdasim.Service { return s.lambda }

// Events is the simulated EventBridge: the events put on its buses (the
// notify step's "GameDay Completed" among them).
func (s *Server) Events() *eventsim.Service { return s.events }

// SNS is the simulated SNS: create the topic TOPIC_ARN names, and read the
// messages published to it.
func (s *Server) SNS() *snssim.Service { return s.sns }

// StepFunctions is the simulated Step Functions: register state machines
// with a runner (`gameday sim` registers gameday's, see pkg/localrun.Serve).
func (s *Server) StepFunctions() *sfnsim.Service { return s.sfn }

// Schedule invokes the registered Lambda function every period of
// simulated time, with payload, until the simulator closes: EventBridge
// Scheduler's rate() schedules, played on the simulator's clock. A second
// schedule of the same name is ignored. An invocation that fails is logged,
// as Scheduler would retry it and then drop it into its dead-letter queue.
func (s *Server) Schedule(name string, period time.Duration, function string, payload []byte) {
	s.mu.Lock()
	if s.schedules == nil {
		s.schedules = map[string]bool{}
	}
	if s.schedules[name] || s.ctx.Err() != nil {
		s.mu.Unlock()
		return
	}
	s.schedules[name] = true
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-s.clock.After(period):
			}
			if _, err := s.lambda.Invoke(s.ctx, function, payload); err != nil && s.ctx.Err() == nil {
				s.log.Warn("scheduled invocation failed", "schedule", name, "function", function, "err", err)
			}
		}
	}()
}

// CloudFormation answers DescribeStacks for the stacks declared on it.
func (s *Server) CloudFormation() *cfnsim.Service { return s.cfn }

// Account and Region are the simulated account and Region.
func (s *Server) Account() string { return s.o.Account }

// Region is the simulated Region.
func (s *Server) Region() string { return s.o.Region }

// alarmActions executes an alarm's SNS actions as CloudWatch does: it
// publishes to each topic as cloudwatch.amazonaws.com, with the alarm's
// account and ARN as aws:SourceAccount and aws:SourceArn, so the topic's
// policy decides whether anyone hears of it (a refusal is recorded, as
// CloudWatch records "Failed to execute action" in the alarm's history).
func (s *Server) alarmActions(t cwsim.Transition) {
	for _, action := range t.Actions {
		if !strings.HasPrefix(action, "arn:aws:sns:") {
			continue
		}
		subject := fmt.Sprintf("%s: %q in %s", t.To, t.AlarmName, s.o.Region)
		if len(subject) > 100 {
			subject = subject[:100]
		}
		body, _ := json.Marshal(map[string]any{
			"AlarmName": t.AlarmName, "AlarmArn": t.AlarmARN, "AWSAccountId": s.o.Account, "Region": s.o.Region,
			"OldStateValue": t.From, "NewStateValue": t.To, "NewStateReason": t.Reason,
			"StateChangeTime": t.Time.UTC().Format("2006-01-02T15:04:05.000+0000"),
		})
		p := snssim.ServicePrincipal{Service: "cloudwatch.amazonaws.com", SourceAccount: s.o.Account, SourceARN: t.AlarmARN}
		if _, err := s.sns.PublishAs(p, action, subject, string(body)); err != nil {
			s.log.Warn("alarm action failed", "alarm", t.AlarmName, "action", action, "err", err)
		}
	}
}

// putObject writes an FIS log object; like log delivery, it needs the bucket
// to exist.
func (s *Server) putObject(bucket, key string, body []byte) error {
	ok, err := s.backend.BucketExists(bucket)
	if err != nil {
		return fmt.Errorf("check bucket %s: %w", bucket, err)
	}
	if !ok {
		return fmt.Errorf("put s3://%s/%s: bucket does not exist", bucket, key)
	}
	meta := map[string]string{"Content-Type": "text/plain"}
	if _, err := s.backend.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// pumpMetrics publishes the Sock Shop's metrics into CloudWatch at the end
// of every period, on simulated time.
func (s *Server) pumpMetrics() {
	period := s.o.MetricPeriod
	last := s.clock.Now().Truncate(period)
	for {
		next := last.Add(period)
		select {
		case <-s.ctx.Done():
			return
		case <-s.clock.After(next.Sub(s.clock.Now())):
		}
		s.publishMetrics(last, next)
		last = next
	}
}

// publishMetrics puts the periods ending in (from, to] into CloudWatch.
func (s *Server) publishMetrics(from, to time.Time) {
	period := s.o.MetricPeriod
	for at := from.Truncate(period).Add(period); !at.After(to); at = at.Add(period) {
		byNS := map[string][]cwsim.Datum{}
		for _, d := range s.shop.Metrics(at, period) {
			byNS[d.Namespace] = append(byNS[d.Namespace], cwsim.Datum{
				MetricName: d.MetricName, Unit: d.Unit, Dimensions: d.Dimensions,
				Timestamp: d.Timestamp, Values: d.Values,
			})
		}
		for ns, data := range byNS {
			s.cw.PutMetrics(ns, data)
		}
	}
}

// cluster adapts the Sock Shop model to the cluster FIS injects into.
type cluster struct {
	arn  string
	shop *sockshop.Model
}

var _ fissim.Cluster = (*cluster)(nil)

func (c *cluster) ARN() string { return c.arn }

func (c *cluster) Apply(cr fissim.CustomResource) ([]string, error) {
	inj, err := c.shop.Inject(sockshop.Fault{
		ID: cr.ID, APIVersion: cr.APIVersion, Kind: cr.Kind, Namespace: cr.Namespace,
		Spec: cr.Spec, Start: cr.Start,
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(inj.Targets))
	for _, p := range inj.Targets {
		names = append(names, p.Namespace+"/"+p.Name)
	}
	return names, nil
}

func (c *cluster) Delete(id string) { c.shop.Remove(id) }

// clockSource is gofakes3's time source on simulated time.
type clockSource struct{ c simclock.Clock }

func (t clockSource) Now() time.Time                   { return t.c.Now() }
func (t clockSource) Since(at time.Time) time.Duration { return t.c.Now().Sub(at) }

// withLatency delays every request by d before serving it (or until the
// client gives up).
func withLatency(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// The forms ARNs need: a 12-digit account, a Region such as eu-west-1 (or
// us-gov-west-1), an EKS cluster name.
var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	clusterRE = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$`)
)

// checkNames refuses an account, Region or cluster name that would make
// malformed ARNs.
func checkNames(o Options) error {
	switch {
	case !accountRE.MatchString(o.Account):
		return fmt.Errorf("simulator account %q: want 12 digits, such as %s", o.Account, DefaultAccount)
	case !regionRE.MatchString(o.Region):
		return fmt.Errorf("simulator region %q: want a Region name, such as %s", o.Region, DefaultRegion)
	case !clusterRE.MatchString(o.Cluster):
		return fmt.Errorf("simulator cluster %q: want an EKS cluster name (letters, digits, - and _, at most 100)", o.Cluster)
	}
	return nil
}
