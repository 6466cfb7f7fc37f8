package validate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gameday-dev/gameday/pkg/golden"
)

const schemaFile = "../../docs/gameday.schema.json"

// TestSchemaCommitted fails when docs/gameday.schema.json is not what
// `gameday schema` prints; refresh it with go test ./pkg/validate -update.
func TestSchemaCommitted(t *testing.T) {
	got, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden.Check(t, schemaFile, got)
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return s
}

// yamlInstance reads a YAML file as the JSON value an editor validates.
func yamlInstance(t *testing.T, file string) any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// TestSchemaAcceptsGoodFiles: every example and good test file validates
// against the schema.
func TestSchemaAcceptsGoodFiles(t *testing.T) {
	s := compileSchema(t)
	for _, file := range goodFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if err := s.Validate(yamlInstance(t, file)); err != nil {
				t.Errorf("%s does not validate against the schema:\n%v", file, err)
			}
		})
	}
}

// TestSchemaRefusesBadFiles: the schema refuses what it can say, such as
// typos in the GameDay and inside a Chaos Mesh spec, and unknown kinds.
func TestSchemaRefusesBadFiles(t *testing.T) {
	s := compileSchema(t)
	tests := []struct {
		file string
		want string // in the validation error
	}{
		{"../gameday/testdata/bad/unknown-fields.yaml", "lables"},
		{"../gameday/testdata/bad/unknown-kind.yaml", "value must be 'NetworkChaos'"},
		{"testdata/bad/cr-unknown-fields.yaml", "selectr"},
		{"../gameday/testdata/bad/types.yaml", "report"},
		{"testdata/bad/litmus.yaml", "appInfo"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			err := s.Validate(yamlInstance(t, tt.file))
			if err == nil {
				t.Fatalf("%s validates against the schema; want an error", tt.file)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) {
				t.Errorf("schema error for %s does not mention %q:\n%s", tt.file, tt.want, msg)
			}
		})
	}
}

// TestSchemaIDServesTheFile: the schema's $id, which gameday import writes
// as the editor's $schema, is the raw address of docs/gameday.schema.json
// in the module's repository (github.com/OWNER/REPO's main branch), not a
// page: an editor loads the JSON from it.
func TestSchemaIDServesTheFile(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(mod), "\n")
	repo, ok := strings.CutPrefix(strings.TrimSpace(strings.TrimPrefix(line, "module")), "github.com/")
	if !ok {
		t.Fatalf("go.mod's module %q is not on github.com", line)
	}
	if want := "https://raw.githubusercontent.com/" + repo + "/main/docs/" + filepath.Base(schemaFile); SchemaID != want {
		t.Errorf("SchemaID = %q, want %q", SchemaID, want)
	}
}
