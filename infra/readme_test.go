package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// TestREADMEExample synthesizes the two-account example of README.md, so
// the documented configuration stays one that works.
func TestREADMEExample(t *testing.T) {
	doc, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```json\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("README.md has no json example")
	}
	var cdkJSON struct {
		App     string         `json:"app"`
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(m[1], &cdkJSON); err != nil {
		t.Fatalf("README example is not JSON: %v", err)
	}
	cfg, err := ParseConfig(cdkJSON.Context["gameday"])
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Deployments) != 2 {
		t.Fatalf("README example has %d deployments, want 2", len(cfg.Deployments))
	}
	// The example's folders and policies are the user's; use the test
	// GameDays and policy.
	cfg.GameDaysDir = filepath.Join("testdata", "gamedays")
	if cfg.Defaults.Policy == "" {
		t.Error("the README example names no policy in defaults")
	}
	cfg.Defaults.Policy = testPolicy
	for i := range cfg.Deployments {
		if cfg.Deployments[i].GameDaysDir != "" {
			cfg.Deployments[i].GameDaysDir = cfg.GameDaysDir
		}
		if cfg.Deployments[i].Policy != "" {
			cfg.Deployments[i].Policy = testPolicy
		}
	}
	cfg.AssetsDir = assetsDir

	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("synth panicked: %v", r)
			}
		}()
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		for _, d := range cfg.Deployments {
			if err := addStack(app, cfg, d); err != nil {
				t.Fatalf("add stack %s: %v", d.Name(), err)
			}
		}
		tests := []struct {
			stack         string
			accessEntries int
			objectLock    bool
		}{
			{"GameDay-111111111111-eu-west-1", 2, false},
			{"GameDayProd", 1, true},
		}
		for _, tt := range tests {
			t.Run(tt.stack, func(t *testing.T) {
				st, ok := app.Node().TryFindChild(jsii.String(tt.stack)).(awscdk.Stack)
				if !ok {
					t.Fatalf("no stack %s", tt.stack)
				}
				tpl := assertions.Template_FromStack(st, nil)
				must(t, "access entries", func() {
					tpl.ResourceCountIs(jsii.String("AWS::EKS::AccessEntry"), jsii.Number(tt.accessEntries))
				})
				lock := assertions.Match_Absent()
				if tt.objectLock {
					lock = assertions.Match_ObjectLike(&map[string]any{"ObjectLockEnabled": "Enabled"})
				}
				must(t, "object lock", func() {
					tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), &map[string]any{
						"VersioningConfiguration": map[string]any{"Status": "Enabled"},
						"ObjectLockConfiguration": lock,
					})
				})
				must(t, "e-mail", func() {
					tpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), &map[string]any{"Endpoint": "sre@example.com"})
				})
				ann := assertions.Annotations_FromStack(st)
				must(t, "no cdk-nag errors", func() {
					ann.HasNoError(jsii.String("*"), assertions.Match_AnyValue())
				})
			})
		}
	}()
}
