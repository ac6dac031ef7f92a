// Package profiling collects what explains a kernel's time: one pprof CPU
// profile per case (through harness.Options.Profile), the top functions of
// a profile, and hardware counters (cycles, instructions, cache misses)
// through perf_event_open where the machine allows it.
package profiling

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"

	"github.com/google/pprof/profile"

	"github.com/nbench/nbench/harness"
)

// Case is what was collected for one (case, backend).
type Case struct {
	Profile  string // path of the CPU profile, "" if none
	Counters Counts // valid when CountErr is nil
	CountErr error  // why there are no counters
	Err      error  // why there is no profile
}

// Collector implements harness.Options.Profile: around the timed samples
// of every case it writes a CPU profile into Dir and, when Counters is
// set, reads the hardware counters.
type Collector struct {
	Dir      string
	Counters bool
	mu       sync.Mutex
	cases    map[string]*Case
}

// Key names a case in Cases: "kernel/params" plus the backend.
func Key(name, backend string) string { return name + " on " + backend }

// FileName is the profile file of a case: the case name and backend with
// every character that is awkward in a file name replaced by '_'.
func FileName(name, backend string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '=', r == '-', r == '.', r == '+':
			return r
		}
		return '_'
	}, name+"_"+backend)
	return s + ".pprof"
}

// Hook is the function for harness.Options.Profile.
func (c *Collector) Hook(it harness.Item, backend string) (stop func()) {
	k := &Case{}
	c.mu.Lock()
	if c.cases == nil {
		c.cases = map[string]*Case{}
	}
	c.cases[Key(it.Name(), backend)] = k
	c.mu.Unlock()

	var f *os.File
	if c.Dir != "" {
		path := filepath.Join(c.Dir, FileName(it.Name(), backend))
		var err error
		if err = os.MkdirAll(c.Dir, 0o755); err == nil {
			f, err = os.Create(path)
		}
		if err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				f.Close()
				os.Remove(path)
				f = nil
			}
		}
		if err != nil {
			k.Err = err
		} else {
			k.Profile = path
		}
	}
	var ctr *Counters
	if c.Counters {
		ctr, k.CountErr = Start()
	}
	return func() {
		if ctr != nil {
			k.Counters, k.CountErr = ctr.Stop()
		}
		if f != nil {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				k.Err, k.Profile = err, ""
			}
		}
	}
}

// Case returns what was collected for a case, or nil.
func (c *Collector) Case(name, backend string) *Case {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cases[Key(name, backend)]
}

// Func is one function's share of a profile.
type Func struct {
	Name      string
	Flat, Cum int64   // sample value (CPU nanoseconds)
	FlatPct   float64 // of the profile's total
	CumPct    float64
}

// Top reads a CPU profile and returns its n heaviest functions by flat
// time (ties by cumulative time) and the profile's total, in nanoseconds.
func Top(path string, n int) ([]Func, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %v", path, err)
	}
	idx := len(p.SampleType) - 1 // "cpu nanoseconds" follows "samples count"
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			idx = i
		}
	}
	if idx < 0 {
		return nil, 0, fmt.Errorf("%s: profile has no sample types", path)
	}
	flat, cum := map[string]int64{}, map[string]int64{}
	var total int64
	for _, s := range p.Sample {
		v := s.Value[idx]
		total += v
		seen := map[string]bool{}
		for i, loc := range s.Location {
			// Line[0] of the first location (the innermost inlined
			// function) is where the time was spent.
			for j := range loc.Line {
				name := "?"
				if fn := loc.Line[j].Function; fn != nil {
					name = fn.Name
				}
				if i == 0 && j == 0 {
					flat[name] += v
				}
				if !seen[name] {
					cum[name] += v
					seen[name] = true
				}
			}
		}
	}
	var fs []Func
	for name, c := range cum {
		fs = append(fs, Func{Name: name, Flat: flat[name], Cum: c})
	}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].Flat != fs[j].Flat {
			return fs[i].Flat > fs[j].Flat
		}
		if fs[i].Cum != fs[j].Cum {
			return fs[i].Cum > fs[j].Cum
		}
		return fs[i].Name < fs[j].Name
	})
	if n > 0 && len(fs) > n {
		fs = fs[:n]
	}
	for i := range fs {
		if total > 0 {
			fs[i].FlatPct = 100 * float64(fs[i].Flat) / float64(total)
			fs[i].CumPct = 100 * float64(fs[i].Cum) / float64(total)
		}
	}
	return fs, total, nil
}
