// Package htmlreport compares result files from several machines and
// backends: one self-contained HTML page (machine descriptions side by
// side, per-kernel tables, speed-up charts and a roofline chart per
// machine, all inline SVG, no scripts and nothing fetched) or markdown for
// pull-request comments.
//
// Inputs are the files `nbench run -o` writes (benchfmt text, or JSON),
// folders of them, and peak files (peak.json) for the rooflines.
package htmlreport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/harness/roofline"
	"github.com/nbench/nbench/reports"
	"github.com/nbench/nbench/suites/suite"
)

// Result is one case on one backend, from either file format.
type Result struct {
	Family, Kernel, Params, Backend, Path, Verdict string
	Samples                                        []float64 // seconds per run
	Stats                                          harness.Stats
	Cost                                           suite.Cost // per run
	SetBytes                                       int64      // bytes of one buffer set; 0 when unknown (benchfmt)
	Sets                                           int        // rotated buffer sets; 0 when unknown (benchfmt)
	// NowPct are the files' shares of the ceiling measured between the
	// samples (run --peak-now), one per file that has it.
	NowPct []float64
	// fromRates: Cost came from a benchfmt file's rates (recount);
	// seed is that file's run seed when it names one (hasSeed).
	fromRates, hasSeed bool
	seed               uint64
}

// nowPct is a JSON result's share now as a list of one (none when absent).
func nowPct(p *float64) []float64 {
	if p == nil {
		return nil
	}
	return []float64{*p}
}

// nowSuffix is " (N% now)" for a result with shares now (the median over
// the pooled files), else "".
func (r *Result) nowSuffix() string {
	if len(r.NowPct) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%.0f%% now)", harness.Summarize(r.NowPct).Median)
}

// Name is "kernel/params".
func (r *Result) Name() string { return r.Kernel + "/" + r.Params }

// Timed reports whether the result has timing samples.
func (r *Result) Timed() bool { return len(r.Samples) > 0 }

// Run is the results of one machine configuration: one machine id,
// thread count and cache mode, pooled over the files that share them.
type Run struct {
	Label   string
	Sources []string
	Env     harness.Env
	Results []*Result
	// Ceilings are the machine's measured peaks (nil when no peak file was
	// found); PeakSource says where they came from.
	Ceilings   *roofline.Ceilings
	PeakSource string
	index      map[string]*Result
}

// Machine is the run's machine id ("" when the files have none).
func (r *Run) Machine() string { return r.Env.Get("machine") }

// Threads is the run's worker thread count (1 when unknown).
func (r *Run) Threads() int {
	n, err := strconv.Atoi(r.Env.Get("threads"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// Result returns the result of a case on a backend, or nil.
func (r *Run) Result(name, backend string) *Result { return r.index[name+" on "+backend] }

func (r *Run) add(res *Result) {
	key := res.Name() + " on " + res.Backend
	if old, ok := r.index[key]; ok { // the same case in two files: pool the samples
		old.Samples = append(old.Samples, res.Samples...)
		old.NowPct = append(old.NowPct, res.NowPct...)
		if old.Verdict == string(suite.Passed) && res.Verdict != "" {
			old.Verdict = res.Verdict
		}
		return
	}
	r.index[key] = res
	r.Results = append(r.Results, res)
}

// runKey groups results into runs.
func runKey(env harness.Env) string {
	return env.Get("machine") + "|" + env.Get("threads") + "|" + env.Get("cache")
}

// Load reads result files and folders (recursively: *.txt, *.bench and
// *.json files; peak files are recognized by content) and finds each
// machine's peaks among the inputs or under peaksDir/<machine id>/peak.json
// (peaksDir "" disables that lookup).
func Load(paths []string, peaksDir string) ([]*Run, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			ext := strings.ToLower(filepath.Ext(path))
			if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") && (ext == ".txt" || ext == ".bench" || ext == ".json") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no result files (*.txt, *.bench, *.json) in this folder", p)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	runs := map[string]*Run{}
	var order []*Run
	peaks := map[string]*peak.File{}
	peakFrom := map[string]string{}
	runFor := func(env harness.Env, source string) *Run {
		k := runKey(env)
		r, ok := runs[k]
		if !ok {
			r = &Run{Env: env, index: map[string]*Result{}}
			runs[k] = r
			order = append(order, r)
		}
		if len(r.Sources) == 0 || r.Sources[len(r.Sources)-1] != source {
			r.Sources = append(r.Sources, source)
		}
		return r
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
			if pf, err := readPeak(b); err == nil {
				peaks[pf.Machine], peakFrom[pf.Machine] = pf, path
				continue
			}
			if err := readJSON(b, path, runFor); err != nil {
				return nil, err
			}
			continue
		}
		if err := readBenchfmt(b, path, runFor); err != nil {
			return nil, err
		}
	}
	if len(order) == 0 {
		return nil, errors.New("no results in the inputs")
	}
	for _, r := range order {
		for _, res := range r.Results {
			res.Stats = harness.Summarize(res.Samples)
		}
		id := r.Machine()
		pf, src := peaks[id], peakFrom[id]
		if pf == nil && peaksDir != "" && id != "" {
			if f, err := peak.Load(peaksDir, id); err == nil {
				pf, src = f, peak.Path(peaksDir, id)
			}
		}
		var kept int64 // what a pass leaves in cache for the next, as run counts it
		if pf != nil {
			r.Ceilings, r.PeakSource = roofline.New(pf), src
			c := pf.Description.Caches
			kept = harness.Options{PassCache: c.PassReach, LastLevelCache: c.LastLevel()}.KeptCache()
		}
		recount(r, kept)
	}
	label(order)
	return order, nil
}

// recount gives the results read from benchfmt the suite's count of their
// case, as run writes it into JSON, in place of what their rates gave: the
// rates carry bytes, FLOPs and int8 ops, not whether the FLOPs are fp64,
// the exponentials, integer ALU ops or the bytes written (which pick the
// ceiling), and a file of times alone (a stored gate baseline) carries no
// counts at all. The second pass counts past kept (the machine's pass
// reach; 0: unknown, none counted), and a count that depends on the inputs
// (suite.DataCoster) is the suite's reference on the file's inputs, drawn
// again from its seed (baselines name it; run's files do not, and then the
// rates give its magnitudes, the suite whether its FLOPs are fp64, and its
// exponentials and integer ALU ops are not counted, which can only lower
// its share). A case
// this nbench cannot build keeps what the rates gave (none for times alone).
func recount(r *Run, kept int64) {
	type counted struct {
		cost suite.Cost
		set  int64
		ok   bool
	}
	// The reference runs once per case and seed, for every backend; a
	// count without a seed comes from its own result's rates.
	memo := map[string]counted{}
	for _, res := range r.Results {
		if !res.fromRates {
			continue
		}
		key := fmt.Sprintf("%s|%d", res.Name(), res.seed)
		c, done := memo[key]
		if !done {
			c.cost, c.set, c.ok = caseCost(res, kept)
			if res.hasSeed {
				memo[key] = c
			}
		}
		if c.ok {
			res.Cost, res.SetBytes = c.cost, c.set
		}
	}
}

// caseCost is the suite's cost of res's case (see recount) and the bytes
// of one buffer set; ok is false when it cannot be counted here.
func caseCost(res *Result, kept int64) (cost suite.Cost, set int64, ok bool) {
	k, found := suite.Lookup(res.Kernel)
	if !found {
		return cost, 0, false
	}
	shape := strings.ReplaceAll(res.Params, "/", ",")
	c, err := k.Build(shape)
	if err != nil {
		return cost, 0, false
	}
	set, written := harness.CaseBytes(c.Buffers())
	cost = c.Cost()
	if dc, isData := c.(suite.DataCoster); isData {
		if !res.hasSeed { // the rates' magnitudes, of the kind the suite counts
			if res.Cost.Bytes <= 0 {
				return cost, 0, false
			}
			f64 := cost.F64
			cost = res.Cost
			cost.F64 = f64
		} else {
			_, host, err := k.Instance(shape, harness.CaseSeed(res.seed, res.Name()))
			if err != nil {
				return cost, 0, false
			}
			cost = dc.DataCost(host)
		}
	}
	return harness.ResolveCost(cost, set, written, kept), set, true
}

func readPeak(b []byte) (*peak.File, error) {
	var probe struct {
		Machine string          `json:"machine"`
		Levels  json.RawMessage `json:"levels"`
	}
	if err := json.Unmarshal(b, &probe); err != nil || probe.Machine == "" || probe.Levels == nil {
		return nil, errors.New("not a peak file")
	}
	var f peak.File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

func readJSON(b []byte, path string, runFor func(harness.Env, string) *Run) error {
	var f reports.JSONFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if f.Env == nil {
		return fmt.Errorf("%s: not an nbench JSON result file (no env)", path)
	}
	keys := make([]string, 0, len(f.Env))
	for k := range f.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var env harness.Env
	for _, k := range keys {
		env = append(env, harness.KV{Key: k, Value: f.Env[k]})
	}
	run := runFor(env, path)
	for _, jr := range f.Results {
		run.add(&Result{Family: jr.Family, Kernel: jr.Kernel, Params: jr.Params, Backend: jr.Backend, Path: jr.Path,
			Verdict: jr.Verdict, Samples: jr.Samples, SetBytes: jr.SetBytes, Sets: jr.Sets,
			Cost: suite.Cost{Flops: jr.Flops, F64: jr.F64, Trans: jr.Trans, IntOps: jr.IntOps, ALUOps: jr.ALUOps, Bytes: jr.Bytes,
				Written: jr.Written}, NowPct: nowPct(jr.PeakNowPct)})
	}
	return nil
}

// readBenchfmt reads the Go benchmark format as reports.Benchfmt writes it:
// names "kernel/params/backend=B", one line per sample, costs recovered
// from the rates (B/s x sec/op is the bytes of one run).
func readBenchfmt(b []byte, path string, runFor func(harness.Env, string) *Run) error {
	rd := benchfmt.NewReader(bufio.NewReader(bytes.NewReader(b)), path)
	n := 0
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.SyntaxError:
			return rec
		case *benchfmt.Result:
			sec, ok := rec.Value("sec/op")
			if !ok {
				continue
			}
			name := string(rec.Name.Full())
			parts := strings.Split(name, "/")
			backend := ""
			var params []string
			for _, p := range parts[1:] {
				if v, ok := strings.CutPrefix(p, "backend="); ok {
					backend = v
				} else {
					params = append(params, p)
				}
			}
			if backend == "" {
				return fmt.Errorf("%s: %q is not an nbench result (no /backend= part)", path, name)
			}
			var env harness.Env
			for _, c := range rec.Config {
				// path and verdict are per-result keys written as lines.
				if c.File && c.Key != "path" && c.Key != "verdict" {
					env = append(env, harness.KV{Key: c.Key, Value: string(c.Value)})
				}
			}
			res := &Result{Kernel: parts[0], Params: strings.Join(params, "/"), Backend: backend,
				Path: rec.GetConfig("path"), Verdict: rec.GetConfig("verdict"), Samples: []float64{sec}}
			if k, ok := suite.Lookup(res.Kernel); ok {
				res.Family = k.Family
			}
			res.fromRates = true
			if seed, err := strconv.ParseUint(rec.GetConfig("seed"), 10, 64); err == nil {
				res.seed, res.hasSeed = seed, true
			}
			if v, ok := rec.Value("B/s"); ok {
				res.Cost.Bytes = v * sec
			}
			if v, ok := rec.Value("flop/s"); ok {
				res.Cost.Flops = v * sec
			}
			if v, ok := rec.Value("op/s"); ok {
				res.Cost.IntOps = v * sec
			}
			runFor(env, path).add(res)
			n++
		}
	}
	if err := rd.Err(); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: no benchmark results in this file", path)
	}
	return nil
}

// threadsText is "1 thread" or "N threads".
func (r *Run) threadsText() string {
	if t := r.Env.Get("threads"); t != "1" {
		return t + " threads"
	}
	return "1 thread"
}

// cacheText is "cache cold" or "cache warm".
func (r *Run) cacheText() string { return "cache " + r.Env.Get("cache") }

// Config is the label with the thread count and cache mode it lacks (the
// label names them only where runs would share it): what a roofline's
// ceilings and points depend on.
func (r *Run) Config() string {
	out := r.Label
	for _, part := range []string{r.threadsText(), r.cacheText()} {
		if !strings.Contains(out, part) {
			out += " · " + part
		}
	}
	return out
}

// label names runs by CPU, adding the thread count, the cache mode and
// finally the file names until the labels are distinct.
func label(runs []*Run) {
	for _, r := range runs {
		r.Label = r.Env.Get("cpu")
		if r.Label == "" {
			r.Label = r.Machine()
		}
		if r.Label == "" {
			r.Label = filepath.Base(r.Sources[0])
		}
	}
	for _, add := range []func(r *Run) string{
		(*Run).threadsText,
		(*Run).cacheText,
		func(r *Run) string {
			names := make([]string, len(r.Sources))
			for i, s := range r.Sources {
				names[i] = filepath.Base(s)
			}
			return strings.Join(names, "+")
		},
	} {
		seen := map[string]int{}
		for _, r := range runs {
			seen[r.Label]++
		}
		dup := false
		for _, r := range runs {
			if seen[r.Label] > 1 {
				r.Label += " · " + add(r)
				dup = true
			}
		}
		if !dup {
			return
		}
	}
}
