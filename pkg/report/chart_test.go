package report

import (
	"encoding/xml"
	"html"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// testChart is a chart over [-10, 14) minutes with a minute period.
func testChart(pts []Point) Chart {
	return Chart{Name: "c", Kind: ChartCheck, Period: time.Minute, From: at(-10), To: at(14), Points: pts, YLabel: "Latency p99 (ms)"}
}

func pointsAt(mins []float64, v float64) []Point {
	var out []Point
	for _, m := range mins {
		out = append(out, Point{T: at(m), V: v})
	}
	return out
}

func xOf(s svgChart, c Chart, t time.Time) string {
	f := t.Sub(c.From).Seconds() / c.To.Sub(c.From).Seconds()
	return coord(s.Left + f*(s.Right-s.Left))
}

func TestChartLayout(t *testing.T) {
	many := make([]Point, 5000)
	for i := range many {
		many[i] = Point{T: at(-10).Add(time.Duration(i) * 250 * time.Millisecond), V: float64(i % 7)}
	}
	tests := []struct {
		name  string
		chart Chart
		check func(t *testing.T, c Chart, s svgChart)
	}{
		{"a point is drawn at its period's end", testChart(pointsAt([]float64{0}, 50)), func(t *testing.T, c Chart, s svgChart) {
			if got, want := s.Dots[0].X, xOf(s, c, at(1)); got != want {
				t.Errorf("the 10:00 period's point is at x=%s, want %s (10:01, its end)", got, want)
			}
		}},
		{"non-negative data: the axis starts at zero", testChart(pointsAt([]float64{0, 1, 2}, 120)), func(t *testing.T, _ Chart, s svgChart) {
			if s.YTicks[0].Label != "0" {
				t.Errorf("lowest tick %s, want 0", s.YTicks[0].Label)
			}
		}},
		{"negative data: below zero", testChart(append(pointsAt([]float64{0}, -40), pointsAt([]float64{1}, 60)...)), func(t *testing.T, _ Chart, s svgChart) {
			if v, _ := strconv.ParseFloat(s.YTicks[0].Label, 64); v > -40 {
				t.Errorf("lowest tick %s, want at most -40", s.YTicks[0].Label)
			}
		}},
		{"missing periods break the line", testChart(pointsAt([]float64{0, 1, 2, 6, 7}, 10)), func(t *testing.T, _ Chart, s svgChart) {
			if n := strings.Count(s.Path, "M"); n != 2 {
				t.Errorf("path %q has %d segments, want 2", s.Path, n)
			}
		}},
		{"one point: a dot", testChart(pointsAt([]float64{3}, 10)), func(t *testing.T, _ Chart, s svgChart) {
			if len(s.Dots) != 1 || strings.Contains(s.Path, "L") {
				t.Errorf("dots %v path %q, want one dot and no line", s.Dots, s.Path)
			}
		}},
		{"thousands of points: a line, no dots", testChart(many), func(t *testing.T, _ Chart, s svgChart) {
			if len(s.Dots) != 0 || strings.Count(s.Path, "L") != len(many)-1 {
				t.Errorf("%d dots, %d line steps; want 0 and %d", len(s.Dots), strings.Count(s.Path, "L"), len(many)-1)
			}
		}},
		{"each fault its own band, one that ended early narrower", func() Chart {
			c := testChart(pointsAt([]float64{0}, 1))
			c.Faults = []FaultSpan{{"long", at(0), at(6)}, {"early", at(0), at(2)}}
			return c
		}(), func(t *testing.T, c Chart, s svgChart) {
			if len(s.Faults) != 2 || s.Faults[0].Label != "long" || s.Faults[1].Label != "early" {
				t.Fatalf("fault bands %+v", s.Faults)
			}
			w0, _ := strconv.ParseFloat(s.Faults[0].W, 64)
			w1, _ := strconv.ParseFloat(s.Faults[1].W, 64)
			if !(w1 < w0/2) || s.Faults[0].LabelY == s.Faults[1].LabelY {
				t.Errorf("bands %+v: want the early one a third as wide, names on separate lines", s.Faults)
			}
		}},
		{"stop condition: ALARM band, FIS's stop", func() Chart {
			c := testChart(pointsAt([]float64{0, 1}, 9))
			c.Kind, c.Thresholds, c.Alarm, c.Stopped = ChartStop, []float64{5}, []Span{{at(2), at(5)}}, at(2.5)
			return c
		}(), func(t *testing.T, c Chart, s svgChart) {
			if len(s.Alarms) != 1 || s.Alarms[0].X != xOf(s, c, at(2)) {
				t.Errorf("alarm bands %+v", s.Alarms)
			}
			if s.Stopped == nil || s.Stopped.Pos != xOf(s, c, at(2.5)) {
				t.Errorf("stop marker %+v", s.Stopped)
			}
			if len(s.Thresholds) != 1 {
				t.Errorf("thresholds %+v", s.Thresholds)
			}
		}},
	}
	for _, tt := range tests {
		for _, sz := range chartSizes {
			t.Run(tt.name+"/"+sz.Class, func(t *testing.T) {
				s := tt.chart.layout(sz.Class, sz.W, sz.H)
				tt.check(t, tt.chart, s)
				// No label leaves the chart: x labels by their anchor.
				for _, x := range s.XTicks {
					pos, _ := strconv.ParseFloat(x.Pos, 64)
					half := float64(len(x.Label)) * charW / 2
					lo, hi := pos-half, pos+half
					switch x.Anchor {
					case "start":
						lo, hi = pos, pos+2*half
					case "end":
						lo, hi = pos-2*half, pos
					}
					if lo < 0 || hi > float64(sz.W) {
						t.Errorf("x label %q at %s (%s) is cut: [%.0f, %.0f] outside [0, %d]", x.Label, x.Pos, x.Anchor, lo, hi, sz.W)
					}
				}
				if len(s.XTicks) < 2 {
					t.Errorf("%d x labels, want at least 2", len(s.XTicks))
				}
			})
		}
	}
}

func TestChartsNoDataAndStopConditions(t *testing.T) {
	r := stoppedRun()
	r.Metrics[1].Points = nil
	cs := Charts(r, Summarize(r))
	var kinds []string
	for _, c := range cs {
		kinds = append(kinds, c.Kind)
	}
	if got, want := strings.Join(kinds, ","), "check,check,observe,stop,stop"; got != want {
		t.Fatalf("chart kinds %s, want %s", got, want)
	}
	if cs[1].NoData == "" {
		t.Error("a check without data has no 'no data' text")
	}
	stop := cs[3]
	if len(stop.Alarm) != 1 || !stop.Alarm[0].Start.Equal(at(2)) || !stop.Alarm[0].End.Equal(at(6)) {
		t.Errorf("ALARM periods %+v, want 10:02 to 10:06", stop.Alarm)
	}
	if !stop.Stopped.Equal(at(2.5)) || len(stop.Thresholds) != 1 || stop.Thresholds[0] != 5 {
		t.Errorf("stop %s, thresholds %v", stop.Stopped, stop.Thresholds)
	}
	if cs[4].YLabel != "ALARM periods" || cs[4].NoData != "" {
		t.Errorf("an alarm by ARN: %+v", cs[4])
	}
	if got := yLabel(gameday.Metric{Name: "Latency", Stat: "p99", Unit: "Milliseconds"}); got != "Latency p99 (ms)" {
		t.Errorf("y label %q", got)
	}
}

// drawn is what an SVG of a check's chart draws, read back from the page.
type drawn struct {
	ticks  [][2]float64 // y axis: value, y
	dots   []float64    // x of each datapoint's dot
	judged map[string]drawnJudged
	alt    string
}

type drawnJudged struct {
	x1, x2, y float64
	line      bool
	label     string
}

// readSVG parses one <svg> of report.html as XML.
func readSVG(t *testing.T, src string) drawn {
	t.Helper()
	d := drawn{judged: map[string]drawnJudged{}}
	attr := func(e xml.StartElement, name string) string {
		for _, a := range e.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	f := func(e xml.StartElement, name string) float64 {
		v, err := strconv.ParseFloat(attr(e, name), 64)
		if err != nil {
			t.Fatalf("<%s %s=%q>: %v", e.Name.Local, name, attr(e, name), err)
		}
		return v
	}
	dec := xml.NewDecoder(strings.NewReader(src))
	var tickY float64
	var inTick bool
	var phase string // inside <g class="judged ..."> of that phase
	var inJudgedText bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("report.html's svg is not well-formed: %v\n%s", err, src)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			class := attr(e, "class")
			switch {
			case e.Name.Local == "svg":
				d.alt = attr(e, "aria-label")
			case e.Name.Local == "line" && class == "grid":
				tickY, inTick = f(e, "y1"), true
			case e.Name.Local == "circle":
				d.dots = append(d.dots, f(e, "cx"))
			case e.Name.Local == "g" && strings.HasPrefix(class, "judged "):
				phase = attr(e, "data-phase")
				d.judged[phase] = drawnJudged{}
			case e.Name.Local == "line" && phase != "":
				j := d.judged[phase]
				if y1, y2 := f(e, "y1"), f(e, "y2"); y1 != y2 {
					t.Errorf("%s's judged segment is not level: y1 %v, y2 %v", phase, y1, y2)
				}
				j.x1, j.x2, j.y, j.line = f(e, "x1"), f(e, "x2"), f(e, "y1"), true
				d.judged[phase] = j
			case e.Name.Local == "text" && phase != "":
				inJudgedText = true
			}
		case xml.CharData:
			switch {
			case inTick:
				v, err := strconv.ParseFloat(string(e), 64)
				if err != nil {
					t.Fatalf("y tick label %q: %v", e, err)
				}
				d.ticks, inTick = append(d.ticks, [2]float64{v, tickY}), false
			case inJudgedText:
				j := d.judged[phase]
				j.label += string(e)
				d.judged[phase] = j
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "g":
				phase = ""
			case "text":
				inJudgedText = false
			}
		}
	}
	return d
}

// yOf is where value v is on the y axis the ticks label.
func (d drawn) yOf(t *testing.T, v float64) float64 {
	t.Helper()
	if len(d.ticks) < 2 {
		t.Fatalf("%d y ticks, want at least 2", len(d.ticks))
	}
	a, b := d.ticks[0], d.ticks[len(d.ticks)-1]
	return a[1] + (v-a[0])/(b[0]-a[0])*(b[1]-a[1])
}

// TestReportDrawsJudgedValues reads every check chart of report.html back
// and checks that each phase's judged value (summary.json's value) is drawn
// where the y axis puts it, over exactly the datapoints it sums up, named
// on its label, in the chart's text alternative and in its legend; and
// that a phase without data says so instead.
func TestReportDrawsJudgedValues(t *testing.T) {
	figure := regexp.MustCompile(`(?s)<figure class="chart" data-chart="([^"]*)" data-kind="check">(.*?)</figure>`)
	svg := regexp.MustCompile(`(?s)<svg .*?</svg>`)
	for name, r := range map[string]Run{"average-spike": averageRun(), "refuted": refutedRun(), "failed": failedRun(), "stopped": stoppedRun()} {
		t.Run(name, func(t *testing.T) {
			s := Summarize(r)
			page := string(HTML(r, s))
			figs := figure.FindAllStringSubmatch(page, -1)
			if len(figs) != len(r.Spec.Spec.Hypothesis.SteadyState) {
				t.Fatalf("%d check charts, want %d", len(figs), len(r.Spec.Spec.Hypothesis.SteadyState))
			}
			for _, fig := range figs {
				check := html.UnescapeString(fig[1])
				var phases []Check
				for _, c := range s.Hypothesis.Checks {
					if c.Name == check {
						phases = append(phases, c)
					}
				}
				svgs := svg.FindAllString(fig[2], -1)
				if strings.Contains(fig[2], `class="nodata"`) {
					if len(svgs) != 0 {
						t.Errorf("%s: no data, yet %d svg", check, len(svgs))
					}
					continue
				}
				if len(svgs) != len(chartSizes) {
					t.Fatalf("%s: %d svg, want %d", check, len(svgs), len(chartSizes))
				}
				for _, c := range phases {
					if c.Value != nil && !strings.Contains(fig[2], valueKind[c.Judged]+" (judged): "+c.Result+"</li>") {
						t.Errorf("%s: the legend does not name the %s value (%s)", check, valueKind[c.Judged], c.Result)
					}
				}
				for i, src := range svgs {
					d := readSVG(t, src)
					if len(d.judged) != len(phases) {
						t.Errorf("%s (%s): %d judged marks, want one per phase (%d)", check, chartSizes[i].Class, len(d.judged), len(phases))
					}
					for _, c := range phases {
						j, ok := d.judged[string(c.Phase)]
						where := check + " (" + chartSizes[i].Class + ") " + string(c.Phase)
						switch {
						case !ok:
							t.Errorf("%s: its judged value is not drawn", where)
							continue
						case !strings.Contains(d.alt, judgedText(c)):
							t.Errorf("%s: the text alternative %q does not say %q", where, d.alt, judgedText(c))
						}
						if c.Value == nil {
							if j.line || j.label != string(c.Phase)+": no data" {
								t.Errorf("%s had no data: drawn %+v, want only the label %q", where, j, string(c.Phase)+": no data")
							}
							continue
						}
						if want := d.yOf(t, *c.Value); !j.line || math.Abs(j.y-want) > 0.15 {
							t.Errorf("%s: judged value %v drawn at y=%v (segment %v), want y=%.1f", where, *c.Value, j.y, j.line, want)
						}
						if want := judgedName[c.Judged] + " " + num(*c.Value); j.label != want {
							t.Errorf("%s: label %q, want %q", where, j.label, want)
						}
						var over int
						for _, x := range d.dots {
							if x >= j.x1 && x <= j.x2+2.1 { // a dot is at its period's end; the segment stops 2 short of the last
								over++
							}
						}
						if over != c.Datapoints {
							t.Errorf("%s: the segment [%v, %v] spans %d dots, want the %d datapoints judged", where, j.x1, j.x2, over, c.Datapoints)
						}
					}
				}
			}
		})
	}
}

// TestJudgedLabelsKeepApart: the judged values' labels cover neither each
// other nor a threshold's or fault's label, whatever the width, and stay
// inside the plot.
func TestJudgedLabelsKeepApart(t *testing.T) {
	c := testChart(pointsAt([]float64{-9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3}, 1))
	c.Thresholds = []float64{1}
	c.Faults = []FaultSpan{{"carts-pod-kill", at(0), at(0.3)}}
	v := 1.0
	c.Judged = []JudgedSpan{ // a value on the threshold, two phases without data side by side
		{Check{Phase: gameday.PhaseBefore, Value: &v, Judged: JudgedMean, Result: ResultRefuted}, Span{at(-9), at(0)}},
		{Check{Phase: gameday.PhaseDuring, Result: ResultInconclusive}, Span{at(0), at(0.3)}},
		{Check{Phase: gameday.PhaseAfter, Result: ResultInconclusive}, Span{at(0.3), at(10.3)}},
	}
	for _, sz := range chartSizes {
		t.Run(sz.Class, func(t *testing.T) {
			s := c.layout(sz.Class, sz.W, sz.H)
			var boxes []labelBox
			for _, th := range s.Thresholds {
				y, _ := strconv.ParseFloat(th.LabelY, 64)
				boxes = append(boxes, labelBox{lo: s.Right - float64(len(th.Label))*charW, hi: s.Right, y: y})
			}
			for _, f := range s.Faults {
				x, _ := strconv.ParseFloat(f.LabelX, 64)
				y, _ := strconv.ParseFloat(f.LabelY, 64)
				boxes = append(boxes, labelBox{lo: x, hi: x + float64(len(f.Label))*charW, y: y})
			}
			for _, j := range s.Judged {
				x, _ := strconv.ParseFloat(j.LabelX, 64)
				y, _ := strconv.ParseFloat(j.LabelY, 64)
				w := float64(len(j.Label)) * charW * 1.1
				b := labelBox{lo: x - w/2, hi: x + w/2, y: y}
				switch j.Anchor {
				case "start":
					b.lo, b.hi = x, x+w
				case "end":
					b.lo, b.hi = x-w, x
				}
				if b.overlaps(boxes) {
					t.Errorf("%s's label %q at (%v, %v) covers another label: %+v", j.Phase, j.Label, j.LabelX, j.LabelY, boxes)
				}
				if b.lo < s.Left || b.hi > s.Right || y < s.Top || y > s.Bottom {
					t.Errorf("%s's label %q at (%v, %v) leaves the plot", j.Phase, j.Label, j.LabelX, j.LabelY)
				}
				boxes = append(boxes, b)
			}
		})
	}
}

// TestValueText: the checks' tables say what each value is.
func TestValueText(t *testing.T) {
	tests := []struct {
		check Check
		want  string
	}{
		{Check{Value: f64(0.354), Judged: JudgedMean}, "0.354 (phase mean)"},
		{Check{Value: f64(412), Judged: JudgedWorst}, "412 (worst datapoint)"},
		{Check{Judged: JudgedMean}, "no data"},
		{Check{Value: f64(5)}, "5"}, // an archive written before judged
	}
	for _, tt := range tests {
		if got := valueText(tt.check); got != tt.want {
			t.Errorf("valueText(%+v) = %q, want %q", tt.check, got, tt.want)
		}
	}
}

// TestFarUpperBound: a between check's upper bound far above every value
// ("between 5 and 100000" over ~100 requests a minute) is not drawn, so
// that the values are not flattened against the axis; the legend says
// so. Other bounds and single thresholds are drawn, near or far.
func TestFarUpperBound(t *testing.T) {
	pts := pointsAt([]float64{0, 1, 2}, 100)
	tests := []struct {
		name       string
		thresholds []float64
		wantDrawn  []float64
		wantTop    float64 // the axis's top is at most this
	}{
		{"far upper bound", []float64{5, 100000}, []float64{5}, 200},
		{"near upper bound", []float64{5, 1000}, []float64{5, 1000}, 1500},
		{"narrow band far above the values", []float64{2000, 4000}, []float64{2000, 4000}, 6000},
		{"single far threshold", []float64{100000}, []float64{100000}, 150000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testChart(pts)
			c.Thresholds = tt.thresholds
			s := c.layout("m", 620, 250)
			var drawn []float64
			for _, l := range s.Thresholds {
				v, _ := strconv.ParseFloat(strings.TrimPrefix(l.Label, "threshold "), 64)
				drawn = append(drawn, v)
			}
			if diff := cmp.Diff(tt.wantDrawn, drawn); diff != "" {
				t.Errorf("thresholds drawn (-want +got):\n%s", diff)
			}
			if top, _ := strconv.ParseFloat(s.YTicks[len(s.YTicks)-1].Label, 64); top > tt.wantTop {
				t.Errorf("the axis reaches %g, want at most %g: the values are flattened", top, tt.wantTop)
			}
			var w htmlWriter
			w.charts([]htmlChart{{Chart: c, Sizes: []svgChart{s}}}, "")
			notDrawn := strings.Contains(w.String(), "far above every value: not drawn")
			if want := len(tt.wantDrawn) < len(tt.thresholds); notDrawn != want {
				t.Errorf("the legend says a threshold is not drawn: %v, want %v", notDrawn, want)
			}
		})
	}
}

// TestTimeLabelsApart: no two time labels of a chart's x axis run into
// each other, at any of the page's sizes, for runs of many lengths: a
// label pushed inside at an edge ("13:50" against the right end) ran into
// its neighbour ("13:4813:50").
func TestTimeLabelsApart(t *testing.T) {
	for _, sz := range chartSizes {
		for span := 10 * time.Minute; span <= 4*time.Hour; span += 7 * time.Minute {
			for _, start := range []time.Duration{0, 17 * time.Second, 40 * time.Second, 3*time.Minute + 10*time.Second} {
				c := testChart(pointsAt([]float64{0}, 1))
				c.From = at(0).Add(start)
				c.To = c.From.Add(span)
				s := c.layout(sz.Class, sz.W, sz.H)
				half := float64(len(s.XTicks[0].Label)) * charW / 2
				for i := 1; i < len(s.XTicks); i++ {
					if prevEnd, lo := tickEnd(s.XTicks[i-1], half), tickStart(s.XTicks[i], half); lo < prevEnd+4 {
						t.Errorf("%s, %s from +%s: %q (to x=%.1f) and %q (from x=%.1f) run into each other",
							sz.Class, span, start, s.XTicks[i-1].Label, prevEnd, s.XTicks[i].Label, lo)
					}
				}
			}
		}
	}
}
