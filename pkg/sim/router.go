package sim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gameday-dev/gameday/pkg/sim/eventsim"
	"github.com/gameday-dev/gameday/pkg/sim/snssim"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// InspectPath serves a JSON view of the simulator's state (for people and
// `gameday run --local`): clock, active experiments, applied chaos, the
// events put on EventBridge and the messages published to SNS.
const InspectPath = "/_gameday/sim"

func (s *Server) router() http.Handler {
	// The services, by the signing name in the credential scope.
	served := []struct {
		name string
		h    http.Handler
	}{
		{"fis", s.fis}, {"monitoring", s.cw}, {"s3", http.HandlerFunc(s.serveS3)}, {"sts", http.HandlerFunc(s.sts)},
		{"lambda", s.lambda}, {"events", s.events}, {"sns", s.sns}, {"states", s.sfn},
		{"cloudformation", s.cfn}, {"dynamodb", s.ddb},
	}
	services := make(map[string]http.Handler, len(served))
	names := make([]string, len(served))
	for i, sv := range served {
		services[sv.name], names[i] = sv.h, sv.name
	}
	list := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every answer is dated by the simulator's clock, as AWS's are by
		// AWS's: a client reads the service's time there (the SDKs'
		// clock-skew correction, gameday start's execution names).
		w.Header().Set("Date", s.clock.Now().UTC().Format(http.TimeFormat))
		defer func() {
			// A bug in one service must not take the endpoint down.
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("simulator handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		if r.URL.Path == InspectPath && r.Method == http.MethodGet {
			s.inspect(w)
			return
		}
		svc, region, signed := credentialScope(r)
		if !signed {
			s.unsigned(w, r)
			return
		}
		if region != s.o.Region {
			s.wrongRegion(w, r, svc, region)
			return
		}
		h, ok := services[svc]
		if !ok {
			queryError(w, http.StatusBadRequest, "UnknownService",
				fmt.Sprintf("The simulator does not serve the %q service (it serves %s).", svc, list))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// credentialScope reads the service and Region from a SigV4 credential
// scope, <key>/<date>/<region>/<service>/aws4_request, in the Authorization
// header or, for presigned URLs, the X-Amz-Credential query parameter.
func credentialScope(r *http.Request) (service, region string, ok bool) {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
			return "", "", false
		}
		i := strings.Index(auth, "Credential=")
		if i < 0 {
			return "", "", false
		}
		cred = auth[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" || parts[2] == "" || parts[3] == "" {
		return "", "", false
	}
	return parts[3], parts[2], true
}

// wrongRegion answers a request signed for another Region than the one the
// simulator plays. The simulator is one Region's endpoints, and an AWS
// endpoint refuses a request whose credential scope names another Region
// (S3 with AuthorizationHeaderMalformed, the other services with a
// signature error, "Credential should be scoped to a valid region"), so
// the request is refused, in the error shape of the service it is for,
// rather than answered from the simulator's Region or from an empty one.
func (s *Server) wrongRegion(w http.ResponseWriter, r *http.Request, svc, region string) {
	if svc == "s3" {
		s3Error(w, http.StatusBadRequest, "AuthorizationHeaderMalformed",
			fmt.Sprintf("The authorization header is malformed; the region '%s' is wrong; expecting '%s'", region, s.o.Region))
		return
	}
	msg := fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. The simulator plays one Region, %s (gameday sim --region): set AWS_REGION=%s.", region, s.o.Region, s.o.Region)
	e := &wire.Error{Status: http.StatusForbidden, Code: "InvalidSignatureException", Message: msg}
	reqID := ids.SetHeader(w)
	switch {
	case svc == "fis" || svc == "lambda":
		wire.RestJSON{}.WriteError(w, e)
	case r.Header.Get("Smithy-Protocol") != "" || strings.HasPrefix(r.URL.Path, "/service/"):
		cwCBOR.WriteError(w, e)
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-"):
		wire.JSON{Version: strings.TrimPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-")}.WriteError(w, e)
	default:
		e.Code = "SignatureDoesNotMatch"
		queryProto.WriteError(w, e, reqID)
	}
}

var fisPaths = []string{"/experimentTemplates", "/experiments", "/safetyLevers", "/actions", "/targetResourceTypes", "/tags/arn:aws:fis", "/tags/arn%3Aaws%3Afis"}

// unsigned answers a request without a usable SigV4 signature with the error
// shape of the service it looks like it is for.
func (s *Server) unsigned(w http.ResponseWriter, r *http.Request) {
	const msg = "Missing or malformed SigV4 Authorization: the simulator routes requests by the service in the credential scope; sign them with any credentials (AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test)."
	for _, p := range fisPaths {
		if strings.HasPrefix(r.URL.EscapedPath(), p) {
			ids.SetHeader(w)
			wire.RestJSON{}.WriteError(w, &wire.Error{Status: http.StatusForbidden, Code: "UnrecognizedClientException", Message: msg})
			return
		}
	}
	if r.Header.Get("Smithy-Protocol") != "" || strings.HasPrefix(r.URL.Path, "/service/GraniteServiceVersion20100801/") {
		ids.SetHeader(w)
		cwCBOR.WriteError(w, &wire.Error{Status: http.StatusForbidden, Code: "UnrecognizedClientException", Message: msg})
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-") {
		ids.SetHeader(w)
		eventsJSON.WriteError(w, &wire.Error{Status: http.StatusBadRequest, Code: "UnrecognizedClientException", Message: msg})
		return
	}
	if isQueryRequest(r) {
		queryError(w, http.StatusForbidden, "MissingAuthenticationToken", msg)
		return
	}
	s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
}

// isQueryRequest says whether r is an awsQuery request (STS, CloudWatch's
// query protocol): Action in the query string or in a form body.
func isQueryRequest(r *http.Request) bool {
	if r.URL.Query().Get("Action") != "" {
		return true
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		v, err := url.ParseQuery(string(b))
		return err == nil && v.Get("Action") != ""
	}
	return false
}

// serveS3 hands S3 requests to gofakes3, after checkCreateBucket, and
// ListObjectsV2 through serveListingV2.
func (s *Server) serveS3(w http.ResponseWriter, r *http.Request) {
	if checkCreateBucket(w, r) && !serveListingV2(s.s3, w, r) {
		s.s3.ServeHTTP(w, r)
	}
}

// checkCreateBucket refuses a CreateBucket whose configuration is not XML
// with S3's MalformedXML, which gofakes3 would ignore; it reports whether the
// request may go on.
func checkCreateBucket(w http.ResponseWriter, r *http.Request) bool {
	path := strings.Trim(r.URL.Path, "/")
	if r.Method != http.MethodPut || path == "" || strings.Contains(path, "/") || r.URL.RawQuery != "" || r.ContentLength == 0 {
		return true
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		s3Error(w, http.StatusBadRequest, "IncompleteBody", "The request body could not be read.")
		return false
	}
	if len(bytes.TrimSpace(b)) > 0 {
		var cfg struct {
			XMLName            xml.Name `xml:"CreateBucketConfiguration"`
			LocationConstraint string
		}
		if err := xml.Unmarshal(b, &cfg); err != nil {
			s3Error(w, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
			return false
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return true
}

// ids are the request ids of the answers the server writes itself (STS,
// refused and unroutable requests).
var ids = wire.NewRequestIDs("00000000")

var (
	queryProto = wire.Query{}
	eventsJSON = wire.JSON{Version: "1.1"}
	cwCBOR     = wire.CBOR{TypePrefix: "com.amazonaws.cloudwatch#"}
)

func queryError(w http.ResponseWriter, status int, code, message string) {
	queryProto.WriteError(w, &wire.Error{Status: status, Code: code, Message: message}, ids.SetHeader(w))
}

func s3Error(w http.ResponseWriter, status int, code, message string) {
	wire.RestXML{}.WriteError(w, &wire.Error{Status: status, Code: code, Message: message}, ids.SetHeader(w))
}

// stsAPI serves the one STS call tools make first: GetCallerIdentity.
var stsAPI = wire.QueryService[*Server]{
	Proto: wire.Query{XMLNS: "https://sts.amazonaws.com/doc/2011-06-15/"}, Version: "2011-06-15", IDs: ids, MaxBody: 1 << 16, Malformed: "MalformedInput",
	Ops: map[string]wire.QueryOp[*Server]{"GetCallerIdentity": (*Server).getCallerIdentity},
}

func (s *Server) sts(w http.ResponseWriter, r *http.Request) { stsAPI.Serve(s, w, r) }

func (s *Server) getCallerIdentity(url.Values) (any, *wire.Error) {
	return struct {
		XMLName xml.Name `xml:"GetCallerIdentityResult"`
		Arn     string
		UserID  string `xml:"UserId"`
		Account string
	}{Arn: fmt.Sprintf("arn:aws:iam::%s:root", s.o.Account), UserID: s.o.Account, Account: s.o.Account}, nil
}

// Inspection is the JSON body of InspectPath.
type Inspection struct {
	Now               string   `json:"now"`
	Speed             float64  `json:"speed"` // 0 on a manual clock
	Account           string   `json:"account"`
	Region            string   `json:"region"`
	ClusterARN        string   `json:"clusterArn"`
	ActiveExperiments []string `json:"activeExperiments"`
	ActiveChaos       []string `json:"activeChaos"`
	// Events are the events put on EventBridge buses, oldest first.
	Events []eventsim.Event `json:"events"`
	// SNSMessages are the messages published to SNS topics, oldest first.
	SNSMessages []snssim.Message `json:"snsMessages"`
}

func (s *Server) inspect(w http.ResponseWriter) {
	var speed float64
	if c := s.ScaledClock(); c != nil {
		speed = c.Speed()
	}
	out := Inspection{
		Now: s.clock.Now().Format("2006-01-02T15:04:05Z07:00"), Speed: speed,
		Account: s.o.Account, Region: s.o.Region, ClusterARN: s.ClusterARN(),
		ActiveExperiments: nonNil(s.ActiveExperiments()), ActiveChaos: nonNil(s.ActiveChaos()),
		Events: s.events.Events(), SNSMessages: s.sns.Messages(),
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
