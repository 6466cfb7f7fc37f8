package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/fistemplate"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// TestFetchFromSimulator reads templates from the simulator with the real
// FIS client (the --id path): every example's rendered template and the
// console-made one. Each imports to the same GameDay as its JSON does, and
// renders back to the template the simulator holds.
func TestFetchFromSimulator(t *testing.T) {
	_, cfg := simtest.New(t, sim.Options{})
	api := fis.NewFromConfig(cfg)
	ctx := context.Background()

	var templates []*fis.CreateExperimentTemplateInput
	examples, _ := filepath.Glob("../../examples/*.yaml")
	for _, e := range examples {
		s, _, err := validate.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		// The stack's role and bucket, which a render without flags
		// leaves as placeholders that FIS would refuse.
		in, err := fistemplate.Render(s, fistemplate.Options{
			RoleARN:   "arn:aws:iam::" + sim.DefaultAccount + ":role/gameday-fis",
			LogBucket: "gameday-fis-logs-" + sim.DefaultAccount + "-" + sim.DefaultRegion,
		})
		if err != nil {
			t.Fatal(err)
		}
		templates = append(templates, in)
	}
	console, err := os.ReadFile("testdata/console-request/template.json")
	if err != nil {
		t.Fatal(err)
	}
	csrc, err := Decode(console)
	if err != nil {
		t.Fatal(err)
	}
	templates = append(templates, csrc.Template)

	for _, in := range templates {
		out, err := api.CreateExperimentTemplate(ctx, in)
		if err != nil {
			t.Fatalf("CreateExperimentTemplate %s: %v", *in.Description, err)
		}
		id := *out.ExperimentTemplate.Id
		t.Run(id, func(t *testing.T) {
			src, err := Fetch(ctx, api, id)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if src.ID != id || src.Shape != ShapeGetResponse {
				t.Errorf("source = %s %s, want %s from a response", src.Shape, src.ID, id)
			}
			got, err := Import(src, Options{File: "gameday.yaml"})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			body, err := fistemplate.JSON(in)
			if err != nil {
				t.Fatal(err)
			}
			fromFile, err := Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Import(fromFile, Options{File: "gameday.yaml"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.Spec, got.Spec); diff != "" {
				t.Errorf("the template read by id imports to another GameDay than its JSON (-json +id):\n%s", diff)
			}
			if got.Problems != nil {
				t.Fatalf("the imported GameDay does not validate: %v", got.Problems)
			}
			assertRendersBack(t, src, got)
		})
	}
}

func TestFetchUnknownTemplate(t *testing.T) {
	_, cfg := simtest.New(t, sim.Options{})
	_, err := Fetch(context.Background(), fis.NewFromConfig(cfg), "EXTnothere")
	if err == nil {
		t.Fatal("Fetch of an unknown template: no error")
	}
	if want := "get experiment template EXTnothere: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want it to start with %q", err, want)
	}
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("error = %v, want the SDK's ResourceNotFoundException wrapped", err)
	}
}
