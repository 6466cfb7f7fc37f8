package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Chart kinds: what a chart shows.
const (
	ChartCheck   = "check"   // a steady-state check, judged
	ChartObserve = "observe" // an observed metric, charted for context only
	ChartStop    = "stop"    // a stop condition's metric and ALARM periods
)

// Chart is one metric over the run's whole range (the before window's start
// to the after window's end), before it is laid out at a size. Each point is
// drawn at the END of its period (CloudWatch labels a datapoint with its
// period's start), so that a rise caused by a fault is drawn after the
// fault's start, never before it.
type Chart struct {
	Name     string // the check's, observed metric's or alarm's name
	Kind     string // ChartCheck, ChartObserve or ChartStop
	Result   string // a check's worst result over its phases; "" otherwise
	Subtitle string
	// YLabel names the y axis: the metric, its statistic and its unit.
	YLabel string
	Period time.Duration
	Points []Point // labelled with their period's start, in time order
	// Thresholds are the expectation's bounds, or the alarm's threshold.
	Thresholds []float64
	// Judged are a check's phases as the verdict judged them, one each
	// (ChartCheck only): the value drawn over the periods it sums up.
	Judged   []JudgedSpan
	Faults   []FaultSpan
	Alarm    []Span    // ALARM periods (stop conditions)
	Stopped  time.Time // when FIS stopped the experiment; zero if it did not
	From, To time.Time
	// NoData says why there is nothing to draw ("" when there are points).
	NoData string
}

// JudgedSpan is one phase of a check: its result, value and how the value
// sums up the datapoints (Check.Judged), over the periods it took (the
// first one's start to the last one's end), or over the phase's window
// when it had none.
type JudgedSpan struct {
	Check
	Span
}

// FaultSpan is one fault's run, as FIS reports it.
type FaultSpan struct {
	Name       string
	Start, End time.Time
}

// Sizes at which each chart is laid out (SVG user units, which the page
// shows at about one CSS pixel each): a phone, a narrow window, a laptop.
// The page shows the one that fits, so that text keeps its size.
var chartSizes = []struct {
	Class string
	W, H  int
}{{"s", 350, 230}, {"m", 620, 250}, {"l", 920, 270}}

// Layout of a chart, in user units.
const (
	fontPx       = 12
	charW        = 6.6 // the width of one character of the tick labels, roughly
	plotTopPad   = 22  // room for the y axis title
	plotBotPad   = 24  // room for the x labels
	plotRightPad = 10
	yTickCount   = 4
	dotsUpTo     = 90 // more points than this: a line, with dots only where a point stands alone
)

// svgChart is a Chart laid out at one size.
type svgChart struct {
	Class                    string
	W, H                     int
	Left, Right, Top, Bottom float64
	Path                     string
	Dots                     []point
	Faults                   []svgBand
	Alarms                   []svgBand
	Thresholds               []svgLine
	Judged                   []svgJudged
	// Faint: the datapoints are drawn light, under the judged values.
	Faint bool
	// Alt is the chart in words, for those who cannot see it.
	Alt            string
	YTicks, XTicks []svgTick
	Stopped        *svgTick
	YLabel         string
}

type point struct{ X, Y string }

type svgBand struct {
	X, W, LabelX, LabelY string
	Label                string
	Class                string
}

type svgLine struct{ Y, Label, LabelY string }

// svgJudged is a phase's judged value: a segment at Y from X1 to X2, or,
// without data, only its label ("no data") over the phase's window.
type svgJudged struct {
	Phase, Class, Title   string
	X1, X2, Y             string // Y is "" without data
	Label, LabelX, LabelY string
	Anchor                string
}

type svgTick struct {
	Pos, Label, Anchor string
	LabelX             string // where the label is, when not at Pos
}

// layout draws c at w×h.
func (c Chart) layout(class string, w, h int) svgChart {
	lo, hi, step := c.yRange()
	var maxLabel int
	for v := lo; v <= hi+step/2; v += step {
		maxLabel = max(maxLabel, len(num(roundTo(v, step))))
	}
	s := svgChart{Class: class, W: w, H: h, YLabel: c.YLabel, Alt: c.Alt(), Faint: len(c.Judged) > 0,
		Left: math.Ceil(float64(maxLabel)*charW) + 12, Right: float64(w - plotRightPad),
		Top: plotTopPad, Bottom: float64(h - plotBotPad)}
	span := c.To.Sub(c.From).Seconds()
	x := func(t time.Time) float64 {
		f := t.Sub(c.From).Seconds() / span
		return s.Left + math.Max(0, math.Min(1, f))*(s.Right-s.Left)
	}
	y := func(v float64) float64 { return s.Bottom - (v-lo)/(hi-lo)*(s.Bottom-s.Top) }

	if values := len(c.Points) > 0 || len(c.Thresholds) > 0; values {
		for v := lo; v <= hi+step/2; v += step {
			s.YTicks = append(s.YTicks, svgTick{Pos: coord(y(v)), Label: num(roundTo(v, step))})
		}
	} else {
		s.Left = 12 // only periods to draw: no value axis
	}
	s.XTicks = timeTicks(c.From, c.To, s.Right-s.Left, x, float64(w))

	// Faults, one band each, named; a second fault's name goes lower.
	var labels []labelBox // labels the judged values' labels must not cover
	for i, f := range c.Faults {
		x0, x1 := x(f.Start), x(f.End)
		ly := s.Top + 14 + float64(i%3)*14
		s.Faults = append(s.Faults, svgBand{X: coord(x0), W: coord(math.Max(x1-x0, 1.5)),
			LabelX: coord(x0 + 4), LabelY: coord(ly), Label: f.Name, Class: "fault f" + strconv.Itoa(i%3)})
		labels = append(labels, labelBox{lo: x0 + 4, hi: x0 + 4 + float64(len(f.Name))*charW, y: ly})
	}
	for _, a := range c.Alarm {
		x0, x1 := x(a.Start), x(a.End)
		s.Alarms = append(s.Alarms, svgBand{X: coord(x0), W: coord(math.Max(x1-x0, 1.5)),
			LabelX: coord(x0 + 4), LabelY: coord(s.Bottom - 6), Label: "ALARM", Class: "alarm"})
	}
	if !c.Stopped.IsZero() {
		xs := x(c.Stopped)
		st := &svgTick{Pos: coord(xs), LabelX: coord(xs - 4), Label: "FIS stopped " + c.Stopped.UTC().Format("15:04:05"), Anchor: "end"}
		if xs < (s.Left+s.Right)/2 {
			st.LabelX, st.Anchor = coord(xs+4), "start"
		}
		s.Stopped = st
	}
	for _, v := range c.drawnThresholds() {
		yv := y(v)
		ly := yv - 4
		if ly < s.Top+12 { // no room above the line: write under it
			ly = yv + 13
		}
		t := svgLine{Y: coord(yv), LabelY: coord(ly), Label: "threshold " + num(v)}
		s.Thresholds = append(s.Thresholds, t)
		labels = append(labels, labelBox{lo: s.Right - float64(len(t.Label))*charW, hi: s.Right, y: ly})
	}

	s.Path, s.Dots = c.series(x, y)
	for _, j := range c.Judged {
		s.Judged = append(s.Judged, s.judged(j, x(j.Start), x(j.End), y, &labels))
	}
	return s
}

// series is the chart's points as a path, broken where periods are
// missing, and dots where there are few points, or a point stands alone.
func (c Chart) series(x func(time.Time) float64, y func(float64) float64) (string, []point) {
	var b strings.Builder
	var dots []point
	pts := c.Points
	alone := func(i int) bool {
		return (i == 0 || c.gap(pts[i-1], pts[i])) && (i == len(pts)-1 || c.gap(pts[i], pts[i+1]))
	}
	for i, p := range pts {
		px, py := coord(x(p.T.Add(c.Period))), coord(y(p.V))
		if i == 0 || c.gap(pts[i-1], p) {
			b.WriteString("M" + px + " " + py)
		} else {
			b.WriteString("L" + px + " " + py)
		}
		if len(pts) <= dotsUpTo || alone(i) {
			dots = append(dots, point{X: px, Y: py})
		}
	}
	return b.String(), dots
}

// judged lays out a phase's judged value over [x0, x1]: a segment at its
// value, labelled above it, else below it, or "<phase>: no data" near the
// axis; a label that would cover one of placed goes to its next place.
func (s svgChart) judged(j JudgedSpan, x0, x1 float64, y func(float64) float64, placed *[]labelBox) svgJudged {
	if x1-x0 > 8 { // apart from the next phase's segment
		x0, x1 = x0+2, x1-2
	}
	out := svgJudged{Phase: string(j.Phase), Class: "judged " + j.Result, Title: judgedText(j.Check),
		X1: coord(x0), X2: coord(x1), Label: string(j.Phase) + ": no data"}
	places := []float64{s.Bottom - 6, s.Bottom - 20, s.Bottom - 34}
	if j.Value != nil {
		yv := y(*j.Value)
		out.Y, out.Label = coord(yv), judgedName[j.Judged]+" "+num(*j.Value)
		places = []float64{yv - 6, yv + 15, yv - 20, yv + 29}
	}
	// Centred over the segment, kept inside the plot.
	mid, w := (x0+x1)/2, float64(len(out.Label))*charW*1.1 // bold
	b := labelBox{lo: mid - w/2, hi: mid + w/2}
	out.LabelX, out.Anchor = coord(mid), "middle"
	switch {
	case b.lo < s.Left:
		b = labelBox{lo: s.Left + 2, hi: s.Left + 2 + w}
		out.LabelX, out.Anchor = coord(b.lo), "start"
	case b.hi > s.Right:
		b = labelBox{lo: s.Right - 2 - w, hi: s.Right - 2}
		out.LabelX, out.Anchor = coord(b.hi), "end"
	}
	b.y = places[0]
	for _, p := range places {
		c := labelBox{lo: b.lo, hi: b.hi, y: p}
		if p >= s.Top+12 && p <= s.Bottom-2 && !c.overlaps(*placed) {
			b = c
			break
		}
	}
	*placed = append(*placed, b)
	out.LabelY = coord(b.y)
	return out
}

// labelBox is where a label's text is: from lo to hi across, its baseline
// at y.
type labelBox struct{ lo, hi, y float64 }

// overlaps says whether b covers any of bs.
func (b labelBox) overlaps(bs []labelBox) bool {
	for _, o := range bs {
		if b.lo < o.hi && o.lo < b.hi && math.Abs(b.y-o.y) < fontPx+1 {
			return true
		}
	}
	return false
}

// judgedName is what a judged value is, on its label.
var judgedName = map[string]string{JudgedMean: "mean", JudgedWorst: "worst"}

// judgedText is a phase's judged value in words: "during: 0.354 (mean of 3
// datapoints), held".
func judgedText(c Check) string {
	if c.Value == nil {
		return string(c.Phase) + ": no data, " + c.Result
	}
	return string(c.Phase) + ": " + num(*c.Value) + " (" + judgedName[c.Judged] + " of " + strconv.Itoa(c.Datapoints) + " datapoint" + plural(c.Datapoints) + "), " + c.Result
}

// Alt is the chart in words: what it shows and, for a check, each phase's
// judged value and result.
func (c Chart) Alt() string {
	alt := c.Name + ": " + c.YLabel
	if len(c.Thresholds) > 0 {
		var ts []string
		for _, t := range c.Thresholds {
			ts = append(ts, num(t))
		}
		alt += ", threshold " + strings.Join(ts, " and ")
	}
	var ph []string
	for _, j := range c.Judged {
		ph = append(ph, judgedText(j.Check))
	}
	if len(ph) > 0 {
		alt += "; judged " + strings.Join(ph, "; ")
	}
	return alt
}

// gap reports whether periods are missing between two consecutive points.
func (c Chart) gap(a, b Point) bool {
	if c.Period <= 0 {
		return false
	}
	return b.T.Sub(a.T) > c.Period*3/2
}

// farBound is how many times the data's highest value a check's upper
// bound may be and still be drawn, when its lower bound is drawn too.
const farBound = 20

// drawnThresholds are the thresholds drawn as lines, which the y axis
// reaches: all of them, but for a between check's upper bound far above
// every value (between 5 and 100000 over values near 100), which would
// flatten the data against the axis; offScaleThresholds has it.
func (c Chart) drawnThresholds() []float64 {
	if len(c.Thresholds) != 2 {
		return c.Thresholds
	}
	top := math.Inf(-1)
	for _, p := range c.Points {
		top = math.Max(top, p.V)
	}
	for _, j := range c.Judged {
		if j.Value != nil {
			top = math.Max(top, *j.Value)
		}
	}
	lower, upper := math.Min(c.Thresholds[0], c.Thresholds[1]), math.Max(c.Thresholds[0], c.Thresholds[1])
	if top > 0 && upper > farBound*top && upper > farBound*lower {
		return []float64{lower}
	}
	return c.Thresholds
}

// offScaleThresholds are the thresholds above the chart (see
// drawnThresholds).
func (c Chart) offScaleThresholds() []float64 {
	var out []float64
	for _, t := range c.Thresholds {
		if !slices.Contains(c.drawnThresholds(), t) {
			out = append(out, t)
		}
	}
	return out
}

// yRange is the y axis: from zero when nothing is negative, else from a
// round value below the lowest; to a round value above the highest point
// or threshold, with some room.
func (c Chart) yRange() (lo, hi, step float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range c.Points {
		lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
	}
	for _, v := range c.drawnThresholds() {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	for _, j := range c.Judged {
		if j.Value != nil {
			lo, hi = math.Min(lo, *j.Value), math.Max(hi, *j.Value)
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	if lo >= 0 {
		lo = 0
	}
	if hi <= lo {
		hi = lo + 1
	}
	hi += (hi - lo) * 0.08
	if lo < 0 {
		lo -= (hi - lo) * 0.08
	}
	step = niceStep((hi - lo) / yTickCount)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	return lo, hi, step
}

// roundTo drops the float noise of adding steps (0.1+0.2).
func roundTo(v, step float64) float64 {
	if step <= 0 {
		return v
	}
	d := math.Pow(10, math.Max(0, -math.Floor(math.Log10(step))+1))
	return math.Round(v*d) / d
}

// timeSteps are the x axis's label spacings to choose from.
var timeSteps = []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
	10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	48 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour, 91 * 24 * time.Hour}

// tickLayout is how the x axis labels times at a spacing.
func tickLayout(step time.Duration) string {
	switch {
	case step >= 24*time.Hour:
		return "Jan 02"
	case step < time.Minute:
		return "15:04:05"
	}
	return "15:04"
}

// timeTicks labels the x axis at round UTC times, spaced so the labels do
// not touch; labels near the edges are anchored so none is cut.
func timeTicks(from, to time.Time, plotW float64, x func(time.Time) float64, w float64) []svgTick {
	span := to.Sub(from)
	if span <= 0 {
		return nil
	}
	step := timeSteps[len(timeSteps)-1]
	for _, st := range timeSteps {
		layout := tickLayout(st)
		labelW := float64(len(layout))*charW + 14
		if plotW*float64(st)/float64(span) >= labelW {
			step = st
			break
		}
	}
	layout := tickLayout(step)
	half := float64(len(layout)) * charW / 2
	var out []svgTick
	for t := from.Truncate(step); !t.After(to); t = t.Add(step) {
		if t.Before(from) {
			continue
		}
		px := x(t)
		anchor := "middle"
		switch {
		case px+half > w:
			anchor = "end"
		case px-half < 0:
			anchor = "start"
		}
		out = append(out, svgTick{Pos: coord(px), Label: t.UTC().Format(layout), Anchor: anchor})
	}
	// A label pushed inside at an edge may run into its neighbour: drop it.
	const gap = 4
	if n := len(out); n >= 2 && out[n-1].Anchor == "end" {
		if lo, _ := tickExtent(out[n-1], half); lo < tickEnd(out[n-2], half)+gap {
			out = out[:n-1]
		}
	}
	if len(out) >= 2 && out[0].Anchor == "start" {
		if _, hi := tickExtent(out[0], half); hi+gap > tickStart(out[1], half) {
			out = out[1:]
		}
	}
	return out
}

// tickExtent is where a time tick's label reaches, from lo to hi, for a
// label 2*half wide.
func tickExtent(tk svgTick, half float64) (lo, hi float64) {
	px, _ := strconv.ParseFloat(tk.Pos, 64)
	switch tk.Anchor {
	case "end":
		return px - 2*half, px
	case "start":
		return px, px + 2*half
	}
	return px - half, px + half
}

func tickStart(tk svgTick, half float64) float64 { lo, _ := tickExtent(tk, half); return lo }
func tickEnd(tk svgTick, half float64) float64   { _, hi := tickExtent(tk, half); return hi }

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

// unitAbbrev is how a CloudWatch unit is written after a number.
var unitAbbrev = map[string]string{
	"Seconds": "s", "Microseconds": "µs", "Milliseconds": "ms", "Percent": "%", "Count": "count",
	"Bytes": "bytes", "Kilobytes": "kB", "Megabytes": "MB", "Gigabytes": "GB", "Terabytes": "TB",
	"Bits": "bits", "Kilobits": "kbit", "Megabits": "Mbit", "Gigabits": "Gbit", "Terabits": "Tbit",
	"Count/Second": "/s", "Bytes/Second": "bytes/s", "Kilobytes/Second": "kB/s", "Megabytes/Second": "MB/s",
	"Gigabytes/Second": "GB/s", "Terabytes/Second": "TB/s", "Bits/Second": "bit/s", "Kilobits/Second": "kbit/s",
	"Megabits/Second": "Mbit/s", "Gigabits/Second": "Gbit/s", "Terabits/Second": "Tbit/s",
}

// yLabel names a metric's y axis: "Latency p99 (ms)".
func yLabel(m gameday.Metric) string {
	l := m.Name + " " + m.Stat
	if u, ok := unitAbbrev[m.Unit]; ok {
		l += " (" + u + ")"
	}
	return l
}

// metricText says which metric a chart shows.
func metricText(m gameday.Metric) string {
	var dims []string
	for _, k := range slices.Sorted(maps.Keys(m.Dimensions)) {
		dims = append(dims, k+"="+m.Dimensions[k])
	}
	t := m.Namespace + "/" + m.Name
	if len(dims) > 0 {
		t += " {" + strings.Join(dims, ", ") + "}"
	}
	return fmt.Sprintf("%s, %s per %ds", t, m.Stat, m.Period)
}

// Charts are the run's charts: one per steady-state check, per observed
// metric and per stop condition, in the GameDay's order.
func Charts(r Run, s Summary) []Chart {
	if r.Spec == nil {
		return nil
	}
	// The charts end with the after window, or with the last period a
	// check judged when it ends later (a period that starts in the window
	// counts as after), so that every datapoint judged is drawn.
	f := chartFrame{from: r.Windows.Before.Start, to: r.Windows.After.End}
	series := r.seriesByCheck()
	steady := r.Spec.Spec.Hypothesis.SteadyState
	judged := make([][]JudgedSpan, len(steady))
	for i, c := range steady {
		judged[i] = judgedSpans(c, r.Windows, series[c.Name], s.Hypothesis.Checks)
		for _, j := range judged[i] {
			if j.Value != nil && j.End.After(f.to) {
				f.to = j.End
			}
		}
	}
	f.faults = faultSpans(r, s, f.to)
	var out []Chart
	for i, c := range steady {
		ch := f.chart(c.Name, ChartCheck, c.Metric, series[c.Name])
		ch.Subtitle += ", expect " + expectText(c.Expect, &c.Metric)
		ch.Result = worstResult(s.Hypothesis.Checks, c.Name)
		ch.Judged, ch.Thresholds = judged[i], thresholds(c.Expect)
		out = append(out, ch)
	}
	observed := make(map[string][]Point, len(r.Observed))
	for _, o := range r.Observed {
		observed[o.Check] = o.Points
	}
	for _, o := range r.Spec.Spec.Observe {
		ch := f.chart(o.Name, ChartObserve, o.Metric, observed[o.Name])
		ch.Subtitle += ", observed: no verdict"
		out = append(out, ch)
	}
	var stopped time.Time
	if r.State == gameday.StateStopped {
		stopped = r.EndedAt
	}
	for _, a := range r.Alarms {
		out = append(out, f.stopChart(a, stopped))
	}
	return out
}

// thresholds are an expectation's bounds.
func thresholds(e gameday.Expect) []float64 {
	switch {
	case e.Below != nil:
		return []float64{*e.Below}
	case e.Above != nil:
		return []float64{*e.Above}
	case len(e.Between) == 2:
		return e.Between
	}
	return nil
}

// judgedSpans are check c's phases as cs judged them, each over the
// periods it took from pts (see phasePoints), or its window without data.
func judgedSpans(c gameday.SteadyCheck, w Windows, pts []Point, cs []Check) []JudgedSpan {
	var out []JudgedSpan
	for _, ch := range cs {
		if ch.Name != c.Name {
			continue
		}
		j := JudgedSpan{Check: ch, Span: w.Of(ch.Phase)}
		if in := phasePoints(ch.Phase, j.Span, pts, periodOf(c.Metric)); len(in) > 0 {
			j.Span = Span{Start: in[0].T, End: in[len(in)-1].T.Add(periodOf(c.Metric))}
		}
		out = append(out, j)
	}
	return out
}

// chartFrame is what every chart of a run shares: its window and the
// faults' spans.
type chartFrame struct {
	from, to time.Time
	faults   []FaultSpan
}

// faultSpans are the started faults' spans; one still running ends with
// the run, or the window.
func faultSpans(r Run, s Summary, to time.Time) []FaultSpan {
	var faults []FaultSpan
	for _, f := range s.Faults {
		if f.StartedAt == nil {
			continue
		}
		end := to
		switch {
		case f.EndedAt != nil:
			end = *f.EndedAt
		case !r.EndedAt.IsZero():
			end = r.EndedAt
		}
		faults = append(faults, FaultSpan{Name: f.Name, Start: *f.StartedAt, End: end})
	}
	return faults
}

// chart is a metric's chart with the points inside the window.
func (f chartFrame) chart(name, kind string, m gameday.Metric, pts []Point) Chart {
	from, to := f.from, f.to
	c := Chart{Name: name, Kind: kind, Subtitle: metricText(m), YLabel: yLabel(m),
		Period: periodOf(m), From: from, To: to, Faults: f.faults}
	for _, p := range pts {
		if !p.T.Before(from) && !p.T.Add(c.Period).After(to) {
			c.Points = append(c.Points, p)
		}
	}
	if len(c.Points) == 0 {
		c.NoData = "No datapoints for " + m.Namespace + "/" + m.Name + " " + m.Stat + " from " +
			from.UTC().Format("15:04") + " to " + to.UTC().Format("15:04 UTC") + "."
	}
	if !to.After(from) {
		c.NoData = "No metric window: the run has no start time."
	}
	return c
}

// stopChart is a stop condition's chart: its metric when the GameDay
// defines it, and its ALARM periods.
func (f chartFrame) stopChart(a Alarm, stopped time.Time) Chart {
	var ch Chart
	if a.Metric != nil {
		ch = f.chart(a.Name, ChartStop, *a.Metric, a.Points)
		ch.Subtitle += ", ALARM when " + comparisonText(a.Comparison) + " " + num(a.Threshold)
		ch.Thresholds = []float64{a.Threshold}
	} else {
		ch = Chart{Name: a.Name, Kind: ChartStop, From: f.from, To: f.to, Faults: f.faults,
			Subtitle: "an existing alarm (" + a.ARN + "): its metric is not in the GameDay, so only its ALARM periods are drawn", YLabel: "ALARM periods"}
		if !f.to.After(f.from) {
			ch.NoData = "No metric window: the run has no start time."
		}
	}
	ch.Alarm = alarmSpans(a, f.from, f.to)
	ch.Stopped = stopped
	if ch.NoData != "" && len(ch.Alarm) > 0 {
		ch.NoData = "" // the ALARM periods are worth drawing on their own
	}
	return ch
}

func comparisonText(op string) string {
	switch op {
	case "GreaterThanThreshold":
		return "above"
	case "GreaterThanOrEqualToThreshold":
		return "at or above"
	case "LessThanThreshold":
		return "below"
	case "LessThanOrEqualToThreshold":
		return "at or below"
	}
	return op
}

// alarmSpans are the periods an alarm was in ALARM within [from, to].
func alarmSpans(a Alarm, from, to time.Time) []Span {
	var out []Span
	var open *time.Time
	for i, t := range a.Transitions {
		if i == 0 && t.From == AlarmState {
			f := from
			open = &f
		}
		switch {
		case t.To == AlarmState && open == nil:
			at := t.At
			open = &at
		case t.To != AlarmState && open != nil:
			out = append(out, Span{Start: *open, End: t.At})
			open = nil
		}
	}
	if open != nil {
		out = append(out, Span{Start: *open, End: to})
	}
	var in []Span
	for _, s := range out {
		if s.End.Before(from) || s.Start.After(to) {
			continue
		}
		if s.Start.Before(from) {
			s.Start = from
		}
		if s.End.After(to) {
			s.End = to
		}
		in = append(in, s)
	}
	return in
}

// worstResult is a check's worst result over its phases.
func worstResult(cs []Check, name string) string {
	rank := map[string]int{ResultHeld: 1, ResultInconclusive: 2, ResultRefuted: 3}
	var out string
	for _, c := range cs {
		if c.Name == name && rank[c.Result] > rank[out] {
			out = c.Result
		}
	}
	return out
}
