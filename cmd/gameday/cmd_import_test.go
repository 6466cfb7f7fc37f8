package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/importer"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
	"github.com/gameday-dev/gameday/pkg/validate"
)

const (
	consoleTemplate     = "../../pkg/importer/testdata/console-request/template.json"
	placeholderTemplate = "../../pkg/importer/testdata/library-placeholders/template.json"
)

func runImport(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"import"}, args...), &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

func TestImportCommand(t *testing.T) {
	console, err := os.ReadFile(consoleTemplate)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("file to stdout", func(t *testing.T) {
		code, out, errs := runImport(t, "", consoleTemplate)
		if code != exitOK {
			t.Fatalf("exit %d, stderr:\n%s", code, errs)
		}
		if _, err := validate.File("out.yaml", []byte(out)); err != nil {
			t.Errorf("stdout does not validate: %v", err)
		}
		for _, want := range []string{
			"gameday: imported a CreateExperimentTemplate request as GameDay carts-latency-console (2 chaosMesh, 1 fis) to standard output",
			"gameday: attention: actions.KillOneCarts.Pod.parameters.kubernetesSpec: the Chaos Mesh selector picks every pod",
			"gameday: render it as the template was: gameday render FILE --role-arn arn:aws:iam::111122223333:role/FISExperimentRole --log-bucket shop-fis-logs --log-prefix experiments/",
		} {
			if !strings.Contains(errs, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errs)
			}
		}
	})
	t.Run("stdin", func(t *testing.T) {
		code, out, errs := runImport(t, string(console), "-", "--name", "from-stdin")
		if code != exitOK {
			t.Fatalf("exit %d, stderr:\n%s", code, errs)
		}
		if !strings.Contains(out, "Imported by gameday import from standard input") || !strings.Contains(out, "name: from-stdin") {
			t.Errorf("stdout:\n%s", out)
		}
	})
	t.Run("out, then no overwrite without --force", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "gd.yaml")
		if code, _, errs := runImport(t, "", consoleTemplate, "--out", file); code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		first, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := validate.File(file, first); err != nil {
			t.Errorf("%s does not validate: %v", file, err)
		}
		code, _, errs := runImport(t, "", consoleTemplate, "--out", file, "--name", "other")
		if code != exitInvalid || !strings.Contains(errs, "exists; pass --force") {
			t.Errorf("second import: exit %d, stderr %s", code, errs)
		}
		if now, _ := os.ReadFile(file); !bytes.Equal(now, first) {
			t.Errorf("the refused import changed %s", file)
		}
		if code, _, errs := runImport(t, "", consoleTemplate, "--out", file, "--name", "other", "--force"); code != exitOK {
			t.Fatalf("--force: exit %d: %s", code, errs)
		}
		if now, _ := os.ReadFile(file); !bytes.Contains(now, []byte("name: other")) {
			t.Errorf("--force did not overwrite:\n%s", now)
		}
	})
	t.Run("placeholders: written, reported, exit 1", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "lib.yaml")
		code, _, errs := runImport(t, "", placeholderTemplate, "--out", file)
		if code != exitInvalid {
			t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInvalid, errs)
		}
		for _, want := range []string{
			"gameday: placeholder: spec.target.cluster: arn:aws:eks:<YOUR REGION>:<YOUR AWS ACCOUNT>:cluster/<YOUR EKS CLUSTER>",
			"gameday: placeholder: roleArn: arn:aws:iam::<YOUR AWS ACCOUNT>:role/<YOUR FIS ROLE NAME>",
			": spec.target.cluster: \"arn:aws:eks:<YOUR REGION>",
			"the GameDay does not validate yet",
		} {
			if !strings.Contains(errs, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errs)
			}
		}
		if _, err := os.Stat(file); err != nil {
			t.Errorf("the file to fix was not written: %v", err)
		}
	})
	t.Run("refused: nothing written", func(t *testing.T) {
		dir := t.TempDir()
		src := filepath.Join(dir, "multi.json")
		if err := os.WriteFile(src, []byte(`{"actions":{"w":{"actionId":"aws:fis:wait","parameters":{"duration":"PT1M"}}},"experimentOptions":{"accountTargeting":"multi-account"}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "out.yaml")
		code, out, errs := runImport(t, "", src, "--out", file)
		if code != exitInvalid || !strings.Contains(errs, "experimentOptions.accountTargeting: multi-account") {
			t.Errorf("exit %d, stderr %s", code, errs)
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) || out != "" {
			t.Errorf("a refused import wrote something: stat %v, stdout %q", err, out)
		}
	})
	t.Run("write fails halfway: no partial file", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "taken")
		if err := os.Mkdir(target, 0o755); err != nil { // a directory where the file should go
			t.Fatal(err)
		}
		code, _, errs := runImport(t, "", consoleTemplate, "--out", target, "--force")
		if code != exitInvalid || !strings.Contains(errs, "write "+target) {
			t.Errorf("exit %d, stderr %s", code, errs)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("left behind: %v", names)
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{{}, {consoleTemplate, "--id", "EXT1"}, {"a.json", "b.json"}} {
			if code, _, errs := runImport(t, "", args...); code != exitUsage {
				t.Errorf("import %v: exit %d, want %d (%s)", args, code, exitUsage, errs)
			}
		}
	})
	t.Run("not a template", func(t *testing.T) {
		code, _, errs := runImport(t, `{"Actions":{}}`, "-")
		if code != exitInvalid || !strings.Contains(errs, "gameday: standard input: decode template: Actions: unknown field; FIS spells it actions") {
			t.Errorf("exit %d, stderr %s", code, errs)
		}
	})
}

// TestImportByID reads a template from the simulator with --id, through
// the default AWS configuration chain (AWS_ENDPOINT_URL), as against AWS.
func TestImportByID(t *testing.T) {
	s, cfg := simtest.New(t, sim.Options{})
	data, err := os.ReadFile(consoleTemplate)
	if err != nil {
		t.Fatal(err)
	}
	src, err := importer.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	created, err := fis.NewFromConfig(cfg).CreateExperimentTemplate(context.Background(), src.Template)
	if err != nil {
		t.Fatal(err)
	}
	id := *created.ExperimentTemplate.Id
	t.Setenv("AWS_ENDPOINT_URL", s.URL())
	t.Setenv("AWS_REGION", s.Region())
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDGAMEDAYSIM")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "gameday-sim-secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "")

	code, out, errs := runImport(t, "", "--id", id)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	if !strings.Contains(errs, "imported a GetExperimentTemplate response as GameDay carts-latency-console (2 chaosMesh, 1 fis)") {
		t.Errorf("stderr:\n%s", errs)
	}
	if !strings.Contains(out, "Imported by gameday import from "+id) {
		t.Errorf("the header does not name the template:\n%s", out)
	}
	if _, err := validate.File("by-id.yaml", []byte(out)); err != nil {
		t.Errorf("does not validate: %v", err)
	}
	code, _, errs = runImport(t, "", "--id", "EXTmissing")
	if code != exitInvalid || !strings.Contains(errs, "get experiment template EXTmissing") {
		t.Errorf("unknown id: exit %d, stderr %s", code, errs)
	}
}
