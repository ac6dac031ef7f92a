package peak

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/internal/atomicfile"
)

// File is a machine's measured peaks, stored as
// <dir>/<machine id>/peak.json.
type File struct {
	Machine       string              `json:"machine"` // machine.Description.ID()
	Description   machine.Description `json:"description"`
	Date          time.Time           `json:"date"`
	NbenchVersion string              `json:"nbench_version"`
	BenchTime     string              `json:"benchtime"`
	Count         int                 `json:"count"`
	Levels        []Level             `json:"levels"`
	// L3Sweep is the read sweep that measured Description.Caches.L3Reach
	// (MeasureReach); L3SweepErr says why there is none when it failed.
	L3Sweep    []SweepPoint `json:"l3_sweep,omitempty"`
	L3SweepErr string       `json:"l3_sweep_error,omitempty"`
	// PassSweep is the second-read sweep that measured
	// Description.Caches.PassReach (MeasurePassReach); PassSweepErr says
	// why there is none when it failed.
	PassSweep    []SweepPoint `json:"pass_sweep,omitempty"`
	PassSweepErr string       `json:"pass_sweep_error,omitempty"`
	Results      []Result     `json:"results"`
}

// FileName is the name of a peak file inside a machine's folder.
const FileName = "peak.json"

// DefaultDir is where peaks are kept: $NBENCH_BASELINES, else ./baselines.
func DefaultDir() string {
	if d := os.Getenv("NBENCH_BASELINES"); d != "" {
		return d
	}
	return "baselines"
}

// Path is the peak file of machine id under dir.
func Path(dir, id string) string { return filepath.Join(dir, id, FileName) }

// A device backend (a GPU) has ceilings of its own, which say nothing about
// the host's, nor the host's about it: they live beside the host's file as
// peak-<backend>.json, measured by the function the backend registers.
var devices = map[string]func(quick bool) (*File, error){}

// RegisterDevice registers the peak measurement of a device backend (the
// cuda backend's init, in builds that have it).
func RegisterDevice(backend string, measure func(quick bool) (*File, error)) {
	devices[backend] = measure
}

// Device returns the registered measurement of a device backend.
func Device(backend string) (func(quick bool) (*File, error), bool) {
	m, ok := devices[backend]
	return m, ok
}

// DevicePath is the peak file of a device backend of machine id under dir.
func DevicePath(dir, id, backend string) string {
	return filepath.Join(dir, id, "peak-"+backend+".json")
}

// Run measures this machine and returns its peak file. When d reports an
// L3 whose reach is not known yet and a read probe is among the probes, it
// first sweeps the reach (MeasureReach), so the L3 level and its probe
// sets are sized by what the machine holds rather than what it reports
// (DRAM sets still get past the reported size), then what the L3 keeps of
// one pass (MeasurePassReach).
func Run(d machine.Description, opt Options) (*File, error) {
	opt.defaults(d)
	f := &File{Machine: d.ID(), Date: time.Now().UTC().Truncate(time.Second),
		NbenchVersion: harness.Version, BenchTime: opt.BenchTime.String(), Count: opt.Count}
	if d.Caches.L3 > 0 && d.Caches.L3Reach == 0 && slices.ContainsFunc(opt.Probes, func(p Probe) bool { return p.Kind == Read }) &&
		(opt.Levels == nil || slices.Contains(opt.Levels, L3) || slices.Contains(opt.Levels, DRAM)) {
		reach, sweep, probe, err := MeasureReach(d, opt)
		d.Caches.L3Reach, f.L3Sweep = reach, sweep
		if err != nil {
			f.L3SweepErr = err.Error()
		} else if len(sweep) >= 2 {
			d.Caches.PassReach, f.PassSweep, err = MeasurePassReach(d, probe, l3Speed(sweep), opt)
			if err != nil {
				f.PassSweepErr = err.Error()
			}
		}
	}
	levels, rs, err := Measure(d, opt)
	if err != nil {
		return nil, err
	}
	f.Description, f.Levels, f.Results = d, levels, rs
	return f, nil
}

// Described is this machine's description with the L3 and pass reaches of
// its stored peak file under dir (none when it has no file, or the file
// none): what runs take the held L3 from (which small rotations stay in
// it, and the L3 probes of --peak-now), and the data past which a
// kernel's second pass counts.
func Described(dir string) machine.Description {
	d := machine.Describe()
	if f, err := Load(dir, d.ID()); err == nil && f.Description.Caches.L3 == d.Caches.L3 {
		d.Caches.L3Reach = f.Description.Caches.L3Reach
		d.Caches.PassReach = f.Description.Caches.PassReach
	}
	return d
}

// KeepBest merges an earlier file of the same machine into f: for every
// measurement (probe, level, threads) the higher median stands, with its
// samples. A probe's result is checked work, so it cannot run faster than
// the machine allows, while a slower one may just have shared the machine
// (DRAM bandwidth here varies by tens of percent between processes): the
// best seen is the ceiling. It returns how many earlier results were kept.
// When f swept nothing (a run of probes without a read probe, which took
// its reaches from the earlier file: Described) and has the earlier
// file's reaches, the earlier sweeps stay too.
func KeepBest(f, earlier *File) int {
	if earlier == nil || earlier.Machine != f.Machine {
		return 0
	}
	if len(f.L3Sweep) == 0 && f.L3SweepErr == "" && f.Description.Caches.L3Reach == earlier.Description.Caches.L3Reach &&
		f.Description.Caches.PassReach == earlier.Description.Caches.PassReach {
		f.L3Sweep, f.L3SweepErr = earlier.L3Sweep, earlier.L3SweepErr
		f.PassSweep, f.PassSweepErr = earlier.PassSweep, earlier.PassSweepErr
	}
	type key struct {
		probe, level string
		threads      int
	}
	at := map[key]int{}
	for i, r := range f.Results {
		at[key{r.Probe, r.Level, r.Threads}] = i
	}
	kept := 0
	for _, r := range earlier.Results {
		if r.Err != "" {
			continue
		}
		i, ok := at[key{r.Probe, r.Level, r.Threads}]
		if !ok {
			f.Results = append(f.Results, r)
			kept++
		} else if f.Results[i].Err != "" || r.Median > f.Results[i].Median {
			f.Results[i] = r
			kept++
		}
	}
	return kept
}

// Save writes f atomically to Path(dir, f.Machine).
func Save(dir string, f *File) (string, error) { return saveAs(Path(dir, f.Machine), f) }

// SaveDevice writes a device backend's file atomically to DevicePath.
func SaveDevice(dir, backend string, f *File) (string, error) {
	return saveAs(DevicePath(dir, f.Machine, backend), f)
}

func saveAs(path string, f *File) (string, error) {
	return path, atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(f)
	})
}

// ReadFile reads a peak file.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if f.Machine == "" || len(f.Results) == 0 {
		return nil, fmt.Errorf("%s: not a peak file (no machine or no results)", path)
	}
	return &f, nil
}

// Load reads the peak file of machine id; the error wraps os.ErrNotExist
// when the machine has none.
func Load(dir, id string) (*File, error) { return loadFrom(Path(dir, id), id) }

// LoadDevice reads a device backend's peak file of machine id.
func LoadDevice(dir, id, backend string) (*File, error) {
	return loadFrom(DevicePath(dir, id, backend), id)
}

func loadFrom(path, id string) (*File, error) {
	f, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	if f.Machine != id {
		return nil, fmt.Errorf("%s: measured on machine %q, not %q", path, f.Machine, id)
	}
	return f, nil
}

// IsNotExist reports whether err means "no peak file".
func IsNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
