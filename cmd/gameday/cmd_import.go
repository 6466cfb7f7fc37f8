package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/gameday-dev/gameday/pkg/importer"
)

// importCmd is `gameday import`.
type importCmd struct {
	id, out, name, region, profile string
	force                          bool
}

func (c *importCmd) define(fs *flag.FlagSet) {
	fs.StringVar(&c.id, "id", "", "read experiment template `EXT...` from the account (fis:GetExperimentTemplate; AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL apply)")
	fs.StringVar(&c.out, "out", "", "write the GameDay to `FILE` (default: standard output)")
	fs.BoolVar(&c.force, "force", false, "overwrite --out if it exists")
	fs.StringVar(&c.name, "name", "", "write `NAME` as the GameDay's metadata.name (default: from the template's tags, description or id)")
	fs.StringVar(&c.region, "region", "", "AWS `region` for --id (default: AWS_REGION or the profile's)")
	fs.StringVar(&c.profile, "profile", "", "AWS shared config `profile` for --id (default: AWS_PROFILE)")
}

func (c *importCmd) run(ctx context.Context, e *env, args []string) error {
	switch {
	case c.id == "" && len(args) == 0:
		return argsf("takes one SOURCE (a JSON file, or - for standard input) or --id EXT...")
	case c.id != "" && len(args) != 0:
		return argsf("takes a SOURCE or --id, not both")
	}
	if c.out != "" && !c.force {
		if _, err := os.Stat(c.out); err == nil {
			return fmt.Errorf("import: %s exists; pass --force to overwrite it", c.out)
		}
	}
	var src *importer.Source
	var origin string
	var err error
	if c.id != "" {
		origin = c.id
		src, err = fetchTemplate(ctx, c.id, c.region, c.profile)
	} else {
		origin = args[0]
		src, err = readTemplate(args[0], e)
	}
	if err != nil {
		return err
	}
	file := c.out
	if file == "" {
		file = "gameday.yaml"
	}
	res, err := importer.Import(src, importer.Options{Name: c.name, Origin: displayOrigin(origin), File: file})
	if err != nil {
		return err
	}
	if err := writeImport(e, c.out, res.YAML); err != nil {
		return err
	}
	return reportImport(e, c.out, src, res)
}

// newFIS makes the FIS client of --id from the default AWS configuration
// chain and the flags; tests point it at the simulator with AWS_ENDPOINT_URL.
func newFIS(ctx context.Context, region, profile string) (*fis.Client, error) {
	cfg, err := loadAWSConfig(ctx, region, profile)
	if err != nil {
		return nil, err
	}
	return fis.NewFromConfig(cfg), nil
}

func fetchTemplate(ctx context.Context, id, region, profile string) (*importer.Source, error) {
	api, err := newFIS(ctx, region, profile)
	if err != nil {
		return nil, err
	}
	return importer.Fetch(ctx, api, id)
}

// readTemplate reads and decodes a JSON template from a file or, for -,
// standard input.
func readTemplate(name string, e *env) (*importer.Source, error) {
	var r io.Reader
	if name == "-" {
		r = e.stdin
		if r == nil {
			r = strings.NewReader("")
		}
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err // an *os.PathError: it names the file
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a directory: give a JSON file", name)
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, importer.MaxSourceSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", displayOrigin(name), err)
	}
	src, err := importer.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", displayOrigin(name), err)
	}
	return src, nil
}

func displayOrigin(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// writeImport writes the GameDay to standard output or, through a file in
// the same directory renamed into place, to out: a failure halfway leaves
// no partial file.
func writeImport(e *env, out string, data []byte) error {
	if out == "" {
		if _, err := e.stdout.Write(data); err != nil {
			return fmt.Errorf("write gameday: %w", err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

// reportImport says on stderr what was imported, what differs, what needs
// a person and whether the file validates (exit 1 when it does not yet).
func reportImport(e *env, out string, src *importer.Source, res *importer.Result) error {
	kinds := map[string]int{}
	for _, f := range res.Spec.Spec.Faults {
		switch {
		case f.ChaosMesh != nil:
			kinds["chaosMesh"]++
		case f.Litmus != nil:
			kinds["litmus"]++
		default:
			kinds["fis"]++
		}
	}
	var parts []string
	for _, k := range []string{"chaosMesh", "litmus", "fis"} {
		if kinds[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
		}
	}
	where := "standard output"
	if out != "" {
		where = out
	}
	fmt.Fprintf(e.stderr, "gameday: imported a %s as GameDay %s (%s) to %s\n", src.Shape, res.Spec.Metadata.Name, strings.Join(parts, ", "), where)
	for _, n := range res.Notes {
		switch {
		case n.Changes:
			fmt.Fprintf(e.stderr, "gameday: differs: %s\n", n)
		case n.Level == importer.Attention:
			fmt.Fprintf(e.stderr, "gameday: attention: %s\n", n)
		}
	}
	for _, p := range res.Placeholders {
		fmt.Fprintf(e.stderr, "gameday: placeholder: %s: %s\n", p.Path, p.Value)
	}
	if res.Problems != nil {
		printProblems(e, orDefault(out, "gameday.yaml"), res.Problems)
		fmt.Fprintf(e.stderr, "gameday: the GameDay does not validate yet: fix the lines above, then run gameday validate %s\n", orDefault(out, "FILE"))
		return errReported
	}
	fmt.Fprintf(e.stderr, "gameday: render it as the template was: %s\n", strings.Join(append([]string{"gameday", "render", orDefault(out, "FILE")}, res.RenderArgs...), " "))
	return nil
}
