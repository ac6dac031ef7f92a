package reports

import (
	"encoding/json"
	"io"
	"math"

	"github.com/nbench/nbench/harness"
)

// JSONFile is the JSON form of a run: the environment and every result,
// raw samples included, for dashboards.
type JSONFile struct {
	Env     map[string]string `json:"env"`
	Seed    uint64            `json:"seed"`
	Results []JSONResult      `json:"results"`
}

// JSONResult is one case on one backend.
type JSONResult struct {
	Name     string             `json:"name"`
	Family   string             `json:"suite"`
	Kernel   string             `json:"kernel"`
	Params   string             `json:"shape"`
	Backend  string             `json:"backend"`
	Path     string             `json:"path,omitempty"`
	Verdict  string             `json:"verdict"`
	Detail   string             `json:"detail,omitempty"`
	ErrRatio *float64           `json:"err_tol_ratio,omitempty"` // null when infinite
	Metrics  map[string]float64 `json:"metrics,omitempty"`
	Seed     uint64             `json:"seed"`
	Flops    float64            `json:"flops"`
	Trans    float64            `json:"transcendentals"`
	IntOps   float64            `json:"int_ops"`
	Bytes    float64            `json:"bytes"`
	Iters    int                `json:"iters_per_sample,omitempty"`
	Sets     int                `json:"buffer_sets,omitempty"`
	Samples  []float64          `json:"samples_sec,omitempty"`
	Median   float64            `json:"median_sec,omitempty"`
	CILo     float64            `json:"ci95_lo_sec,omitempty"`
	CIHi     float64            `json:"ci95_hi_sec,omitempty"`
	GBps     float64            `json:"gb_per_s,omitempty"`
	GFLOPs   float64            `json:"gflop_per_s,omitempty"`
	GOPs     float64            `json:"gop_per_s,omitempty"`
	// The share of the machine's ceilings (absent without a peak file).
	PeakPct     *float64 `json:"peak_pct,omitempty"`
	PeakCeiling string   `json:"peak_ceiling,omitempty"` // the binding ceiling: "DRAM", "L2", "fma32", ...
	Level       string   `json:"level,omitempty"`        // the memory level of the working set
	Bound       string   `json:"bound,omitempty"`        // "memory" or "compute"
	PeakProbe   string   `json:"peak_probe,omitempty"`   // the probe(s) whose measurement is the ceiling
	// With run --peak-now: the share of the same ceiling measured after each
	// sample (the median of the samples' shares), and those measurements.
	PeakNowPct        *float64  `json:"peak_now_pct,omitempty"`
	CeilingNow        float64   `json:"ceiling_now,omitempty"`
	CeilingNowSamples []float64 `json:"ceiling_now_samples,omitempty"`
	CeilingNowErr     string    `json:"ceiling_now_error,omitempty"`
	F64               bool      `json:"flops_fp64,omitempty"`
	ALUOps            float64   `json:"alu_ops,omitempty"`
	SetBytes          int64     `json:"set_bytes,omitempty"`
	Written           float64   `json:"written_bytes,omitempty"` // of bytes, those stored (picks the bandwidth ceiling's mix)
}

// JSON writes the run as indented JSON.
func JSON(w io.Writer, env harness.Env, seed uint64, rs []harness.Result) error {
	f := JSONFile{Env: map[string]string{}, Seed: seed}
	for _, kv := range env {
		f.Env[kv.Key] = kv.Value
	}
	for i := range rs {
		r := &rs[i]
		jr := JSONResult{Name: BenchName(r), Family: r.Family, Kernel: r.Kernel, Params: r.Params,
			Backend: r.Backend, Path: r.Path, Verdict: string(r.Check.Verdict), Detail: r.Check.Detail,
			Metrics: finite(r.Check.Metrics), Seed: r.Seed,
			Flops: r.Cost.Flops, Trans: r.Cost.Trans, IntOps: r.Cost.IntOps, Bytes: r.Cost.Bytes,
			Iters: r.Iters, Sets: r.Sets, Samples: r.Samples,
			Median: r.Stats.Median, CILo: r.Stats.Lo, CIHi: r.Stats.Hi,
			GBps: r.GBps(), GFLOPs: r.GFLOPs(), GOPs: r.GOPs()}
		if e := r.Check.ErrRatio; r.Checked && !math.IsInf(e, 0) && !math.IsNaN(e) {
			jr.ErrRatio = &e
		}
		jr.F64, jr.ALUOps, jr.SetBytes, jr.Written = r.Cost.F64, r.Cost.ALUOps, r.SetBytes, r.Cost.Written
		if rf := r.Roof; rf != nil {
			pct := rf.Percent
			jr.PeakPct, jr.PeakCeiling, jr.Level, jr.Bound, jr.PeakProbe = &pct, rf.Ceiling, rf.Level, rf.Bound, rf.Probe
			if rf.CeilingNow > 0 {
				now := rf.NowPercent
				jr.PeakNowPct, jr.CeilingNow, jr.CeilingNowSamples = &now, rf.CeilingNow, r.Companion
			}
		}
		jr.CeilingNowErr = r.CompanionErr
		f.Results = append(f.Results, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// finite drops non-finite metrics, which JSON cannot carry.
func finite(m map[string]float64) map[string]float64 {
	if len(m) == 0 {
		return nil
	}
	out := map[string]float64{}
	for k, v := range m {
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			out[k] = v
		}
	}
	return out
}
