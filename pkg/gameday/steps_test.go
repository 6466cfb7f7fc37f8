package gameday

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestCheckSpecYAML: a run's specYaml must say the GameDay the run carries,
// or be empty; the archive keeps it as the evidence of what ran.
func TestCheckSpecYAML(t *testing.T) {
	data, err := os.ReadFile("testdata/good/everything.yaml")
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := Parse("everything.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	// The GameDay as a Lambda receives it: through the execution input's JSON.
	b, err := json.Marshal(parsed)
	if err != nil {
		t.Fatal(err)
	}
	var spec *Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(string(data), "namespaces: [sock-shop]", "namespaces: [sock-shop, orders]", 1)
	if other == string(data) {
		t.Fatal("the test file no longer has the line this test changes")
	}
	tests := []struct {
		name string
		yaml string
		want string // error prefix; "" for none
	}{
		{"the same file", string(data), ""},
		{"no file", "", ""},
		{"another GameDay", other, "specYaml says another GameDay than gameday"},
		{"a comment more", "# a comment\n" + string(data), ""},
		{"not a GameDay", "apiVersion: v1\nkind: ConfigMap\n", "specYaml is not a GameDay file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := RunInput{GameDay: spec, SpecYAML: tt.yaml}.CheckSpecYAML()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckSpecYAML() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Errorf("CheckSpecYAML() = %v, want %q...", err, tt.want)
			}
		})
	}
}
