// Package interpreter finds, and on first use installs, the third-party
// States Language interpreter (npm aws-local-stepfunctions) that `gameday
// run --local` and `gameday sim` run the workflow in, and the Node.js that
// runs it.
//
// The CLI carries the interpreter's pinned npm manifest and lockfile
// (_npm/package.json and _npm/package-lock.json, embedded; the leading
// underscore keeps the go tool out of the node_modules beside them). Where
// it looks, in order:
//
//  1. a checkout of gameday (a go.mod declaring this module, found above
//     the executable or the working directory) whose
//     pkg/interpreter/_npm/node_modules was installed from the same
//     lockfile (make does that);
//  2. the user's cache: os.UserCacheDir()/gameday/<lockfile digest>/,
//     which Ensure fills with `npm ci` when it is missing.
//
// Node is always the one on PATH (or the one the caller names): a node
// binary found in a node_modules above the working directory is never run,
// since any repository can ship one.
package interpreter

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

var (
	//go:embed _npm/package.json
	packageJSON []byte
	//go:embed _npm/package-lock.json
	packageLock []byte
)

// Module is the Go module whose checkout holds its own install.
const Module = "github.com/gameday-dev/gameday"

// Package is the npm package of the interpreter.
const Package = "aws-local-stepfunctions"

// MinNodeMajor is the oldest Node.js major version that runs the
// interpreter: it declares Node 22, and the runner (pkg/localrun/runner.mjs)
// supplies the one Node 22 function it uses (Promise.withResolvers) on 20.
const MinNodeMajor = 20

// CheckoutDir is where, in a checkout, the manifest lives and make installs
// the interpreter (its node_modules).
const CheckoutDir = "pkg/interpreter/_npm"

// Sentinel errors: each says what to install, in one line.
var (
	ErrNoNode     = fmt.Errorf("node is not on PATH: install Node.js %d or newer (https://nodejs.org, or your package manager's nodejs)", MinNodeMajor)
	ErrNodeTooOld = fmt.Errorf("the States Language interpreter needs Node.js %d or newer: install a newer Node.js (https://nodejs.org)", MinNodeMajor)
	ErrNoNPM      = errors.New("npm is not on PATH, and it is needed once to install the States Language interpreter: install npm (it comes with Node.js; Debian: apt-get install npm)")
	ErrOffline    = errors.New("cannot reach the npm registry to install the States Language interpreter (needed once): connect to the network, or set npm's registry or proxy (npm config set registry URL), and run again")
)

// Version is the interpreter's pinned version, from the embedded lockfile.
func Version() string {
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if json.Unmarshal(packageLock, &lock) != nil {
		return "unknown"
	}
	return lock.Packages["node_modules/"+Package].Version
}

// Digest names the embedded lockfile: the first 16 hex digits of its
// SHA-256. An install is reused only for the same digest.
func Digest() string {
	sum := sha256.Sum256(packageLock)
	return hex.EncodeToString(sum[:])[:16]
}

// Options say where to look.
type Options struct {
	// CacheDir is the parent of the per-lockfile installs; default
	// os.UserCacheDir()/gameday.
	CacheDir string
	// Starts are the directories searched upwards for a gameday checkout;
	// default the executable's, and the working directory for a binary
	// built from source (go build, go run, go test: not a released
	// version, which never trusts what is above the working directory).
	// Empty but non-nil: no checkout.
	Starts []string
	// Node, when set, is the node binary to use instead of PATH's.
	Node string
	// Progress gets the one line an install prints (may be nil).
	Progress io.Writer
}

// Found is what Find or Ensure located.
type Found struct {
	// Node is the node binary; NodeVersion its version ("v20.11.1").
	Node, NodeVersion string
	// NodeModules holds the interpreter (NodeModules/aws-local-stepfunctions);
	// empty when it is not installed yet.
	NodeModules string
	// Source is "checkout" or "cache" (empty when not installed).
	Source string
	// CacheDir is where Ensure installs: CacheDir/<digest>.
	CacheDir string
	// Checkout is the gameday checkout found, if any.
	Checkout string
}

// Find locates Node and an installed interpreter without installing
// anything. A missing or too old Node is an error; a missing interpreter
// is not (Found.NodeModules is empty).
func Find(ctx context.Context, o Options) (*Found, error) {
	f := &Found{}
	var err error
	if f.CacheDir, err = cacheDir(o.CacheDir); err != nil {
		return f, err
	}
	if f.Node, f.NodeVersion, err = findNode(ctx, o.Node); err != nil {
		return f, err
	}
	f.Checkout = findCheckout(o.Starts)
	if f.Checkout != "" {
		if dir := filepath.Join(f.Checkout, CheckoutDir); installed(dir) {
			f.NodeModules, f.Source = filepath.Join(dir, "node_modules"), "checkout"
			return f, nil
		}
	}
	if dir := filepath.Join(f.CacheDir, Digest()); installed(dir) {
		f.NodeModules, f.Source = filepath.Join(dir, "node_modules"), "cache"
	}
	return f, nil
}

// Ensure is Find, then, when no install was found, an install into the
// cache with `npm ci`, announced on o.Progress in one line with its time.
// The install is written to a temporary directory and renamed into place
// only once complete, so a half-finished one is never used.
func Ensure(ctx context.Context, o Options) (*Found, error) {
	f, err := Find(ctx, o)
	if err != nil || f.NodeModules != "" {
		return f, err
	}
	dir := filepath.Join(f.CacheDir, Digest())
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "gameday: installing the States Language interpreter (npm %s %s) into %s with npm ci ... ", Package, Version(), dir)
	}
	start := time.Now()
	if err := install(ctx, f.CacheDir, dir); err != nil {
		if o.Progress != nil {
			fmt.Fprintln(o.Progress, "failed")
		}
		return f, err
	}
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "done in %.1fs\n", time.Since(start).Seconds())
	}
	f.NodeModules, f.Source = filepath.Join(dir, "node_modules"), "cache"
	return f, nil
}

// installed says an install in dir is complete and from the embedded
// lockfile: npm ci writes node_modules/.package-lock.json last.
func installed(dir string) bool {
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil || !bytes.Equal(lock, packageLock) {
		return false
	}
	for _, p := range []string{"node_modules/.package-lock.json", "node_modules/" + Package + "/package.json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

func install(ctx context.Context, parent, dir string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return ErrNoNPM
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("install interpreter: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".installing-"+Digest()+"-")
	if err != nil {
		return fmt.Errorf("install interpreter: %w", err)
	}
	defer os.RemoveAll(tmp) // gone once renamed; else the half-finished install
	for name, data := range map[string][]byte{"package.json": packageJSON, "package-lock.json": packageLock} {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			return fmt.Errorf("install interpreter: %w", err)
		}
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error")
	cmd.Dir = tmp
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("install interpreter: %w", ctx.Err())
		}
		if offline(out.String()) {
			return ErrOffline
		}
		return fmt.Errorf("install interpreter: npm ci in %s: %w: %s", tmp, err, lastLines(out.String(), 5))
	}
	if !installed(tmp) {
		return fmt.Errorf("install interpreter: npm ci in %s left no %s", tmp, Package)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if installed(dir) { // another gameday finished first
			return nil
		}
		// A leftover that is not a complete install: replace it.
		if rmErr := os.RemoveAll(dir); rmErr != nil {
			return fmt.Errorf("install interpreter: %w", rmErr)
		}
		if err := os.Rename(tmp, dir); err != nil {
			return fmt.Errorf("install interpreter: %w", err)
		}
	}
	return nil
}

// npm's error codes for a registry it cannot reach.
var offlineCodes = regexp.MustCompile(`\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b`)

func offline(npmOutput string) bool { return offlineCodes.MatchString(npmOutput) }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func cacheDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the cache directory (set XDG_CACHE_HOME or HOME): %w", err)
	}
	return filepath.Join(base, "gameday"), nil
}

// findNode returns node's path and version, checking it is recent enough.
func findNode(ctx context.Context, node string) (string, string, error) {
	if node == "" {
		p, err := exec.LookPath("node")
		if err != nil {
			return "", "", ErrNoNode
		}
		node = p
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return node, "", fmt.Errorf("run %s --version: %w; install Node.js %d or newer", node, err, MinNodeMajor)
	}
	version := strings.TrimSpace(string(out))
	major, ok := nodeMajor(version)
	if !ok {
		return node, version, fmt.Errorf("%s --version printed %q, not a Node.js version; install Node.js %d or newer", node, version, MinNodeMajor)
	}
	if major < MinNodeMajor {
		return node, version, fmt.Errorf("%s is Node.js %s: %w", node, version, ErrNodeTooOld)
	}
	return node, version, nil
}

func nodeMajor(v string) (int, bool) {
	v, ok := strings.CutPrefix(v, "v")
	if !ok {
		return 0, false
	}
	major, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(major)
	return n, err == nil
}

// findCheckout returns the nearest directory at or above one of starts
// whose go.mod declares this module, or "".
func findCheckout(starts []string) string {
	if starts == nil {
		if exe, err := os.Executable(); err == nil {
			if exe, err = filepath.EvalSymlinks(exe); err == nil {
				starts = append(starts, filepath.Dir(exe))
			}
		}
		if wd, err := os.Getwd(); err == nil && fromSource() {
			starts = append(starts, wd)
		}
	}
	for _, s := range starts {
		for dir := s; ; dir = filepath.Dir(dir) {
			if isCheckout(dir) {
				return dir
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	return ""
}

// fromSource says this binary was built from a checkout rather than
// installed at a released version (go install ...@v1.2.3).
func fromSource() bool {
	bi, ok := debug.ReadBuildInfo()
	return !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)"
}

var moduleLine = regexp.MustCompile(`(?m)^module\s+"?` + regexp.QuoteMeta(Module) + `"?\s*$`)

func isCheckout(dir string) bool {
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && moduleLine.Match(mod)
}
