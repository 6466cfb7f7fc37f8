package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/interpreter"
)

// doctorCmd is `gameday doctor`.
type doctorCmd struct{}

func (c *doctorCmd) run(ctx context.Context, e *env, _ []string) error {
	return doctor(ctx, e, interpreter.Options{})
}

// doctor prints one line per thing a local run needs and exits 1 when one
// is missing: Node (recent enough), and the interpreter installed or npm
// and the npm registry to install it.
func doctor(ctx context.Context, e *env, o interpreter.Options) error {
	line := func(what, format string, args ...any) {
		fmt.Fprintf(e.stdout, "%-12s %s\n", what+":", fmt.Sprintf(format, args...))
	}
	line("gameday", "%s", buildInfo())
	var problems []string
	found, err := interpreter.Find(ctx, o)
	switch {
	case err != nil:
		line("node", "%v", err)
		problems = append(problems, err.Error())
	default:
		line("node", "%s %s (needs %d or newer)", found.Node, found.NodeVersion, interpreter.MinNodeMajor)
	}
	npm, npmVersion := toolVersion(ctx, "npm")
	if npm == "" {
		line("npm", "not on PATH")
	} else {
		line("npm", "%s %s", npm, npmVersion)
	}
	if found.Checkout != "" {
		line("checkout", "%s", found.Checkout)
	}
	pinned := fmt.Sprintf("npm %s %s (lockfile %s)", interpreter.Package, interpreter.Version(), interpreter.Digest())
	switch {
	case found.NodeModules != "":
		line("interpreter", "%s in %s, from the %s", pinned, found.NodeModules, found.Source)
	case npm == "":
		line("interpreter", "%s not installed, and no npm to install it", pinned)
		problems = append(problems, interpreter.ErrNoNPM.Error())
	default:
		dir := filepath.Join(found.CacheDir, interpreter.Digest())
		if err := npmPing(ctx, npm); err != nil {
			line("interpreter", "%s not installed; npm cannot reach its registry (%v)", pinned, err)
			problems = append(problems, interpreter.ErrOffline.Error())
		} else {
			line("interpreter", "%s not installed; the first 'gameday run --local' installs it into %s with npm ci", pinned, dir)
		}
	}
	line("cache dir", "%s", found.CacheDir)
	if len(problems) > 0 {
		for _, p := range problems {
			e.errorf("%s", p)
		}
		return errReported
	}
	fmt.Fprintln(e.stdout, "ok: 'gameday run --local' and 'gameday sim' can run here")
	return nil
}

// buildInfo is the module, its version and VCS stamp, and the Go toolchain
// (doctor's first line, and version's).
func buildInfo() string {
	return formatBuildInfo(debug.ReadBuildInfo())
}

// formatBuildInfo says bi (ok: there is one) on one line.
func formatBuildInfo(bi *debug.BuildInfo, ok bool) string {
	if !ok {
		return "no build information; " + runtime.Version()
	}
	s := bi.Main.Path + " " + bi.Main.Version
	var rev, modified string
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev != "" {
		s += fmt.Sprintf(" (commit %.12s%s)", rev, modified)
	}
	return fmt.Sprintf("%s, built with %s for %s/%s", s, bi.GoVersion, runtime.GOOS, runtime.GOARCH)
}

// toolVersion finds a tool on PATH and asks its version.
func toolVersion(ctx context.Context, name string) (string, string) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", ""
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, p, "--version").Output()
	if err != nil {
		return p, fmt.Sprintf("(--version failed: %v)", err)
	}
	return p, strings.TrimSpace(string(out))
}

// npmPing asks npm whether its registry answers.
func npmPing(ctx context.Context, npm string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, npm, "ping", "--loglevel=error").CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm ping: %v: %s", err, firstLineOf(strings.TrimSpace(string(out))))
	}
	return nil
}
