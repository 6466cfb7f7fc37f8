package interpreter

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBin writes executable shell scripts into a new directory and makes
// it the whole PATH (plus /bin for sh's own needs when keepSystem).
func fakeBin(t *testing.T, scripts map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	return dir
}

func nodeScript(version string) string { return "echo " + version }

// A fake npm ci: what a complete install leaves, or a half-finished one.
const (
	npmOK       = `mkdir -p node_modules/aws-local-stepfunctions && echo '{}' > node_modules/aws-local-stepfunctions/package.json && echo '{}' > node_modules/.package-lock.json`
	npmHalfway  = `mkdir -p node_modules/aws-local-stepfunctions && echo '{}' > node_modules/aws-local-stepfunctions/package.json; echo 'npm error code E500' >&2; exit 1`
	npmOffline  = `echo 'npm error code ENOTFOUND' >&2; echo 'npm error network request to https://registry.npmjs.org/x failed' >&2; exit 1`
	npmSleepKO  = `exit 7`
	checkoutMod = "module github.com/gameday-dev/gameday\n\ngo 1.26\n"
)

func TestFindNode(t *testing.T) {
	tests := []struct {
		name    string
		scripts map[string]string
		wantErr error
		inErr   string
	}{
		{"no node", map[string]string{}, ErrNoNode, "install Node.js 20 or newer"},
		{"node 18", map[string]string{"node": nodeScript("v18.19.0")}, ErrNodeTooOld, "Node.js v18.19.0"},
		{"not a version", map[string]string{"node": nodeScript("hello")}, nil, `printed "hello"`},
		{"node 20", map[string]string{"node": nodeScript("v20.20.2")}, nil, ""},
		{"node 22", map[string]string{"node": nodeScript("v22.1.0")}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeBin(t, tt.scripts)
			f, err := Find(context.Background(), Options{CacheDir: t.TempDir(), Starts: []string{}})
			switch {
			case tt.inErr == "" && err != nil:
				t.Fatalf("Find: %v", err)
			case tt.inErr != "" && (err == nil || !strings.Contains(err.Error(), tt.inErr)):
				t.Fatalf("Find error %v, want one containing %q", err, tt.inErr)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("Find error %v, want %v", err, tt.wantErr)
			}
			if err == nil && (f.NodeVersion != strings.TrimPrefix(tt.scripts["node"], "echo ") || f.NodeModules != "") {
				t.Errorf("Found %+v", f)
			}
		})
	}
}

// writeInstall lays out what npm ci leaves in dir, complete or not.
func writeInstall(t *testing.T, dir string, lock []byte, complete bool) {
	t.Helper()
	files := map[string][]byte{
		"package-lock.json":                         lock,
		"node_modules/" + Package + "/package.json": []byte("{}"),
	}
	if complete {
		files["node_modules/.package-lock.json"] = []byte("{}")
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindInstall(t *testing.T) {
	otherLock := []byte(`{"name":"other"}`)
	tests := []struct {
		name       string
		goMod      string // the checkout's go.mod ("" none)
		checkout   []byte // the checkout's installed lockfile (nil none)
		cache      []byte // the cache's installed lockfile (nil none)
		incomplete bool   // the cache install lacks npm ci's last file
		want       string // "checkout", "cache" or ""
	}{
		{"nothing", "", nil, nil, false, ""},
		{"checkout", checkoutMod, packageLock, packageLock, false, "checkout"},
		{"checkout of another lockfile: cache", checkoutMod, otherLock, packageLock, false, "cache"},
		{"another module's node_modules is not ours", "module example.com/evil\n", packageLock, nil, false, ""},
		{"cache", "", nil, packageLock, false, "cache"},
		{"half-finished cache install", "", nil, packageLock, true, ""},
		{"cache of another lockfile", "", nil, otherLock, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeBin(t, map[string]string{"node": nodeScript("v20.20.2")})
			root, cache := t.TempDir(), t.TempDir()
			if tt.goMod != "" {
				if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte(tt.goMod), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.checkout != nil {
				writeInstall(t, filepath.Join(root, CheckoutDir), tt.checkout, true)
			}
			if tt.cache != nil {
				writeInstall(t, filepath.Join(cache, Digest()), tt.cache, !tt.incomplete)
			}
			start := filepath.Join(root, "cmd", "gameday")
			f, err := Find(context.Background(), Options{CacheDir: cache, Starts: []string{start}})
			if err != nil {
				t.Fatalf("Find: %v", err)
			}
			if f.Source != tt.want {
				t.Fatalf("source %q (node_modules %q), want %q", f.Source, f.NodeModules, tt.want)
			}
			wantDir := map[string]string{
				"checkout": filepath.Join(root, CheckoutDir, "node_modules"),
				"cache":    filepath.Join(cache, Digest(), "node_modules"),
				"":         "",
			}[tt.want]
			if f.NodeModules != wantDir {
				t.Errorf("node_modules %q, want %q", f.NodeModules, wantDir)
			}
		})
	}
}

func TestEnsure(t *testing.T) {
	tests := []struct {
		name     string
		npm      string // "" no npm on PATH
		wantErr  error
		inErr    string
		progress string
	}{
		{"installs", npmOK, nil, "", "done in "},
		{"no npm", "", ErrNoNPM, "install npm", ""},
		{"offline", npmOffline, ErrOffline, "connect to the network", "failed"},
		{"half-finished", npmHalfway, nil, "E500", "failed"},
		{"npm fails", npmSleepKO, nil, "exit status 7", "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scripts := map[string]string{"node": nodeScript("v22.1.0")}
			if tt.npm != "" {
				scripts["npm"] = tt.npm
			}
			mkdir, err := exec.LookPath("mkdir") // the fake npm's
			if err != nil {
				t.Fatal(err)
			}
			bin := fakeBin(t, scripts)
			if err := os.Symlink(mkdir, filepath.Join(bin, "mkdir")); err != nil {
				t.Fatal(err)
			}
			cache := t.TempDir()
			var progress strings.Builder
			f, err := Ensure(context.Background(), Options{CacheDir: cache, Starts: []string{}, Progress: &progress})
			if tt.inErr == "" {
				if err != nil {
					t.Fatalf("Ensure: %v", err)
				}
				if want := filepath.Join(cache, Digest(), "node_modules"); f.NodeModules != want || f.Source != "cache" {
					t.Errorf("node_modules %q from %q, want %q from the cache", f.NodeModules, f.Source, want)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), tt.inErr) {
					t.Fatalf("Ensure error %v, want one containing %q", err, tt.inErr)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("Ensure error %v, want %v", err, tt.wantErr)
				}
				if _, err := os.Stat(filepath.Join(cache, Digest())); !os.IsNotExist(err) {
					t.Errorf("a failed install left %s (stat: %v)", Digest(), err)
				}
			}
			line := progress.String()
			if !strings.Contains(line, tt.progress) || strings.Count(line, "\n") > 1 {
				t.Errorf("progress %q, want one line with %q", line, tt.progress)
			}
			// Nothing half-finished is left behind, whatever happened.
			left, _ := filepath.Glob(filepath.Join(cache, ".installing-*"))
			if len(left) > 0 {
				t.Errorf("left %v", left)
			}
			if err != nil {
				return
			}
			// A second Ensure reuses the install and prints nothing.
			progress.Reset()
			if err := os.WriteFile(filepath.Join(bin, "npm"), []byte("#!/bin/sh\necho npm must not run >&2; exit 1\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			if _, err := Ensure(context.Background(), Options{CacheDir: cache, Starts: []string{}, Progress: &progress}); err != nil || progress.Len() > 0 {
				t.Errorf("second Ensure: %v, printed %q", err, progress.String())
			}
		})
	}
}

func TestEmbeddedManifest(t *testing.T) {
	if v := Version(); v == "" || v == "unknown" {
		t.Errorf("the embedded lockfile pins no %s: %q", Package, v)
	}
	if len(Digest()) != 16 {
		t.Errorf("digest %q", Digest())
	}
	// The manifest names the interpreter, which its lockfile pins.
	if !strings.Contains(string(packageJSON), `"`+Package+`": "`+Version()+`"`) {
		t.Errorf("package.json does not pin %s %s:\n%s", Package, Version(), packageJSON)
	}
}

// TestEnsureOfflineNPM runs the real npm against a registry that refuses
// connections, with an empty npm cache: the error is the offline line.
func TestEnsureOfflineNPM(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		if os.Getenv("GAMEDAY_SKIP_NODE_TESTS") == "1" {
			t.Skip("GAMEDAY_SKIP_NODE_TESTS=1 and no npm")
		}
		t.Fatalf("this test needs npm: %v (or set GAMEDAY_SKIP_NODE_TESTS=1 to skip it)", err)
	}
	t.Setenv("npm_config_registry", "http://127.0.0.1:1/")
	t.Setenv("npm_config_cache", t.TempDir())
	t.Setenv("npm_config_fetch_retries", "0")
	t.Setenv("npm_config_fetch_retry_mintimeout", "100")
	t.Setenv("npm_config_fetch_retry_maxtimeout", "200")
	cache := t.TempDir()
	_, err := Ensure(context.Background(), Options{CacheDir: cache, Starts: []string{}})
	if !errors.Is(err, ErrOffline) {
		t.Fatalf("Ensure error %v, want %v", err, ErrOffline)
	}
	if entries, _ := os.ReadDir(cache); len(entries) > 0 {
		t.Errorf("an offline install left %v", entries)
	}
}
