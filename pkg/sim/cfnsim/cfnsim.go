// Package cfnsim answers CloudFormation's DescribeStacks (the awsQuery
// protocol) for stacks the simulator declares, so that a client that finds
// gameday's state machine and buckets through the stack's outputs (`gameday
// start`, `status`, `report`) finds the simulator's. It deploys nothing.
package cfnsim

import (
	"encoding/xml"
	"fmt"
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

type describeStacksResult struct {
	XMLName xml.Name `xml:"DescribeStacksResult"`
	Stacks  struct {
		Member []stackXML `xml:"member"`
	}
}

const xmlns = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

// ServeHTTP answers Action=DescribeStacks; other actions are refused.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { api.Serve(s, w, r) }

var api = wire.QueryService[*Service]{
	Proto: wire.Query{XMLNS: xmlns}, Version: "2010-05-15", IDs: wire.NewRequestIDs("cf000000"), MaxBody: 1 << 20,
	Ops: map[string]wire.QueryOp[*Service]{"DescribeStacks": (*Service).describeStacks},
}

func (s *Service) describeStacks(form url.Values) (any, *wire.Error) {
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
		return nil, wire.Errorf(http.StatusBadRequest, "ValidationError", "Stack with id %s does not exist", name)
	}
	var res describeStacksResult
	sort.Slice(found, func(i, j int) bool { return found[i].name < found[j].name })
	for _, st := range found {
		x := stackXML{StackName: st.name, StackId: st.id, StackStatus: "CREATE_COMPLETE", CreationTime: st.created.UTC().Format(time.RFC3339)}
		for _, k := range slices.Sorted(maps.Keys(st.outputs)) {
			x.Outputs.Member = append(x.Outputs.Member, output{OutputKey: k, OutputValue: st.outputs[k]})
		}
		res.Stacks.Member = append(res.Stacks.Member, x)
	}
	return res, nil
}
