package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
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
