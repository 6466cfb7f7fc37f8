package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	// Time zones for schedule.timezone, without relying on the system's tzdata.
	_ "time/tzdata"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// validateCmd is `gameday validate`.
type validateCmd struct {
	quiet  bool
	policy string
}

func (c *validateCmd) define(fs *flag.FlagSet) {
	fs.BoolVar(&c.quiet, "quiet", false, "print nothing for valid files")
	policyFlag(fs, &c.policy)
}

func (c *validateCmd) run(_ context.Context, e *env, args []string) error {
	pol, err := readPolicy(e, c.policy)
	if err != nil {
		return err
	}
	for _, name := range args {
		if !validateFile(e, name, pol, c.quiet) {
			err = errReported
		}
	}
	return err
}

// validateFile checks one file with every rule (the typed Chaos Mesh checks
// included), and against the policy when there is one, and reports whether
// it is valid: "ok FILE" on stdout, or each problem on its own line on
// stderr.
func validateFile(e *env, name string, pol *policy.Policy, quiet bool) bool {
	data, err := readGameDay(name)
	var ps gameday.Problems
	if errors.As(err, &ps) {
		printProblems(e, name, err)
		return false
	}
	if err != nil {
		e.errorf("%v", err)
		return false
	}
	if _, err := validate.FileUnder(name, data, pol, policy.Where{}); err != nil {
		printProblems(e, name, err)
		return false
	}
	if !quiet {
		fmt.Fprintf(e.stdout, "ok %s\n", name)
	}
	return true
}

// readGameDay reads at most one byte past gameday.MaxFileSize, so that an
// oversized file is refused by its size without being read whole.
func readGameDay(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s is a directory: name the files, for example %s/*.yaml", name, name)
	} else if err == nil && st.Mode().IsRegular() && st.Size() > gameday.MaxFileSize {
		// Its real size, not the MaxFileSize+1 bytes read.
		return nil, gameday.Problems{{File: name, Message: gameday.SizeProblem(st.Size())}}
	}
	data, err := io.ReadAll(io.LimitReader(f, gameday.MaxFileSize+1))
	if err != nil {
		return nil, err // an *os.PathError: it names the file
	}
	return data, nil
}
