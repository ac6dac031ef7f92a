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
const NoiseMethod = "A/A calibration: the same selection run twice on the same tree; " +
	"floor = |median2/median1 - 1| + max(ci1, ci2), where ci is the larger distance " +
	"from a run's median to its 95% confidence bound, as a fraction of the median"

// Floor is one case's noise floor.
type Floor struct {
	// Floor is the slowdown, as a fraction, this machine shows between two
	// runs of unchanged code: the gate ignores slowdowns at or below it.
	Floor float64 `json:"floor"`
	// Ratio is the A/A ratio median2/median1 and Spreads each run's CI
	// half-width (fractions); Floor is derived from them.
	Ratio   float64    `json:"aa_ratio"`
	Spreads [2]float64 `json:"ci_halfwidths"`
	N       [2]int     `json:"samples"`
}

// Noise is a noise file: the floors of the cases of one baseline, by case
// ID, stored beside it as <name>.noise.json.
type Noise struct {
	File    string           `json:"-"` // where it was read from or goes
	Machine string           `json:"machine,omitempty"`
	Method  string           `json:"method"`
	Updated string           `json:"updated"`
	Cases   map[string]Floor `json:"cases"`
}

// NoisePath is the noise file that belongs to a baseline file:
// "baselines/m/quick.txt" -> "baselines/m/quick.noise.json".
func NoisePath(baseline string) string {
	return strings.TrimSuffix(baseline, ".txt") + ".noise.json"
}

// Calibrate measures the noise floor of every case timed in both runs of
// an A/A pair.
func Calibrate(a, b *Set) *Noise {
	n := &Noise{Machine: b.Config["machine"], Method: NoiseMethod, Cases: map[string]Floor{}}
	for _, cb := range b.Cases {
		ca := a.Lookup(cb.ID())
		if ca == nil || len(ca.Samples) == 0 || len(cb.Samples) == 0 {
			continue
		}
		sa, sb := summarize(ca.Samples), summarize(cb.Samples)
		f := Floor{Ratio: sb.Median / sa.Median, Spreads: [2]float64{sa.Spread, sb.Spread}, N: [2]int{sa.N, sb.N}}
		f.Floor = math.Abs(f.Ratio-1) + math.Max(sa.Spread, sb.Spread)
		n.Cases[cb.ID()] = f
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
	n.Method = o.Method
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
