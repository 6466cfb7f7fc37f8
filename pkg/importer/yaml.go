package importer

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// yaml writes the GameDay file: the schema line, a header saying where it
// came from, how it renders back and what needs a person, then the GameDay
// in the field order of its type with comments on the fields they concern.
func (im *importer) yaml(o Options, r *Result) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# yaml-language-server: $schema=%s\n#\n", validate.SchemaID)
	from := string(im.src.Shape)
	if im.src.ID != "" {
		from += ", template " + im.src.ID
	}
	if o.Origin != "" {
		from = o.Origin + " (" + from + ")"
	}
	writeComment(&b, "", "Imported by gameday import from "+from+".")
	args := append([]string{"gameday", "render", o.File}, r.RenderArgs...)
	writeComment(&b, "", "Render it as the template was with:")
	b.WriteString("#   " + strings.Join(args, " ") + "\n")
	writeComment(&b, "", "(the role and log bucket are the deployment's: a deployed GameDay uses the stack's).")
	var differs, attention []string
	for _, n := range r.Notes {
		switch {
		case n.Changes:
			differs = append(differs, n.String())
		case n.Level == Attention:
			attention = append(attention, n.String())
		}
	}
	for _, p := range r.Placeholders {
		attention = append(attention, fmt.Sprintf("placeholder at %s: %s", p.Path, p.Value))
	}
	for _, list := range []struct {
		title string
		items []string
	}{{"What differs from the template:", differs}, {"Needs a person's attention:", attention}} {
		if len(list.items) == 0 {
			continue
		}
		writeComment(&b, "", "")
		writeComment(&b, "", list.title)
		for _, it := range list.items {
			writeItem(&b, it)
		}
	}
	writeComment(&b, "", "")
	writeComment(&b, "", "Add the hypothesis: what should stay true, as steadyState checks on")
	writeComment(&b, "", "CloudWatch metrics, so that the run has a verdict.")

	cm := yaml.CommentMap{}
	for _, p := range slices.Sorted(maps.Keys(im.comments)) {
		var lines []string
		for _, c := range im.comments[p] {
			lines = append(lines, wrap(c, 76)...)
		}
		for i := range lines {
			lines[i] = " " + lines[i]
		}
		cm["$."+p] = []*yaml.Comment{yaml.HeadComment(lines...)}
	}
	body, err := yaml.MarshalWithOptions(im.spec, yaml.WithComment(cm), yaml.Indent(2), yaml.IndentSequence(true),
		yaml.CustomMarshaler[gameday.Duration](func(d gameday.Duration) ([]byte, error) { return []byte(gameday.Short(d.Duration)), nil }))
	if err != nil {
		return nil, fmt.Errorf("write yaml: %w", err)
	}
	b.Write(body)
	if len(im.spec.Spec.StopConditions) == 0 {
		b.WriteString("  # The template has no stop condition, so nothing but maxDuration ends the\n")
		b.WriteString("  # faults early. Add one, for example:\n")
		b.WriteString("  # stopConditions:\n")
		b.WriteString("  #   - alarmArn: arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME\n")
	}
	return b.Bytes(), nil
}

func writeComment(b *bytes.Buffer, indent, text string) {
	if text == "" {
		b.WriteString("#\n")
		return
	}
	for _, l := range wrap(text, 78-len(indent)) {
		b.WriteString("# ")
		b.WriteString(indent)
		b.WriteString(l)
		b.WriteString("\n")
	}
}

// writeItem writes a list item, its continuation lines indented under it.
func writeItem(b *bytes.Buffer, text string) {
	for i, l := range wrap(text, 74) {
		if i == 0 {
			b.WriteString("#   - ")
		} else {
			b.WriteString("#     ")
		}
		b.WriteString(l)
		b.WriteString("\n")
	}
}

// wrap breaks text into lines of at most width characters at spaces (a
// longer word stays whole).
func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range strings.Fields(text) {
		if cur.Len() > 0 && cur.Len()+1+len(w) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 || len(lines) == 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
