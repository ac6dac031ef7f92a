package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/profiling"
	"github.com/nbench/nbench/reports"
)

func init() {
	register("profile", "run cases with CPU profiling and hardware counters; print each case's top functions", cmdProfile)
}

// activeCollector is set by `nbench profile` for the duration of its run,
// so the run machinery (execute) installs it instead of a plain
// --cpuprofile collector.
var activeCollector *profiling.Collector

// cpuProfiles is the harness Profile hook of `nbench run --cpuprofile DIR`
// (nil without it): one pprof file per case in DIR.
func cpuProfiles(dir string, stderr io.Writer) func(harness.Item, string) func() {
	c := activeCollector
	if c == nil {
		if dir == "" {
			return nil
		}
		c = &profiling.Collector{Dir: dir}
	}
	return func(it harness.Item, backend string) func() {
		stop := c.Hook(it, backend)
		return func() {
			stop()
			if k := c.Case(it.Name(), backend); k != nil && k.Err != nil {
				fmt.Fprintf(stderr, "nbench: no CPU profile for %s on %s: %v\n", it.Name(), backend, k.Err)
			}
		}
	}
}

func cmdProfile(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("profile", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: nbench profile [run flags] [KERNEL...]\n\n"+
			"Runs the cases like 'nbench run' (KERNEL names select kernels exactly; --kernel takes a regexp),\n"+
			"with a CPU profile and hardware counters around each case's timed samples, then prints the\n"+
			"run table and each case's top functions. Defaults: --count=5 --benchtime=200ms.\n\n")
		fs.PrintDefaults()
	}
	var f runFlags
	f.register(fs)
	top := fs.Int("top", 10, "functions shown per case")
	noCounters := fs.Bool("no-counters", false, "do not read hardware counters")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		if f.kernel != "" {
			return usageErr(stderr, "profile: give kernels as arguments or --kernel, not both")
		}
		names := make([]string, fs.NArg())
		for i, a := range fs.Args() {
			names[i] = regexp.QuoteMeta(a)
		}
		f.kernel = "^(?:" + strings.Join(names, "|") + ")$"
	}
	// Profiles need time to collect samples (100 per second).
	if f.benchtime == 0 {
		f.benchtime = 200 * time.Millisecond
	}
	if f.count == 0 {
		f.count = 5
	}
	dir, keep := f.cpuprofile, f.cpuprofile != ""
	if !keep {
		tmp, err := os.MkdirTemp("", "nbench-profile-")
		if err != nil {
			fmt.Fprintf(stderr, "nbench: %v\n", err)
			return exitFail
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	s, code := f.setup(stderr)
	if s == nil {
		return code
	}
	coll := &profiling.Collector{Dir: dir, Counters: !*noCounters}
	activeCollector = coll
	defer func() { activeCollector = nil }()
	rs := s.execute(stderr)
	if err := s.write(stdout, rs); err != nil {
		fmt.Fprintf(stderr, "nbench: %v\n", err)
		return exitFail
	}
	writeProfiles(stdout, coll, rs, *top, keep)
	return summarize(stderr, s, rs)
}

// writeProfiles prints, per timed case, its counters and top functions.
// A "not supported" counter reason is printed once, not per case.
func writeProfiles(w io.Writer, coll *profiling.Collector, rs []harness.Result, top int, keep bool) {
	saidNoCounters := false
	for i := range rs {
		r := &rs[i]
		k := coll.Case(r.Name(), r.Backend)
		if k == nil {
			continue
		}
		fmt.Fprintf(w, "\n%s on %s (%s): median %s, %s\n", r.Name(), r.Backend, r.Path, reports.Duration(r.Stats.Median), r.Check.Verdict)
		switch {
		case !coll.Counters:
		case k.CountErr == nil:
			fmt.Fprintf(w, "  counters: %v\n", k.Counters)
		case profiling.IsNotSupported(k.CountErr):
			if !saidNoCounters {
				fmt.Fprintf(w, "  %v\n", k.CountErr)
				saidNoCounters = true
			}
		default:
			fmt.Fprintf(w, "  hardware counters: %v\n", k.CountErr)
		}
		if k.Err != nil || k.Profile == "" {
			fmt.Fprintf(w, "  no CPU profile: %v\n", k.Err)
			continue
		}
		fns, total, err := profiling.Top(k.Profile, top)
		if err != nil {
			fmt.Fprintf(w, "  %v\n", err)
			continue
		}
		where := ""
		if keep {
			where = fmt.Sprintf(" in %s (go tool pprof -top %s)", k.Profile, k.Profile)
		}
		fmt.Fprintf(w, "  CPU profile: %s of samples%s\n", reports.Duration(float64(total)/1e9), where)
		if len(fns) == 0 {
			fmt.Fprintln(w, "  (no samples: raise --benchtime or --count)")
			continue
		}
		fmt.Fprintf(w, "  %9s %6s %9s %6s  %s\n", "flat", "flat%", "cum", "cum%", "function")
		for _, fn := range fns {
			fmt.Fprintf(w, "  %9s %5.1f%% %9s %5.1f%%  %s\n", reports.Duration(float64(fn.Flat)/1e9), fn.FlatPct,
				reports.Duration(float64(fn.Cum)/1e9), fn.CumPct, fn.Name)
		}
	}
}
