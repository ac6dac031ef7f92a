//go:build cuda

package cuda_test

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nbench/nbench/backends/cuda"
	"github.com/nbench/nbench/harness/conformance"
	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/kernel"
	_ "github.com/nbench/nbench/suites/all"
	"github.com/nbench/nbench/suites/suite"
)

// These tests need an NVIDIA GPU and its driver: without them the test
// binary exits with status 1 in gorgonia.org/cu's init, before any test.

func open(t testing.TB) *cuda.Backend {
	t.Helper()
	b, err := cuda.Open(kernel.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// TestConformance checks every kernel the backend implements against the
// suites' float64 references on their quick and test shapes, and that a
// broken output fails each check. A kernel the backend lists must run every
// one of those shapes (a gap there fails), and it must list every suite
// kernel.
func TestConformance(t *testing.T) {
	b := open(t)
	t.Logf("device path %s; kernels: %v", b.Paths()[0], b.Kernels())
	for _, k := range suite.All() {
		if !slices.Contains(b.Kernels(), k.Name) {
			t.Errorf("kernel %s is missing from the cuda backend", k.Name)
		}
	}
	conformance.Run(t, "cuda", b, conformance.Options{Kernels: b.Kernels(), RequireAll: true})
}

// TestConformanceDP4A checks the int8 GEMM's dp4a fallback (the path
// without tensor cores), forced with NBENCH_CUDA_INT8=dp4a.
func TestConformanceDP4A(t *testing.T) {
	t.Setenv("NBENCH_CUDA_INT8", "dp4a")
	b := open(t)
	conformance.Run(t, "cuda", b, conformance.Options{Kernels: []string{"gemm_w8a8"}, RequireAll: true})
}

// TestConformanceNMSGrid checks hard NMS with its sweep across blocks
// (nms_sweep_grid, a cooperative launch), forced with
// NBENCH_CUDA_NMS_SWEEP=grid; by default only long lists use it.
func TestConformanceNMSGrid(t *testing.T) {
	t.Setenv("NBENCH_CUDA_NMS_SWEEP", "grid")
	b := open(t)
	conformance.Run(t, "cuda", b, conformance.Options{Kernels: []string{"nms"}, RequireAll: true})
}

// TestInt8Path: gemm_w8a8 beyond GEMV sizes runs on the tensor cores at
// compute capability 8.0+ and says so in its path, dp4a when forced; a bad
// NBENCH_CUDA_INT8 is an error naming the choices.
func TestInt8Path(t *testing.T) {
	const m, n, k = 64, 64, 64
	for _, tc := range []struct{ env, want string }{{"", "gemm_w8a8_mma mma.s8"}, {"dp4a", "gemm_w8a8_tile dp4a"}} {
		t.Setenv("NBENCH_CUDA_INT8", tc.env)
		b := open(t)
		alloc := func(dt kernel.DType, n int) kernel.Tensor {
			x, err := b.Alloc(dt, n)
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		op := kernel.GemmW8A8{M: m, N: n, K: k, Xq: alloc(kernel.I8, m*k), Sx: alloc(kernel.F32, m),
			Wq: alloc(kernel.I8, n*k), Sw: alloc(kernel.F32, n), Y: alloc(kernel.F32, m*n)}
		r, err := b.Prepare(op)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Path(), tc.want) {
			t.Errorf("NBENCH_CUDA_INT8=%q: path %q, want %q", tc.env, r.Path(), tc.want)
		}
	}
	t.Setenv("NBENCH_CUDA_INT8", "imma")
	if _, err := cuda.Open(kernel.Config{}); err == nil || !strings.Contains(err.Error(), "dp4a") {
		t.Errorf("NBENCH_CUDA_INT8=imma: error %v, want one naming the choices", err)
	}
}

// TestInputErrors: NaN or Inf in a quantizer's input row is an input error
// of Run naming the first such row (as on the CPU backends), and a Run on
// clean input after it succeeds (the row word is reset each Run).
func TestInputErrors(t *testing.T) {
	b := open(t)
	tensor := func(dt kernel.DType, v any) kernel.Tensor {
		x, err := b.Alloc(dt, kernel.SliceLen(v))
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Write(x, v); err != nil {
			t.Fatal(err)
		}
		return x
	}
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, tc := range []struct {
		name    string
		rows, k int
		badAt   map[int]float32 // element index -> value
		want    string
		op      func(x kernel.Tensor) kernel.Op
	}{
		{"quantize_i8", 4, 8, map[int]float32{1*8 + 3: inf, 2*8 + 1: nan}, "x row 1", func(x kernel.Tensor) kernel.Op {
			return kernel.QuantizeI8{Rows: 4, K: 8, X: x, Q: tensor(kernel.I8, make([]int8, 32)), Scale: tensor(kernel.F32, make([]float32, 4))}
		}},
		{"quantize_w4g", 3, 64, map[int]float32{1*64 + 40: -inf}, "w row 1", func(w kernel.Tensor) kernel.Op {
			return kernel.QuantizeW4G{N: 3, K: 64, Group: 32, W: w, Qp: tensor(kernel.U8, make([]uint8, 96)),
				S: tensor(kernel.F32, make([]float32, 6)), Z: tensor(kernel.U8, make([]uint8, 6))}
		}},
		{"gemm_w8a8 fused", 16, 8, map[int]float32{5*8 + 7: nan}, "x row 5", func(x kernel.Tensor) kernel.Op {
			return kernel.GemmW8A8{M: 16, N: 4, K: 8, Fused: true, X: x, Wq: tensor(kernel.I8, make([]int8, 32)),
				Sw: tensor(kernel.F32, make([]float32, 4)), Y: tensor(kernel.F32, make([]float32, 64))}
		}},
	} {
		host := make([]float32, tc.rows*tc.k)
		for i := range host {
			host[i] = float32(i%7) - 3
		}
		clean := slices.Clone(host)
		for i, v := range tc.badAt {
			host[i] = v
		}
		x := tensor(kernel.F32, host)
		r, err := b.Prepare(tc.op(x))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := r.Run(); err == nil || !strings.Contains(err.Error(), "input error") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Run on a non-finite row: error %v, want an input error naming %q", tc.name, err, tc.want)
		}
		if err := b.Write(x, clean); err != nil {
			t.Fatal(err)
		}
		if err := r.Run(); err != nil {
			t.Errorf("%s: Run on clean input after an input error: %v", tc.name, err)
		}
	}
}

// TestKernelsKnown: every kernel the backend lists is a suite kernel.
func TestKernelsKnown(t *testing.T) {
	b := open(t)
	var ids []string
	for _, k := range suite.All() {
		ids = append(ids, k.Name)
	}
	for _, id := range b.Kernels() {
		if !slices.Contains(ids, id) {
			t.Errorf("backend lists %q, which no suite defines", id)
		}
	}
}

// TestTensors: round trips of every dtype, empty tensors, and errors for
// mismatched copies.
func TestTensors(t *testing.T) {
	b := open(t)
	for _, tc := range []struct {
		dt  kernel.DType
		src any
		dst any
	}{
		{kernel.F32, []float32{1, -2.5, 3e38}, make([]float32, 3)},
		{kernel.I8, []int8{-127, 0, 5, 127}, make([]int8, 4)},
		{kernel.U8, []uint8{0, 255}, make([]uint8, 2)},
		{kernel.I32, []int32{-1 << 31, 7}, make([]int32, 2)},
		{kernel.F32, []float32{}, []float32{}},
	} {
		length := kernel.SliceLen(tc.src)
		x, err := b.Alloc(tc.dt, length)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Write(x, tc.src); err != nil {
			t.Fatal(err)
		}
		if err := b.Read(tc.dst, x); err != nil {
			t.Fatal(err)
		}
		if string(mustJSON(t, tc.dst)) != string(mustJSON(t, tc.src)) {
			t.Errorf("%v round trip: wrote %v, read %v", tc.dt, tc.src, tc.dst)
		}
		if err := b.Write(x, []float64{1}); err == nil {
			t.Errorf("%v: writing []float64 succeeded", tc.dt)
		}
		b.Free(x)
	}
	x, _ := b.Alloc(kernel.F32, 4)
	defer b.Free(x)
	if err := b.Write(x, make([]float32, 3)); err == nil {
		t.Error("writing 3 values into a tensor of 4 succeeded")
	}
	if _, err := b.Prepare(kernel.SELU{N: 4, X: kernel.NewHost(kernel.F32, 4), Y: x}); err == nil {
		t.Error("Prepare accepted a host tensor")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestDeviceBandwidth measures device-to-device copy bandwidth (the
// reference for % of bandwidth of the memory-bound kernels) and host
// transfers; with NBENCH_CUDA_BW_OUT set it writes them there as JSON.
func TestDeviceBandwidth(t *testing.T) {
	b := open(t)
	const size = 256 << 20
	copyGBps, err := b.CopyBandwidth(size, 20)
	if err != nil {
		t.Fatal(err)
	}
	h2d, d2h, err := b.Transfer(64<<20, 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("device copy (read+write) %.0f GB/s; host->device %.1f GB/s, device->host %.1f GB/s (pageable)", copyGBps, h2d, d2h)
	if out := os.Getenv("NBENCH_CUDA_BW_OUT"); out != "" {
		j, _ := json.MarshalIndent(map[string]any{"path": b.Paths()[0], "copy_bytes": size, "device_copy_gbps": copyGBps,
			"h2d_gbps": h2d, "d2h_gbps": d2h}, "", "  ")
		if err := os.WriteFile(out, append(j, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDevicePeak measures the device's ceilings (copy bandwidth, fp32 FMA,
// int8 dp4a and int8 mma), every probe checked against its exact result;
// with NBENCH_CUDA_PEAK_OUT set it writes them there as a harness/peak
// file (cuda.PeakFileName in a machine's folder). NBENCH_CUDA_PEAK_QUICK=1
// takes short samples (the CPU emulation).
func TestDevicePeak(t *testing.T) {
	b := open(t)
	opt := cuda.PeakOptions{}
	if os.Getenv("NBENCH_CUDA_PEAK_QUICK") == "1" {
		opt = cuda.PeakOptions{Sample: 2 * time.Millisecond, Count: 2, CopyBytes: 1 << 20}
	}
	f, err := b.PeakFile(opt)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[peak.Kind]bool{}
	for _, r := range f.Results {
		if r.Err != "" {
			t.Errorf("probe %s failed its check: %s", r.Probe, r.Err)
			continue
		}
		kinds[r.Kind] = true
		t.Logf("%-16s %-7s median %.4g %s (max %.4g)", r.Probe, r.Kind, r.Median, r.Unit, r.Max)
	}
	for _, k := range []peak.Kind{peak.Copy, peak.FMA32, peak.DotI8, cuda.MMAI8} {
		if !kinds[k] {
			t.Errorf("no %s ceiling measured", k)
		}
	}
	if out := os.Getenv("NBENCH_CUDA_PEAK_OUT"); out != "" {
		j, _ := json.MarshalIndent(f, "", "  ")
		if err := os.WriteFile(out, append(j, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkKernels: ./cuda.test -test.bench . (NBENCH_BENCH_FULL=1 for model shapes).
func BenchmarkKernels(b *testing.B) {
	be, err := cuda.Open(kernel.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	conformance.Bench(b, be, os.Getenv("NBENCH_BENCH_FULL") == "1")
}
