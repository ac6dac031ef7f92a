package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/nbench/nbench/backends"
	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/harness/roofline"
	"github.com/nbench/nbench/internal/atomicfile"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/reports"
	"github.com/nbench/nbench/suites/suite"
)

func init() {
	register("run", "run kernels on backends, check them against float64 references, time them", cmdRun)
}

// runFlags are the flags of `nbench run` (shared with commands that run cases).
type runFlags struct {
	backend, suite, kernel, shape string
	quick, noProgress, checkOnly  bool
	noCheck                       bool   // --no-check: time without the reference (gate rounds)
	interleave                    bool   // --interleave: samples of all cases taken in turns
	set                           string // --set: gate, quick or full
	count, threads                int
	benchtime                     time.Duration
	cache, isa, out, format       string
	seed                          uint64
	maxMem                        int64
	gate                          gateFlags // --baseline, --gate, --calibrate, --case (gate.go)
	cpuprofile                    string    // --cpuprofile DIR (profile.go)
	peakNow                       bool      // --peak-now: each case's ceiling measured between its samples (peak.go)
}

func (f *runFlags) register(fs *flagSet) {
	fs.StringVar(&f.backend, "backend", "all", "comma list of backends, or all (the available ones)")
	fs.StringVar(&f.suite, "suite", "", "comma list of suites: "+strings.Join(suite.Families, ", ")+" (default all)")
	fs.StringVar(&f.kernel, "kernel", "", "regular expression on kernel names")
	fs.StringVar(&f.shape, "shape", "", "shapes to run instead of the shape sets, e.g. 'R=1024,C=768;R=1,C=4096'")
	fs.BoolVar(&f.quick, "quick", false, "quick shape set (CI) with a shorter benchtime and count 5")
	fs.StringVar(&f.set, "set", "", "shape set: full, quick or gate (mid-sized cases for the regression gate; the default of ab, ci and baseline save)")
	fs.BoolVar(&f.interleave, "interleave", false, "prepare every case first, then take the samples of all cases in turns (spreads each case over the run; the gate's rounds use it)")
	fs.BoolVar(&f.noCheck, "no-check", false, "time without checking against the reference (verdict UNCHECKED); gate rounds after the first use it")
	fs.IntVar(&f.count, "count", 0, "samples per case (default 10, or 5 with --quick)")
	fs.DurationVar(&f.benchtime, "benchtime", 0, "target duration of one sample (default 100ms, or 5ms with --quick)")
	fs.IntVar(&f.threads, "threads", 0, "worker threads per kernel (default: all logical CPUs)")
	fs.StringVar(&f.cache, "cache", "", "cold: rotate buffer sets so inputs are not cache resident; warm: reuse one set (default cold; warm in the gate's rounds)")
	fs.StringVar(&f.isa, "isa", os.Getenv("NBENCH_ISA"), "force a lower SIMD path (e.g. avx2, generic); env NBENCH_ISA")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the random inputs (default: drawn and printed)")
	fs.BoolVar(&f.checkOnly, "check-only", false, "check correctness only, no timing")
	fs.Int64Var(&f.maxMem, "max-mem", 8<<10, "skip cases whose buffers exceed this many MiB")
	fs.StringVar(&f.out, "o", "", "write results to this file (format from --format or the extension: .json, .md, else benchfmt)")
	fs.StringVar(&f.format, "format", "", "output format: table, benchfmt, json, markdown (default table on stdout, benchfmt for -o)")
	fs.BoolVar(&f.noProgress, "no-progress", false, "no progress line on stderr")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write one CPU profile (pprof) per case into this folder")
	fs.BoolVar(&f.peakNow, "peak-now", false, "also measure each case's binding ceiling (its peak-file probe) after each of its samples, and show its share of that "+
		"as \"(N% now)\" beside %peak: the machine at that moment, not at its best (about doubles the time)")
}

// shapeSets are the values of --set.
var shapeSets = []string{"full", "quick", "gate"}

// shapeSet is the shape set the flags select: --set, else quick with
// --quick, else full.
func (f *runFlags) shapeSet() string {
	switch {
	case f.set != "":
		return f.set
	case f.quick:
		return "quick"
	}
	return "full"
}

// plan resolves the selection flags into items.
func (f *runFlags) plan() ([]harness.Item, error) {
	if !contains(shapeSets, f.shapeSet()) {
		return nil, fmt.Errorf("--set=%q: valid values are %s", f.set, strings.Join(shapeSets, ", "))
	}
	if f.quick && f.set != "" && f.set != "quick" {
		return nil, fmt.Errorf("--quick and --set=%s contradict each other", f.set)
	}
	families := splitList(f.suite)
	for _, fam := range families {
		if !contains(suite.Families, fam) {
			return nil, fmt.Errorf("unknown suite %q (valid: %s)", fam, strings.Join(suite.Families, ", "))
		}
	}
	var re *regexp.Regexp
	if f.kernel != "" {
		var err error
		if re, err = regexp.Compile(f.kernel); err != nil {
			return nil, fmt.Errorf("--kernel: %v", err)
		}
	}
	var items []harness.Item
	for _, k := range suite.All() {
		if len(families) > 0 && !contains(families, k.Family) || re != nil && !re.MatchString(k.Name) {
			continue
		}
		shapes := k.Full
		switch f.shapeSet() {
		case "quick":
			shapes = k.Quick
		case "gate":
			shapes = k.Gate
		}
		if f.shape != "" {
			shapes = strings.Split(f.shape, ";")
		}
		for _, s := range shapes {
			p, err := k.ParseParams(s)
			if err != nil {
				return nil, fmt.Errorf("--shape %q for kernel %s: %v", s, k.Name, err)
			}
			if _, err := k.New(p); err != nil {
				return nil, fmt.Errorf("--shape %q for kernel %s: %v", s, k.Name, err)
			}
			items = append(items, harness.Item{Kernel: k, Params: p})
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("no kernel matches --suite=%q --kernel=%q (see 'nbench list')", f.suite, f.kernel)
	}
	return items, nil
}

// options turns the measurement flags into harness options.
func (f *runFlags) options() (harness.Options, error) {
	o := harness.DefaultOptions()
	if f.quick {
		o.Count, o.BenchTime, o.Warmup = 5, 5*time.Millisecond, 2*time.Millisecond
		// Rough timings: the few quick sets of 2-2.4 MB would rotate 512
		// sets past the L3 and take half as long again (25 s against 16 here).
		o.MaxSets = harness.MaxSmallSets
	}
	if f.count < 0 {
		return o, fmt.Errorf("--count=%d: must be >= 1", f.count)
	}
	if f.count > 0 {
		o.Count = f.count
	}
	if f.benchtime < 0 {
		return o, fmt.Errorf("--benchtime=%v: must be positive", f.benchtime)
	}
	if f.benchtime > 0 {
		o.BenchTime = f.benchtime
		o.Warmup = min(o.Warmup, f.benchtime)
	}
	switch harness.CacheMode(f.cache) {
	case "":
	case harness.CacheWarm, harness.CacheCold:
		o.Cache = harness.CacheMode(f.cache)
	default:
		return o, fmt.Errorf("--cache=%q: valid values are cold, warm", f.cache)
	}
	if f.threads < 0 {
		return o, fmt.Errorf("--threads=%d: must be >= 1 (or 0 for all CPUs)", f.threads)
	}
	if f.maxMem <= 0 {
		return o, fmt.Errorf("--max-mem=%d: must be positive", f.maxMem)
	}
	o.MaxBytes = f.maxMem << 20
	// Rotations get past the L3 reported; small ones stay within the reach
	// the peak file measured, and second passes count past its pass reach.
	caches := peak.Described(peak.DefaultDir()).Caches
	o.SetLastLevelCache(caches.LastLevel(), caches.HeldLastLevel(), caches.PassReach)
	o.Seed = f.seed
	if o.Seed == 0 {
		o.Seed = rand.Uint64() >> 1
	}
	o.NoTiming = f.checkOnly
	o.NoCheck = f.noCheck
	if f.checkOnly && f.noCheck {
		return o, fmt.Errorf("--check-only and --no-check leave nothing to do")
	}
	return o, nil
}

// openBackends opens the named backends. With "all", unavailable backends
// are reported in notes and skipped; a named one that is unavailable is an error.
func (f *runFlags) openBackends() (bs []harness.Backend, notes []string, err error) {
	if err := f.checkISA(); err != nil {
		return nil, nil, err
	}
	cfg := kernel.Config{Threads: f.threads, ISA: f.isa}
	names := splitList(f.backend)
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("--backend is empty (valid: all, %s)", strings.Join(backends.Names(), ", "))
	}
	for _, n := range names {
		if n == "all" {
			for _, e := range backends.List() {
				if e.Explicit {
					continue // peers (torch, external workers) run when named
				}
				b, err := e.Open(cfg)
				if err != nil {
					notes = append(notes, fmt.Sprintf("backend %s: %v", e.Name, err))
					continue
				}
				bs = append(bs, harness.Backend{Name: e.Name, Backend: b})
			}
			continue
		}
		e, err := backends.Lookup(n)
		if err != nil {
			return nil, nil, err
		}
		b, err := e.Open(cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("backend %s: %v", n, err)
		}
		bs = append(bs, harness.Backend{Name: n, Backend: b})
	}
	return bs, notes, nil
}

// resolveFormat picks the output format.
func (f *runFlags) resolveFormat() (string, error) {
	format := f.format
	if format == "" {
		format = "table"
		if f.out != "" {
			switch strings.ToLower(filepath.Ext(f.out)) {
			case ".json":
				format = "json"
			case ".md":
				format = "markdown"
			default:
				format = "benchfmt"
			}
		}
	}
	switch format {
	case "table", "benchfmt", "json", "markdown":
		return format, nil
	}
	return "", fmt.Errorf("--format=%q: valid values are table, benchfmt, json, markdown", format)
}

// runSession is a planned, opened run ready to execute.
type runSession struct {
	flags    runFlags
	items    []harness.Item
	backends []harness.Backend
	opt      harness.Options
	env      harness.Env
	format   string
	threads  int
	roofs    map[string]*roofline.Ceilings // this machine's by backend ("" the host's), from its peak files
	peakDate string                        // when that file was measured
	// dramCases is how many host results of the last execute were judged
	// against DRAM (placeUnderRoofs), for checkDRAM.
	dramCases int
	now       *roofline.Now // --peak-now's prepared probes during execute
}

// setup validates flags and opens backends; on error it has printed the
// message and returns the exit code.
func (f *runFlags) setup(stderr io.Writer) (*runSession, int) {
	s := &runSession{flags: *f}
	var err error
	if s.format, err = f.resolveFormat(); err != nil {
		return nil, usageErr(stderr, "%v", err)
	}
	if s.opt, err = f.options(); err != nil {
		return nil, usageErr(stderr, "%v", err)
	}
	if s.items, err = f.plan(); err != nil {
		return nil, usageErr(stderr, "%v", err)
	}
	var notes []string
	if s.backends, notes, err = f.openBackends(); err != nil {
		return nil, usageErr(stderr, "%v", err)
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "nbench: note: %s\n", n)
	}
	if len(s.backends) == 0 {
		return nil, usageErr(stderr, "no backend is available")
	}
	threads := f.threads
	if threads <= 0 {
		threads = defaultThreads()
	}
	s.env = harness.Describe(threads)
	// The seed stays out of the configuration lines (benchstat would split
	// runs with different seeds into separate tables); JSON records it.
	s.env = append(s.env, harness.KV{Key: "cache", Value: string(s.opt.Cache)})
	s.threads = threads
	s.loadPeaks(stderr) // %peak (peak.go)
	if f.peakNow && s.roofs[""] == nil {
		return nil, usageErr(stderr, "--peak-now measures the ceilings of this machine's peak file, and there is none: run 'nbench peak' first")
	}
	if f.peakNow && f.checkOnly {
		return nil, usageErr(stderr, "--peak-now and --check-only contradict each other (nothing is timed)")
	}
	return s, exitOK
}

// execute runs the session with a progress line on a terminal.
func (s *runSession) execute(stderr io.Writer) []harness.Result {
	fmt.Fprintf(stderr, "nbench: %d cases x %d backends, seed %d (rerun with --seed=%d)\n",
		len(s.items), len(s.backends), s.opt.Seed, s.opt.Seed)
	p := newProgress(stderr, !s.flags.noProgress && isTerminal(stderr))
	s.opt.Progress = p.update
	s.opt.Profile = cpuProfiles(s.flags.cpuprofile, stderr) // nil without --cpuprofile (profile.go)
	if s.flags.peakNow {
		s.now = roofline.NewNow(peak.Described(peak.DefaultDir()))
		s.opt.Companion = s.peakNow
		defer s.now.Close()
	}
	run := harness.Run
	if s.flags.interleave {
		run = harness.RunInterleaved
	}
	rs := run(s.items, s.backends, s.opt)
	p.done()
	for _, b := range s.backends {
		b.Close()
	}
	s.placeUnderRoofs(stderr, rs)
	return rs
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", stderr)
	var f runFlags
	f.register(fs)
	f.gate.register(fs)
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "run: unexpected argument %q", fs.Arg(0))
	}
	s, code := f.setup(stderr)
	if s == nil {
		return code
	}
	if f.gate.enabled() {
		return runGated(s, stdout, stderr)
	}
	return finishRun(s, stdout, stderr, s.execute(stderr))
}

// write emits the results in the chosen format, to -o atomically or stdout.
// With -o, the table still goes to stdout.
func (s *runSession) write(stdout io.Writer, rs []harness.Result) error {
	render := func(w io.Writer) error {
		switch s.format {
		case "benchfmt":
			return reports.Benchfmt(w, s.env, rs)
		case "json":
			return reports.JSON(w, s.env, s.opt.Seed, rs)
		case "markdown":
			return reports.Markdown(w, s.env, rs)
		}
		return reports.Table(w, rs)
	}
	if s.flags.out == "" {
		return render(stdout)
	}
	if err := atomicfile.Write(s.flags.out, render); err != nil {
		return err
	}
	if err := reports.Table(stdout, rs); err != nil {
		return err
	}
	_, err := fmt.Fprintf(stdout, "\nwrote %s (%s)\n", s.flags.out, s.format)
	return err
}

// summarize prints failures with a one-line repro each and returns the exit code.
func summarize(stderr io.Writer, s *runSession, rs []harness.Result) int {
	counts := map[suite.Verdict]int{}
	var failed []*harness.Result
	for i := range rs {
		counts[rs[i].Check.Verdict]++
		if rs[i].Check.Verdict == suite.Failed {
			failed = append(failed, &rs[i])
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "nbench: %d passed, %d failed, %d mistrusted, %d unimplemented, %d skipped\n",
		counts[suite.Passed], counts[suite.Failed], counts[suite.Mistrusted], counts[suite.Unimplemented], counts[suite.Skipped])
	for _, r := range failed {
		fmt.Fprintf(&b, "FAILED %s on %s: %s\n  repro: %s\n", r.Name(), r.Backend, r.Check.Detail, repro(s, r))
	}
	stderr.Write(b.Bytes())
	if len(failed) > 0 {
		return exitFail
	}
	return exitOK
}

// repro is the command that reruns one case with the same inputs.
func repro(s *runSession, r *harness.Result) string {
	cmd := fmt.Sprintf("nbench run --backend=%s --kernel='^%s$' --shape='%s' --seed=%d",
		r.Backend, r.Kernel, strings.ReplaceAll(r.Params, "/", ","), s.opt.Seed)
	if s.flags.threads > 0 {
		cmd += fmt.Sprintf(" --threads=%d", s.flags.threads)
	}
	if s.flags.isa != "" {
		cmd += " --isa=" + s.flags.isa
	}
	return cmd
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
