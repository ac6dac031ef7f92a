//go:build cuda

package cuda

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
	"unsafe"

	"gorgonia.org/cu"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/kernel"
)

// The device's ceilings for %peak on GPU rows: copy bandwidth, fp32 FMA,
// int8 dp4a and int8 tensor-core MMA, in harness/peak's file format, kept
// next to the host's peak.json as PeakFileName (host peaks say nothing
// about a GPU).

// PeakFileName is the device peak file inside a machine's folder.
const PeakFileName = "peak-cuda.json"

// MMAI8 is the kind of the int8 tensor-core ceiling (op/s, a
// multiply-accumulate counts 2).
const MMAI8 = peak.MMAI8

// The device's measurement for `nbench peak --backend=cuda`, which writes
// PeakFileName (peak.DevicePath), where %peak of cuda rows looks.
var _ = func() bool {
	peak.RegisterDevice(Name, func(quick bool) (*peak.File, error) {
		b, err := Open(kernel.Config{})
		if err != nil {
			return nil, err
		}
		defer b.Close()
		opt := PeakOptions{}
		if quick {
			opt = PeakOptions{Sample: 10 * time.Millisecond, Count: 3, CopyBytes: 64 << 20}
		}
		return b.PeakFile(opt)
	})
	return true
}()

// PeakOptions set the length of the device measurements.
type PeakOptions struct {
	Sample    time.Duration // target length of one timed launch (default 50ms)
	Count     int           // samples per probe; median and max kept (default 5)
	CopyBytes int64         // bytes per device copy (default 256 MiB)
}

// devProbe is one compute probe kernel: ops per thread per iteration,
// threads per launch, and the exact per-thread result after n iterations.
type devProbe struct {
	name    string
	kind    peak.Kind
	kernel  string
	blocks  int
	opsIter float64 // per thread per iteration
	x, y    uint64  // the operand arguments
	want    func(n int) float64
	maxIter int
}

// PeakProbes measures the device: copy bandwidth with CUDA events over
// device-to-device copies, then each compute probe at an iteration count
// calibrated so one launch lasts about opt.Sample, each result checked
// against the exact value. A probe whose check fails gets Err set.
func (b *Backend) PeakProbes(opt PeakOptions) ([]peak.Result, error) {
	if opt.Sample <= 0 {
		opt.Sample = 50 * time.Millisecond
	}
	if opt.Count <= 0 {
		opt.Count = 5
	}
	if opt.CopyBytes <= 0 {
		opt.CopyBytes = 256 << 20
	}
	var rs []peak.Result
	var cps []float64
	for range opt.Count {
		v, err := b.CopyBandwidth(opt.CopyBytes, 10)
		if err != nil {
			return nil, err
		}
		cps = append(cps, v*1e9)
	}
	rs = append(rs, summarize(peak.Result{Probe: "cuda-memcpy-d2d", Kind: peak.Copy, Level: peak.DRAM,
		Bytes: 2 * opt.CopyBytes, Threads: 1, Unit: peak.Copy.Unit()}, cps))
	// s8 bytes 2 and -3 in every lane of the packed operands.
	const xs8, ys8 = 0x02020202, 0xFDFDFDFD
	fmaBits := uint64(math.Float32bits(peak.FMAMul)) | uint64(math.Float32bits(peak.FMAAdd))<<32
	for _, p := range []devProbe{
		{name: "cuda-fma32", kind: peak.FMA32, kernel: "peak_fma32", blocks: 8 * b.sms, opsIter: 2 * 8,
			x: fmaBits, want: func(n int) float64 { return 8 * float64(n) }, maxIter: peak.MaxIters},
		{name: "cuda-dp4a", kind: peak.DotI8, kernel: "peak_dp4a", blocks: 8 * b.sms, opsIter: 8 * 8,
			x: xs8, y: ys8, want: func(n int) float64 { return 8 * -24 * float64(n) }, maxIter: (1 << 31) / (8 * 24)},
		// per thread: 4 tiles x (16*8*32 MACs = 8192 ops) / 32 lanes.
		{name: "cuda-mma-s8", kind: MMAI8, kernel: "peak_mma", blocks: 4 * b.sms, opsIter: 4 * 8192 / 32,
			x: xs8, y: ys8, want: func(n int) float64 { return 16 * 32 * -6 * float64(n) }, maxIter: (1 << 31) / (16 * 32 * 6)},
	} {
		r, err := b.computePeak(p, opt)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

func summarize(r peak.Result, samples []float64) peak.Result {
	s := slices.Clone(samples)
	slices.Sort(s)
	r.Samples, r.Median, r.Max = samples, s[len(s)/2], s[len(s)-1]
	return r
}

// computePeak calibrates the iteration count (doubling until a launch
// lasts opt.Sample or the exact-result bound), then times opt.Count
// launches and checks every thread's result of each.
func (b *Backend) computePeak(p devProbe, opt PeakOptions) (peak.Result, error) {
	r := peak.Result{Probe: p.name, Kind: p.kind, Threads: 1, Unit: p.kind.Unit()}
	if p.kind == MMAI8 && !b.int8MMA() {
		r.Err = "int8 mma needs compute capability 8.0 (or NBENCH_CUDA_INT8=dp4a is set)"
		return r, nil
	}
	if err := b.enter(); err != nil {
		return r, err
	}
	defer b.leave()
	fn, err := b.function("peak", p.kernel, 0)
	if err != nil {
		return r, err
	}
	nthreads := p.blocks * 256
	out, err := cu.MemAlloc(int64(4 * nthreads))
	if err != nil {
		return r, err
	}
	defer cu.MemFree(out)
	host := make([]int32, nthreads)
	launch := func(n int) (time.Duration, error) {
		vals := []uint64{uint64(out), uint64(n), p.x & 0xFFFFFFFF, p.y & 0xFFFFFFFF}
		if p.kind == peak.FMA32 {
			vals[2], vals[3] = p.x&0xFFFFFFFF, p.x>>32
		}
		params := make([]unsafe.Pointer, len(vals))
		for i := range vals {
			params[i] = unsafe.Pointer(&vals[i])
		}
		d, err := b.timeEvents(func() error { return fn.Launch(p.blocks, 1, 1, 256, 1, 1, 0, b.stream, params) })
		if err != nil {
			return 0, err
		}
		if err := cu.MemcpyDtoH(unsafe.Pointer(&host[0]), out, int64(4*nthreads)); err != nil {
			return 0, err
		}
		want := p.want(n)
		for i, v := range host {
			got := float64(v)
			if p.kind == peak.FMA32 {
				got = float64(math.Float32frombits(uint32(v)))
			}
			if got != want {
				return 0, fmt.Errorf("%w: thread %d after %d iterations: %v, want %v", errCheck, i, n, got, want)
			}
		}
		return d, nil
	}
	n := 16
	for {
		d, err := launch(n)
		if err != nil {
			return fail(r, err)
		}
		if d >= opt.Sample/2 || n >= p.maxIter {
			break
		}
		grow := 64.0
		if d > 0 {
			grow = min(64, max(2, opt.Sample.Seconds()/d.Seconds()))
		}
		n = min(p.maxIter, int(float64(n)*grow))
	}
	var samples []float64
	for range opt.Count {
		d, err := launch(n)
		if err != nil {
			return fail(r, err)
		}
		samples = append(samples, p.opsIter*float64(nthreads)*float64(n)/d.Seconds())
	}
	return summarize(r, samples), nil
}

var errCheck = errors.New("probe result wrong")

// fail records a failed check in r (the probe measured nothing usable);
// other errors are returned.
func fail(r peak.Result, err error) (peak.Result, error) {
	if errors.Is(err, errCheck) {
		r.Err = err.Error()
		return r, nil
	}
	return r, err
}

// PeakFile measures the device (PeakProbes) as a harness/peak file for
// this machine: save it as <dir>/<machine id>/PeakFileName.
func (b *Backend) PeakFile(opt PeakOptions) (*peak.File, error) {
	rs, err := b.PeakProbes(opt)
	if err != nil {
		return nil, err
	}
	d := machine.Describe()
	// One level: device memory (copy bandwidth, named DRAM so the roofline
	// finds it; HBM on the GPUs this targets), the GPU's L2 not probed.
	return &peak.File{Machine: d.ID(), Description: d, Date: time.Now().UTC().Truncate(time.Second),
		NbenchVersion: harness.Version, BenchTime: opt.Sample.String(), Count: opt.Count,
		Levels: []peak.Level{{Name: peak.DRAM, SharedBy: 1}}, Results: rs}, nil
}
