package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/harness/roofline"
	"github.com/nbench/nbench/reports"
)

func init() {
	register("peak", "measure this machine's memory bandwidth and compute peaks (for % of peak)", cmdPeak)
}

func cmdPeak(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("peak", stderr)
	quick := fs.Bool("quick", false, "short run: 10ms samples, count 3, 64 MiB DRAM working set (numbers are rougher)")
	benchtime := fs.Duration("benchtime", 0, "length of one sample (default 50ms, 10ms with --quick)")
	count := fs.Int("count", 0, "samples per measurement; the median is kept (default 5, 3 with --quick)")
	threads := fs.String("threads", "", "comma list of thread counts (default: 1 and all logical CPUs)")
	probe := fs.String("probe", "", "regular expression on probe names (default all: "+probeNames()+")")
	dir := fs.String("dir", peak.DefaultDir(), "folder of per-machine results: writes DIR/<machine id>/peak.json (env NBENCH_BASELINES)")
	dry := fs.Bool("n", false, "measure and print, but do not write the peak file")
	replace := fs.Bool("replace", false, "write only this measurement (default: keep the best of it and the stored file's, per probe)")
	format := fs.String("format", "table", "output: table or json")
	noProgress := fs.Bool("no-progress", false, "no progress line on stderr")
	device := fs.String("backend", "", "measure a device backend's ceilings instead of the host's (cuda): writes DIR/<machine id>/peak-<backend>.json")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "peak: unexpected argument %q", fs.Arg(0))
	}
	if *device != "" {
		return devicePeak(*device, *quick, *dir, *dry, stdout, stderr)
	}
	if *format != "table" && *format != "json" {
		return usageErr(stderr, "--format=%q: valid values are table, json", *format)
	}
	opt := peak.Options{BenchTime: *benchtime, Count: *count}
	if *quick {
		opt.BenchTime, opt.Count, opt.DRAMBytes = 10*time.Millisecond, 3, 64<<20
		if *benchtime > 0 {
			opt.BenchTime = *benchtime
		}
		if *count > 0 {
			opt.Count = *count
		}
	}
	if *count < 0 || *benchtime < 0 {
		return usageErr(stderr, "--count and --benchtime must be positive")
	}
	for _, s := range splitList(*threads) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return usageErr(stderr, "--threads: %q is not a positive integer", s)
		}
		opt.Threads = append(opt.Threads, n)
	}
	if *probe != "" {
		re, err := regexp.Compile(*probe)
		if err != nil {
			return usageErr(stderr, "--probe: %v", err)
		}
		opt.Probes = []peak.Probe{}
		for _, p := range peak.Probes() {
			if re.MatchString(p.Name) {
				opt.Probes = append(opt.Probes, p)
			}
		}
		if len(opt.Probes) == 0 {
			return usageErr(stderr, "--probe=%q matches no probe (probes: %s)", *probe, probeNames())
		}
	}
	d := machine.Describe()
	if opt.Probes != nil && !slices.ContainsFunc(opt.Probes, func(p peak.Probe) bool { return p.Kind == peak.Read }) {
		// No read probe, so no reach sweep (peak.Run): size the levels
		// by the reaches the stored file measured, not the reported L3.
		d = peak.Described(*dir)
	}
	fmt.Fprintf(stderr, "nbench: measuring peaks of %s\n", d.ID())
	p := newProgress(stderr, !*noProgress && isTerminal(stderr))
	opt.Progress = func(done, total int, label string) { p.step(done, total, label) }
	f, err := peak.Run(d, opt)
	p.done()
	if err != nil {
		fmt.Fprintf(stderr, "nbench: peak: %v\n", err)
		return exitFail
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(f)
	} else {
		writePeakTable(stdout, f)
	}
	failed := reportFailedProbes(stderr, f)
	if !*dry {
		if earlier, err := peak.Load(*dir, f.Machine); err == nil && !*replace {
			if kept := peak.KeepBest(f, earlier); kept > 0 {
				fmt.Fprintf(stderr, "nbench: kept %d higher result(s) of the stored file (measured %s; --replace drops them)\n",
					kept, earlier.Date.Format("2006-01-02"))
			}
		}
		path, err := peak.Save(*dir, f)
		if err != nil {
			fmt.Fprintf(stderr, "nbench: %v\n", err)
			return exitFail
		}
		fmt.Fprintf(stderr, "nbench: wrote %s (nbench run now shows %%peak on this machine)\n", path)
	}
	if failed > 0 {
		return exitFail
	}
	return exitOK
}

func probeNames() string {
	s := ""
	for i, p := range peak.Probes() {
		if i > 0 {
			s += ", "
		}
		s += p.Name
	}
	return s
}

// writePeakTable prints every measurement, then the ceilings nbench run
// will use and the machine balance.
func writePeakTable(w io.Writer, f *peak.File) {
	t := newPlainTable(w)
	t.Header([]string{"probe", "kind", "level", "working set", "threads", "median", "max", "unit"})
	for _, r := range f.Results {
		level, ws := "-", "-"
		if !r.Kind.Compute() {
			level, ws = r.Level, machine.Bytes(r.Bytes)
		}
		med, mx := reports.Rate(r.Median/1e9), reports.Rate(r.Max/1e9)
		if r.Err != "" {
			med, mx = "FAILED", "-"
		}
		t.Append([]string{r.Probe, string(r.Kind), level, ws, strconv.Itoa(r.Threads), med, mx, "G" + r.Unit})
	}
	t.Render()
	writeL3Sweep(w, f)

	c := roofline.New(f)
	counts := map[int]bool{}
	for _, r := range f.Results {
		counts[r.Threads] = true
	}
	fmt.Fprintln(w, "\nceilings (medians; bandwidth = the best of any probe, and in brackets of the read probes, the ceiling of kernels that only read):")
	for _, n := range slices.Sorted(maps.Keys(counts)) {
		line := fmt.Sprintf("  %2d thread(s):", n)
		for _, l := range c.MemoryLevels() {
			line += fmt.Sprintf(" %s %s (%s) GB/s,", l, reports.Rate(c.Bandwidth(l, n)/1e9), reports.Rate(c.ReadBandwidth(l, n)/1e9))
		}
		for _, k := range peak.Kinds {
			if v := c.Peak(k, n); k.Compute() && v > 0 {
				line += fmt.Sprintf(" %s %s G%s,", k, reports.Rate(v/1e9), k.Unit())
			}
		}
		line = strings.TrimSuffix(line, ",")
		if bw := c.Bandwidth(peak.DRAM, n); bw > 0 && c.Peak(peak.FMA32, n) > 0 {
			line += fmt.Sprintf("; balance vs DRAM %.2g flop/B", c.Peak(peak.FMA32, n)/bw)
		}
		fmt.Fprintln(w, line)
	}
}

// writeL3Sweep prints the L3 reach sweep, a line, and what it found.
func writeL3Sweep(w io.Writer, f *peak.File) {
	if f.L3SweepErr != "" {
		fmt.Fprintf(w, "\nL3 reach: not measured (%s); the reported %s counts\n", f.L3SweepErr, machine.Bytes(f.Description.Caches.L3))
	}
	if len(f.L3Sweep) == 0 {
		return
	}
	line := "\nL3 reach sweep (one thread's reads, GB/s):"
	for _, p := range f.L3Sweep {
		line += fmt.Sprintf(" %s %s,", machine.Bytes(p.Bytes), reports.Rate(p.Median/1e9))
	}
	fmt.Fprintln(w, strings.TrimSuffix(line, ","))
	c := f.Description.Caches
	if c.L3Reach > 0 {
		fmt.Fprintf(w, "  reads reach %s of the %s L3 reported at L3 speed: the L3 level and its probes are sized by it "+
			"(DRAM sets and rotations still get past 8x the reported size)\n", machine.Bytes(c.HeldL3()), machine.Bytes(c.L3))
	} else {
		fmt.Fprintf(w, "  no lasting drop below the L3's speed: the reported %s counts\n", machine.Bytes(c.L3))
	}
	if f.PassSweepErr != "" {
		fmt.Fprintf(w, "pass reach sweep failed: %s\n", f.PassSweepErr)
	}
	if len(f.PassSweep) == 0 {
		return
	}
	line = "Pass reach sweep (a second read right after the first, GB/s):"
	for _, p := range f.PassSweep {
		line += fmt.Sprintf(" %s %s,", machine.Bytes(p.Bytes), reports.Rate(p.Median/1e9))
	}
	fmt.Fprintln(w, strings.TrimSuffix(line, ","))
	fmt.Fprintf(w, "  a pass leaves %s in cache for the next: a kernel's second pass over more data counts as traffic\n", machine.Bytes(c.PassReach))
}

// newPlainTable is a borderless table like the run table.
func newPlainTable(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRendition(tw.Rendition{Borders: tw.BorderNone,
			Settings: tw.Settings{Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines: tw.Lines{ShowHeaderLine: tw.On}}}),
	)
}

// step draws the progress line for work that is not a harness case (peak
// probes); it mirrors progress.update.
func (p *progress) step(done, total int, label string) {
	if !p.on {
		return
	}
	elapsed := time.Since(p.start)
	eta := "?"
	if done > 0 {
		eta = (elapsed * time.Duration(total-done) / time.Duration(done)).Round(time.Second).String()
	}
	line := fmt.Sprintf("[%d/%d %s, ~%s left] %s", done+1, total, elapsed.Round(time.Second), eta, label)
	if len(line) > 120 {
		line = line[:117] + "..."
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

// reportFailedProbes names each probe that failed its check and counts them.
func reportFailedProbes(stderr io.Writer, f *peak.File) int {
	failed := 0
	for _, r := range f.Results {
		if r.Err != "" {
			failed++
			fmt.Fprintf(stderr, "nbench: probe %s FAILED its check: %s\n", r.Probe, r.Err)
		}
	}
	return failed
}

// devicePeak measures a device backend's ceilings (nbench peak --backend).
func devicePeak(backend string, quick bool, dir string, dry bool, stdout, stderr io.Writer) int {
	measure, ok := peak.Device(backend)
	if !ok {
		return usageErr(stderr, "--backend=%s: no device backend of that name in this build (the cuda backend needs -tags cuda)", backend)
	}
	fmt.Fprintf(stderr, "nbench: measuring the peaks of backend %s\n", backend)
	f, err := measure(quick)
	if err != nil {
		fmt.Fprintf(stderr, "nbench: peak --backend=%s: %v\n", backend, err)
		return exitFail
	}
	writePeakTable(stdout, f)
	failed := reportFailedProbes(stderr, f)
	if !dry {
		path, err := peak.SaveDevice(dir, backend, f)
		if err != nil {
			fmt.Fprintf(stderr, "nbench: %v\n", err)
			return exitFail
		}
		fmt.Fprintf(stderr, "nbench: wrote %s (%%peak for %s rows)\n", path, backend)
	}
	if failed > 0 {
		return exitFail
	}
	return exitOK
}

// loadPeaks loads this machine's peak file for the %peak column, and the
// file of each device backend of the run (a GPU's own ceilings). Without a
// host file the column shows "-" and, when a table is printed, a one-line
// hint says how to get one.
func (s *runSession) loadPeaks(stderr io.Writer) {
	id := machine.Describe().ID()
	s.roofs = map[string]*roofline.Ceilings{}
	for _, b := range s.backends {
		if _, device := peak.Device(b.Name); device {
			if f, err := peak.LoadDevice(peak.DefaultDir(), id, b.Name); err == nil {
				s.roofs[b.Name] = roofline.New(f)
			} else if !peak.IsNotExist(err) {
				fmt.Fprintf(stderr, "nbench: %%peak unavailable for %s: %v\n", b.Name, err)
			}
		}
	}
	f, err := peak.Load(peak.DefaultDir(), id)
	if err != nil {
		tableShown := s.format == "table" || s.format == "markdown" || s.flags.out != ""
		if peak.IsNotExist(err) && tableShown {
			fmt.Fprintf(stderr, "nbench: no peak file for this machine (%s): run 'nbench peak' for the %%peak column\n", peak.Path(peak.DefaultDir(), id))
		} else if !peak.IsNotExist(err) {
			fmt.Fprintf(stderr, "nbench: %%peak unavailable: %v\n", err)
		}
		return
	}
	s.roofs[""] = roofline.New(f)
	s.peakDate = f.Date.Format("2006-01-02")
}

// roofFor is the ceilings that judge r, and the threads they are read at:
// a device backend's own file (one device: threads 1), else the host's; nil
// for a device without its file (host peaks say nothing about a GPU) and
// for an external worker on another device.
func (s *runSession) roofFor(r *harness.Result) (*roofline.Ceilings, int) {
	if _, device := peak.Device(r.Backend); device {
		return s.roofs[r.Backend], 1
	}
	for _, b := range s.backends {
		if h, ok := b.Backend.(interface{ OnHostCPU() bool }); ok && b.Name == r.Backend && !h.OnHostCPU() {
			return nil, 0
		}
	}
	return s.roofs[""], s.threads
}

// workOf is r as the roofline takes it, at seconds per run.
func (s *runSession) workOf(r *harness.Result, seconds float64, threads int) roofline.Work {
	return roofline.WorkOf(r.Cost, seconds, threads, float64(r.SetBytes), r.Sets, s.opt.Cache == harness.CacheCold)
}

// placeUnderRoofs sets each timed result's share of the ceilings of what
// ran it (roofFor). A share above 100% means a ceiling was measured
// slower than this run reached: it is shown as measured, marked, and
// explained once. With --peak-now, the share of the ceiling measured
// between the samples joins it.
func (s *runSession) placeUnderRoofs(stderr io.Writer, rs []harness.Result) {
	above, hostDRAM := 0, 0
	var nowErrs []string
	for i := range rs {
		r := &rs[i]
		c, threads := s.roofFor(r)
		if !r.Timed() || c == nil {
			continue
		}
		p, err := c.Classify(s.workOf(r, r.Stats.Median, threads))
		if err != nil {
			continue
		}
		r.Roof = &harness.Roof{Percent: p.Percent, Ceiling: p.Roof, Level: p.Level, Bound: string(p.Bound), Probe: p.Probe, Cell: p.String()}
		if c == s.roofs[""] && p.Bound == roofline.Memory && p.Level == peak.DRAM {
			hostDRAM++
		}
		if p.Percent > 100 {
			r.Roof.Cell += "!"
			above++
		}
		if r.CompanionErr != "" {
			nowErrs = append(nowErrs, r.Name()+" on "+r.Backend+": "+r.CompanionErr)
		}
		if pct, ceiling, ok := roofline.NowShare(p.Work, r.Samples, r.Companion); ok {
			r.Roof.NowPercent, r.Roof.CeilingNow = pct, ceiling
			r.Roof.Cell += fmt.Sprintf(" (%.0f%% now)", pct)
		}
	}
	if above > 0 {
		fmt.Fprintf(stderr, "nbench: %d result(s) marked ! ran above a ceiling of this machine's peak file (measured %s): "+
			"the machine was slower then, or a count is wrong; rerun 'nbench peak'\n", above, s.peakDate)
	}
	if len(nowErrs) > 0 {
		fmt.Fprintf(stderr, "nbench: --peak-now: no ceiling measured for %d case(s), e.g. %s\n", len(nowErrs), nowErrs[0])
	}
	s.dramCases = hostDRAM
}

// peakNow is Options.Companion for --peak-now: the measurement of the
// host ceiling that binds r (roofline.Now), to take after each of r's
// samples. Results judged by a device's file or by none get no measurement.
func (s *runSession) peakNow(r *harness.Result) func() (float64, error) {
	c, threads := s.roofFor(r)
	if c == nil || c != s.roofs[""] {
		return nil
	}
	// The binding ceiling does not depend on the time: any will do.
	p, err := c.Classify(s.workOf(r, 1, threads))
	if err != nil {
		return nil
	}
	return s.now.Measure(p, min(max(s.opt.BenchTime, 10*time.Millisecond), 50*time.Millisecond))
}

// dramLow is the share of the peak file's DRAM ceiling below which a run
// warns that the memory-bound %peak reads low.
const dramLow = 0.9

// checkDRAM measures again, after a run with host cases judged against
// DRAM (s.dramCases, set by placeUnderRoofs), the probe that set the peak file's DRAM read ceiling at the run's
// thread count (three 20 ms samples, about half a second), and says how
// DRAM compares now. The file keeps the best moment it has seen, and DRAM
// bandwidth on a shared machine moves by tens of percent from one minute
// to the next: when it is well below the ceiling now, those cases' %peak
// reads low by about as much, and the reader should know.
func (s *runSession) checkDRAM(stderr io.Writer) {
	n := s.dramCases
	if n == 0 {
		return
	}
	ceiling, name := s.roofs[""].ReadProbe(peak.DRAM, s.threads)
	probe, ok := peak.Lookup(name)
	if !ok || ceiling <= 0 {
		return
	}
	_, res, err := peak.Measure(peak.Described(peak.DefaultDir()), peak.Options{BenchTime: 20 * time.Millisecond, Count: 3,
		Threads: []int{s.threads}, Probes: []peak.Probe{probe}, Levels: []string{peak.DRAM}})
	if err == nil && len(res) == 1 && res[0].Err != "" {
		err = errors.New(res[0].Err)
	}
	if err != nil || len(res) != 1 {
		fmt.Fprintf(stderr, "nbench: could not measure DRAM now (%s, %d thread(s)): %v\n", name, s.threads, err)
		return
	}
	now := res[0].Median
	fmt.Fprintf(stderr, "nbench: DRAM now reads %.1f GB/s (%s, %d thread(s), measured after the run), %.0f%% of the peak file's %.1f GB/s",
		now/1e9, name, s.threads, 100*now/ceiling, ceiling/1e9)
	if now < dramLow*ceiling {
		fmt.Fprintf(stderr, ": the %d case(s) judged against DRAM ran on slower memory than their ceiling, and their %%peak reads low by about as much", n)
	}
	fmt.Fprintln(stderr)
}
