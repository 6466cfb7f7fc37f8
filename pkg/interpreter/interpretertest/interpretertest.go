// Package interpretertest gives tests the States Language interpreter, or
// fails them saying how to get it: a suite that needs Node never skips
// silently.
package interpretertest

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gameday-dev/gameday/pkg/interpreter"
)

// SkipEnv, set to 1, skips the tests that need Node instead of failing them.
const SkipEnv = "GAMEDAY_SKIP_NODE_TESTS"

var (
	once  sync.Once
	found *interpreter.Found
	err   error
	log   strings.Builder
)

// Ensure returns the interpreter as the CLI finds it, installing it into
// the user cache as the CLI would when neither the checkout (make installs
// it there) nor the cache has it. Without Node it fails the test with the
// line that says what to install, unless SkipEnv is 1.
func Ensure(t testing.TB) *interpreter.Found {
	t.Helper()
	if os.Getenv(SkipEnv) == "1" {
		t.Skipf("%s=1: skipping a test that needs Node.js and the States Language interpreter", SkipEnv)
	}
	once.Do(func() {
		found, err = interpreter.Ensure(context.Background(), interpreter.Options{Progress: &log})
	})
	if log.Len() > 0 {
		t.Log(strings.TrimSpace(log.String()))
	}
	if err != nil {
		t.Fatalf("this test needs Node.js and the States Language interpreter: %v (or set %s=1 to skip it)", err, SkipEnv)
	}
	return found
}
