package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/gameday-dev/gameday/pkg/interpreter"
	"github.com/gameday-dev/gameday/pkg/interpreter/interpretertest"
)

func TestDoctor(t *testing.T) {
	interpretertest.Ensure(t) // the real install, from the checkout or the cache
	noTools := t.TempDir()
	oldNode := t.TempDir()
	if err := os.WriteFile(filepath.Join(oldNode, "node"), []byte("#!/bin/sh\necho v18.20.0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	realNode, err := exec.LookPath("node")
	if err != nil {
		t.Fatal(err)
	}
	nodeOnly := t.TempDir()
	if err := os.Symlink(realNode, filepath.Join(nodeOnly, "node")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		path     string // PATH; "" keeps this machine's
		opts     interpreter.Options
		code     int
		inStdout []string
		inStderr string
	}{
		{"this checkout", "", interpreter.Options{}, exitOK,
			[]string{"gameday:     github.com/gameday-dev/gameday", "node:        " + realNode, "npm:         ", "interpreter: npm aws-local-stepfunctions", "from the ", "cache dir:", "ok: "}, ""},
		{"no node", noTools, interpreter.Options{}, exitInvalid,
			[]string{"node:        node is not on PATH", "npm:         not on PATH"}, "install Node.js 20 or newer"},
		{"node too old", oldNode, interpreter.Options{}, exitInvalid,
			[]string{"Node.js v18.20.0"}, "needs Node.js 20 or newer"},
		{"nothing installed, no npm", nodeOnly, interpreter.Options{CacheDir: t.TempDir(), Starts: []string{}}, exitInvalid,
			[]string{"not installed, and no npm"}, "install npm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path != "" {
				t.Setenv("PATH", tt.path)
			}
			var out, errb bytes.Buffer
			code := exitCode(doctor(context.Background(), &env{stdout: &out, stderr: &errb}, tt.opts))
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out.String(), errb.String())
			}
			for _, want := range tt.inStdout {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			if !strings.Contains(errb.String(), tt.inStderr) || (tt.inStderr == "") != (errb.Len() == 0) {
				t.Errorf("stderr %q, want %q", errb.String(), tt.inStderr)
			}
		})
	}
}

// TestFormatBuildInfo: the module, its version, the VCS revision (12
// digits, modified or not) and the toolchain, on one line; the commit is
// the go command's stamp, else the one make build-cli links in; a
// development build never shows a bare "(devel)".
func TestFormatBuildInfo(t *testing.T) {
	const (
		rev    = "0123456789abcdef0123456789abcdef01234567"
		linked = "fedcba9876543210fedcba9876543210fedcba98"
		pseudo = "v0.0.0-20261206104033-0123456789ab"
	)
	platform := ", built with go1.26.8 for " + runtime.GOOS + "/" + runtime.GOARCH
	build := func(version string, settings ...debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/gameday-dev/gameday", Version: version}, Settings: settings}
	}
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name                     string
		bi                       *debug.BuildInfo
		ok                       bool
		linkedRev, linkedChanged string
		want                     string
	}{
		{name: "a release (go install ...@v1.2.3)", bi: build("v1.2.3"), ok: true,
			want: "github.com/gameday-dev/gameday v1.2.3" + platform},
		{name: "a release with a stamp", bi: build("v1.2.3", vcs("false")...), ok: true,
			want: "github.com/gameday-dev/gameday v1.2.3 (commit 0123456789ab)" + platform},
		{name: "go build in a clean clone", bi: build(pseudo, vcs("false")...), ok: true,
			want: "github.com/gameday-dev/gameday " + pseudo + " (commit 0123456789ab)" + platform},
		{name: "go build in a modified clone", bi: build(pseudo+"+dirty", vcs("true")...), ok: true,
			want: "github.com/gameday-dev/gameday " + pseudo + "+dirty (commit 0123456789ab, modified)" + platform},
		{name: "the linked commit wins", bi: build(pseudo, vcs("false")...), ok: true, linkedRev: linked, linkedChanged: "true",
			want: "github.com/gameday-dev/gameday " + pseudo + " (commit fedcba987654, modified)" + platform},
		{name: "make build-cli in a worktree", bi: build("(devel)"), ok: true, linkedRev: linked, linkedChanged: "false",
			want: "github.com/gameday-dev/gameday development build (commit fedcba987654)" + platform},
		{name: "make build-cli in a modified worktree", bi: build("(devel)"), ok: true, linkedRev: linked, linkedChanged: "true",
			want: "github.com/gameday-dev/gameday development build (commit fedcba987654, modified)" + platform},
		{name: "go build without a stamp", bi: build("(devel)"), ok: true,
			want: "github.com/gameday-dev/gameday development build (no commit stamped: make build-cli stamps it)" + platform},
		{name: "no version at all", bi: build(""), ok: true,
			want: "github.com/gameday-dev/gameday development build (no commit stamped: make build-cli stamps it)" + platform},
		{name: "no build information", ok: false, want: "no build information; " + runtime.Version()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := formatBuildInfo(tt.bi, tt.ok, tt.linkedRev, tt.linkedChanged)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "(devel)") {
				t.Errorf("%q shows a bare (devel)", got)
			}
		})
	}
}

// TestVersion: gameday version and gameday --version print doctor's first
// line alone and exit 0; --help lists the command.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := runCLI(t, args...)
		if want := buildInfo() + "\n"; code != exitOK || stdout != want || stderr != "" {
			t.Errorf("gameday %v = %d, stdout %q, stderr %q; want 0, %q", args, code, stdout, stderr, want)
		}
		if !strings.HasPrefix(stdout, "github.com/gameday-dev/gameday ") {
			t.Errorf("gameday %v does not name the module: %q", args, stdout)
		}
	}
	if code, _, stderr := runCLI(t, "version", "x"); code != exitUsage || stderr != "gameday: version takes no arguments; run 'gameday version --help'\n" {
		t.Errorf("gameday version x = %d, %q", code, stderr)
	}
	_, stdout, _ := runCLI(t, "--help")
	if !strings.Contains(stdout, "\n  version    print the module version and VCS revision") {
		t.Errorf("--help does not list version:\n%s", stdout)
	}
}

// TestMakefileLinksCommit: make build-cli sets the variables buildInfo
// reads (-X of a name that does not exist is silently ignored).
func TestMakefileLinksCommit(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = vcsRevision, vcsModified // they exist
	for _, want := range []string{"-X main.vcsRevision=$(GIT_REVISION)", "-X main.vcsModified=$(GIT_MODIFIED)", "-ldflags '$(CLI_LDFLAGS)' -o bin/gameday ./cmd/gameday"} {
		if !strings.Contains(string(mk), want) {
			t.Errorf("the Makefile does not contain %q", want)
		}
	}
}
