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

// The commit make build-cli links in (-ldflags -X), for the builds that
// the go command does not stamp: in a git worktree, whose .git is a file
// (golang/go#58218), or with -buildvcs=false in GOFLAGS.
var (
	vcsRevision string
	vcsModified string // "true" or "false"
)

// buildInfo is the module, its version and VCS stamp, and the Go toolchain
// (doctor's first line, and version's).
func buildInfo() string {
	bi, ok := debug.ReadBuildInfo()
	return formatBuildInfo(bi, ok, vcsRevision, vcsModified)
}

// formatBuildInfo says bi (ok: there is one) on one line: the module's
// version (a release's, or the pseudo-version go build gives a checkout),
// and the commit: the one linked in (linkedRev, linkedModified), else the
// go command's VCS stamp, which in a worktree nested in another checkout is
// that checkout's. A development build says its commit, or
// that none was stamped and how to have one, never a bare "(devel)".
func formatBuildInfo(bi *debug.BuildInfo, ok bool, linkedRev, linkedModified string) string {
	if !ok {
		return "no build information; " + runtime.Version()
	}
	rev, modified := linkedRev, linkedModified
	if rev == "" { // else make build-cli asked git in the tree it built
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				modified = kv.Value
			}
		}
	}
	commit := ""
	if rev != "" {
		commit = fmt.Sprintf("commit %.12s", rev)
		if modified == "true" {
			commit += ", modified"
		}
	}
	s := bi.Main.Path + " "
	switch devel := bi.Main.Version == "" || bi.Main.Version == "(devel)"; {
	case !devel && commit != "":
		s += bi.Main.Version + " (" + commit + ")"
	case !devel:
		s += bi.Main.Version
	case commit != "":
		s += "development build (" + commit + ")"
	default:
		s += "development build (no commit stamped: make build-cli stamps it)"
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
