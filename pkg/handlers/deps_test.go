package handlers

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gameday-dev/gameday/pkg/deploy"
)

// heavyModules are the module paths that only preflight may link: the Chaos
// Mesh API types and the Kubernetes modules they pull in make a Lambda
// several times bigger and slower to start.
var heavyModules = []string{"github.com/chaos-mesh/", "github.com/gameday-dev/gameday/third_party/chaos-mesh/", "k8s.io/", "sigs.k8s.io/"}

// preflightForbidden are the packages not even preflight may link: its
// Chaos Mesh types are third_party/chaos-mesh's copy, whose upstream
// registers them with controller-runtime, whose scheme registers every
// Kubernetes API group (client-go, k8s.io/api: most of a 12 MiB zip).
// Kubernetes' core/v1 types stay: the Chaos Mesh types use them.
var preflightForbidden = []string{"github.com/chaos-mesh/", "sigs.k8s.io/controller-runtime", "k8s.io/client-go", "k8s.io/api/", "k8s.io/apiextensions-apiserver", "github.com/prometheus/"}

var preflightAllowed = []string{"k8s.io/api/core/v1"}

// mainCalls are each main.go's call of step.Main, up to the validator.
var mainCalls = map[deploy.Function]string{
	deploy.Preflight:       "step.Main(deploy.Preflight, preflightfn.New,",
	deploy.StartExperiment: "step.Main(deploy.StartExperiment, experimentfn.NewStart,",
	deploy.PollExperiment:  "step.Main(deploy.PollExperiment, experimentfn.NewPoll,",
	deploy.StopExperiment:  "step.Main(deploy.StopExperiment, experimentfn.NewStop,",
	deploy.Archive:         "step.Main(deploy.Archive, archivefn.New,",
	deploy.Notify:          "step.Main(deploy.Notify, notifyfn.New,",
	deploy.Guard:           "step.Main(deploy.Guard, guardfn.New,",
	deploy.Sweeper:         "step.Main(deploy.Sweeper, sweeperfn.New,",
}

// credentialChain are the packages of the SDK's default credential chain
// beyond the environment's static credentials, and the config package that
// links them all (with a trailing slash: the packages below it, the
// static provider itself being the one every function needs): inside Lambda the chain stops at the environment, so
// awsenv.Load reads it alone and no function may link these (about 0.5 MiB
// of each zip, initialised at every cold start).
var credentialChain = []string{
	"github.com/aws/aws-sdk-go-v2/config",
	"github.com/aws/aws-sdk-go-v2/credentials/",
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds",
	"github.com/aws/aws-sdk-go-v2/service/signin",
	"github.com/aws/aws-sdk-go-v2/service/sso",
	"github.com/aws/aws-sdk-go-v2/service/ssooidc",
	"github.com/aws/aws-sdk-go-v2/service/sts",
}

// services are the AWS service clients each function may link: the ones it calls,
// and Step Functions wherever pkg/experiment is linked (its Starter's
// interface names sfn's types). Every client linked costs its schemas'
// initialisation in the bootstrap, called or not.
var services = map[deploy.Function][]string{
	deploy.Preflight:       {"cloudwatch", "dynamodb", "fis", "sfn"},
	deploy.StartExperiment: {"fis", "sfn"},
	deploy.PollExperiment:  {"fis", "sfn"},
	deploy.StopExperiment:  {"fis", "sfn"},
	deploy.Archive:         {"cloudwatch", "fis", "s3", "sfn"},
	deploy.Notify:          {"dynamodb", "eventbridge", "sns"},
	deploy.Guard:           {"dynamodb", "fis", "sfn"},
	deploy.Sweeper:         {"dynamodb", "fis", "sfn", "sns"},
}

// TestOnlyPreflightLinksChaosMesh checks that each function's main.go calls
// its own constructor, runs go list -deps for it as make build compiles it,
// and fails when a function other than preflight depends on the Chaos Mesh
// API (or the Kubernetes modules behind it), when preflight links upstream's
// Chaos Mesh module, controller-runtime, client-go or a Kubernetes API
// group but core/v1, when a function links an AWS service client it does
// not call, the SDK's credential chain, or text/template.
func TestOnlyPreflightLinksChaosMesh(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range deploy.Functions {
		t.Run(string(fn), func(t *testing.T) {
			main, err := os.ReadFile(filepath.Join(root, "functions", string(fn), "main.go"))
			if err != nil {
				t.Fatalf("functions/%s/main.go: %v", fn, err)
			}
			// Each function calls its own constructor, not handlers.New, so
			// that it links only its own clients.
			if call := mainCalls[fn]; !strings.Contains(string(main), call) {
				t.Errorf("functions/%s/main.go does not call %s …)", fn, call)
			}
			cmd := exec.Command(goBin, "list", "-deps", "-tags", "lambda.norpc", "./functions/"+string(fn))
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
			out, err := cmd.Output()
			if err != nil {
				var stderr string
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("go list -deps ./functions/%s: %v\n%s", fn, err, stderr)
			}
			var heavy, linked, chain, forbidden []string
			for _, pkg := range strings.Fields(string(out)) {
				if svc, ok := strings.CutPrefix(pkg, "github.com/aws/aws-sdk-go-v2/service/"); ok && !strings.Contains(svc, "/") {
					linked = append(linked, svc)
				}
				if slices.ContainsFunc(credentialChain, func(c string) bool {
					return pkg == c || strings.HasPrefix(pkg, strings.TrimSuffix(c, "/")+"/")
				}) {
					chain = append(chain, pkg)
				}
				for _, m := range preflightForbidden {
					if strings.HasPrefix(pkg, m) && !slices.Contains(preflightAllowed, pkg) {
						forbidden = append(forbidden, pkg)
						break
					}
				}
				for _, m := range heavyModules {
					if strings.HasPrefix(pkg, m) {
						heavy = append(heavy, pkg)
						break
					}
				}
			}
			if len(chain) > 0 {
				t.Errorf("functions/%s links the SDK's credential chain (%s): load the config with awsenv.Load, not config.LoadDefaultConfig", fn, strings.Join(chain, ", "))
			}
			slices.Sort(linked)
			if !slices.Equal(linked, services[fn]) {
				t.Errorf("functions/%s links the AWS clients %v, want %v", fn, linked, services[fn])
			}
			// text/template's executor looks methods up by name through
			// reflection: the linker then keeps every exported method of
			// every type in an interface (all of an SDK client's operations).
			if slices.Contains(strings.Fields(string(out)), "text/template") {
				t.Errorf("functions/%s links text/template, which defeats the linker's dead-code elimination", fn)
			}
			if fn != deploy.Preflight && len(heavy) > 0 {
				t.Errorf("functions/%s depends on %d Chaos Mesh / Kubernetes packages, first %s: only preflight may", fn, len(heavy), heavy[0])
			}
			if fn == deploy.Preflight && len(forbidden) > 0 {
				t.Errorf("functions/preflight links %d packages of upstream Chaos Mesh, controller-runtime, client-go or Kubernetes API groups, first %s: use third_party/chaos-mesh's copy", len(forbidden), forbidden[0])
			}
			if fn == deploy.Preflight && !strings.Contains(string(out), "github.com/gameday-dev/gameday/pkg/validate") {
				t.Errorf("functions/preflight does not link pkg/validate: its preflight has no full validation")
			}
		})
	}
}
