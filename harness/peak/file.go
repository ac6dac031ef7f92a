package peak

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	Results       []Result            `json:"results"`
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

// Run measures this machine and returns its peak file.
func Run(d machine.Description, opt Options) (*File, error) {
	opt.defaults(d)
	levels, rs, err := Measure(d, opt)
	if err != nil {
		return nil, err
	}
	return &File{Machine: d.ID(), Description: d, Date: time.Now().UTC().Truncate(time.Second),
		NbenchVersion: harness.Version, BenchTime: opt.BenchTime.String(), Count: opt.Count,
		Levels: levels, Results: rs}, nil
}

// KeepBest merges an earlier file of the same machine into f: for every
// measurement (probe, level, threads) the higher median stands, with its
// samples. A probe's result is checked work, so it cannot run faster than
// the machine allows, while a slower one may just have shared the machine
// (DRAM bandwidth here varies by tens of percent between processes): the
// best seen is the ceiling. It returns how many earlier results were kept.
func KeepBest(f, earlier *File) int {
	if earlier == nil || earlier.Machine != f.Machine {
		return 0
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
