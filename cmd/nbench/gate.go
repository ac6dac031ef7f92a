package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/gate"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/internal/atomicfile"
	"github.com/nbench/nbench/suites/suite"
)

func init() {
	register("ci", "run and gate against this machine's baseline (run --baseline=auto --gate)", cmdCI)
}

// defaultBaselineDir is where --baseline=auto and `baseline save` look.
const defaultBaselineDir = "baselines"

// gateFlags are the flags of `nbench run` that compare with a baseline.
type gateFlags struct {
	baseline  string // auto, a file, or a folder
	gate      bool
	busy      float64 // CPUs other processes may use before regressions are inconclusive
	cases     string  // --case: exact cases instead of the shape sets
	alpha     float64
	threshold fraction
	// thresholdSet says --threshold was given: a stored baseline's default
	// (gate.StoredThreshold) differs from A/B's.
	thresholdSet bool
	normalize    bool
	report       string        // also write the comparison here (markdown or JSON)
	budget       time.Duration // time for the rounds of a gate
	minRounds    int           // rounds (pairs) every case gets
}

// fraction is a flag value given as "5%" or "0.05".
type fraction float64

// String accepts a nil f: the flag package formats zero values for -h.
func (f *fraction) String() string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(100*float64(*f), 'g', -1, 64) + "%"
}
func (f *fraction) Set(s string) error {
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		return fmt.Errorf("want a percentage (5%%) or a fraction (0.05)")
	}
	if pct {
		v /= 100
	}
	*f = fraction(v)
	return nil
}

func (g *gateFlags) register(fs *flagSet) {
	g.registerCase(fs)
	fs.StringVar(&g.baseline, "baseline", "", "compare with a baseline: auto (baselines/<machine-id>/<quick|full|custom>.txt), a result file, or a folder")
	fs.BoolVar(&g.gate, "gate", false, "exit 1 when a case regressed against the baseline (default --baseline=auto) or any verdict is FAILED")
	fs.Float64Var(&g.busy, "busy", defaultBusy, "with --gate, regressions measured while other processes used more CPUs than this on average are INCONCLUSIVE and do not fail (Linux; -1: judge anyway)")
	g.registerPolicy(fs)
}

func (g *gateFlags) registerCase(fs *flagSet) {
	fs.StringVar(&g.cases, "case", "", "run exactly these cases instead of the shape sets: 'kernel/K=V/K=V;...' (as the gate prints them)")
}

func (g *gateFlags) registerPolicy(fs *flagSet) {
	p := gate.DefaultPolicy()
	g.alpha, g.threshold = p.Alpha, fraction(p.Threshold)
	fs.Float64Var(&g.alpha, "alpha", p.Alpha, "significance level of the gate, after Holm-Bonferroni correction over all compared cases")
	fs.Var(setFlag{&g.threshold, &g.thresholdSet}, "threshold", "the slowdown the gate must catch, e.g. 5% or 0.05 (10% by default against a stored baseline); half of it is the smallest reported")
	fs.BoolVar(&g.normalize, "normalize", p.Normalize, "judge cases relative to the machine shift (over 10 or more cases, the median new/old ratio of the largest group of cases within half the threshold of each other), not on absolute times")
	fs.StringVar(&g.report, "report", "", "also write the comparison to this file (.json: JSON, else markdown, e.g. for a CI summary)")
	fs.DurationVar(&g.budget, "budget", defaultBudget, "time for the gate's rounds (building excluded); cases not resolved by then are reported with the slowdown they could detect")
	fs.IntVar(&g.minRounds, "min-rounds", gate.MinRoundsDefault, "rounds (pairs of rounds in ab) every case gets before it may stop")
}

// enabled reports whether cmdRun must take the gated path.
func (g *gateFlags) enabled() bool {
	return g.baseline != "" || g.gate || g.cases != "" || g.report != ""
}

// setFlag is a flag.Value that records whether it was set.
type setFlag struct {
	*fraction
	set *bool
}

func (f setFlag) Set(s string) error { *f.set = true; return f.fraction.Set(s) }

// policy is the gate's policy; stored selects a stored baseline's default
// threshold.
func (g *gateFlags) policy(stored bool) (gate.Policy, error) {
	if stored && !g.thresholdSet {
		g.threshold = fraction(gate.StoredThreshold)
	}
	p := gate.Policy{Alpha: g.alpha, Threshold: float64(g.threshold), Normalize: g.normalize}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("--alpha/--threshold: %v", err)
	}
	if g.budget <= 0 {
		return p, fmt.Errorf("--budget=%v: must be positive", g.budget)
	}
	if g.minRounds < 2 {
		return p, fmt.Errorf("--min-rounds=%d: must be >= 2 (a spread needs two rounds)", g.minRounds)
	}
	return p, nil
}

// selectionName names the baseline a selection compares with: its shape
// set (gate, quick, full), or custom for explicit shapes or cases.
func selectionName(f *runFlags) string {
	if f.shape != "" || f.gate.cases != "" {
		return "custom"
	}
	return f.shapeSet()
}

// saveCommand is the command that records the baseline a selection needs.
func saveCommand(f *runFlags) string {
	cmd := "nbench baseline save"
	switch selectionName(f) {
	case "quick":
		cmd += " --quick"
	case "full":
		cmd += " --set=full"
	case "custom":
		cmd += " --name=custom"
		if f.shape != "" {
			cmd += fmt.Sprintf(" --shape='%s'", f.shape)
		}
		if f.gate.cases != "" {
			cmd += fmt.Sprintf(" --case='%s'", f.gate.cases)
		}
	}
	if f.suite != "" {
		cmd += " --suite=" + f.suite
	}
	if f.kernel != "" {
		cmd += fmt.Sprintf(" --kernel='%s'", f.kernel)
	}
	if f.backend != "all" {
		cmd += " --backend=" + f.backend
	}
	return cmd
}

// prepare applies --case, which replaces the planned items.
func (s *runSession) prepare() error {
	if s.flags.gate.cases == "" {
		return nil
	}
	if s.flags.shape != "" {
		return fmt.Errorf("--case and --shape cannot be combined: --case names shapes already")
	}
	items, backends, err := parseCases(s.flags.gate.cases)
	if err != nil {
		return err
	}
	s.items = items
	if len(backends) > 0 {
		var keep, drop []harness.Backend
		for _, b := range s.backends {
			if backends[b.Name] {
				keep = append(keep, b)
			} else {
				drop = append(drop, b)
			}
		}
		if len(keep) == 0 {
			return fmt.Errorf("--case names backends that --backend=%s did not open", s.flags.backend)
		}
		for _, b := range drop {
			b.Close()
		}
		s.backends = keep
	}
	return nil
}

// parseCases parses --case: cases separated by ';', each a kernel name and
// its parameters separated by '/' (or ','), optionally ending in
// /backend=NAME (which then restricts the backends).
func parseCases(spec string) ([]harness.Item, map[string]bool, error) {
	var items []harness.Item
	backends := map[string]bool{}
	for _, c := range strings.Split(spec, ";") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		name, rest, _ := strings.Cut(c, "/")
		k, ok := suite.Lookup(name)
		if !ok {
			return nil, nil, fmt.Errorf("--case %q: no kernel named %q (see 'nbench list')", c, name)
		}
		var parts []string
		for _, p := range strings.FieldsFunc(rest, func(r rune) bool { return r == '/' || r == ',' }) {
			if b, ok := strings.CutPrefix(p, "backend="); ok {
				backends[b] = true
				continue
			}
			parts = append(parts, p)
		}
		p, err := k.ParseParams(strings.Join(parts, ","))
		if err != nil {
			return nil, nil, fmt.Errorf("--case %q: %v", c, err)
		}
		if _, err := k.New(p); err != nil {
			return nil, nil, fmt.Errorf("--case %q: %v", c, err)
		}
		items = append(items, harness.Item{Kernel: k, Params: p})
	}
	if len(items) == 0 {
		return nil, nil, fmt.Errorf("--case is empty")
	}
	return items, backends, nil
}

// resolveBaseline turns a --baseline value into a baseline file path:
// auto is baselines/<machine-id>/<name>.txt; a folder that holds a
// <machine-id>/ folder (a baselines root) or a <name>.txt is looked into;
// anything else is a file. It does not check that the file exists.
func resolveBaseline(spec, id, name string) string {
	if spec == "auto" {
		return filepath.Join(defaultBaselineDir, id, name+".txt")
	}
	if st, err := os.Stat(spec); err == nil && st.IsDir() {
		if st, err := os.Stat(filepath.Join(spec, id)); err == nil && st.IsDir() {
			spec = filepath.Join(spec, id)
		}
		return filepath.Join(spec, name+".txt")
	}
	return spec
}

// loadBaseline reads the rounds of a baseline file. A missing baseline, or
// one of raw samples, gives a message that says how to make one.
// loadBaseline reads a stored baseline of rounds, and the seed its inputs
// were drawn from (0 for a baseline recorded without one).
func loadBaseline(path string, f *runFlags, id string) (*gate.Rounds, uint64, error) {
	base, err := gate.ReadPath(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("no baseline %s for this machine (%s)\n  make one with: %s\n  (or pass --baseline=FILE|DIR)", path, id, saveCommand(f))
	}
	if err != nil {
		return nil, 0, err
	}
	r, err := gate.BaselineRounds(base)
	if err != nil {
		return nil, 0, fmt.Errorf("%v\n  record it again with: %s --replace", err, saveCommand(f))
	}
	seed, _ := strconv.ParseUint(base.Config[baselineSeedKey], 10, 64)
	return r, seed, nil
}

// baselineSeedKey is the configuration line of a stored baseline that
// holds the seed of its inputs: the gate draws the same inputs, since
// data-dependent kernels (NMS, masked losses) take longer or shorter on
// other boxes and masks (measured: batched_nms 17% and mse_masked 7-9%
// slower on another seed, which an A/A gate called regressions).
const baselineSeedKey = "seed"

func cmdCI(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("ci", stderr)
	var f runFlags
	f.register(fs)
	f.gate.register(fs)
	f.gate.baseline, f.gate.gate = "auto", true
	fs.Lookup("baseline").DefValue, fs.Lookup("gate").DefValue = "auto", "true"
	against := fs.String("against", "", "A/B mode: compare the working tree with this git revision (in a pull request: the merge base) in interleaved rounds, as nbench ab REV . does; no stored baseline")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "ci: unexpected argument %q", fs.Arg(0))
	}
	if *against != "" {
		if f.gate.baseline != "auto" {
			return usageErr(stderr, "--against and --baseline cannot be combined: --against compares with a revision, --baseline with stored rounds")
		}
		return runAB(*against, ".", &f, stdout, stderr)
	}
	defaultGateSet(&f)
	s, code := f.setup(stderr)
	if s == nil {
		return code
	}
	return runGated(s, stdout, stderr)
}

// defaultGateSet makes the gate shape set the selection of a gate, ab or
// baseline save that names no other.
func defaultGateSet(f *runFlags) {
	if f.shape == "" && f.set == "" && !f.quick && f.gate.cases == "" {
		f.set = "gate"
	}
}

// runGated is `nbench run` with --baseline, --gate or --case: the
// baseline's rounds are read before anything runs, then new rounds, each a
// fresh process, are added until every case is resolved or the budget is
// spent, and compared with the baseline's (gate.CompareRounds); with --gate
// the comparison decides the exit code.
func runGated(s *runSession, stdout, stderr io.Writer) int {
	g := &s.flags.gate
	fail := func(format string, args ...any) int {
		for _, b := range s.backends {
			b.Close()
		}
		return usageErr(stderr, format, args...)
	}
	pol, err := g.policy(true)
	if err != nil {
		return fail("%v", err)
	}
	if err := s.prepare(); err != nil {
		return fail("%v", err)
	}
	if g.baseline == "" && !g.gate && g.report == "" { // --case alone
		return finishRun(s, stdout, stderr, s.execute(stderr))
	}
	if err := gateOnlyFlags(&s.flags); err != nil {
		return fail("%v", err)
	}
	if g.baseline == "" {
		g.baseline = "auto"
	}
	id := machine.Describe().ID()
	path := resolveBaseline(g.baseline, id, selectionName(&s.flags))
	rounds, seed, err := loadBaseline(path, &s.flags, id)
	if err != nil {
		return fail("%v", err)
	}
	if seed != 0 && s.flags.seed == 0 { // the baseline's inputs, unless --seed says otherwise
		s.opt.Seed = seed
	}
	for _, b := range s.backends {
		b.Close() // the rounds run in fresh processes
	}
	plan := newRoundPlan(s)
	w, err := newWorker("this build", selfExe)
	if err != nil {
		return usageErr(stderr, "%v", err)
	}
	fmt.Fprintf(stderr, "nbench: gate against %s: %d cases, rounds of %d x %v at %d thread(s), budget %v, seed %d\n",
		path, len(plan.ids), plan.flags.count, plan.flags.benchtime, plan.flags.threads, g.budget, plan.flags.seed)
	watch := watchCPU()
	bud := newBudget(g.budget)
	ad := gate.Adaptive{Policy: pol, MinRounds: g.minRounds, Floors: gate.BaselineFloors, More: bud.more,
		Progress: roundProgress(stderr, "round", bud, len(plan.ids))}
	sample := func(k, _ int, ids []string) (*gate.Set, error) { return plan.run(w, k, ids, k == 0, stderr) }
	rep, err := ad.Run(rounds, plan.ids, sample, path, "this build")
	if err != nil {
		fmt.Fprintf(stderr, "nbench: %v\n", err)
		return exitFail
	}
	others, measured := watch.others()
	if note := watch.busyNote("the rounds"); note != "" {
		rep.Notes = append(rep.Notes, note)
	}
	if g.gate && measured && g.busy >= 0 && others > g.busy && len(rep.Regressions()) > 0 {
		rep.MarkBusy(fmt.Sprintf("other processes used %.1f of %d CPUs while they were measured (--busy=%g)", others, runtime.NumCPU(), g.busy))
	}
	newRounds := 0
	for _, rc := range rounds.Cases {
		newRounds = max(newRounds, len(rc.New))
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("took %s: up to %d new rounds against the baseline's, %d cases, budget %v",
		roundDur(time.Since(bud.start)), newRounds, len(plan.ids), g.budget))
	seed = 0
	if len(rep.Failures()) > 0 {
		seed = s.opt.Seed // a wrong result may depend on the inputs
	}
	rep.Rerun = rerunCommand(rep, &s.flags, path, seed)
	rep.Gated = g.gate
	code := finishGate(rep, &s.flags, stdout, stderr)
	if !g.gate && len(rep.Failures()) == 0 {
		return exitOK // a comparison without --gate fails only on wrong results
	}
	return code
}

// Defaults of flags that printed commands leave out.
const (
	defaultBusy   = 0.5
	defaultMaxMem = 8 << 10 // as runFlags.register sets --max-mem
)

// onlyRows is f measuring exactly the cases of rows (--case and --backend
// instead of the shape sets and filters), as a rerun command prints it.
func onlyRows(f *runFlags, rows []*gate.Row) runFlags {
	g := *f
	g.suite, g.kernel, g.shape, g.set, g.quick = "", "", "", "", false
	g.gate.cases, g.backend = caseList(rows)
	return g
}

// caseList returns the --case and --backend values that select rows.
func caseList(rows []*gate.Row) (cases, backends string) {
	var cs, bs []string
	for _, r := range rows {
		if !contains(cs, r.Case().Name()) {
			cs = append(cs, r.Case().Name())
		}
		if !contains(bs, r.Backend) {
			bs = append(bs, r.Backend)
		}
	}
	sort.Strings(bs)
	return strings.Join(cs, ";"), strings.Join(bs, ",")
}

// finishRun writes the results, says how DRAM compares with its ceiling
// now (checkDRAM) and summarizes the verdicts.
func finishRun(s *runSession, stdout, stderr io.Writer, rs []harness.Result) int {
	if err := s.write(stdout, rs); err != nil {
		fmt.Fprintf(stderr, "nbench: %v\n", err)
		return exitFail
	}
	s.checkDRAM(stderr) // once per run shown, not per gate round
	return summarize(stderr, s, rs)
}

// selectionArgs are the flags that chose the cases and how they were
// measured, as arguments for another run.
func selectionArgs(f *runFlags) []string {
	var args []string
	add := func(cond bool, format string, a ...any) {
		if cond {
			args = append(args, fmt.Sprintf(format, a...))
		}
	}
	add(f.quick, "--quick")
	add(f.set != "", "--set=%s", f.set)
	add(f.interleave, "--interleave")
	add(f.backend != "all", "--backend=%s", f.backend)
	add(f.suite != "", "--suite=%s", f.suite)
	add(f.kernel != "", "--kernel=%s", f.kernel)
	add(f.shape != "", "--shape=%s", f.shape)
	add(f.gate.cases != "", "--case=%s", f.gate.cases)
	add(f.count > 0, "--count=%d", f.count)
	add(f.benchtime > 0, "--benchtime=%s", f.benchtime)
	add(f.threads > 0, "--threads=%d", f.threads)
	add(f.cache != "", "--cache=%s", f.cache)
	add(f.isa != "", "--isa=%s", f.isa)
	add(f.maxMem != defaultMaxMem, "--max-mem=%d", f.maxMem)
	return args
}

// selectionFlags is selectionArgs for a printed command: values with
// characters a shell treats specially are single-quoted.
func selectionFlags(f *runFlags) string {
	args := selectionArgs(f)
	for i, a := range args {
		name, val, ok := strings.Cut(a, "=")
		if ok && strings.IndexFunc(val, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._,:-", r))
		}) >= 0 {
			args[i] = name + "='" + val + "'"
		}
	}
	return strings.Join(args, " ")
}

// rerunCommand is the one command that reruns the regressed and failed
// cases of rep against the same baseline, measured as before.
func rerunCommand(rep *gate.Report, f *runFlags, baseline string, seed uint64) string {
	rows := append(append(rep.Regressions(), rep.Failures()...), rep.Inconclusives()...)
	if len(rows) == 0 {
		return ""
	}
	g := onlyRows(f, rows)
	cmd := "nbench run " + selectionFlags(&g) + " --baseline=" + baseline + " --gate"
	if seed != 0 {
		cmd += fmt.Sprintf(" --seed=%d", seed)
	}
	if p := gate.DefaultPolicy(); f.gate.alpha != p.Alpha {
		cmd += fmt.Sprintf(" --alpha=%g", f.gate.alpha)
	}
	if f.gate.thresholdSet {
		cmd += " --threshold=" + f.gate.threshold.String()
	}
	if !f.gate.normalize {
		cmd += " --normalize=false"
	}
	if f.gate.busy != defaultBusy {
		cmd += fmt.Sprintf(" --busy=%g", f.gate.busy)
	}
	return cmd
}

// writeReport writes the comparison to path: JSON for .json, else markdown.
func writeReport(path string, rep *gate.Report) error {
	format := "markdown"
	if strings.EqualFold(filepath.Ext(path), ".json") {
		format = "json"
	}
	return atomicfile.Write(path, func(w io.Writer) error { return rep.Write(w, format) })
}
