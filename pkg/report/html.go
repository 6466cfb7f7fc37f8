package report

import (
	"fmt"
	"strconv"
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
// after windows (each fault's run shaded and named, thresholds drawn, a
// check's judged value per phase drawn bold over its light datapoints,
// ALARM periods shaded, the moment FIS stopped marked), the checks, the
// facts and the timeline. Each chart is laid out at a phone's, a narrow window's and a
// laptop's width; CSS shows the one that fits.
func HTML(r Run, s Summary) []byte {
	d := htmlData{S: s, Title: "GameDay " + s.GameDay + ": " + s.Verdict, Class: verdictClass(s.Verdict)}
	for _, c := range s.Hypothesis.Checks {
		d.Checks = append(d.Checks, htmlCheck{Check: c, ValueText: valueText(c), ExpectText: expectText(c.Expect, c.Metric)})
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
	var w htmlWriter
	w.reportPage(d)
	return []byte(w.String())
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

// The pages are written by hand, not with html/template: its executor
// looks methods up by name through reflection, which makes the linker keep
// every exported method of every type the archive Lambda puts in an
// interface (all of the S3 client's operations: 2 MB of its bootstrap).
// Markup is written as is; every value goes through esc (text and quoted
// attributes) or escURL (a link), which escape exactly as html/template's
// contextual escaping did, so the pages are the same bytes
// (testdata/*/report.html, testdata/history.html).

// htmlWriter writes a page.
type htmlWriter struct{ strings.Builder }

// raw writes markup as is.
func (w *htmlWriter) raw(parts ...string) {
	for _, p := range parts {
		w.WriteString(p)
	}
}

// htmlEscapes are html/template's replacements in text, RCDATA and quoted
// attribute values; every other byte is written as is.
var htmlEscapes = [...]string{0: "\uFFFD", '"': "&#34;", '&': "&amp;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;"}

// esc escapes a value for text or a quoted attribute.
func esc(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; int(c) < len(htmlEscapes) && htmlEscapes[c] != "" {
			if written == 0 {
				b.Grow(len(s) + 16)
			}
			b.WriteString(s[written:i])
			b.WriteString(htmlEscapes[c])
			written = i + 1
		}
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

// escURL is a value for a quoted URL attribute (href), as html/template
// writes it: a URL whose scheme is not http, https or mailto becomes
// "#ZgotmplZ"; bytes outside RFC 3986's reserved and unreserved sets (and
// %) are percent-encoded; then it is escaped as an attribute.
func escURL(s string) string {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		s = "#ZgotmplZ"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&*+,/:;=?@[]-._~%", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02x", c)
	}
	return esc(b.String())
}

// val is a number as html/template printed it (fmt's %v).
func val(v any) string { return fmt.Sprint(v) }

// with is ": " and s escaped, or "" when s is empty: {{with .X}}: {{.}}{{end}}.
func with(s string) string {
	if s == "" {
		return ""
	}
	return ": " + esc(s)
}

// withPtr is with for an optional value: a non-nil pointer counts, even to
// "".
func withPtr(s *string) string {
	if s == nil {
		return ""
	}
	return ": " + esc(*s)
}

// pageHead is a page's head up to its style sheet.
func (w *htmlWriter) pageHead(title string) {
	w.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
		"<meta name=\"color-scheme\" content=\"light dark\">\n<title>", esc(title), "</title>\n<style>\n", pageStyle)
}

// reportPage is report.html.
func (w *htmlWriter) reportPage(d htmlData) {
	s := d.S
	w.pageHead(d.Title)
	w.raw("</style>\n</head>\n<body>\n<h1>GameDay ", esc(s.GameDay), "</h1>\n<div class=\"verdict ", esc(d.Class), "\"><strong>",
		esc(strings.ToUpper(s.Verdict)), "</strong>: ", esc(sentence(s.VerdictReason)), "</div>")
	if s.Hypothesis.Description != "" {
		w.raw("\n<p>Hypothesis: ", esc(s.Hypothesis.Description), " ")
	} else {
		w.raw("\n<p>Hypothesis: ")
	}
	w.raw("<strong>", esc(s.Hypothesis.Verdict), "</strong>", with(s.Hypothesis.Reason), ".</p>")
	if !s.Logs.Complete && s.ExperimentID != "" {
		w.raw("\n<p class=\"verdict warn\">FIS did not deliver the experiment-end log record in time; the logs and timeline may be incomplete.</p>")
	}
	w.raw("\n\n<h2>Metrics</h2>\n<p><small>Times in UTC. Each point is drawn at the end of the period it sums up, so a change caused by a fault appears after the fault's start. On a check's chart the datapoints are drawn light, and each phase's judged value bold over the periods it sums up: the phase's mean for an Average, its worst datapoint for any other statistic.")
	if s.Dashboard != "" {
		w.raw(" Live view: <a href=\"", escURL(s.Dashboard), "\">the GameDay's CloudWatch dashboard</a>.")
	}
	w.raw("</small></p>")
	w.charts(d.Charts, "No metrics: the GameDay has no steady-state checks, observed metrics or stop conditions.")
	w.raw("\n\n<h2>Checks</h2>\n<table class=\"cards\">\n<tr><th>Check</th><th>Phase</th><th>Value</th><th>Expect</th><th>Datapoints</th><th>Result</th></tr>")
	for _, c := range d.Checks {
		w.raw("\n<tr><td data-label=\"Check\">", esc(c.Name), "</td><td data-label=\"Phase\">", esc(string(c.Phase)),
			"</td><td data-label=\"Value\">", esc(c.ValueText), "</td><td data-label=\"Expect\">", esc(c.ExpectText),
			"</td><td data-label=\"Datapoints\">", strconv.Itoa(c.Datapoints), "</td><td data-label=\"Result\" class=\"", esc(c.Result), "\">", esc(c.Result), "</td></tr>")
	}
	w.raw("\n</table>\n<p><small>", judgedRule, "</small></p>\n\n<h2>Run</h2>\n<table class=\"facts\">\n<tr><th>Experiment</th><td><code>", esc(s.ExperimentID),
		"</code> (template <code>", esc(s.ExperimentTemplateID), "</code>)</td></tr>\n<tr><th>State</th><td>", esc(string(s.State)), withPtr(s.StopReason), "</td></tr>")
	if s.StoppedByAlarm != nil {
		w.raw("\n<tr><th>Stopped by alarm</th><td>", esc(*s.StoppedByAlarm), "</td></tr>")
	}
	w.raw("\n<tr><th>Started</th><td>", esc(fmtTimePtr(s.StartedAt)), "</td></tr>\n<tr><th>Ended</th><td>", esc(fmtTimePtr(s.EndedAt)),
		"</td></tr>\n<tr><th>Execution</th><td><code>", esc(s.ExecutionARN), "</code></td></tr>")
	if s.Dashboard != "" {
		w.raw("\n<tr><th>Dashboard</th><td><a href=\"", escURL(s.Dashboard), "\">CloudWatch dashboard</a></td></tr>")
	}
	if s.Error != nil {
		w.raw("\n<tr><th>Caught error</th><td>", esc(s.Error.Error), ": ", esc(s.Error.Cause), "</td></tr>")
	}
	w.raw("\n</table>\n\n<h2>Faults</h2>\n<table class=\"cards\">\n<tr><th>Fault</th><th>State</th><th>Started</th><th>Ended</th></tr>")
	for _, f := range s.Faults {
		w.raw("\n<tr><td data-label=\"Fault\">", esc(f.Name), "</td><td data-label=\"State\">", esc(string(f.State)), with(f.Reason),
			"</td><td data-label=\"Started\">", esc(fmtTimePtr(f.StartedAt)), "</td><td data-label=\"Ended\">", esc(fmtTimePtr(f.EndedAt)), "</td></tr>")
	}
	w.raw("\n</table>\n\n<h2>Stop conditions</h2>\n<table class=\"cards\">\n<tr><th>Alarm</th><th>Went into ALARM</th></tr>")
	for _, c := range s.StopConditions {
		went := "no"
		if c.WentIntoAlarm {
			went = "yes, at " + esc(fmtTimePtr(c.AlarmAt))
		}
		w.raw("\n<tr><td data-label=\"Alarm\">", esc(c.Alarm))
		for _, n := range c.Notes {
			w.raw("<p class=\"note\">", esc(n), "</p>")
		}
		w.raw("</td><td data-label=\"Went into ALARM\">", went, "</td></tr>")
	}
	w.raw("\n</table>\n\n<h2>Timeline</h2>\n<ul class=\"timeline\">")
	for _, e := range d.Timeline {
		w.raw("\n<li class=\"", esc(e.Kind), "\"><code>", esc(e.At), "</code> ", esc(e.Text), "</li>")
	}
	if len(d.Timeline) == 0 {
		w.raw("\n<li>No FIS log records.</li>")
	}
	if s.Logs.TimelineDropped != 0 {
		w.raw("\n<li>… ", strconv.Itoa(s.Logs.TimelineDropped), " more events left out</li>")
	}
	complete := " Incomplete: no experiment-end record."
	if s.Logs.Complete {
		complete = " The experiment-end record was delivered."
	}
	w.raw("\n</ul>\n\n<h2>Logs</h2>\n<p>", strconv.Itoa(s.Logs.Objects), " FIS log objects (", strconv.FormatInt(s.Logs.Bytes, 10), " bytes, ",
		strconv.Itoa(s.Logs.Records), " records), archived to <code>", esc(s.Logs.ArchivedTo), "</code>.", complete, "</p>\n</body>\n</html>\n")
}

// charts is each chart's figure, or a paragraph saying none when there are
// none.
func (w *htmlWriter) charts(cs []htmlChart, none string) {
	for _, c := range cs {
		w.raw("\n")
		w.chart(c)
	}
	if len(cs) == 0 {
		w.raw("\n<p>", none, "</p>")
	}
}

// chart is a chart's figure (shared by report.html and the history page):
// its title and subtitle, an SVG per size (or why there is none) and its
// legend.
func (w *htmlWriter) chart(c htmlChart) {
	w.raw("\n<figure class=\"chart\" data-chart=\"", esc(c.Name), "\" data-kind=\"", esc(c.Kind), "\">\n<h3>", esc(c.Name))
	switch {
	case c.Kind == ChartCheck && c.Result != "":
		w.raw(" <span class=\"badge ", esc(c.Result), "\">", esc(c.Result), "</span>")
	case c.Kind == ChartObserve:
		w.raw(" <span class=\"badge observe\">observed</span>")
	case c.Kind == ChartStop:
		w.raw(" <span class=\"badge stop\">stop condition</span>")
	}
	w.raw("</h3>\n<p class=\"sub\">", esc(c.Subtitle), "</p>")
	if c.NoData != "" {
		w.raw("\n<p class=\"nodata\">", esc(c.NoData), "</p>")
	} else {
		for _, s := range c.Sizes {
			w.svg(c.Name, s)
		}
	}
	w.raw("\n<ul class=\"legend\">")
	if len(c.Points) > 0 && len(c.Judged) > 0 {
		w.raw("<li><span class=\"sw series faint\"></span>", esc(c.YLabel), ", each datapoint</li>")
	} else if len(c.Points) > 0 {
		w.raw("<li><span class=\"sw series\"></span>", esc(c.YLabel), "</li>")
	}
	for _, t := range c.drawnThresholds() {
		w.raw("<li><span class=\"sw threshold\"></span>threshold ", esc(num(t)), "</li>")
	}
	for _, t := range c.offScaleThresholds() {
		w.raw("<li>threshold ", esc(num(t)), ", far above every value: not drawn</li>")
	}
	if len(c.Points) > 0 {
		w.judgedLegend(c.Judged)
	}
	for i, f := range c.Faults {
		w.raw("<li><span class=\"sw fault f", strconv.Itoa(i%3), "\"></span>fault ", esc(f.Name),
			" (", f.Start.UTC().Format("15:04:05"), "–", f.End.UTC().Format("15:04:05"), ")</li>")
	}
	if len(c.Alarm) > 0 {
		w.raw("<li><span class=\"sw alarm\"></span>in ALARM</li>")
	}
	if !c.Stopped.IsZero() {
		w.raw("<li><span class=\"sw stopped\"></span>FIS stopped the experiment</li>")
	}
	w.raw("\n</ul>\n</figure>")
}

// judgedLegend names the judged values' marks: one entry per kind and
// result drawn, in the phases' order.
func (w *htmlWriter) judgedLegend(js []JudgedSpan) {
	seen := map[string]bool{}
	for _, j := range js {
		k := j.Judged + " " + j.Result
		if j.Value == nil || seen[k] {
			continue
		}
		seen[k] = true
		w.raw("<li><span class=\"sw judged ", esc(j.Result), "\"></span>", esc(valueKind[j.Judged]), " (judged): ", esc(j.Result), "</li>")
	}
}

// svg is one size of the chart named name.
func (w *htmlWriter) svg(name string, s svgChart) {
	left, right, top, bottom := esc(val(s.Left)), esc(val(s.Right)), esc(val(s.Top)), esc(val(s.Bottom))
	height := esc(coord(s.Bottom - s.Top))
	w.raw("\n<svg class=\"plot ", esc(s.Class), "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", val(s.W), " ", val(s.H),
		"\" role=\"img\" aria-label=\"", esc(s.Alt), "\">\n<text class=\"title\" x=\"", left, "\" y=\"14\">", esc(s.YLabel), "</text>")
	for _, t := range s.YTicks {
		w.raw("\n<line class=\"grid\" x1=\"", left, "\" x2=\"", right, "\" y1=\"", esc(t.Pos), "\" y2=\"", esc(t.Pos),
			"\"/><text x=\"", left, "\" dx=\"-6\" y=\"", esc(t.Pos), "\" dy=\"4\" text-anchor=\"end\">", esc(t.Label), "</text>")
	}
	for _, f := range s.Faults {
		w.raw("\n<rect class=\"", esc(f.Class), "\" x=\"", esc(f.X), "\" y=\"", top, "\" width=\"", esc(f.W), "\" height=\"", height, "\"/>")
	}
	for _, a := range s.Alarms {
		w.raw("\n<rect class=\"", esc(a.Class), "\" x=\"", esc(a.X), "\" y=\"", top, "\" width=\"", esc(a.W), "\" height=\"", height,
			"\"/><text class=\"alabel\" x=\"", esc(a.LabelX), "\" y=\"", esc(a.LabelY), "\">", esc(a.Label), "</text>")
	}
	for _, f := range s.Faults {
		w.raw("\n<text class=\"flabel\" x=\"", esc(f.LabelX), "\" y=\"", esc(f.LabelY), "\">", esc(f.Label), "</text>")
	}
	w.raw("\n<line class=\"axis\" x1=\"", left, "\" x2=\"", right, "\" y1=\"", bottom, "\" y2=\"", bottom, "\"/>",
		"\n<line class=\"axis\" x1=\"", left, "\" x2=\"", left, "\" y1=\"", top, "\" y2=\"", bottom, "\"/>")
	for _, t := range s.XTicks {
		w.raw("\n<text x=\"", esc(t.Pos), "\" y=\"", bottom, "\" dy=\"17\" text-anchor=\"", esc(t.Anchor), "\">", esc(t.Label), "</text>")
	}
	for _, t := range s.Thresholds {
		w.raw("\n<line class=\"threshold\" x1=\"", left, "\" x2=\"", right, "\" y1=\"", esc(t.Y), "\" y2=\"", esc(t.Y),
			"\"/><text class=\"tlabel\" x=\"", right, "\" y=\"", esc(t.LabelY), "\" text-anchor=\"end\">", esc(t.Label), "</text>")
	}
	faint := ""
	if s.Faint {
		faint = " faint"
	}
	if s.Path != "" {
		w.raw("\n<path class=\"series", faint, "\" d=\"", esc(s.Path), "\"/>")
	}
	for _, p := range s.Dots {
		w.raw("\n<circle class=\"dot", faint, "\" cx=\"", esc(p.X), "\" cy=\"", esc(p.Y), "\" r=\"2.5\"/>")
	}
	for _, j := range s.Judged {
		w.raw("\n<g class=\"", esc(j.Class), "\" data-phase=\"", esc(j.Phase), "\"><title>", esc(j.Title), "</title>")
		if j.Y != "" {
			w.raw("<line x1=\"", esc(j.X1), "\" x2=\"", esc(j.X2), "\" y1=\"", esc(j.Y), "\" y2=\"", esc(j.Y), "\"/>")
		}
		w.raw("<text x=\"", esc(j.LabelX), "\" y=\"", esc(j.LabelY), "\" text-anchor=\"", esc(j.Anchor), "\">", esc(j.Label), "</text></g>")
	}
	if t := s.Stopped; t != nil {
		w.raw("\n<line class=\"stopped\" x1=\"", esc(t.Pos), "\" x2=\"", esc(t.Pos), "\" y1=\"", top, "\" y2=\"", bottom,
			"\"/><text class=\"slabel\" x=\"", esc(t.LabelX), "\" y=\"", top, "\" dy=\"-6\" text-anchor=\"", esc(t.Anchor), "\">", esc(t.Label), "</text>")
	}
	w.raw("\n</svg>")
}

// pageStyle is the pages' style sheet.
const pageStyle = `:root{--fg:#1d2433;--muted:#5f6368;--bg:#fff;--line:#dadce0;--grid:#eceff1;--axis:#9aa0a6;--series:#1a73e8;--thr:#d93025;--fault0:#f29900;--fault1:#9334e6;--fault2:#12b5cb;--alarm:#d93025;--stop:#1d2433;--okbg:#e6f4ea;--ok:#1e8e3e;--warnbg:#fef7e0;--warn:#b06000;--badbg:#fce8e6;--bad:#d93025}
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
p.note{margin:.3rem 0 0;padding:.2rem .5rem;font-size:.85rem;background:var(--warnbg);border-left:4px solid var(--warn)}
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
.series.faint{stroke-width:1.5;opacity:.55}.dot.faint{opacity:.55}
g.judged{color:var(--muted)}g.judged.held{color:var(--ok)}g.judged.refuted{color:var(--bad)}
g.judged line{stroke:currentColor;stroke-width:4;stroke-linecap:round}
svg g.judged text{fill:currentColor;font-weight:600;paint-order:stroke;stroke:var(--bg);stroke-width:3px;stroke-linejoin:round}
svg g.judged.inconclusive text{font-weight:400;font-style:italic}
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
.sw.series.faint{opacity:.55}
.sw.judged{height:0;border-top:4px solid currentColor}
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
`
