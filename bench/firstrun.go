package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
)

// FirstRun is .ci/first-run.sh: the CLI alone, as `go install` gives it,
// run from an empty directory with an empty HOME (an empty user cache and
// npm cache, so npm downloads every package). Its first run of the
// walkthrough installs the States Language interpreter; the second, the
// baseline, reuses it.
type FirstRun struct {
	// InstallSeconds is what the first run's install line says.
	InstallSeconds float64 `json:"installSeconds"`
	FirstSeconds   float64 `json:"firstSeconds"`
	SecondSeconds  float64 `json:"secondSeconds"`
	// Ratio is FirstSeconds over SecondSeconds.
	Ratio float64 `json:"ratio"`
	// InstallShare is InstallSeconds over FirstSeconds: the part of the
	// first run the install took.
	InstallShare float64 `json:"installShare"`
}

// What .ci/first-run.sh prints: the CLI's install line, then both runs'
// wall times.
var (
	installLine = regexp.MustCompile(`(?m)installing the States Language interpreter .* done in ([0-9.]+)s$`)
	runsLine    = regexp.MustCompile(`(?m)^first-run: first run ([0-9.]+) s .*, second run ([0-9.]+) s$`)
)

func measureFirstRun(ctx context.Context) (*FirstRun, error) {
	cmd := exec.CommandContext(ctx, "bash", ".ci/first-run.sh")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf(".ci/first-run.sh: %w: %s", err, out.String())
	}
	return parseFirstRun(out.String())
}

func parseFirstRun(out string) (*FirstRun, error) {
	inst, runs := installLine.FindStringSubmatch(out), runsLine.FindStringSubmatch(out)
	if inst == nil || runs == nil {
		return nil, fmt.Errorf(".ci/first-run.sh printed no install line or no run times: %s", out)
	}
	var f FirstRun
	fields := []struct {
		s string
		v *float64
	}{{inst[1], &f.InstallSeconds}, {runs[1], &f.FirstSeconds}, {runs[2], &f.SecondSeconds}}
	for _, fl := range fields {
		v, err := strconv.ParseFloat(fl.s, 64)
		if err != nil {
			return nil, fmt.Errorf(".ci/first-run.sh: %q: %w", fl.s, err)
		}
		*fl.v = v
	}
	if f.SecondSeconds > 0 {
		f.Ratio = f.FirstSeconds / f.SecondSeconds
	}
	if f.FirstSeconds > 0 {
		f.InstallShare = f.InstallSeconds / f.FirstSeconds
	}
	return &f, nil
}

func firstRunTable(f *FirstRun) string {
	return fmt.Sprintf("First use (.ci/first-run.sh: the CLI alone, empty cache and npm cache): the walkthrough's first run %.2fx the second, the interpreter install %.0f %% of the first (%.1f s, %.1f s and %.1f s wall)\n",
		f.Ratio, 100*f.InstallShare, f.FirstSeconds, f.InstallSeconds, f.SecondSeconds)
}
