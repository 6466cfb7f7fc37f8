package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// The jsii runtime (a Node process) is shared by every test of this
// binary and closed once, after all of them.
var assetsDir string

func TestMain(m *testing.M) {
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	os.Setenv("JSII_DEPRECATED", "quiet")
	code := func() int {
		dir, err := os.MkdirTemp("", "gameday-infra-assets-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		// Placeholder Lambda assets, so the tests don't depend on make build.
		for _, s := range functionSpecs {
			if err := os.MkdirAll(filepath.Join(dir, string(s.name)), 0o755); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			if err := os.WriteFile(filepath.Join(dir, string(s.name), "bootstrap"), []byte("placeholder "+string(s.name)), 0o755); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		assetsDir = dir
		return m.Run()
	}()
	jsii.Close()
	os.Exit(code)
}

// must runs an assertions check, which panics through jsii when it fails,
// and reports the failure as a test error.
func must(t *testing.T, what string, check func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	check()
}

// testPolicy is the test stacks' policy.
const testPolicy = "testdata/policy.yaml"

// synthesized is one stack synthesized once per test binary.
type synthesized struct {
	stack    *GameDayStack
	template assertions.Template
	json     map[string]any
	err      error
}

// resources returns the template's resources of one type, by logical ID.
func (s *synthesized) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range s.json["Resources"].(map[string]any) {
		rm := r.(map[string]any)
		if rm["Type"] == typ {
			out[id] = rm
		}
	}
	return out
}

func synth(props GameDayStackProps) (s *synthesized) {
	s = &synthesized{}
	defer func() {
		if r := recover(); r != nil {
			s.err = fmt.Errorf("synth panicked: %v", r)
		}
	}()
	outdir, err := os.MkdirTemp("", "gameday-cdk-out-")
	if err != nil {
		s.err = err
		return s
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	props.AssetsDir = assetsDir
	if props.Policy == nil {
		if props.Policy, s.err = LoadPolicy(testPolicy); s.err != nil {
			return s
		}
	}
	stack, err := NewGameDayStack(app, "GameDayTest", props)
	if err != nil {
		s.err = err
		return s
	}
	ApplyNag(stack.Stack)
	s.stack = stack
	s.template = assertions.Template_FromStack(stack.Stack, nil)
	b, err := json.Marshal(s.template.ToJSON())
	if err != nil {
		s.err = err
		return s
	}
	s.err = json.Unmarshal(b, &s.json)
	return s
}

var (
	fullOnce, minimalOnce sync.Once
	full, minimal         *synthesized
)

// fullStack has every option on: GameDays with schedules, an e-mail
// subscription, EKS clusters, Object Lock, a concrete account and region.
func fullStack(t *testing.T) *synthesized {
	t.Helper()
	fullOnce.Do(func() {
		files, err := LoadGameDays(filepath.Join("testdata", "gamedays"))
		if err != nil {
			full = &synthesized{err: err}
			return
		}
		full = synth(GameDayStackProps{
			StackProps: awscdk.StackProps{Env: &awscdk.Environment{
				Account: jsii.String("123456789012"), Region: jsii.String("us-east-1"),
			}},
			GameDays:              ForDeployment(files, "123456789012", "us-east-1"),
			NotificationEmail:     "sre@example.com",
			EKSClusters:           []string{"sandbox", "staging"},
			ArchiveObjectLockDays: 30,
			LogRetentionDays:      30,
		})
	})
	if full.err != nil {
		t.Fatalf("synth full stack: %v", full.err)
	}
	return full
}

// minimalStack has the defaults: environment-agnostic, no GameDays.
func minimalStack(t *testing.T) *synthesized {
	t.Helper()
	minimalOnce.Do(func() { minimal = synth(GameDayStackProps{}) })
	if minimal.err != nil {
		t.Fatalf("synth minimal stack: %v", minimal.err)
	}
	return minimal
}
