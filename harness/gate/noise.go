package gate

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/nbench/nbench/internal/atomicfile"
)

// NoiseMethod documents how a floor is computed; it is written into every
// noise file.
const NoiseMethod = "A/A calibration: the same selection run N >= 2 times on the same tree " +
	"(runs 2..N in fresh processes), run 1 being the baseline; r_i = median_i/median_1, " +
	"divided by run i's machine shift (the median r_i over all cases) when at least 10 " +
	"cases ran; floor = 2 * max over i >= 2 of |r_i - 1| + the largest ci over all runs, " +
	"where ci is the larger distance from a run's median to its 95% confidence bound, " +
	"as a fraction of the median"

// DriftFactor multiplies the largest A/A drift in a floor (see Calibrate).
const DriftFactor = 2

// Floor is one case's noise floor.
type Floor struct {
	// Floor is the slowdown, as a fraction, this machine shows between runs
	// of unchanged code: the gate ignores slowdowns at or below it.
	Floor float64 `json:"floor"`
	// Ratios are the A/A ratios median_i/median_1 (i >= 2), Spreads each
	// run's CI half-width (fractions) and N its sample count; Floor is
	// derived from them.
	Ratios  []float64 `json:"aa_ratios"`
	Spreads []float64 `json:"ci_halfwidths"`
	N       []int     `json:"samples"`
}

// Noise is a noise file: the floors of the cases of one baseline, by case
// ID, stored beside it as <name>.noise.json.
type Noise struct {
	File    string           `json:"-"` // where it was read from or goes
	Machine string           `json:"machine,omitempty"`
	Method  string           `json:"method"`
	Updated string           `json:"updated"`
	Cases   map[string]Floor `json:"cases"`
	// Shifts are the machine shifts of runs 2..N taken out of the ratios
	// (empty when too few cases ran to estimate them).
	Shifts []float64 `json:"shifts,omitempty"`
	// OtherCPUs is how many CPUs other processes used on average during
	// the calibration, when measured: floors taken on a busy machine are
	// inflated and blind the gate.
	OtherCPUs float64 `json:"other_cpus,omitempty"`
}

// NoisePath is the noise file that belongs to a baseline file:
// "baselines/m/quick.txt" -> "baselines/m/quick.noise.json".
func NoisePath(baseline string) string {
	return strings.TrimSuffix(baseline, ".txt") + ".noise.json"
}

// Calibrate measures the noise floor of every case timed in all runs of
// an A/A calibration; runs[0] is the run the baseline keeps. Like the
// gate (CompareShifted), it takes each run's machine shift out when it
// has at least MinNormalize cases: here the median ratio, the more
// precise estimate when no code changed.
func Calibrate(runs ...*Set) *Noise {
	last := runs[len(runs)-1]
	n := &Noise{Machine: last.Config["machine"], Method: NoiseMethod, Cases: map[string]Floor{}}
	if len(runs) < 2 {
		return n
	}
	var ids []string
	sums := map[string][]*Summary{}
cases:
	for _, c := range runs[0].Cases {
		var ss []*Summary
		for _, r := range runs {
			rc := r.Lookup(c.ID())
			if rc == nil || len(rc.Samples) == 0 {
				continue cases
			}
			ss = append(ss, summarize(rc.Samples))
		}
		ids = append(ids, c.ID())
		sums[c.ID()] = ss
	}
	shifts := make([]float64, len(runs))
	for i := range shifts {
		shifts[i] = 1
	}
	if len(ids) >= MinNormalize {
		n.Shifts = nil
		for i := 1; i < len(runs); i++ {
			rs := make([]float64, len(ids))
			for k, id := range ids {
				rs[k] = sums[id][i].Median / sums[id][0].Median
			}
			shifts[i] = median(rs)
			n.Shifts = append(n.Shifts, shifts[i])
		}
	}
	for _, id := range ids {
		ss := sums[id]
		var f Floor
		drift, ci := 0.0, 0.0
		for i, s := range ss {
			if i > 0 {
				r := s.Median / ss[0].Median / shifts[i]
				f.Ratios = append(f.Ratios, r)
				drift = math.Max(drift, math.Abs(r-1))
			}
			f.Spreads = append(f.Spreads, s.Spread)
			f.N = append(f.N, s.N)
			ci = math.Max(ci, s.Spread)
		}
		// A few A/A runs see only a few draws of the process-to-process
		// drift (code and data placement, frequency): the largest of them
		// underestimates the next one, so it counts twice. Measured here:
		// with one drift counted once, unchanged quick runs failed the gate.
		f.Floor = DriftFactor*drift + ci
		n.Cases[id] = f
	}
	return n
}

// Merge adds the floors of o to n, replacing those of the same cases, so
// calibrating a subset keeps the floors of the other cases.
func (n *Noise) Merge(o *Noise) {
	if n.Cases == nil {
		n.Cases = map[string]Floor{}
	}
	for id, f := range o.Cases {
		n.Cases[id] = f
	}
	if o.Machine != "" {
		n.Machine = o.Machine
	}
	n.Method, n.Shifts, n.OtherCPUs = o.Method, o.Shifts, o.OtherCPUs
}

// ReadNoise reads a noise file. A missing file gives an error that
// satisfies errors.Is(err, fs.ErrNotExist).
func ReadNoise(path string) (*Noise, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := decodeNoise(f)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid noise file: %v", path, err)
	}
	n.File = path
	return n, nil
}

func decodeNoise(r io.Reader) (*Noise, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var n Noise
	if err := dec.Decode(&n); err != nil {
		return nil, err
	}
	for id, f := range n.Cases {
		if !(f.Floor >= 0) || math.IsInf(f.Floor, 0) {
			return nil, fmt.Errorf("case %s: floor %v is not a fraction >= 0", id, f.Floor)
		}
	}
	if n.Cases == nil {
		n.Cases = map[string]Floor{}
	}
	return &n, nil
}

// Write writes the noise file atomically to path.
func (n *Noise) Write(path string) error {
	n.File = path
	n.Updated = time.Now().UTC().Format(time.RFC3339)
	return atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(n) // map keys are written sorted: stable diffs
	})
}

// IDs returns the case IDs, sorted.
func (n *Noise) IDs() []string {
	ids := make([]string, 0, len(n.Cases))
	for id := range n.Cases {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
