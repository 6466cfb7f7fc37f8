package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/localrun"
	"github.com/gameday-dev/gameday/pkg/sim"
)

// Lambda is one function's artifact: the bootstrap as deployed
// (linux/arm64, stripped), its zip, what dominates it, and how long the
// bootstrap built for this machine takes from exec to asking the Runtime
// API for its first event.
type Lambda struct {
	Function       string    `json:"function"`
	BootstrapBytes int64     `json:"bootstrapBytes"`
	ZipBytes       int64     `json:"zipBytes"`
	InitMillis     float64   `json:"initMillis"`
	Largest        []PkgSize `json:"largestPackages"`
}

// PkgSize is the bytes of symbols of one module path in the binary.
type PkgSize struct {
	Package string `json:"package"`
	Bytes   int64  `json:"bytes"`
}

const lambdaFlags = "-s -w"

func functionNames() ([]string, error) {
	entries, err := os.ReadDir("functions")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func goBuild(ctx context.Context, out, pkg string, env []string, ldflags string) error {
	args := []string{"build", "-trimpath", "-tags", "lambda.norpc", "-o", out}
	if ldflags != "" {
		args = append(args, "-ldflags="+ldflags)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), append([]string{"CGO_ENABLED=0"}, env...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w: %s", pkg, err, b)
	}
	return nil
}

func measureLambdas(ctx context.Context, tmp string) ([]Lambda, error) {
	names, err := functionNames()
	if err != nil {
		return nil, err
	}
	srv, err := sim.New(sim.Options{})
	if err != nil {
		return nil, err
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	defer srv.Close()
	var out []Lambda
	for _, fn := range names {
		l := Lambda{Function: fn}
		pkg := "./functions/" + fn
		arm := filepath.Join(tmp, fn, "bootstrap")
		if err := goBuild(ctx, arm, pkg, []string{"GOOS=linux", "GOARCH=arm64"}, lambdaFlags); err != nil {
			return nil, err
		}
		st, err := os.Stat(arm)
		if err != nil {
			return nil, err
		}
		l.BootstrapBytes = st.Size()
		if l.ZipBytes, err = zipSize(arm); err != nil {
			return nil, err
		}
		// For this machine and unstripped: the symbol sizes (by module, as
		// on arm64 within a few per cent) and the start time.
		host := filepath.Join(tmp, fn, "bootstrap.host")
		if err := goBuild(ctx, host, pkg, []string{"GOOS=" + runtime.GOOS, "GOARCH=" + runtime.GOARCH}, ""); err != nil {
			return nil, err
		}
		if l.Largest, err = largestPackages(ctx, host, 4); err != nil {
			return nil, err
		}
		if l.InitMillis, err = initTime(ctx, host, srv, 5); err != nil {
			return nil, fmt.Errorf("%s: %w", fn, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// zipSize is the size of a zip holding the bootstrap, deflated, as the CDK
// asset is.
func zipSize(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate})
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(w, f); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(buf.Len()), nil
}

// largestPackages sums symbol sizes (go tool nm -size) by module: the
// path up to the third element for hosted modules (github.com/a/b), the
// first otherwise (runtime, k8s.io/apimachinery...).
func largestPackages(ctx context.Context, bin string, n int) ([]PkgSize, error) {
	out, err := exec.CommandContext(ctx, "go", "tool", "nm", "-size", bin).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool nm %s: %w", bin, err)
	}
	sizes := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// Code and read-only data (T, t, R, r): what the file holds, not
		// the zeroed memory it asks for (crypto's 32 MiB DRBG buffer).
		if len(f) < 4 || !strings.Contains("TtRr", f[2]) {
			continue
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		sizes[module(strings.Join(f[3:], " "))] += size
	}
	var ps []PkgSize
	for k, v := range sizes {
		ps = append(ps, PkgSize{k, v})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Bytes > ps[j].Bytes })
	return ps[:min(n, len(ps))], nil
}

func module(sym string) string {
	sym = strings.TrimPrefix(sym, "type:")
	sym = strings.TrimPrefix(sym, "go:")
	sym = strings.TrimLeft(sym, "*(")
	parts := strings.Split(sym, "/")
	last := parts[len(parts)-1]
	if i := strings.IndexByte(last, '.'); i >= 0 {
		parts[len(parts)-1] = last[:i]
	}
	switch {
	case len(parts) >= 3 && strings.Contains(parts[0], "."):
		if parts[0] == "k8s.io" || parts[0] == "sigs.k8s.io" {
			return strings.Join(parts[:2], "/")
		}
		// Each AWS service client on its own.
		if parts[2] == "aws-sdk-go-v2" && len(parts) >= 5 && parts[3] == "service" {
			return strings.Join(parts[:5], "/")
		}
		return strings.Join(parts[:3], "/")
	default:
		return parts[0]
	}
}

// initTime starts the bootstrap against a fake Lambda Runtime API and
// times exec to its first GET of the next invocation; the median of runs.
func initTime(ctx context.Context, bin string, srv *sim.Server, runs int) (float64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	ready := make(chan time.Time, 1)
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/runtime/invocation/next") {
			select {
			case ready <- time.Now():
			default:
			}
			<-r.Context().Done() // no event: the process waits until killed
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	env := append(os.Environ(),
		"AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME=bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
	)
	for k, v := range localrun.LambdaAWSEnv(srv) {
		env = append(env, k+"="+v)
	}
	for k, v := range localrun.Env(srv).Vars() {
		env = append(env, k+"="+v)
	}
	var ms []float64
	for range runs {
		cmd := exec.CommandContext(ctx, bin)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case t := <-ready:
			ms = append(ms, float64(t.Sub(start).Microseconds())/1000)
			_ = cmd.Process.Kill()
			<-exited
		case err := <-exited:
			return 0, fmt.Errorf("exited before asking for an event: %v: %s", err, stderr.String())
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			return 0, fmt.Errorf("not ready after 30 s: %s", stderr.String())
		}
	}
	slices.Sort(ms)
	return ms[len(ms)/2], nil
}

func lambdaTable(ls []Lambda) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Lambda artifacts (linux/arm64, -s -w; modules and init: unstripped host build, exec to first Runtime API poll, median of 5)\n")
	fmt.Fprintf(&b, "%-17s %10s %9s %8s  %s\n", "function", "bootstrap", "zip", "init ms", "largest modules (code and read-only data of the unstripped build)")
	for _, l := range ls {
		var top []string
		for _, p := range l.Largest {
			top = append(top, fmt.Sprintf("%s %.1f MiB", p.Package, float64(p.Bytes)/(1<<20)))
		}
		fmt.Fprintf(&b, "%-17s %8.1f M %7.1f M %8.1f  %s\n", l.Function, float64(l.BootstrapBytes)/(1<<20), float64(l.ZipBytes)/(1<<20), l.InitMillis, strings.Join(top, ", "))
	}
	return b.String()
}
