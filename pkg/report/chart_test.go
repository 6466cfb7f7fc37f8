package report

import (
	"strconv"
	"strings"
	"testing"
	"time"

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
