package report

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Chart geometry, in SVG user units.
const (
	chartW      = 720
	chartH      = 240
	plotLeft    = 64
	plotRight   = chartW - 16
	plotTop     = 16
	plotBottom  = chartH - 36
	yPadFrac    = 0.1
	xLabelCount = 4
)

// chart is one check's metric, ready to draw.
type chart struct {
	Title      string
	Subtitle   string
	Line       string // polyline points
	Dots       []point
	Shade      rect // the fault period
	HasShade   bool
	Lines      []hline // thresholds
	YTicks     []tick
	XTicks     []tick
	Empty      bool
	Left       int
	Right      int
	Top        int
	Bottom     int
	Width      int
	Height     int
	PlotWidth  int
	PlotHeight int
}

type point struct{ X, Y string }

type rect struct{ X, W string }

type hline struct {
	Y     string
	Label string
}

type tick struct {
	Pos   string
	Label string
}

type htmlData struct {
	S        Summary
	Title    string
	Charts   []chart
	Checks   []htmlCheck
	Timeline []htmlEvent
	Class    string
}

type htmlCheck struct {
	Check
	ValueText  string
	ExpectText string
}

type htmlEvent struct {
	At   string
	Text string
	Kind string
}

// HTML is report.html: one self-contained page (inline CSS and SVG, no
// external assets) with the verdict, a line chart per checked metric over
// the before, during and after windows (fault period shaded, thresholds
// drawn), the checks and the timeline.
func HTML(r Run, s Summary) ([]byte, error) {
	d := htmlData{S: s, Title: "GameDay " + s.GameDay + ": " + s.Verdict, Class: verdictClass(s.Verdict)}
	for _, c := range s.Hypothesis.Checks {
		d.Checks = append(d.Checks, htmlCheck{Check: c, ValueText: valueText(c), ExpectText: ExpectText(c.Expect)})
	}
	for _, e := range s.Timeline {
		d.Timeline = append(d.Timeline, htmlEvent{At: e.At.UTC().Format(time.RFC3339), Text: EventText(e), Kind: e.Type})
	}
	if r.Spec != nil {
		series := r.seriesByCheck()
		for _, c := range r.Spec.Spec.Hypothesis.SteadyState {
			d.Charts = append(d.Charts, newChart(c, r.Windows, series[c.Name]))
		}
	}
	var b bytes.Buffer
	if err := page.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render report.html: %w", err)
	}
	return b.Bytes(), nil
}

func verdictClass(v string) string {
	switch v {
	case VerdictPassed:
		return "ok"
	case VerdictRefuted, VerdictStoppedByAlarm, VerdictInconclusive:
		return "warn"
	}
	return "bad"
}

// newChart scales a check's series into the plot area. The x axis spans the
// before window's start to the after window's end; the y axis spans the data
// and the thresholds, padded by 10 %.
func newChart(c gameday.SteadyCheck, w Windows, pts []Point) chart {
	ch := chart{
		Title:    c.Name,
		Subtitle: fmt.Sprintf("%s/%s %s, period %ds, expect %s", c.Metric.Namespace, c.Metric.Name, c.Metric.Stat, c.Metric.Period, ExpectText(c.Expect)),
		Left:     plotLeft, Right: plotRight, Top: plotTop, Bottom: plotBottom,
		Width: chartW, Height: chartH, PlotWidth: plotRight - plotLeft, PlotHeight: plotBottom - plotTop,
	}
	t0, t1 := w.Before.Start, w.After.End
	if t0.IsZero() || !t1.After(t0) {
		ch.Empty = true
		return ch
	}
	var in []Point
	for _, p := range pts {
		if !p.T.Before(t0) && !p.T.After(t1) {
			in = append(in, p)
		}
	}
	var thresholds []float64
	switch {
	case c.Expect.Below != nil:
		thresholds = []float64{*c.Expect.Below}
	case c.Expect.Above != nil:
		thresholds = []float64{*c.Expect.Above}
	case len(c.Expect.Between) == 2:
		thresholds = c.Expect.Between
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range in {
		lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
	}
	for _, v := range thresholds {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	pad := (hi - lo) * yPadFrac
	step := niceStep((hi - lo + 2*pad) / xLabelCount)
	lo, hi = math.Floor((lo-pad)/step)*step, math.Ceil((hi+pad)/step)*step
	span := t1.Sub(t0).Seconds()
	x := func(t time.Time) float64 {
		return plotLeft + t.Sub(t0).Seconds()/span*float64(plotRight-plotLeft)
	}
	y := func(v float64) float64 {
		return plotBottom - (v-lo)/(hi-lo)*float64(plotBottom-plotTop)
	}
	var line []string
	for _, p := range in {
		px, py := coord(x(p.T)), coord(y(p.V))
		line = append(line, px+","+py)
		ch.Dots = append(ch.Dots, point{X: px, Y: py})
	}
	ch.Line = strings.Join(line, " ")
	ch.Empty = len(in) == 0
	if !w.During.Empty() {
		x0, x1 := x(w.During.Start), x(w.During.End)
		ch.Shade, ch.HasShade = rect{X: coord(x0), W: coord(x1 - x0)}, true
	}
	for _, v := range thresholds {
		ch.Lines = append(ch.Lines, hline{Y: coord(y(v)), Label: num(v)})
	}
	for i := 0; ; i++ {
		v := lo + float64(i)*step
		if v > hi+step/2 {
			break
		}
		ch.YTicks = append(ch.YTicks, tick{Pos: coord(y(v)), Label: num(v)})
	}
	for _, t := range []time.Time{t0, w.During.Start, w.During.End, t1} {
		if t.IsZero() {
			continue
		}
		ch.XTicks = append(ch.XTicks, tick{Pos: coord(x(t)), Label: t.UTC().Format("15:04:05")})
	}
	return ch
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / p; {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 5:
		return 5 * p
	}
	return 10 * p
}

func coord(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper":    strings.ToUpper,
	"cap":      capitalize,
	"sentence": sentence,
	"time":     fmtTimePtr,
	"num":      num,
}).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:960px;padding:0 1rem;color:#1d2433}
h1{font-size:1.6rem;margin-bottom:.25rem}
.verdict{padding:.75rem 1rem;border-radius:6px;font-size:1.1rem;margin:1rem 0}
.ok{background:#e6f4ea;border-left:6px solid #1e8e3e}
.warn{background:#fef7e0;border-left:6px solid #f29900}
.bad{background:#fce8e6;border-left:6px solid #d93025}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}
th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #dadce0;font-size:.92rem}
td.refuted{color:#d93025;font-weight:600}
td.held{color:#1e8e3e}
td.inconclusive{color:#80868b}
code{font-size:.85rem}
svg{display:block;margin:.25rem 0 1.5rem;max-width:100%;height:auto}
svg text{font-size:11px;fill:#5f6368}
.fault{fill:#f29900;opacity:.15}
.series{fill:none;stroke:#1a73e8;stroke-width:2}
.dot{fill:#1a73e8}
.threshold{stroke:#d93025;stroke-dasharray:6 4}
.axis{stroke:#9aa0a6}
.grid{stroke:#eceff1}
li.action-error,li.experiment-end{font-weight:600}
</style>
</head>
<body>
<h1>GameDay {{.S.GameDay}}</h1>
<div class="verdict {{.Class}}"><strong>{{upper .S.Verdict}}</strong>: {{sentence .S.VerdictReason}}</div>
{{- if .S.Hypothesis.Description}}
<p>Hypothesis: {{.S.Hypothesis.Description}} <strong>{{.S.Hypothesis.Verdict}}</strong>{{with .S.Hypothesis.Reason}}: {{.}}{{end}}.</p>
{{- else}}
<p>Hypothesis: <strong>{{.S.Hypothesis.Verdict}}</strong>{{with .S.Hypothesis.Reason}}: {{.}}{{end}}.</p>
{{- end}}
{{- if and (not .S.Logs.Complete) .S.ExperimentID}}
<p class="verdict warn">FIS did not deliver the experiment-end log record in time; the logs and timeline may be incomplete.</p>
{{- end}}
<table>
<tr><th>Experiment</th><td><code>{{.S.ExperimentID}}</code> (template <code>{{.S.ExperimentTemplateID}}</code>)</td></tr>
<tr><th>State</th><td>{{.S.State}}{{with .S.StopReason}}: {{.}}{{end}}</td></tr>
{{- with .S.StoppedByAlarm}}
<tr><th>Stopped by alarm</th><td>{{.}}</td></tr>
{{- end}}
<tr><th>Started</th><td>{{time .S.StartedAt}}</td></tr>
<tr><th>Ended</th><td>{{time .S.EndedAt}}</td></tr>
<tr><th>Execution</th><td><code>{{.S.ExecutionARN}}</code></td></tr>
{{- with .S.Error}}
<tr><th>Caught error</th><td>{{.Error}}: {{.Cause}}</td></tr>
{{- end}}
</table>

<h2>Steady-state metrics</h2>
{{- range $c := .Charts}}
<h3>{{.Title}}</h3>
<p><small>{{.Subtitle}}; the shaded band is the fault period, dashed lines the thresholds.</small></p>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="{{.Title}}">
{{- range .YTicks}}
<line class="grid" x1="{{$c.Left}}" x2="{{$c.Right}}" y1="{{.Pos}}" y2="{{.Pos}}"/><text x="{{$c.Left}}" dx="-6" y="{{.Pos}}" dy="4" text-anchor="end">{{.Label}}</text>
{{- end}}
{{- if .HasShade}}
<rect class="fault" x="{{.Shade.X}}" y="{{.Top}}" width="{{.Shade.W}}" height="{{.PlotHeight}}"/>
{{- end}}
<line class="axis" x1="{{.Left}}" x2="{{.Right}}" y1="{{.Bottom}}" y2="{{.Bottom}}"/>
<line class="axis" x1="{{.Left}}" x2="{{.Left}}" y1="{{.Top}}" y2="{{.Bottom}}"/>
{{- range .XTicks}}
<text x="{{.Pos}}" y="{{$c.Bottom}}" dy="16" text-anchor="middle">{{.Label}}</text>
{{- end}}
{{- range .Lines}}
<line class="threshold" x1="{{$c.Left}}" x2="{{$c.Right}}" y1="{{.Y}}" y2="{{.Y}}"/><text x="{{$c.Right}}" y="{{.Y}}" dy="-4" text-anchor="end">threshold {{.Label}}</text>
{{- end}}
{{- if .Empty}}
<text x="{{.Left}}" dx="{{.PlotWidth}}" y="{{.Top}}" dy="20" text-anchor="end">no data</text>
{{- else}}
<polyline class="series" points="{{.Line}}"/>
{{- range .Dots}}
<circle class="dot" cx="{{.X}}" cy="{{.Y}}" r="2.5"/>
{{- end}}
{{- end}}
</svg>
{{- else}}
<p>No steady-state checks.</p>
{{- end}}

<h2>Checks</h2>
<table>
<tr><th>Check</th><th>Phase</th><th>Value</th><th>Expect</th><th>Datapoints</th><th>Result</th></tr>
{{- range .Checks}}
<tr><td>{{.Name}}</td><td>{{.Phase}}</td><td>{{.ValueText}}</td><td>{{.ExpectText}}</td><td>{{.Datapoints}}</td><td class="{{.Result}}">{{.Result}}</td></tr>
{{- end}}
</table>

<h2>Faults</h2>
<table>
<tr><th>Fault</th><th>State</th><th>Started</th><th>Ended</th></tr>
{{- range .S.Faults}}
<tr><td>{{.Name}}</td><td>{{.State}}{{with .Reason}}: {{.}}{{end}}</td><td>{{time .StartedAt}}</td><td>{{time .EndedAt}}</td></tr>
{{- end}}
</table>

<h2>Stop conditions</h2>
<table>
<tr><th>Alarm</th><th>Went into ALARM</th></tr>
{{- range .S.StopConditions}}
<tr><td>{{.Alarm}}</td><td>{{if .WentIntoAlarm}}yes, at {{time .AlarmAt}}{{else}}no{{end}}</td></tr>
{{- end}}
</table>

<h2>Timeline</h2>
<ul>
{{- range .Timeline}}
<li class="{{.Kind}}"><code>{{.At}}</code> {{.Text}}</li>
{{- else}}
<li>No FIS log records.</li>
{{- end}}
{{- if .S.Logs.TimelineDropped}}
<li>… {{.S.Logs.TimelineDropped}} more events left out</li>
{{- end}}
</ul>

<h2>Logs</h2>
<p>{{.S.Logs.Objects}} FIS log objects ({{.S.Logs.Bytes}} bytes, {{.S.Logs.Records}} records), archived to <code>{{.S.Logs.ArchivedTo}}</code>.{{if .S.Logs.Complete}} The experiment-end record was delivered.{{else}} Incomplete: no experiment-end record.{{end}}</p>
</body>
</html>
`
