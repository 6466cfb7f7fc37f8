package localrun

// The browser test: the walkthrough's report.html, as the run archived it,
// opened in headless Chromium at a laptop's and a phone's width, in light
// and dark mode. It checks what a reader needs at a glance and keeps a
// screenshot of each view (see artifactDir).

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/sim"
)

// chromium finds Debian's chromium. Outside CI a machine without it skips
// the test, saying so; in CI (CI=true) its absence fails the test, since
// .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH in CI: .ci/run installs Debian's chromium package")
	}
	t.Skip("no chromium on PATH: the browser test needs Debian's chromium (apt-get install chromium); skipped outside CI")
	return ""
}

// artifactDir is where the screenshots and the reports they show are kept:
// $GAMEDAY_ARTIFACTS, else out/browser/ at the repository's root (in CI,
// <clone>/out/browser/).
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GAMEDAY_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "out", "browser")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		t.Fatal(err)
	}
	return abs
}

// pageFacts is what the page's own layout says, measured in the browser.
type pageFacts struct {
	Charts []struct {
		Name    string  `json:"name"`
		Visible int     `json:"visible"` // visible <svg> in the figure (one size is shown)
		NoData  bool    `json:"noData"`
		Width   float64 `json:"width"`
		Height  float64 `json:"height"`
		Series  int     `json:"series"`  // drawn series paths in the visible svg
		FontPx  float64 `json:"fontPx"`  // the visible svg's text size on screen
		Content float64 `json:"content"` // the width the page's content has
	} `json:"charts"`
	BannerBottom float64 `json:"bannerBottom"`
	BannerText   string  `json:"bannerText"`
	ViewHeight   float64 `json:"viewHeight"`
	ViewWidth    float64 `json:"viewWidth"`
	ScrollWidth  float64 `json:"scrollWidth"`
	MinTextPx    float64 `json:"minTextPx"`
	Dark         bool    `json:"dark"`
}

const measure = `(() => {
  const out = {charts: [], viewHeight: innerHeight, viewWidth: innerWidth,
    scrollWidth: document.documentElement.scrollWidth, dark: matchMedia('(prefers-color-scheme: dark)').matches};
  const content = document.body.clientWidth - parseFloat(getComputedStyle(document.body).paddingLeft) - parseFloat(getComputedStyle(document.body).paddingRight);
  for (const f of document.querySelectorAll('figure.chart')) {
    const shown = [...f.querySelectorAll('svg')].filter(s => getComputedStyle(s).display !== 'none');
    const c = {name: f.dataset.chart, visible: shown.length, noData: !!f.querySelector('.nodata'), content: content, width: 0, height: 0, series: 0, fontPx: 0};
    const el = shown[0] || f.querySelector('.nodata');
    if (el) { const r = el.getBoundingClientRect(); c.width = r.width; c.height = r.height; }
    if (shown[0]) {
      c.series = shown[0].querySelectorAll('path.series').length;
      const t = shown[0].querySelector('text');
      if (t) c.fontPx = t.getBoundingClientRect().height;
    }
    out.charts.push(c);
  }
  const b = document.querySelector('.verdict');
  out.bannerBottom = b ? b.getBoundingClientRect().bottom + scrollY : 1e9;
  out.bannerText = b ? b.textContent : '';
  let min = 1e9;
  for (const e of document.querySelectorAll('td, th, p, li, h1, h2, h3')) {
    if (e.getClientRects().length) min = Math.min(min, parseFloat(getComputedStyle(e).fontSize));
  }
  out.minTextPx = min;
  return out;
})()`

func TestBrowserWalkthroughReport(t *testing.T) {
	chrome := chromium(t)
	needNode(t)
	dir := artifactDir(t)
	// One browser, a tab per view.
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil { // starts it
		t.Fatalf("start chromium %s: %v", chrome, err)
	}

	// The walkthrough as it is, and the walkthrough with a stop condition
	// on carts' own latency that its fault trips.
	spec, yaml := load(t, walkthrough)
	stopped, _ := load(t, walkthrough)
	stopped.Spec.StopConditions = []gameday.StopCondition{{Alarm: &gameday.AlarmSpec{
		Name: "carts-latency", Description: "carts p99 above 100 ms",
		Metric:     gameday.Metric{Namespace: "SockShop", Name: "Latency", Dimensions: map[string]string{"service": "carts"}, Stat: "p99", Period: 60, Unit: "Milliseconds"},
		Comparison: "GreaterThanThreshold", Threshold: 100, EvaluationPeriods: 1,
	}}}

	reports := map[string]*gameday.Spec{"walkthrough": spec, "walkthrough-stopped": stopped}
	for _, name := range []string{"walkthrough", "walkthrough-stopped"} {
		s := reports[name]
		y := yaml
		if name != "walkthrough" {
			y = "" // the spec differs from the file: the archive encodes it
		}
		srv := startSim(t, sim.Options{})
		res := run(t, srv, s, y, nil)
		sum := summary(t, srv, res)
		if name == "walkthrough-stopped" && sum.Verdict != "stopped-by-alarm" {
			t.Fatalf("%s: verdict %s, want stopped-by-alarm (%s)", name, sum.Verdict, sum.VerdictReason)
		}
		page := filepath.Join(dir, name+".html")
		if err := os.WriteFile(page, reportHTML(t, srv, res), 0o644); err != nil {
			t.Fatal(err)
		}
		wantCharts := len(s.Spec.Hypothesis.SteadyState) + len(s.Spec.Observe) + len(s.Spec.StopConditions)
		for _, view := range []struct {
			name string
			w, h int64
			dark bool
		}{{"laptop", 1280, 800, false}, {"laptop-dark", 1280, 800, true}, {"phone", 375, 740, false}, {"phone-dark", 375, 740, true}} {
			t.Run(name+"/"+view.name, func(t *testing.T) {
				var facts pageFacts
				var png []byte
				browse(t, browser, "file://"+page, view.w, view.h, view.dark, &facts, &png)
				shot := filepath.Join(dir, name+"-"+view.name+".png")
				if err := os.WriteFile(shot, png, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot %s", shot)
				if facts.Dark != view.dark {
					t.Errorf("prefers-color-scheme dark = %v, want %v", facts.Dark, view.dark)
				}
				if len(facts.Charts) != wantCharts {
					t.Errorf("%d charts, want %d (one per check, observed metric and stop condition)", len(facts.Charts), wantCharts)
				}
				for _, c := range facts.Charts {
					switch {
					case c.NoData:
						t.Errorf("chart %s has no data: the walkthrough's metrics all have datapoints", c.Name)
					case c.Visible != 1:
						t.Errorf("chart %s shows %d svg, want exactly 1", c.Name, c.Visible)
					case c.Series < 1:
						t.Errorf("chart %s draws no series", c.Name)
					case c.Height < 150 || c.Width < 0.95*c.Content:
						t.Errorf("chart %s is %.0f×%.0f px in %.0f px of content: want full width, at least 150 px high", c.Name, c.Width, c.Height, c.Content)
					case c.FontPx < 10:
						t.Errorf("chart %s's text is %.1f px high on screen: unreadable", c.Name, c.FontPx)
					}
				}
				if facts.BannerBottom > facts.ViewHeight {
					t.Errorf("the verdict banner ends at %.0f px, below the first screen (%.0f px)", facts.BannerBottom, facts.ViewHeight)
				}
				if facts.ScrollWidth > facts.ViewWidth {
					t.Errorf("the page is %.0f px wide in a %.0f px window: something overflows", facts.ScrollWidth, facts.ViewWidth)
				}
				if facts.MinTextPx < 12 {
					t.Errorf("smallest text is %.1f px", facts.MinTextPx)
				}
			})
		}
	}
}

// browse opens url in a new tab of the browser at w×h, light or dark, measures the
// page and takes a full-page screenshot.
func browse(t *testing.T, browser context.Context, url string, w, h int64, dark bool, facts *pageFacts, png *[]byte) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser) // a new tab
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	media := emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, media); err != nil {
		t.Fatalf("chromium: emulate %s mode: %v", scheme, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h), chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("chromium at %dx%d: open %s: %v", w, h, url, err)
	}
	var err error
	if *facts, err = chromedp.Run(ctx, chromedp.Evaluate[pageFacts](measure)); err != nil {
		t.Fatalf("chromium: measure the page: %v", err)
	}
	if *png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatalf("chromium: screenshot: %v", err)
	}
}

// reportHTML reads the run's report.html from the simulator's archive.
func reportHTML(t *testing.T, srv *sim.Server, res *Result) []byte {
	t.Helper()
	client := s3.NewFromConfig(AWSConfig(srv), func(o *s3.Options) { o.UsePathStyle = true })
	out, err := client.GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(res.Archive.Bucket), Key: aws.String(res.Archive.Prefix + "report.html"),
	})
	if err != nil {
		t.Fatalf("get report.html: %v", err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(fmt.Errorf("read report.html: %w", err))
	}
	return b
}
