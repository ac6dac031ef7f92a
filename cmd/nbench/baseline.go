package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/gate"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/internal/atomicfile"
	"github.com/nbench/nbench/reports"
	"github.com/nbench/nbench/suites/suite"
)

func init() {
	register("baseline", "save, show and list per-machine baselines (baseline save|show|list|path)", cmdBaseline)
}

const baselineUsage = `usage: nbench baseline <save|show|list|path> [flags]

  save [run flags] [--rounds=N] [--name=N] [--dir=D] [--replace]
        run the selection (default: the gate shape set at one thread) in
        N rounds (default 10), each a fresh process, and write each case's
        round medians to D/<machine-id>/<name>.txt (default baselines/,
        name gate, quick, full or custom from the selection)
  show [--dir=D] [NAME|FILE]   print a baseline (default: this machine's)
  list [--dir=D]               list the baselines of every machine
  path [--dir=D] [--quick] [--name=N]
        print this machine's baseline file; exit 0 if it exists, 1 if not

Run 'nbench baseline <subcommand> -h' for its flags.
`

func cmdBaseline(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, baselineUsage)
		return exitUsage
	}
	switch args[0] {
	case "save":
		return baselineSave(args[1:], stdout, stderr)
	case "show":
		return baselineShow(args[1:], stdout, stderr)
	case "list":
		return baselineList(args[1:], stdout, stderr)
	case "path":
		return baselinePath(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, baselineUsage)
		return exitOK
	}
	fmt.Fprintf(stderr, "nbench: baseline: unknown subcommand %q\n\n%s", args[0], baselineUsage)
	return exitUsage
}

func baselineSave(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("baseline save", stderr)
	var f runFlags
	f.register(fs)
	f.gate.registerCase(fs)
	nRounds := fs.Int("rounds", defaultBaselineRounds, "rounds to record, each a fresh process: the gate compares its new rounds with these, and their spread sets each case's floor")
	dir := fs.String("dir", defaultBaselineDir, "root folder of baselines (one folder per machine id)")
	name := fs.String("name", "", "baseline name (default from the selection: gate, quick, full, or custom)")
	replace := fs.Bool("replace", false, "start afresh: drop the cases of an existing baseline that this run does not measure")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "baseline save: unexpected argument %q", fs.Arg(0))
	}
	if *nRounds < 2 {
		return usageErr(stderr, "--rounds=%d: must be >= 2 (a spread needs two rounds)", *nRounds)
	}
	if err := gateOnlyFlags(&f); err != nil {
		return usageErr(stderr, "%v", err)
	}
	defaultGateSet(&f)
	if *name == "" {
		*name = selectionName(&f)
	}
	if strings.ContainsAny(*name, `/\`) || strings.HasPrefix(*name, ".") {
		return usageErr(stderr, "--name=%q: want a plain name such as gate", *name)
	}
	s, code := f.setup(stderr)
	if s == nil {
		return code
	}
	for _, b := range s.backends {
		b.Close() // the rounds run in fresh processes
	}
	if err := s.prepare(); err != nil {
		return usageErr(stderr, "%v", err)
	}
	id := machine.Describe().ID()
	path := filepath.Join(*dir, id, *name+".txt")
	plan := newRoundPlan(s)
	w, err := newWorker("this build", selfExe)
	if err != nil {
		return usageErr(stderr, "%v", err)
	}
	fmt.Fprintf(stderr, "nbench: baseline %s: %d cases, %d rounds of %d x %v at %d thread(s), each a fresh process, seed %d\n",
		path, len(plan.ids), *nRounds, plan.flags.count, plan.flags.benchtime, plan.flags.threads, plan.flags.seed)
	watch := watchCPU()
	start := time.Now()
	rounds := gate.NewRounds(false)
	var env harness.Env
	for k := 0; k < *nRounds; k++ {
		set, err := plan.run(w, k, plan.ids, k == 0, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "nbench: %v\n", err)
			return exitFail
		}
		if k == 0 {
			env = envOf(set.Config)
		}
		rounds.AddNew(set)
		fmt.Fprintf(stderr, "nbench: round %d of %d done (%s)\n", k+1, *nRounds, roundDur(time.Since(start)))
	}
	var rs []harness.Result
	failed := false
	for _, rc := range rounds.Cases {
		if rc.Failed() {
			failed = true
			fmt.Fprintf(stderr, "FAILED %s on %s: %s\n", rc.Name(), rc.Backend, rc.Detail)
			continue
		}
		if len(rc.New) == 0 {
			continue
		}
		rs = append(rs, harness.Result{Kernel: rc.Kernel, Params: rc.Shape, Backend: rc.Backend, Path: rc.Path,
			Check: suite.Check{Verdict: suite.Verdict(rc.Verdict)}, Samples: rc.New, Iters: 1})
	}
	if failed {
		fmt.Fprintf(stderr, "nbench: not saving %s: a baseline must not contain correctness failures\n", path)
		return exitFail
	}
	env = append(env, harness.KV{Key: "samples", Value: gate.RoundMedians}, harness.KV{Key: "rounds", Value: strconv.Itoa(*nRounds)},
		harness.KV{Key: baselineSeedKey, Value: strconv.FormatUint(plan.flags.seed, 10)})
	if old, err := gate.ReadPath(path); err == nil && old.Config["samples"] != gate.RoundMedians && !*replace {
		fmt.Fprintf(stderr, "nbench: note: %s held raw samples (recorded before baselines held rounds): replacing it\n", path)
		*replace = true
	}
	kept, err := saveBaseline(path, env, rs, *replace)
	if err != nil {
		fmt.Fprintf(stderr, "nbench: %v\n", err)
		return exitFail
	}
	if err := showRounds(stdout, rounds); err != nil {
		return exitFail
	}
	if o, ok := watch.others(); ok && o >= busyBaseline {
		fmt.Fprintf(stdout, "\nWARNING: other processes used %.1f of %d CPUs while the rounds ran: the spreads, and so the floors, are inflated and blind the gate; record again when the machine is idle\n",
			o, runtime.NumCPU())
	}
	fmt.Fprintf(stdout, "\nwrote baseline %s: %d rounds of %d cases in %s", path, *nRounds, len(rs), roundDur(time.Since(start)))
	if kept > 0 {
		fmt.Fprintf(stdout, " (kept %d cases of the previous one that this run did not measure; --replace drops them)", kept)
	}
	fmt.Fprintln(stdout)
	against := "--baseline=auto"
	if *dir != defaultBaselineDir || *name != selectionName(&f) {
		against = "--baseline=" + path
	}
	fmt.Fprintf(stdout, "gate against it with: nbench run %s %s --gate\n", selectionFlags(&f), against)
	return exitOK
}

// defaultBaselineRounds: ten processes give a spread with 9 degrees of
// freedom, and a baseline share of the error that a gate's own rounds
// do not dominate.
const defaultBaselineRounds = 10

// showRounds prints each case's median round, between-round spread and
// the floor the gate will use.
func showRounds(w io.Writer, r *gate.Rounds) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tbackend\tpath\tmedian\tspread\tfloor\trounds")
	cases := append([]*gate.RoundCase(nil), r.Cases...)
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].ID() < cases[j].ID() })
	for _, rc := range cases {
		xs := rc.New
		if len(xs) == 0 {
			xs = rc.Old
		}
		if len(xs) == 0 {
			continue
		}
		sp := gate.Spread(xs)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f%%\t%.1f%%\t%d\n", rc.Name(), rc.Backend, rc.Path,
			reports.Duration(harness.Summarize(xs).Median), 100*sp, 100*gate.FloorFactor*sp, len(xs))
	}
	return tw.Flush()
}

// saveBaseline writes the timed results to path atomically in the Go
// benchmark format. Unless replace, the cases of an existing file that
// this run did not measure are kept, in place; it returns how many.
func saveBaseline(path string, env harness.Env, rs []harness.Result, replace bool) (kept int, err error) {
	var fresh bytes.Buffer
	if err := reports.Benchfmt(&fresh, env, rs); err != nil {
		return 0, err
	}
	recs, err := readRecords(&fresh, "this run")
	if err != nil {
		return 0, err
	}
	if len(recs) == 0 {
		return 0, fmt.Errorf("not saving %s: no case was timed", path)
	}
	var old []*benchfmt.Result
	if !replace {
		f, err := os.Open(path)
		switch {
		case err == nil:
			old, err = readRecords(f, path)
			f.Close()
			if err != nil {
				return 0, fmt.Errorf("existing baseline unreadable (%v); rerun with --replace to overwrite it", err)
			}
		case !errors.Is(err, os.ErrNotExist):
			return 0, err
		}
	}
	merged, kept := mergeRecords(old, recs)
	return kept, atomicfile.Write(path, func(w io.Writer) error {
		bw := benchfmt.NewWriter(w)
		for _, r := range merged {
			if err := bw.Write(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// mergeRecords replaces the records of old whose benchmark name appears in
// fresh by fresh's records of that name, at the place of the first one,
// and appends fresh's other names. It returns the result and how many
// names of old it kept.
func mergeRecords(old, fresh []*benchfmt.Result) ([]*benchfmt.Result, int) {
	byName := map[string][]*benchfmt.Result{}
	var order []string
	for _, r := range fresh {
		n := r.Name.String()
		if _, ok := byName[n]; !ok {
			order = append(order, n)
		}
		byName[n] = append(byName[n], r)
	}
	var out []*benchfmt.Result
	done, keptNames := map[string]bool{}, map[string]bool{}
	for _, r := range old {
		n := r.Name.String()
		if rs, ok := byName[n]; ok {
			if !done[n] {
				out = append(out, rs...)
				done[n] = true
			}
			continue
		}
		keptNames[n] = true
		out = append(out, r)
	}
	for _, n := range order {
		if !done[n] {
			out = append(out, byName[n]...)
		}
	}
	return out, len(keptNames)
}

// readRecords reads every result of a benchmark file, copied.
func readRecords(r io.Reader, name string) ([]*benchfmt.Result, error) {
	br := benchfmt.NewReader(r, name)
	var out []*benchfmt.Result
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, rec
		case *benchfmt.Result:
			out = append(out, rec.Clone())
		}
	}
	return out, br.Err()
}

func baselineShow(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("baseline show", stderr)
	dir := fs.String("dir", defaultBaselineDir, "root folder of baselines")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 1 {
		return usageErr(stderr, "baseline show: want at most one NAME or FILE")
	}
	id := machine.Describe().ID()
	var files []string
	switch arg := fs.Arg(0); {
	case arg == "":
		var err error
		if files, err = gate.ResultFiles(filepath.Join(*dir, id)); err != nil || len(files) == 0 {
			return usageErr(stderr, "no baselines for this machine (%s) in %s\n  make one with: nbench baseline save", id, filepath.Join(*dir, id))
		}
	case fileExists(arg):
		files = []string{arg}
	default:
		p := filepath.Join(*dir, id, arg+".txt")
		if !fileExists(p) {
			return usageErr(stderr, "no baseline %q: %s does not exist (see 'nbench baseline list')", arg, p)
		}
		files = []string{p}
	}
	for i, p := range files {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := showBaseline(stdout, p); err != nil {
			return usageErr(stderr, "%v", err)
		}
	}
	return exitOK
}

// showBaseline prints one baseline: its configuration and every case with
// its median round, between-round spread, the gate's floor, code path and
// verdict.
func showBaseline(w io.Writer, path string) error {
	set, err := gate.ReadPath(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d cases", path, len(set.Cases))
	r, err := gate.BaselineRounds(set)
	if err != nil {
		fmt.Fprintf(w, " of raw samples: recorded before baselines held rounds, so the gate cannot use it; record it again with nbench baseline save --replace")
	}
	fmt.Fprintln(w)
	keys := make([]string, 0, len(set.Config))
	for k := range set.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s: %s\n", k, set.Config[k])
	}
	if r == nil {
		return nil
	}
	return showRounds(w, r)
}

func baselineList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("baseline list", stderr)
	dir := fs.String("dir", defaultBaselineDir, "root folder of baselines")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "baseline list: unexpected argument %q", fs.Arg(0))
	}
	id := machine.Describe().ID()
	fmt.Fprintf(stdout, "this machine: %s\n", id)
	ents, err := os.ReadDir(*dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return usageErr(stderr, "%v", err)
	}
	found := false
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		files, _ := gate.ResultFiles(filepath.Join(*dir, e.Name()))
		if len(files) == 0 {
			continue
		}
		found = true
		mark := ""
		if e.Name() == id {
			mark = "  (this machine)"
		}
		fmt.Fprintf(stdout, "%s%s\n", filepath.Join(*dir, e.Name()), mark)
		for _, p := range files {
			desc := "unreadable"
			if set, err := gate.ReadPath(p); err == nil {
				desc = fmt.Sprintf("%d cases, %s rounds", len(set.Cases), set.Config["rounds"])
				if set.Config["samples"] != gate.RoundMedians {
					desc = fmt.Sprintf("%d cases of raw samples (recorded before rounds: not gateable)", len(set.Cases))
				}
			}
			fmt.Fprintf(stdout, "  %-12s %s\n", strings.TrimSuffix(filepath.Base(p), ".txt"), desc)
		}
	}
	if !found {
		fmt.Fprintf(stdout, "no baselines in %s; make one with: nbench baseline save\n", *dir)
	}
	return exitOK
}

func baselinePath(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("baseline path", stderr)
	dir := fs.String("dir", defaultBaselineDir, "root folder of baselines")
	quick := fs.Bool("quick", false, "the baseline of the quick selection")
	name := fs.String("name", "", "baseline name (default quick with --quick, else gate)")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "baseline path: unexpected argument %q", fs.Arg(0))
	}
	if *name == "" {
		f := runFlags{quick: *quick}
		defaultGateSet(&f)
		*name = selectionName(&f)
	}
	p := filepath.Join(*dir, machine.Describe().ID(), *name+".txt")
	fmt.Fprintln(stdout, p)
	if !fileExists(p) {
		return exitFail
	}
	return exitOK
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
