package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchfmt"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/gate"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/internal/atomicfile"
	"github.com/nbench/nbench/reports"
)

func init() {
	register("baseline", "save, show and list per-machine baselines (baseline save|show|list|path)", cmdBaseline)
}

const baselineUsage = `usage: nbench baseline <save|show|list|path> [flags]

  save [run flags] [--calibrate[=N]] [--name=N] [--dir=D] [--replace]
        run the selection and write D/<machine-id>/<name>.txt (default
        baselines/, name quick, full or custom from the selection);
        --calibrate also runs it again (N runs in all, default 3) and
        writes the noise floors to <name>.noise.json
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
	fs.Var(&f.gate.calibrate, "calibrate", "A/A mode: run the selection again (--calibrate=N: N runs in all, default 3) and record each case's noise floor (<name>.noise.json)")
	f.gate.threshold = fraction(gate.DefaultPolicy().Threshold)
	dir := fs.String("dir", defaultBaselineDir, "root folder of baselines (one folder per machine id)")
	name := fs.String("name", "", "baseline name (default from the selection: quick, full, or custom)")
	replace := fs.Bool("replace", false, "start afresh: drop the cases of an existing baseline (and noise floors) that this run does not measure")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "baseline save: unexpected argument %q", fs.Arg(0))
	}
	if *name == "" {
		*name = selectionName(&f)
	}
	if strings.ContainsAny(*name, `/\`) || strings.HasPrefix(*name, ".") {
		return usageErr(stderr, "--name=%q: want a plain name such as quick", *name)
	}
	s, code := f.setup(stderr)
	if s == nil {
		return code
	}
	if err := s.prepare(true); err != nil {
		return usageErr(stderr, "%v", err)
	}
	id := machine.Describe().ID()
	path := filepath.Join(*dir, id, *name+".txt")
	watch := watchCPU()
	rs := s.execute(stderr)
	code = finishRun(s, stdout, stderr, rs)
	var noise *gate.Noise
	if f.gate.calibrate > 0 && code == exitOK {
		sets, code2 := moreRuns(s, rs, int(f.gate.calibrate), stderr)
		if code2 != exitOK {
			return max(code2, exitFail)
		}
		noise = calibrated(sets, watch, stdout)
	}
	if code != exitOK {
		fmt.Fprintf(stderr, "nbench: not saving %s: a baseline must not contain correctness failures\n", path)
		return code
	}
	kept, err := saveBaseline(path, s.env, rs, *replace)
	if err != nil {
		fmt.Fprintf(stderr, "nbench: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "\nwrote baseline %s", path)
	if kept > 0 {
		fmt.Fprintf(stdout, " (kept %d cases of the previous one that this run did not measure; --replace drops them)", kept)
	}
	fmt.Fprintln(stdout)
	if noise != nil {
		if err := recordNoise(gate.NoisePath(path), noise, *replace, stdout, stderr, f.gate.threshold); err != nil {
			fmt.Fprintf(stderr, "nbench: %v\n", err)
			return exitFail
		}
	}
	against := "--baseline=auto"
	if *dir != defaultBaselineDir || *name != selectionName(&f) {
		against = "--baseline=" + path
	}
	fmt.Fprintf(stdout, "gate against it with: nbench run %s %s --gate\n", selectionFlags(&f), against)
	return exitOK
}

// moreRuns runs the session's selection n-1 more times, each as a fresh
// process (runFresh): the rest of an A/A calibration whose first run gave
// first. It returns every run as a set and the worst exit code.
func moreRuns(s *runSession, first []harness.Result, n int, stderr io.Writer) ([]*gate.Set, int) {
	sets := []*gate.Set{gate.FromResults("run 1", s.env, first)}
	code := exitOK
	for i := 2; i <= n; i++ {
		fmt.Fprintf(stderr, "nbench: A/A calibration: run %d of %d, in a fresh process\n", i, n)
		set, c, err := runFresh(s.flags, s.opt.Count, fmt.Sprintf("run %d", i), stderr)
		if err != nil {
			fmt.Fprintf(stderr, "nbench: A/A run %d: %v\n", i, err)
			return nil, max(c, exitFail)
		}
		code = max(code, c)
		sets = append(sets, set)
	}
	return sets, code
}

// calibrate is `nbench run --calibrate`: an A/A calibration whose noise
// floors go beside the baseline file (which need not exist yet).
func calibrate(s *runSession, baseline string, stdout, stderr io.Writer) int {
	watch := watchCPU()
	rs := s.execute(stderr)
	code := finishRun(s, stdout, stderr, rs)
	sets, code2 := moreRuns(s, rs, int(s.flags.gate.calibrate), stderr)
	if sets == nil {
		return code2
	}
	if err := recordNoise(gate.NoisePath(baseline), calibrated(sets, watch, stdout), false, stdout, stderr, s.flags.gate.threshold); err != nil {
		fmt.Fprintf(stderr, "nbench: %v\n", err)
		return exitFail
	}
	return max(code, code2)
}

// calibrated computes the floors of an A/A calibration that started at
// watch, recording (and warning about) other processes' CPU use.
func calibrated(sets []*gate.Set, watch cpuWatch, stdout io.Writer) *gate.Noise {
	n := gate.Calibrate(sets...)
	if o, ok := watch.others(); ok {
		n.OtherCPUs = o
		if o >= busyBaseline {
			fmt.Fprintf(stdout, "\nWARNING: other processes used %.1f of %d CPUs during the calibration: its floors are inflated and blind the gate; calibrate again when the machine is idle\n",
				o, runtime.NumCPU())
		}
	}
	return n
}

// recordNoise merges the floors into the noise file at path (unless
// replace), writes it atomically and prints the floors.
func recordNoise(path string, n *gate.Noise, replace bool, stdout, stderr io.Writer, threshold fraction) error {
	if len(n.Cases) == 0 {
		return fmt.Errorf("no case was timed in every run: no noise floor to record")
	}
	out := n
	if !replace {
		old, err := gate.ReadNoise(path)
		switch {
		case err == nil:
			old.Merge(n)
			out = old
		case !errors.Is(err, os.ErrNotExist):
			fmt.Fprintf(stderr, "nbench: warning: replacing unreadable %v\n", err)
		}
	}
	if err := out.Write(path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nnoise floors (A/A runs of the same tree) of %d cases -> %s\n", len(n.Cases), path)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tA/A ratios to run 1\tCIs\tfloor")
	var floors []float64
	worst := ""
	for _, id := range n.IDs() {
		fl := n.Cases[id]
		var ratios, cis []string
		for _, r := range fl.Ratios {
			ratios = append(ratios, fmt.Sprintf("%.3f", r))
		}
		for _, c := range fl.Spreads {
			cis = append(cis, reports.Percent(c))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f%%\n", id, strings.Join(ratios, " "), strings.Join(cis, " "), 100*fl.Floor)
		floors = append(floors, fl.Floor)
		if worst == "" || fl.Floor > n.Cases[worst].Floor {
			worst = id
		}
	}
	tw.Flush()
	sort.Float64s(floors)
	fmt.Fprintf(stdout, "floors: median %.1f%%, max %.1f%% (%s); the gate ignores a slowdown at or below max(%s threshold, the case's floor)\n",
		100*floors[len(floors)/2], 100*n.Cases[worst].Floor, worst, threshold.String())
	return nil
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
			return usageErr(stderr, "no baselines for this machine (%s) in %s\n  make one with: nbench baseline save --quick", id, filepath.Join(*dir, id))
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
// its median, CI, sample count, code path, verdict and noise floor.
func showBaseline(w io.Writer, path string) error {
	set, err := gate.ReadPath(path)
	if err != nil {
		return err
	}
	noise, err := gate.ReadNoise(gate.NoisePath(path))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	fmt.Fprintf(w, "%s: %d cases", path, len(set.Cases))
	if noise != nil {
		fmt.Fprintf(w, ", noise floors in %s (updated %s)", noise.File, noise.Updated)
		if noise.OtherCPUs >= busyBaseline {
			fmt.Fprintf(w, ", calibrated while other processes used %.1f CPUs: inflated", noise.OtherCPUs)
		}
	} else {
		fmt.Fprint(w, ", no noise floors (record them with --calibrate)")
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
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tbackend\tpath\tmedian\tCI\tn\tverdict\tfloor")
	for _, c := range set.Cases {
		st := harness.Summarize(c.Samples)
		floor := "-"
		if f, ok := noiseFloor(noise, c.ID()); ok {
			floor = fmt.Sprintf("%.1f%%", 100*f)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", c.Name(), c.Backend, c.Path,
			reports.Duration(st.Median), reports.Percent(st.Spread), len(c.Samples), c.Verdict, floor)
	}
	return tw.Flush()
}

func noiseFloor(n *gate.Noise, id string) (float64, bool) {
	if n == nil {
		return math.NaN(), false
	}
	f, ok := n.Cases[id]
	return f.Floor, ok
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
				desc = fmt.Sprintf("%d cases", len(set.Cases))
			}
			if n, err := gate.ReadNoise(gate.NoisePath(p)); err == nil {
				desc += fmt.Sprintf(", noise floors for %d", len(n.Cases))
			}
			fmt.Fprintf(stdout, "  %-12s %s\n", strings.TrimSuffix(filepath.Base(p), ".txt"), desc)
		}
	}
	if !found {
		fmt.Fprintf(stdout, "no baselines in %s; make one with: nbench baseline save --quick\n", *dir)
	}
	return exitOK
}

func baselinePath(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("baseline path", stderr)
	dir := fs.String("dir", defaultBaselineDir, "root folder of baselines")
	quick := fs.Bool("quick", false, "the baseline of the quick selection")
	name := fs.String("name", "", "baseline name (default quick with --quick, else full)")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "baseline path: unexpected argument %q", fs.Arg(0))
	}
	if *name == "" {
		*name = selectionName(&runFlags{quick: *quick})
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
