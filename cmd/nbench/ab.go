package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/nbench/nbench/harness/gate"
)

func init() {
	register("ab", "interleaved A/B regression gate of two builds (git revisions or binaries): nbench ab OLD NEW", cmdAB)
}

const abUsage = `usage: nbench ab OLD NEW [flags]

OLD and NEW are each a git revision (built in a temporary git worktree and
cached by commit), "." (the working tree), or the path of an nbench binary.
Rounds alternate OLD and NEW in ABBA order, each a fresh process measuring
the gate shape set (--set=gate) at one thread on the same seed, until every
case's minimum detectable slowdown is below --threshold or --budget runs
out. Exit 0: no regression; 1: a regression or a FAILED verdict of NEW;
2: usage error.

`

func cmdAB(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("ab", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, abUsage); fs.PrintDefaults() }
	var f runFlags
	f.register(fs)
	f.gate.registerPolicy(fs)
	pos, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		return usageErr(stderr, "ab: want two builds to compare, OLD and NEW (git revisions, '.', or nbench binaries); got %d arguments\n\n%s", len(pos), strings.TrimSpace(abUsage))
	}
	return runAB(pos[0], pos[1], &f, stdout, stderr)
}

// runAB is `nbench ab OLD NEW` and `nbench ci --against=REV`.
func runAB(oldSpec, newSpec string, f *runFlags, stdout, stderr io.Writer) int {
	if err := gateOnlyFlags(f); err != nil {
		return usageErr(stderr, "%v", err)
	}
	pol, err := f.gate.policy(false)
	if err != nil {
		return usageErr(stderr, "%v", err)
	}
	defaultGateSet(f)
	s, code := f.setup(stderr)
	if s != nil {
		if err := s.prepare(); err != nil {
			return usageErr(stderr, "%v", err)
		}
	}
	if s == nil {
		return code
	}
	for _, b := range s.backends {
		b.Close() // the rounds run in the builds' own processes
	}
	plan := newRoundPlan(s)
	start := time.Now()
	var ws [2]*worker
	for i, spec := range [2]string{oldSpec, newSpec} {
		exe, label, err := resolveBuild(spec, stderr)
		if err != nil {
			return usageErr(stderr, "%s: %v", [2]string{"OLD", "NEW"}[i], err)
		}
		if ws[i], err = newWorker(label, exe); err != nil {
			return usageErr(stderr, "%v", err)
		}
	}
	built := time.Since(start)
	fmt.Fprintf(stderr, "nbench: ab: %s vs %s: %d cases, rounds of %d x %v at %d thread(s), ABBA order, budget %v, seed %d\n",
		ws[0].label, ws[1].label, len(plan.ids), plan.flags.count, plan.flags.benchtime, plan.flags.threads, f.gate.budget, plan.flags.seed)
	bud := newBudget(f.gate.budget)
	rounds := gate.NewRounds(true)
	ad := gate.Adaptive{Policy: pol, MinRounds: f.gate.minRounds, More: bud.more,
		Progress: roundProgress(stderr, "pair", bud, len(plan.ids))}
	sample := func(k, side int, ids []string) (*gate.Set, error) {
		return plan.run(ws[side], k, ids, k == 0, stderr)
	}
	rep, err := ad.Run(rounds, plan.ids, sample, ws[0].label, ws[1].label)
	if err != nil {
		fmt.Fprintf(stderr, "nbench: ab: %v\n", err)
		return exitFail
	}
	rep.Gated = true
	pairs := 0
	for _, rc := range rounds.Cases {
		pairs = max(pairs, len(rc.New))
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("took %s (building %s, rounds %s): up to %d rounds per side, %d cases, budget %v",
		roundDur(time.Since(start)), roundDur(built), roundDur(time.Since(bud.start)), pairs, len(plan.ids), f.gate.budget))
	if rep.Rerun = abRerun(rep, oldSpec, newSpec, f); rep.Rerun != "" && len(rep.Failures()) > 0 {
		rep.Rerun += fmt.Sprintf(" --seed=%d", plan.flags.seed)
	}
	return finishGate(rep, f, stdout, stderr)
}

// gateOnlyFlags rejects run flags that mean nothing to a gate of rounds.
func gateOnlyFlags(f *runFlags) error {
	switch {
	case f.checkOnly:
		return errors.New("--check-only: a gate times; use nbench run --check-only")
	case f.noCheck:
		return errors.New("--no-check: a gate checks its first round and times the rest unchecked already")
	case f.cpuprofile != "":
		return errors.New("--cpuprofile: profile with nbench run or nbench profile")
	case f.out != "":
		return errors.New("-o: a gate writes its comparison with --report=FILE (.md or .json)")
	}
	return nil
}

// finishGate prints the report, writes --report, and returns the exit code.
func finishGate(rep *gate.Report, f *runFlags, stdout, stderr io.Writer) int {
	fmt.Fprintln(stdout)
	if err := rep.Table(stdout); err != nil {
		fmt.Fprintf(stderr, "nbench: %v\n", err)
		return exitFail
	}
	if f.gate.report != "" {
		if err := writeReport(f.gate.report, rep); err != nil {
			fmt.Fprintf(stderr, "nbench: %v\n", err)
			return exitFail
		}
	}
	if !rep.Pass {
		return exitFail
	}
	return exitOK
}

// abRerun is the command that repeats the comparison of just the regressed
// and failed cases.
func abRerun(rep *gate.Report, oldSpec, newSpec string, f *runFlags) string {
	rows := append(rep.Regressions(), rep.Failures()...)
	if len(rows) == 0 {
		return ""
	}
	g := onlyRows(f, rows)
	return "nbench ab " + oldSpec + " " + newSpec + " " + selectionFlags(&g)
}

// resolveBuild turns OLD or NEW into an nbench binary: an existing
// executable file is used as it is; "." builds the working tree; anything
// else is a git revision, built once per commit in a temporary worktree and
// kept in the user cache (nbench/builds/<commit>/nbench).
func resolveBuild(spec string, stderr io.Writer) (exe, label string, err error) {
	if st, err := os.Stat(spec); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		abs, _ := filepath.Abs(spec)
		return abs, spec, nil
	}
	root, err := gitOutput("", "rev-parse", "--show-toplevel")
	if err != nil {
		return "", "", fmt.Errorf("%q is neither an executable file nor a revision of a git checkout (%v)", spec, err)
	}
	if spec == "." {
		dir, err := buildCache("worktree")
		if err != nil {
			return "", "", err
		}
		exe = filepath.Join(dir, "nbench")
		fmt.Fprintf(stderr, "nbench: building the working tree %s\n", root)
		if err := goBuild(root, exe); err != nil {
			return "", "", err
		}
		return exe, "working tree", nil
	}
	commit, err := gitOutput(root, "rev-parse", "--verify", "--quiet", spec+"^{commit}")
	if err != nil {
		return "", "", fmt.Errorf("%q is not an executable file, '.', or a git revision of %s", spec, root)
	}
	dir, err := buildCache(commit)
	if err != nil {
		return "", "", err
	}
	exe = filepath.Join(dir, "nbench")
	label = spec + " (" + commit[:12] + ")"
	if _, err := os.Stat(exe); err == nil {
		return exe, label, nil
	}
	tmp, err := os.MkdirTemp("", "nbench-worktree-*")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(stderr, "nbench: building %s in a temporary worktree\n", label)
	if _, err := gitOutput(root, "worktree", "add", "--detach", "--force", tmp, commit); err != nil {
		return "", "", err
	}
	defer gitOutput(root, "worktree", "remove", "--force", tmp)
	part := exe + ".part"
	if err := goBuild(tmp, part); err != nil {
		return "", "", err
	}
	return exe, label, os.Rename(part, exe)
}

// buildCache is the folder a build of key lives in.
func buildCache(key string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	if len(key) > 64 {
		h := sha256.Sum256([]byte(key))
		key = hex.EncodeToString(h[:])
	}
	dir := filepath.Join(base, "nbench", "builds", key)
	return dir, os.MkdirAll(dir, 0o755)
}

func goBuild(dir, out string) error {
	cmd := exec.Command("go", "build", "-o", out, "./cmd/nbench")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build in %s: %v\n%s", dir, err, b)
	}
	return nil
}

func gitOutput(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}
