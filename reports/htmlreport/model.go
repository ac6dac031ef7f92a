package htmlreport

import (
	"math"
	"sort"
	"strings"

	"github.com/nbench/nbench/harness/roofline"
	"github.com/nbench/nbench/suites/suite"
)

// Series is one column of the comparison: a run and a backend.
type Series struct {
	Run     *Run
	Backend string
	Index   int // position, for colors
}

// Label is "run label / backend".
func (s Series) Label() string { return s.Run.Label + " / " + s.Backend }

// Report is everything the page and the markdown show.
type Report struct {
	Runs    []*Run
	Series  []Series // runs in input order, backends in registry order within a run
	Kernels []Kernel // by family, then name
}

// Kernel is one kernel's shapes across series.
type Kernel struct {
	Name, Family string
	Shapes       []string // params, in first-seen order
}

// backendOrder puts the usual backends first.
var backendOrder = map[string]int{"go": 0, "simd": 1, "cuda": 2}

// NewReport organizes runs into series and kernels.
func NewReport(runs []*Run) *Report {
	rep := &Report{Runs: runs}
	kernels := map[string]*Kernel{}
	for _, r := range runs {
		var bs []string
		seen := map[string]bool{}
		for _, res := range r.Results {
			if !seen[res.Backend] {
				seen[res.Backend] = true
				bs = append(bs, res.Backend)
			}
			k := kernels[res.Kernel]
			if k == nil {
				k = &Kernel{Name: res.Kernel, Family: res.Family}
				kernels[res.Kernel] = k
			}
			if k.Family == "" {
				k.Family = res.Family
			}
			if !contains(k.Shapes, res.Params) {
				k.Shapes = append(k.Shapes, res.Params)
			}
		}
		sort.SliceStable(bs, func(i, j int) bool { return rank(bs[i]) < rank(bs[j]) })
		for _, b := range bs {
			rep.Series = append(rep.Series, Series{Run: r, Backend: b, Index: len(rep.Series)})
		}
	}
	fam := map[string]int{}
	for i, f := range suite.Families {
		fam[f] = i
	}
	for _, k := range kernels {
		rep.Kernels = append(rep.Kernels, *k)
	}
	sort.Slice(rep.Kernels, func(i, j int) bool {
		fi, fj := famRank(fam, rep.Kernels[i].Family), famRank(fam, rep.Kernels[j].Family)
		if fi != fj {
			return fi < fj
		}
		return rep.Kernels[i].Name < rep.Kernels[j].Name
	})
	return rep
}

func famRank(m map[string]int, f string) int {
	if r, ok := m[f]; ok {
		return r
	}
	return len(m)
}

func rank(b string) int {
	if r, ok := backendOrder[b]; ok {
		return r
	}
	return len(backendOrder)
}

func contains(l []string, s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

// result of a kernel shape in a series, or nil.
func (s Series) result(k, params string) *Result { return s.Run.Result(k+"/"+params, s.Backend) }

// Point places a result under its run's roofs; ok is false without peaks,
// on GPU backends (CPU peaks say nothing about them) and for untimed results.
func (s Series) Point(r *Result) (roofline.Point, bool) {
	if r == nil || !r.Timed() || s.Run.Ceilings == nil || s.Backend == "cuda" {
		return roofline.Point{}, false
	}
	p, err := s.Run.Ceilings.Classify(roofline.WorkOf(r.Cost, r.Stats.Median, s.Run.Threads(), float64(r.SetBytes), r.Sets,
		s.Run.Env.Get("cache") != "warm"))
	return p, err == nil
}

// Reference is the series speed-ups are relative to: the first series.
func (rep *Report) Reference() Series { return rep.Series[0] }

// Speedup of series s over the reference on one shape: reference median
// time / s's median time; 0 when either is untimed.
func (rep *Report) Speedup(s Series, kernel, params string) float64 {
	ref, r := rep.Reference().result(kernel, params), s.result(kernel, params)
	if ref == nil || r == nil || !ref.Timed() || !r.Timed() || r.Stats.Median <= 0 {
		return 0
	}
	return ref.Stats.Median / r.Stats.Median
}

// Geomean is the geometric mean speed-up of s over the reference across
// every case both have timed, and how many cases that is.
func (rep *Report) Geomean(s Series) (float64, int) {
	sum, n := 0.0, 0
	for _, k := range rep.Kernels {
		for _, sh := range k.Shapes {
			if v := rep.Speedup(s, k.Name, sh); v > 0 {
				sum += math.Log(v)
				n++
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return math.Exp(sum / float64(n)), n
}

// Throughput is the result's headline rate: "GOP/s" for integer kernels,
// "GFLOP/s" when it does at least one flop per byte, else "GB/s".
func (r *Result) Throughput() (float64, string) {
	sec, c := r.Stats.Median, r.Cost
	switch {
	case sec <= 0:
		return 0, ""
	case c.IntOps+c.ALUOps > 0:
		return (c.IntOps + c.ALUOps) / sec / 1e9, "GOP/s"
	case c.Flops > 0 && (c.Bytes == 0 || c.Flops >= c.Bytes):
		return c.Flops / sec / 1e9, "GFLOP/s"
	case c.Bytes > 0:
		return c.Bytes / sec / 1e9, "GB/s"
	}
	return c.Flops / sec / 1e9, "GFLOP/s"
}

// machineRows are the description lines shown side by side, in order;
// other configuration keys follow them.
var machineRows = []string{"machine", "cpu", "cpu-vendor", "cpu-family-model", "logical-cpus", "physical-cores",
	"cpu-base-mhz", "cpu-max-mhz", "cache-l1d", "cache-l2", "cache-l3", "isa", "isa-features", "memory",
	"platform", "os-kernel", "hypervisor", "goos", "goarch", "go-version", "nbench-version", "threads", "cache"}

// EnvKeys lists the configuration keys of all runs: machineRows first,
// then the rest (gpu0, ...) sorted.
func (rep *Report) EnvKeys() []string {
	seen := map[string]bool{}
	for _, r := range rep.Runs {
		for _, kv := range r.Env {
			seen[kv.Key] = true
		}
	}
	var keys []string
	for _, k := range machineRows {
		if seen[k] {
			keys = append(keys, k)
			delete(seen, k)
		}
	}
	var rest []string
	for k := range seen {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

// shortShapes shortens shape labels for tables and charts (the full shape
// stays in tooltips): parameters every shape of the kernel shares go, and
// so do options left at their defaults (lower-case keys such as eps or
// fill, and "0 = same as" dimensions such as S=0), as long as the labels
// stay distinct.
func shortShapes(kernel string, shapes []string) []string {
	defaults := map[string]bool{}
	if k, ok := suite.Lookup(kernel); ok {
		for _, p := range k.Params {
			if p.Key != "" && (p.Key[0] >= 'a' && p.Key[0] <= 'z' || p.Default == "0") {
				defaults[p.Key+"="+p.Default] = true
			}
		}
	}
	count := map[string]int{}
	split := make([][]string, len(shapes))
	for i, s := range shapes {
		split[i] = strings.Split(s, "/")
		for _, p := range split[i] {
			count[p]++
		}
	}
	shorten := func(drop func(p string) bool) ([]string, bool) {
		out := make([]string, len(shapes))
		seen := map[string]bool{}
		for i, parts := range split {
			var keep []string
			for _, p := range parts {
				if !drop(p) {
					keep = append(keep, p)
				}
			}
			if len(keep) == 0 {
				keep = parts
			}
			out[i] = strings.Join(keep, "/")
			if seen[out[i]] {
				return nil, false
			}
			seen[out[i]] = true
		}
		return out, true
	}
	shared := func(p string) bool { return len(shapes) > 1 && count[p] == len(shapes) }
	if out, ok := shorten(func(p string) bool { return shared(p) || defaults[p] }); ok {
		return out
	}
	if out, ok := shorten(shared); ok {
		return out
	}
	return shapes
}
