// Package fissim simulates AWS Fault Injection Service (FIS) for local runs
// and tests: the restJson1 API that aws-sdk-go-v2 and the AWS CLI speak
// (experiment templates, experiments, tags, the safety lever), the experiment
// lifecycle on the simulator's clock, Chaos Mesh custom resources injected
// into a cluster model, CloudWatch alarm stop conditions, and schema version 2
// experiment logs delivered to S3 at FIS's key layout.
//
// Fidelity notes. Checked against the SDK's serializers and the FIS
// documentation: the operations' paths, JSON members and error shapes
// (X-Amzn-Errortype plus {"message"}), the error codes (ValidationException
// 400, ResourceNotFoundException 404, ConflictException 409,
// ServiceQuotaExceededException 402), the quotas (5 active experiments, 500
// templates, 20 actions, 5 targets and 5 stop conditions per template; the
// quota of 10 actions running at once is not enforced), the experiment and action states, the log
// schema version 2 members and the S3 key layout, and the codes of a failed
// experiment's state.error (InvalidTarget when a target resolves to nothing,
// ConfigurationFailure or DependentServiceFailure for the first failed
// action, with the account id). Not checked against a live
// account, so written to be plausible rather than byte-exact: which error
// answers stopping an experiment that already ended, starting one while the
// safety lever is engaged, or reusing a clientToken for another template
// (ConflictException for all three), the text of error messages and of
// state reasons (a stop condition's reason is
// "Experiment stopped by stop condition <alarm ARN>"; an action that outlives
// maxDuration fails with a reason naming maxDuration), the hash in log object
// keys (the first 8 bytes of the object's SHA-256, in hex), how records are
// batched into objects (one per simulated minute), the form of an error's
// location (here the bare target or action name). Log records carry the
// members of the guide's example record of their type (counts and status in
// target-resolution-detail, resolved targets in target-resolution-end pages,
// an action-error's reason in action_state); the schema's
// total_resolved_targets_count, which no example shows, is not written.
// ListActions, GetAction and template validation follow the catalogue of
// the FIS actions reference (pkg/fisactions): every action of it is
// accepted, with its target key, resource type, parameters and duration
// ranges checked, and any other id is refused. Only
// aws:eks:inject-kubernetes-custom-resource and aws:fis:wait run; an
// experiment with another action fails when it runs (at target resolution,
// or "not supported by the simulator"). Only aws:eks:cluster targets resolve
// (by ARN; tag selection finds nothing). Signatures are not
// verified.
package fissim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// Quotas FIS applies per account and Region.
const (
	MaxActiveExperiments = 5
	MaxTemplates         = 500
	MaxActions           = 20
	MaxStopConditions    = 5
	MaxTargets           = 5
	maxPageSize          = 100
)

// CustomResource is a Kubernetes custom resource that an
// aws:eks:inject-kubernetes-custom-resource action creates in the cluster.
type CustomResource struct {
	ID         string // unique name of the created resource
	APIVersion string
	Kind       string
	Namespace  string
	Spec       map[string]any
	Start      time.Time
}

// Cluster is the EKS cluster that the simulator's actions reach.
type Cluster interface {
	// ARN is the cluster's ARN; any other aws:eks:cluster ARN does not resolve.
	ARN() string
	// Apply creates the resource and returns the names of the pods it hit;
	// an error is the reason the controller gives (no pod selected, bad spec).
	Apply(cr CustomResource) (targets []string, err error)
	// Delete removes the resource and its effects; unknown ids are ignored.
	Delete(id string)
}

// Alarms reports a CloudWatch alarm's state (cwsim's signature).
type Alarms interface {
	AlarmState(arn string) (state string, ok bool)
}

// PutObjectFunc writes one log object into an existing bucket; it returns an
// error when the bucket does not exist.
type PutObjectFunc func(bucket, key string, body []byte) error

// Options configure a Service.
type Options struct {
	Account, Region string
	Clock           simclock.Clock // nil: a real-time simclock.Scaled
	Cluster         Cluster        // nil: every aws:eks:cluster target fails to resolve
	Alarms          Alarms         // nil: stop-condition alarms are never in ALARM at start
	PutObject       PutObjectFunc  // nil: logs are not delivered
	LogDelay        time.Duration  // simulated delay before a log object lands (0: none)
	// Seed makes the experiment and template ids reproducible when
	// ReproducibleIDs is set; otherwise ids are random, unique per process.
	Seed            int64
	ReproducibleIDs bool
	Logger          *slog.Logger
	// Variants pick behaviours AWS does not document (zero: the defaults).
	Variants Variants
	// Step paces the lifecycle: how long pending, initiating and stopping last
	// in simulated time (default 1s each).
	Step time.Duration
	// StopDelay is how long a stopped experiment stays stopping (default
	// Step): a long one plays an experiment stuck in stopping.
	StopDelay time.Duration
}

// Service is the simulated FIS endpoint. It is an http.Handler for FIS
// requests already routed to it (by the SigV4 credential scope).
type Service struct {
	o      Options
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu          sync.Mutex
	rnd         *rand.Rand
	templates   map[string]*template
	experiments map[string]*experiment
	expOrder    []string          // experiment ids in creation order
	tokens      map[string]string // clientToken -> experiment id
	tmplTokens  map[string]string // clientToken -> template id
	lever       lever
	closed      bool
}

type lever struct {
	status, reason string
}

// New returns a Service; Close stops its experiments and goroutines.
func New(o Options) *Service {
	if o.Account == "" {
		o.Account = "123456789012"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.Clock == nil {
		o.Clock = simclock.New(time.Time{}, 1)
	}
	if o.Step <= 0 {
		o.Step = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	seed := uint64(o.Seed)
	if !o.ReproducibleIDs {
		seed = rand.Uint64() // math/rand/v2's top-level source is randomly seeded
	}
	return &Service{
		o: o, log: o.Logger, ctx: ctx, cancel: cancel,
		rnd:         rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		templates:   map[string]*template{},
		experiments: map[string]*experiment{},
		tokens:      map[string]string{},
		tmplTokens:  map[string]string{},
		lever:       lever{status: "disengaged"},
	}
}

// Close stops every experiment's goroutines and waits for them.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// ActiveExperiments returns the ids of experiments not in a terminal state,
// sorted.
func (s *Service) ActiveExperiments() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, e := range s.experiments {
		if !terminal(e.status) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newID returns prefix and 14 random characters, like FIS's EXT/EXP ids.
// Callers hold s.mu.
func (s *Service) newID(prefix string) string {
	b := make([]byte, 14)
	for i := range b {
		b[i] = idAlphabet[s.rnd.IntN(len(idAlphabet))]
	}
	return prefix + string(b)
}

func (s *Service) arn(kind, id string) string {
	return fmt.Sprintf("arn:aws:fis:%s:%s:%s/%s", s.o.Region, s.o.Account, kind, id)
}

func validation(format string, args ...any) *wire.Error {
	return wire.Errorf(http.StatusBadRequest, "ValidationException", format, args...)
}

func notFound(format string, args ...any) *wire.Error {
	return wire.Errorf(http.StatusNotFound, "ResourceNotFoundException", format, args...)
}

func conflict(format string, args ...any) *wire.Error {
	return wire.Errorf(http.StatusConflict, "ConflictException", format, args...)
}

func quota(format string, args ...any) *wire.Error {
	return wire.Errorf(http.StatusPaymentRequired, "ServiceQuotaExceededException", format, args...)
}

// ids are FIS's request ids; proto is its protocol, restJson1.
var (
	ids   = wire.NewRequestIDs("f1500000")
	proto = wire.RestJSON{}
)

const maxBody = 1 << 20

// ServeHTTP routes FIS restJson1 requests by method and path.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ids.SetHeader(w)
	body, err := wire.ReadBody(r, maxBody)
	if errors.Is(err, wire.ErrTooLarge) {
		proto.WriteError(w, wire.Errorf(http.StatusRequestEntityTooLarge, "ValidationException", "request body is too large"))
		return
	}
	if err != nil {
		proto.WriteError(w, validation("could not read the request body"))
		return
	}
	out, aerr := s.route(r, body)
	if aerr != nil {
		s.log.Debug("fis request refused", "method", r.Method, "path", r.URL.Path, "code", aerr.Code, "message", aerr.Message)
		proto.WriteError(w, aerr)
		return
	}
	proto.WriteResult(w, out)
}

func (s *Service) route(r *http.Request, body []byte) (any, *wire.Error) {
	segs := splitPath(r.URL.EscapedPath())
	for _, rt := range routes {
		if id, ok := rt.match(r.Method, segs); ok {
			return rt.serve(s, call{id: id, query: r.URL.Query(), body: body})
		}
	}
	return nil, wire.Errorf(http.StatusNotFound, "UnknownOperationException", "%s %s is not an operation the simulator supports", r.Method, r.URL.Path)
}

// call is what an operation gets from its request: the resource id in its
// path (the one "*" segment), the query string, the body.
type call struct {
	id    string
	query url.Values
	body  []byte
}

// route is one FIS operation: the method, the path (one "*" segment stands
// for the resource id) and the handler.
type route struct {
	method string
	path   string
	serve  func(s *Service, c call) (any, *wire.Error)
}

// routes are the FIS operations the simulator serves.
var routes = []route{
	{http.MethodPost, "experimentTemplates", withBody(func(s *Service, _ string, in *templateInput) (any, *wire.Error) { return s.createTemplate(in) })},
	{http.MethodGet, "experimentTemplates", withQuery((*Service).listTemplates)},
	{http.MethodGet, "experimentTemplates/*", locked((*Service).template, (*Service).getTemplate)},
	{http.MethodPatch, "experimentTemplates/*", withBody((*Service).updateTemplate)},
	{http.MethodDelete, "experimentTemplates/*", locked((*Service).template, (*Service).deleteTemplate)},
	{http.MethodPost, "experiments", withBody(func(s *Service, _ string, in *startInput) (any, *wire.Error) { return s.startExperiment(in) })},
	{http.MethodGet, "experiments", withQuery((*Service).listExperiments)},
	{http.MethodGet, "experiments/*", locked((*Service).experiment, (*Service).getExperiment)},
	{http.MethodDelete, "experiments/*", locked((*Service).experiment, (*Service).stopExperiment)},
	{http.MethodGet, "experiments/*/resolvedTargets", func(s *Service, c call) (any, *wire.Error) { return s.listResolvedTargets(c.id, c.query) }},
	{http.MethodGet, "actions", withQuery((*Service).listActions)},
	{http.MethodGet, "actions/*", withID((*Service).getAction)},
	{http.MethodGet, "safetyLevers/*", withID((*Service).getLever)},
	{http.MethodPatch, "safetyLevers/*/state", withBody((*Service).updateLever)},
	{http.MethodGet, "tags/*", withID((*Service).listTags)},
	{http.MethodPost, "tags/*", withBody((*Service).tagResource)},
	{http.MethodDelete, "tags/*", func(s *Service, c call) (any, *wire.Error) { return s.untagResource(c.id, c.query["tagKeys"]) }},
}

// match says whether the route serves method on the path segs, and returns
// the id its "*" stands for.
func (rt route) match(method string, segs []string) (id string, ok bool) {
	pat := strings.Split(rt.path, "/")
	if method != rt.method || len(segs) != len(pat) {
		return "", false
	}
	for i, p := range pat {
		switch {
		case p == "*":
			id = segs[i]
		case p != segs[i]:
			return "", false
		}
	}
	return id, true
}

func withID(fn func(*Service, string) (any, *wire.Error)) func(*Service, call) (any, *wire.Error) {
	return func(s *Service, c call) (any, *wire.Error) { return fn(s, c.id) }
}

// find looks a resource (what names its kind) up by id, not found as FIS
// says it.
func find[T any](m map[string]T, what, id string) (T, *wire.Error) {
	v, ok := m[id]
	if !ok {
		return v, notFound("%s %s not found.", what, id)
	}
	return v, nil
}

// locked runs fn, under s.mu, on the resource the path names, which find
// looks up.
func locked[T any](find func(*Service, string) (T, *wire.Error), fn func(*Service, T) (any, *wire.Error)) func(*Service, call) (any, *wire.Error) {
	return func(s *Service, c call) (any, *wire.Error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		v, aerr := find(s, c.id)
		if aerr != nil {
			return nil, aerr
		}
		return fn(s, v)
	}
}

func withQuery(fn func(*Service, url.Values) (any, *wire.Error)) func(*Service, call) (any, *wire.Error) {
	return func(s *Service, c call) (any, *wire.Error) { return fn(s, c.query) }
}

// withBody decodes the body into an In (see wire.DecodeJSON) for fn; a body
// that does not decode is a ValidationException.
func withBody[In any](fn func(*Service, string, *In) (any, *wire.Error)) func(*Service, call) (any, *wire.Error) {
	return func(s *Service, c call) (any, *wire.Error) {
		var in In
		if err := wire.DecodeJSON(c.body, &in); err != nil {
			return nil, validation("Invalid request body: %v", err)
		}
		return fn(s, c.id, &in)
	}
}

// splitPath splits an escaped path and unescapes each segment, so that an
// ARN in /tags/{resourceArn} stays one segment.
func splitPath(p string) []string {
	var out []string
	for _, seg := range strings.Split(strings.Trim(p, "/"), "/") {
		if seg == "" {
			continue
		}
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
		out = append(out, seg)
	}
	return out
}

// page applies maxResults and nextToken to a listing (kind names it, see
// wire.Token) of n items.
func page(q url.Values, kind string, n int) (start, end int, next string, aerr *wire.Error) {
	size := maxPageSize
	if v := q.Get("maxResults"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 1 || m > maxPageSize {
			return 0, 0, "", validation("1 validation error detected: Value '%s' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", v, maxPageSize)
		}
		size = m
	}
	start, end, next, ok := wire.Page(q.Get("nextToken"), kind, size, n)
	if !ok {
		return 0, 0, "", validation("Invalid nextToken")
	}
	return start, end, next, nil
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
