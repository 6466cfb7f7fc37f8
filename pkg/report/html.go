package report

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"
)

type htmlData struct {
	S        Summary
	Title    string
	Charts   []htmlChart
	Checks   []htmlCheck
	Timeline []htmlEvent
	Class    string
}

// htmlChart is a chart with its layouts, one per size.
type htmlChart struct {
	Chart
	Sizes []svgChart
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
// script, no external assets) with the verdict, a chart per steady-state
// check, observed metric and stop condition over the before, during and
// after windows (each fault's run shaded and named, thresholds drawn, ALARM
// periods shaded, the moment FIS stopped marked), the checks, the facts and
// the timeline. Each chart is laid out at a phone's, a narrow window's and a
// laptop's width; CSS shows the one that fits.
func HTML(r Run, s Summary) ([]byte, error) {
	d := htmlData{S: s, Title: "GameDay " + s.GameDay + ": " + s.Verdict, Class: verdictClass(s.Verdict)}
	for _, c := range s.Hypothesis.Checks {
		d.Checks = append(d.Checks, htmlCheck{Check: c, ValueText: valueText(c), ExpectText: ExpectText(c.Expect)})
	}
	for _, e := range s.Timeline {
		d.Timeline = append(d.Timeline, htmlEvent{At: e.At.UTC().Format(time.RFC3339), Text: EventText(e), Kind: e.Type})
	}
	for _, c := range Charts(r, s) {
		hc := htmlChart{Chart: c}
		if c.NoData == "" {
			for _, sz := range chartSizes {
				hc.Sizes = append(hc.Sizes, c.layout(sz.Class, sz.W, sz.H))
			}
		}
		d.Charts = append(d.Charts, hc)
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

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper":    strings.ToUpper,
	"cap":      capitalize,
	"sentence": sentence,
	"time":     fmtTimePtr,
	"num":      num,
	"sub":      func(a, b float64) string { return coord(a - b) },
	"mod3":     func(i int) int { return i % 3 },
	"clock":    func(t time.Time) string { return t.UTC().Format("15:04:05") },
}).Parse(chartHTML + pageHTML))

// chartHTML is the page's style and a chart's figure, shared by
// report.html and the history page.
const chartHTML = `{{define "style"}}:root{--fg:#1d2433;--muted:#5f6368;--bg:#fff;--line:#dadce0;--grid:#eceff1;--axis:#9aa0a6;--series:#1a73e8;--thr:#d93025;--fault0:#f29900;--fault1:#9334e6;--fault2:#12b5cb;--alarm:#d93025;--stop:#1d2433;--okbg:#e6f4ea;--ok:#1e8e3e;--warnbg:#fef7e0;--warn:#b06000;--badbg:#fce8e6;--bad:#d93025}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--muted:#bdc1c6;--bg:#16181d;--line:#3c4043;--grid:#2a2d33;--axis:#80868b;--series:#8ab4f8;--thr:#f28b82;--fault0:#fdd663;--fault1:#c58af9;--fault2:#78d9ec;--alarm:#f28b82;--stop:#e8eaed;--okbg:#0f2e1a;--ok:#81c995;--warnbg:#33290b;--warn:#fdd663;--badbg:#3b1614;--bad:#f28b82}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem auto;max-width:980px;padding:0 1rem;color:var(--fg);background:var(--bg);line-height:1.45}
h1{font-size:1.5rem;margin:0 0 .25rem;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
h3{font-size:1rem;margin:0;overflow-wrap:anywhere}
.verdict{padding:.75rem 1rem;border-radius:6px;font-size:1.1rem;margin:.75rem 0}
.ok{background:var(--okbg);border-left:6px solid var(--ok)}
.warn{background:var(--warnbg);border-left:6px solid var(--warn)}
.bad{background:var(--badbg);border-left:6px solid var(--bad)}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);font-size:.92rem;vertical-align:top}
td,code{overflow-wrap:anywhere;word-break:break-word}
.refuted{color:var(--bad);font-weight:600}
.held{color:var(--ok)}
.inconclusive{color:var(--muted)}
code{font-size:.85rem}
small,.sub{color:var(--muted)}
a{color:var(--series)}
figure.chart{margin:0 0 1.5rem;padding:0}
figure.chart .sub{font-size:.85rem;margin:.1rem 0 .3rem;overflow-wrap:anywhere}
.badge{font-size:.8rem;font-weight:600;padding:.05rem .4rem;border-radius:4px;border:1px solid currentColor;margin-left:.4rem;white-space:nowrap}
.badge.observe,.badge.stop{color:var(--muted);font-weight:400}
svg.plot{display:none;width:100%;height:auto}
@media (max-width:559px){svg.plot.s{display:block}}
@media (min-width:560px) and (max-width:839px){svg.plot.m{display:block}}
@media (min-width:840px){svg.plot.l{display:block}}
svg text{font-size:12px;fill:var(--muted);font-family:inherit}
svg text.title{fill:var(--fg);font-weight:600}
.fault{opacity:.16}.f0{fill:var(--fault0)}.f1{fill:var(--fault1)}.f2{fill:var(--fault2)}
svg text.flabel{fill:var(--fg)}
.alarm{fill:var(--alarm);opacity:.18}
svg text.alabel{fill:var(--alarm);font-weight:600}
.series{fill:none;stroke:var(--series);stroke-width:2;stroke-linejoin:round}
.dot{fill:var(--series)}
.threshold{stroke:var(--thr);stroke-width:1.5;stroke-dasharray:6 4}
svg text.tlabel{fill:var(--thr)}
.stopped{stroke:var(--stop);stroke-width:2}
svg text.slabel{fill:var(--stop);font-weight:600}
.axis{stroke:var(--axis)}
.grid{stroke:var(--grid)}
.nodata{border:1px dashed var(--line);border-radius:6px;padding:1.5rem 1rem;text-align:center;color:var(--muted);margin:.25rem 0}
ul.legend{list-style:none;padding:0;margin:.2rem 0 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.85rem;color:var(--muted)}
.sw{display:inline-block;width:1.4em;height:.8em;vertical-align:middle;margin-right:.3em}
.sw.series{border:0;border-top:2px solid var(--series);height:0}
.sw.threshold{border-top:2px dashed var(--thr);height:0}
.sw.fault{opacity:.45}.sw.f0{background:var(--fault0)}.sw.f1{background:var(--fault1)}.sw.f2{background:var(--fault2)}
.sw.alarm{background:var(--alarm);opacity:.45}
.sw.stopped{width:0;height:1em;border-left:2px solid var(--stop)}
li.action-error,li.experiment-end{font-weight:600}
ul.timeline{padding-left:1.2rem}
@media (max-width:559px){
 body{margin:1rem auto;padding:0 .75rem}
 table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
 table.cards tr:first-child{display:none}
 table.cards tr{border-bottom:1px solid var(--line);padding:.35rem 0}
 table.cards td{border:0;padding:.1rem 0}
 table.cards td::before{content:attr(data-label) ": ";color:var(--muted)}
 table.facts th{width:7.5rem}
}
{{end}}
{{- define "chart"}}{{$c := .}}
<figure class="chart" data-chart="{{.Name}}" data-kind="{{.Kind}}">
<h3>{{.Name}}{{if eq .Kind "check"}}{{with .Result}} <span class="badge {{.}}">{{.}}</span>{{end}}{{else if eq .Kind "observe"}} <span class="badge observe">observed</span>{{else if eq .Kind "stop"}} <span class="badge stop">stop condition</span>{{end}}</h3>
<p class="sub">{{.Subtitle}}</p>
{{- if .NoData}}
<p class="nodata">{{.NoData}}</p>
{{- else}}
{{- range $s := .Sizes}}
<svg class="plot {{.Class}}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{$c.Name}}: {{.YLabel}}">
<text class="title" x="{{.Left}}" y="14">{{.YLabel}}</text>
{{- range .YTicks}}
<line class="grid" x1="{{$s.Left}}" x2="{{$s.Right}}" y1="{{.Pos}}" y2="{{.Pos}}"/><text x="{{$s.Left}}" dx="-6" y="{{.Pos}}" dy="4" text-anchor="end">{{.Label}}</text>
{{- end}}
{{- range .Faults}}
<rect class="{{.Class}}" x="{{.X}}" y="{{$s.Top}}" width="{{.W}}" height="{{sub $s.Bottom $s.Top}}"/>
{{- end}}
{{- range .Alarms}}
<rect class="{{.Class}}" x="{{.X}}" y="{{$s.Top}}" width="{{.W}}" height="{{sub $s.Bottom $s.Top}}"/><text class="alabel" x="{{.LabelX}}" y="{{.LabelY}}">{{.Label}}</text>
{{- end}}
{{- range .Faults}}
<text class="flabel" x="{{.LabelX}}" y="{{.LabelY}}">{{.Label}}</text>
{{- end}}
<line class="axis" x1="{{.Left}}" x2="{{.Right}}" y1="{{.Bottom}}" y2="{{.Bottom}}"/>
<line class="axis" x1="{{.Left}}" x2="{{.Left}}" y1="{{.Top}}" y2="{{.Bottom}}"/>
{{- range .XTicks}}
<text x="{{.Pos}}" y="{{$s.Bottom}}" dy="17" text-anchor="{{.Anchor}}">{{.Label}}</text>
{{- end}}
{{- range .Thresholds}}
<line class="threshold" x1="{{$s.Left}}" x2="{{$s.Right}}" y1="{{.Y}}" y2="{{.Y}}"/><text class="tlabel" x="{{$s.Right}}" y="{{.LabelY}}" text-anchor="end">{{.Label}}</text>
{{- end}}
{{- with .Path}}
<path class="series" d="{{.}}"/>
{{- end}}
{{- range .Dots}}
<circle class="dot" cx="{{.X}}" cy="{{.Y}}" r="2.5"/>
{{- end}}
{{- with .Stopped}}
<line class="stopped" x1="{{.Pos}}" x2="{{.Pos}}" y1="{{$s.Top}}" y2="{{$s.Bottom}}"/><text class="slabel" x="{{.LabelX}}" y="{{$s.Top}}" dy="-6" text-anchor="{{.Anchor}}">{{.Label}}</text>
{{- end}}
</svg>
{{- end}}
{{- end}}
<ul class="legend">
{{- if .Points}}<li><span class="sw series"></span>{{.YLabel}}</li>{{end}}
{{- range .Thresholds}}<li><span class="sw threshold"></span>threshold {{num .}}</li>{{end}}
{{- range $i, $f := .Faults}}<li><span class="sw fault f{{mod3 $i}}"></span>fault {{.Name}} ({{clock .Start}}–{{clock .End}})</li>{{end}}
{{- if .Alarm}}<li><span class="sw alarm"></span>in ALARM</li>{{end}}
{{- if not .Stopped.IsZero}}<li><span class="sw stopped"></span>FIS stopped the experiment</li>{{end}}
</ul>
</figure>
{{- end}}`

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{.Title}}</title>
<style>
{{template "style"}}</style>
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

<h2>Metrics</h2>
<p><small>Times in UTC. Each point is drawn at the end of the period it sums up, so a change caused by a fault appears after the fault's start.{{with .S.Dashboard}} Live view: <a href="{{.}}">the GameDay's CloudWatch dashboard</a>.{{end}}</small></p>
{{- range $c := .Charts}}
{{template "chart" .}}
{{- else}}
<p>No metrics: the GameDay has no steady-state checks, observed metrics or stop conditions.</p>
{{- end}}

<h2>Checks</h2>
<table class="cards">
<tr><th>Check</th><th>Phase</th><th>Value</th><th>Expect</th><th>Datapoints</th><th>Result</th></tr>
{{- range .Checks}}
<tr><td data-label="Check">{{.Name}}</td><td data-label="Phase">{{.Phase}}</td><td data-label="Value">{{.ValueText}}</td><td data-label="Expect">{{.ExpectText}}</td><td data-label="Datapoints">{{.Datapoints}}</td><td data-label="Result" class="{{.Result}}">{{.Result}}</td></tr>
{{- end}}
</table>

<h2>Run</h2>
<table class="facts">
<tr><th>Experiment</th><td><code>{{.S.ExperimentID}}</code> (template <code>{{.S.ExperimentTemplateID}}</code>)</td></tr>
<tr><th>State</th><td>{{.S.State}}{{with .S.StopReason}}: {{.}}{{end}}</td></tr>
{{- with .S.StoppedByAlarm}}
<tr><th>Stopped by alarm</th><td>{{.}}</td></tr>
{{- end}}
<tr><th>Started</th><td>{{time .S.StartedAt}}</td></tr>
<tr><th>Ended</th><td>{{time .S.EndedAt}}</td></tr>
<tr><th>Execution</th><td><code>{{.S.ExecutionARN}}</code></td></tr>
{{- with .S.Dashboard}}
<tr><th>Dashboard</th><td><a href="{{.}}">CloudWatch dashboard</a></td></tr>
{{- end}}
{{- with .S.Error}}
<tr><th>Caught error</th><td>{{.Error}}: {{.Cause}}</td></tr>
{{- end}}
</table>

<h2>Faults</h2>
<table class="cards">
<tr><th>Fault</th><th>State</th><th>Started</th><th>Ended</th></tr>
{{- range .S.Faults}}
<tr><td data-label="Fault">{{.Name}}</td><td data-label="State">{{.State}}{{with .Reason}}: {{.}}{{end}}</td><td data-label="Started">{{time .StartedAt}}</td><td data-label="Ended">{{time .EndedAt}}</td></tr>
{{- end}}
</table>

<h2>Stop conditions</h2>
<table class="cards">
<tr><th>Alarm</th><th>Went into ALARM</th></tr>
{{- range .S.StopConditions}}
<tr><td data-label="Alarm">{{.Alarm}}</td><td data-label="Went into ALARM">{{if .WentIntoAlarm}}yes, at {{time .AlarmAt}}{{else}}no{{end}}</td></tr>
{{- end}}
</table>

<h2>Timeline</h2>
<ul class="timeline">
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
