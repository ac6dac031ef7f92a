package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/nbench/nbench/harness/gate"
)

// selfExe is the nbench binary that A/A calibration runs and confirmation
// reruns start as fresh processes. Each process gets its own memory
// placement: on the 2-vCPU VM nbench was built on, a sub-microsecond
// case's median moved by up to 10% from one process to the next while
// runs inside one process agreed within 1%. Runs in one process would
// underestimate the noise floor and re-confirm a slow process's
// regressions. "" runs them in this process (the tests set it: their
// binary is not nbench).
var selfExe = func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return exe
}()

// runFresh runs f's selection once more with count samples per case, in a
// fresh process when it can, and returns the timed cases as a set named
// label and the run's exit code (1: a correctness failure).
func runFresh(f runFlags, count int, label string, stderr io.Writer) (*gate.Set, int, error) {
	f.count, f.out, f.format = count, "", ""
	if selfExe == "" {
		s, code := f.setup(stderr)
		if s == nil {
			return nil, code, errors.New("the run did not start")
		}
		if err := s.prepare(true); err != nil {
			return nil, exitUsage, err
		}
		rs := s.execute(stderr)
		return gate.FromResults(label, s.env, rs), summarize(stderr, s, rs), nil
	}
	tmp, err := os.CreateTemp("", "nbench-run-*.txt")
	if err != nil {
		return nil, exitFail, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	args := append(append([]string{"run"}, selectionArgs(&f)...), "--no-progress", "--format=benchfmt", "-o", tmp.Name())
	cmd := exec.Command(selfExe, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	code := exitOK
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, exitFail, err
		}
		code = ee.ExitCode()
	}
	if code != exitOK && code != exitFail {
		return nil, code, fmt.Errorf("%s %v: exit %d", selfExe, args, code)
	}
	if st, err := os.Stat(tmp.Name()); err == nil && st.Size() == 0 {
		return gate.NewSet(label), code, nil // nothing was timed
	}
	set, err := gate.ReadPath(tmp.Name())
	if err != nil {
		return nil, exitFail, err
	}
	set.Label = label
	return set, code, nil
}
