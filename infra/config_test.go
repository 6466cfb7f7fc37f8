package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		in      any
		want    Config
		wantErr string
	}{
		{"absent", nil, Config{}, ""},
		{"decoded context", map[string]any{
			"gamedaysDir": "gamedays",
			"defaults":    map[string]any{"logRetentionDays": 30, "kubernetesGroup": "chaos"},
			"deployments": []any{
				map[string]any{"account": "111111111111", "region": "eu-west-1", "eksClusters": []any{"staging"}},
				map[string]any{"account": "222222222222", "region": "us-east-1", "stackName": "GameDayProd", "archiveObjectLockDays": 365},
			},
		}, Config{
			GameDaysDir: "gamedays",
			Defaults:    Settings{LogRetentionDays: 30, KubernetesGroup: "chaos"},
			Deployments: []Deployment{
				{Account: "111111111111", Region: "eu-west-1", Settings: Settings{EKSClusters: []string{"staging"}}},
				{Account: "222222222222", Region: "us-east-1", StackName: "GameDayProd", Settings: Settings{ArchiveObjectLockDays: 365}},
			},
		}, ""},
		{"json string from -c", `{"assetsDir":"out/dist"}`, Config{AssetsDir: "out/dist"}, ""},
		{"unknown field", map[string]any{"gamedayDir": "x"}, Config{}, `unknown field "gamedayDir"`},
		{"bad account", map[string]any{"deployments": []any{map[string]any{"account": "1234", "region": "eu-west-1"}}}, Config{}, "not a 12-digit account ID"},
		{"bad region", map[string]any{"deployments": []any{map[string]any{"account": "111111111111", "region": "Europe"}}}, Config{}, "is not a region"},
		{"twice", map[string]any{"deployments": []any{
			map[string]any{"account": "111111111111", "region": "eu-west-1"},
			map[string]any{"account": "111111111111", "region": "eu-west-1"},
		}}, Config{}, "deployed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseConfig() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseConfig() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	base := Settings{LogRetentionDays: 30, EKSClusters: []string{"a"}, MaxExperimentTimeout: "6h"}
	got := base.merge(Settings{EKSClusters: []string{"b"}, LogWaitLimit: "20m", NotificationEmail: "x@example.com"})
	want := Settings{LogRetentionDays: 30, EKSClusters: []string{"b"}, MaxExperimentTimeout: "6h", LogWaitLimit: "20m", NotificationEmail: "x@example.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merge (-want +got):\n%s", diff)
	}
	p, err := got.Props()
	if err != nil {
		t.Fatal(err)
	}
	if p.MaxExperimentTimeout != 6*time.Hour || p.LogWaitLimit != 20*time.Minute || p.LogRetentionDays != 30 {
		t.Errorf("Props() = %+v", p)
	}
	if _, err := (Settings{LogWaitLimit: "soon"}).Props(); err == nil || !strings.Contains(err.Error(), "logWaitLimit") {
		t.Errorf("Props() with a bad duration: error = %v, want one naming logWaitLimit", err)
	}
	if got := (Deployment{Account: "111111111111", Region: "eu-west-1"}).Name(); got != "GameDay-111111111111-eu-west-1" {
		t.Errorf("Name() = %q", got)
	}
}

func TestLoadGameDays(t *testing.T) {
	files, err := LoadGameDays(filepath.Join("testdata", "gamedays"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Spec.Metadata.Name)
		if !strings.HasPrefix(f.Text, "apiVersion:") {
			t.Errorf("%s: Text does not hold the file as written", f.Path)
		}
	}
	if diff := cmp.Diff([]string{"carts-latency", "long-soak", "prod-checkout"}, names); diff != "" {
		t.Errorf("loaded (-want +got):\n%s", diff)
	}

	tests := []struct {
		account, region string
		want            []string
	}{
		{"123456789012", "us-east-1", []string{"carts-latency", "long-soak"}},
		{"210987654321", "eu-west-1", []string{"long-soak", "prod-checkout"}},
		{"", "", []string{"carts-latency", "long-soak", "prod-checkout"}},
	}
	for _, tt := range tests {
		t.Run("for "+tt.account+" "+tt.region, func(t *testing.T) {
			var got []string
			for _, f := range ForDeployment(files, tt.account, tt.region) {
				got = append(got, f.Spec.Metadata.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ForDeployment (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadGameDaysInvalid: an invalid file fails the synth with the same
// FILE:LINE:COL: path: message lines as gameday validate.
func TestLoadGameDaysInvalid(t *testing.T) {
	_, err := LoadGameDays(filepath.Join("testdata", "invalid"))
	if err == nil {
		t.Fatal("LoadGameDays accepted an invalid file")
	}
	line := regexp.MustCompile(`^testdata/invalid/typo\.yaml:\d+:\d+: \S+: .+`)
	lines := strings.Split(err.Error(), "\n")
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("line %q is not FILE:LINE:COL: path: message", l)
		}
	}
	for _, want := range []string{": spec.faults[0].chaosMesh.spec.selector", "typo.yaml:19:13: spec.faults[0].chaosMesh.spec.selector.labelSelector: unknown field", "typo.yaml:22:3: spec.schedul: unknown field"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not report %q:\n%s", want, err)
		}
	}

	dir := t.TempDir()
	for _, n := range []string{"a.yaml", "b.yml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "gamedays", "long-soak.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadGameDays(dir); err == nil || !strings.Contains(err.Error(), `metadata.name: "long-soak" is also the name of`) {
		t.Errorf("LoadGameDays with a duplicate name: error = %v", err)
	}
	if _, err := LoadGameDays(filepath.Join(dir, "missing")); err == nil {
		t.Error("LoadGameDays of a missing directory: no error")
	}
}

func TestResolveGameDaysDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if got := ResolveGameDaysDir(""); got != "" {
		t.Errorf("no directories: %q, want none", got)
	}
	if err := os.Mkdir("examples", 0o755); err != nil {
		t.Fatal(err)
	}
	if got := ResolveGameDaysDir(""); got != "examples" {
		t.Errorf("examples only: %q", got)
	}
	if err := os.Mkdir("gamedays", 0o755); err != nil {
		t.Fatal(err)
	}
	if got := ResolveGameDaysDir(""); got != "gamedays" {
		t.Errorf("both: %q, want gamedays", got)
	}
	if got := ResolveGameDaysDir("mine"); got != "mine" {
		t.Errorf("given: %q", got)
	}
}
