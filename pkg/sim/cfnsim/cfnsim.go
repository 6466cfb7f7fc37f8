// Package cfnsim answers CloudFormation's DescribeStacks (the awsQuery
// protocol) for stacks the simulator declares, so that a client that finds
// gameday's state machine and buckets through the stack's outputs (`gameday
// start`, `status`, `report`) finds the simulator's. It deploys nothing.
package cfnsim

import (
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// Service holds declared stacks.
type Service struct {
	account, region string

	mu     sync.Mutex
	stacks map[string]stack
}

type stack struct {
	name, id string
	created  time.Time
	outputs  map[string]string
}

// New returns a Service with no stacks.
func New(account, region string) *Service {
	return &Service{account: account, region: region, stacks: map[string]stack{}}
}

// DeclareStack makes DescribeStacks answer for name, in CREATE_COMPLETE,
// with these outputs.
func (s *Service) DeclareStack(name string, created time.Time, outputs map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/00000000-0000-4000-8000-000000000000", s.region, s.account, name)
	s.stacks[name] = stack{name: name, id: id, created: created, outputs: outputs}
}

type output struct {
	OutputKey   string
	OutputValue string
}

type stackXML struct {
	StackName    string
	StackId      string
	StackStatus  string
	CreationTime string
	Outputs      struct {
		Member []output `xml:"member"`
	}
}

type describeStacksResponse struct {
	XMLName xml.Name `xml:"DescribeStacksResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Stacks struct {
			Member []stackXML `xml:"member"`
		}
	} `xml:"DescribeStacksResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

const xmlns = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

// ServeHTTP answers Action=DescribeStacks; other actions are refused.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, "InvalidRequest", "read request: "+err.Error())
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeError(w, "MalformedQueryString", err.Error())
		return
	}
	if a := form.Get("Action"); a != "DescribeStacks" {
		writeError(w, "InvalidAction", fmt.Sprintf("The simulator's CloudFormation answers only DescribeStacks, not %q.", a))
		return
	}
	name := form.Get("StackName")
	s.mu.Lock()
	var found []stack
	for _, st := range s.stacks {
		if name == "" || name == st.name || name == st.id {
			found = append(found, st)
		}
	}
	s.mu.Unlock()
	if name != "" && len(found) == 0 {
		writeError(w, "ValidationError", fmt.Sprintf("Stack with id %s does not exist", name))
		return
	}
	resp := describeStacksResponse{Xmlns: xmlns, RequestID: ids.SetHeader(w)}
	sort.Slice(found, func(i, j int) bool { return found[i].name < found[j].name })
	for _, st := range found {
		x := stackXML{StackName: st.name, StackId: st.id, StackStatus: "CREATE_COMPLETE", CreationTime: st.created.UTC().Format(time.RFC3339)}
		for _, k := range slices.Sorted(maps.Keys(st.outputs)) {
			x.Outputs.Member = append(x.Outputs.Member, output{OutputKey: k, OutputValue: st.outputs[k]})
		}
		resp.Result.Stacks.Member = append(resp.Result.Stacks.Member, x)
	}
	proto.WriteResult(w, resp)
}

func writeError(w http.ResponseWriter, code, msg string) {
	proto.WriteError(w, &wire.Error{Status: http.StatusBadRequest, Code: code, Message: msg}, ids.SetHeader(w))
}

// ids are CloudFormation's request ids; proto is its protocol, awsQuery.
var (
	ids   = wire.NewRequestIDs("cf000000")
	proto = wire.Query{XMLNS: xmlns}
)
