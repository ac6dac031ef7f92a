// Package qmatmul defines the quantized-matmul kernels of KERNELS.md section 3
// (quantize_i8, gemm_w8a8, quantize_w4g, gemm_w4g, layerwise_wq,
// repquant_ln_linear, repquant_softmax_pv): parameters, shape sets, input
// fills (the suite quantizes weights itself, in float64 with RNE), exact or
// float64 references, pass rules and costs.
package qmatmul

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// rowRNG is the generator of row `row` of a tensor drawn from seed. Fill
// draws only the seeds from the harness rng; per-row streams let Check
// regenerate unquantized data (which is not a buffer) row by row, in
// parallel, with the same values.
func rowRNG(seed uint64, row int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(row)))
}

// parallel runs body over [0, n) in chunks on all CPUs. References use it
// for their big loops; every index is computed independently, so the result
// does not depend on the split.
func parallel(n int, body func(lo, hi int)) {
	parallelParts(n, func(_, lo, hi int) { body(lo, hi) })
}

// parallelParts is parallel with the chunk's number (chunks are in index
// order); it returns the number of chunks.
func parallelParts(n int, body func(part, lo, hi int)) int {
	if n <= 0 {
		return 0
	}
	workers := min(runtime.GOMAXPROCS(0), n)
	chunk := (n + workers - 1) / workers
	parts := (n + chunk - 1) / chunk
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			body(p, p*chunk, min((p+1)*chunk, n))
		}(p)
	}
	wg.Wait()
	return parts
}

// parallelCodes runs body over rows [0, n) in parallel chunks, each with a
// copy of the code check cc, and merges the copies in row order, so the
// failure reported is the first one, as in a sequential run.
func parallelCodes(n int, cc codeCheck, body func(lo, hi int, cc *codeCheck)) codeCheck {
	parts := make([]codeCheck, runtime.GOMAXPROCS(0))
	np := parallelParts(n, func(p, lo, hi int) {
		parts[p] = cc
		body(lo, hi, &parts[p])
	})
	for _, p := range parts[:np] {
		cc.ties += p.ties
		if cc.fail == "" {
			cc.fail = p.fail
		}
	}
	if cc.fail == "" && cc.maxTies >= 0 && cc.ties > cc.maxTies {
		cc.fail = fmt.Sprintf("%s: %d codes one off at near-ties, more than the %d allowed", cc.name, cc.ties, cc.maxTies)
	}
	return cc
}

func clampInt(v, lo, hi int) int { return max(lo, min(hi, v)) }

// ---- quantizers (float64 arithmetic on float32 values, RNE) ----

// scaleSym is the symmetric scale f32(amax/qmax), or 1 when amax is 0
// (KERNELS.md 3.1: an all-zero row gets scale 1).
func scaleSym(amax float32, qmax int) float32 {
	if amax == 0 {
		return 1
	}
	return float32(float64(amax) / float64(qmax))
}

func absMax(x []float32) float32 {
	var m float32
	for _, v := range x {
		m = max(m, float32(math.Abs(float64(v))))
	}
	return m
}

// quantI8 quantizes one row symmetrically to [-127, 127] (KERNELS.md 3.1)
// and returns its scale.
func quantI8(x []float32, q []int8) float32 {
	s := scaleSym(absMax(x), 127)
	for k, v := range x {
		q[k] = int8(clampInt(int(math.RoundToEven(float64(v)/float64(s))), -127, 127))
	}
	return s
}

// w4Scale is the scale and the zero-point quotient -lo/s of one GPTQ-style
// asymmetric group with codes [0, maxq] (KERNELS.md 3.2; maxq = 7 is the
// 3-bit variant of 3.3), evaluated as float32 operations: range = f32(hi-lo),
// s = f32(max(range, 1e-5)/maxq). The symmetric 4-bit variant has
// s = f32(max(|lo|, |hi|, 1e-5)/7) and a fixed zero 8 (zt = 8).
func w4Scale(w []float32, maxq int, sym bool) (s float32, zt float64) {
	var lo, hi float32
	for _, v := range w {
		lo, hi = min(lo, v), max(hi, v)
	}
	if sym {
		return float32(float64(max(-lo, hi, float32(1e-5))) / 7), 8
	}
	if lo == 0 && hi == 0 {
		lo, hi = -1, 1
	}
	s = float32(float64(max(hi-lo, float32(1e-5))) / float64(maxq))
	return s, -float64(lo) / float64(s)
}

// w4Codes quantizes one group: z = clamp(rne(zt), 0, maxq) and
// q = clamp(rne(w/s) + z, 0, maxq) (symmetric: clamp(rne(w/s), -8, 7) + 8).
func w4Codes(w []float32, q []uint8, maxq int, sym bool) (s float32, z uint8) {
	s, zt := w4Scale(w, maxq, sym)
	z = uint8(clampInt(int(math.RoundToEven(zt)), 0, maxq))
	for k, v := range w {
		q[k] = uint8(clampInt(int(math.RoundToEven(float64(v)/float64(s)))+int(z), 0, maxq))
	}
	return s, z
}

// ---- checks ----

// tieBand is how close to a half-integer a reference quotient t must be
// (relative to max(1, |t|)) for a code one step off to be accepted: the
// kernel's float32 quotient (or its product with 1/s) may round to the
// other side there. KERNELS.md 3.1 states 1e-6 absolute; relative to |t|
// it also covers float32 quotients up to 127, whose own spacing exceeds
// 1e-6 once |t| > 8.
const tieBand = 1e-6

// codes returns the code clamp(rne(t)+off, lo, hi) and the other code
// accepted when t is within band of a tie (alt == want otherwise). An
// exact tie accepts both too (x*(1/s) may land either side of it), unless
// strict: with a power-of-two scale every formulation gets the exact
// quotient, so it must round to even. Random data has exact ties (about
// one in 10^7 codes); the edge fills plant them at scale 1.
func codes(t float64, off, lo, hi int, band float64, strict bool) (want, alt int) {
	t = math.Max(-1e9, math.Min(1e9, t))
	r := math.RoundToEven(t)
	want = clampInt(int(r)+off, lo, hi)
	f := math.Floor(t)
	d := t - (f + 0.5)
	if d == 0 && strict || math.Abs(d) >= band*math.Max(1, math.Abs(t)) {
		return want, want
	}
	other := f
	if r == f {
		other = f + 1
	}
	return want, clampInt(int(other)+off, lo, hi)
}

// pow2 reports whether s is a power of two (1/s and x/s are then exact).
func pow2(s float32) bool { return s > 0 && math.Float32bits(s)&0x7FFFFF == 0 }

// codeCheck compares quantizer codes tie-aware (see codes): a code must
// equal the reference, or be the other neighbour of a near-tie; maxTies
// caps how many such off-by-one codes are accepted (< 0: no cap).
type codeCheck struct {
	name    string
	band    float64
	maxTies int
	ties    int
	fail    string
}

// add checks code got at index i against quotient t (strict: see codes).
func (c *codeCheck) add(i, got int, t float64, off, lo, hi int, strict bool) {
	if c.fail != "" {
		return
	}
	want, alt := codes(t, off, lo, hi, c.band, strict)
	switch {
	case got == want:
	case got == alt:
		c.ties++
		if c.maxTies >= 0 && c.ties > c.maxTies {
			c.fail = fmt.Sprintf("%s: %d codes one off at near-ties, more than the %d allowed (last at [%d])", c.name, c.ties, c.maxTies, i)
		}
	default:
		c.fail = fmt.Sprintf("%s[%d] = %d, reference %d (quotient %.9g)", c.name, i, got, want, t)
	}
}

func (c *codeCheck) result() suite.Check {
	if c.fail != "" {
		return suite.Check{Verdict: suite.Failed, ErrRatio: math.Inf(1), Detail: c.fail}
	}
	ch := suite.Check{Verdict: suite.Passed}
	if c.ties > 0 {
		ch.Detail = fmt.Sprintf("%s: %d codes one off at near-ties (allowed)", c.name, c.ties)
	}
	return ch
}

// exactF32 requires bitwise-equal float32 values (quantizer scales).
func exactF32(name string, y []float32, r []float64) suite.Check {
	return suite.Close(name, y, r, 0, 0)
}

// maxAbs is the largest finite |r|.
func maxAbs(r []float64) float64 {
	m := 0.0
	for _, v := range r {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			m = math.Max(m, math.Abs(v))
		}
	}
	return m
}

// relErr is the normwise error max|y - r| / max|r| over finite references
// (quality metrics: the error a quantized kernel makes against float).
func relErr(y []float32, r []float64) float64 {
	num := 0.0
	for i, v := range r {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			num = math.Max(num, math.Abs(float64(y[i])-v))
		}
	}
	return num / math.Max(maxAbs(r), 1e-300)
}

// withMetric adds one quality metric to a check.
func withMetric(c suite.Check, key string, v float64) suite.Check {
	if c.Metrics == nil {
		c.Metrics = map[string]float64{}
	}
	c.Metrics[key] = v
	return c
}

// f64 widens float32 data (for Trust and references).
func f64[T ~int8 | ~uint8 | ~int32 | ~float32](x []T) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// fillEnum is the fill parameter shared by the kernels here.
var fillParam = suite.Param{Key: "fill", Default: "normal", Doc: "inputs: normal random data; edge (zero rows, exact RNE ties, outliers)"}

func readFill(r *suite.ParamReader) bool { return r.Enum("fill", "normal", "edge") == "edge" }

// trustFrac: random data gives few zero references; edge fills are
// degenerate on purpose, and a handful of values can be zero by chance.
func trustFrac(edge bool, n int) float64 {
	if edge || n < 64 {
		return 1
	}
	return 0.5
}

// layout lists a case's buffers by name; optional ones may be absent.
type layout struct {
	list []suite.Buffer
	at   map[string]int
}

func (l *layout) add(name string, dt kernel.DType, n int, out bool) {
	if l.at == nil {
		l.at = map[string]int{}
	}
	l.at[name] = len(l.list)
	l.list = append(l.list, suite.Buffer{Name: name, DType: dt, Len: n, Out: out})
}

// t returns the backend tensor of name, or nil when the case has none.
func (l *layout) t(ts []kernel.Tensor, name string) kernel.Tensor {
	if i, ok := l.at[name]; ok {
		return ts[i]
	}
	return nil
}

// h returns the host data of name, or nil when the case has none.
func (l *layout) h(d []*kernel.Host, name string) *kernel.Host {
	if i, ok := l.at[name]; ok {
		return d[i]
	}
	return nil
}

// normalRow fills row with N(0, std) from its own stream (see rowRNG).
func normalRow(seed uint64, r int, row []float32, std float64) {
	g := rowRNG(seed, r)
	for j := range row {
		row[j] = float32(std * g.NormFloat64())
	}
}

// ---- reference dot products (several accumulators: the references of
// the full shapes do billions of multiply-adds) ----

// dot is sum a*b with four accumulators of type S: int64 is exact for
// int8 codes, float64 serves the float references.
func dot[S int64 | float64, A, B int8 | float32 | float64](a []A, b []B) S {
	b = b[:len(a)]
	var s0, s1, s2, s3 S
	k := 0
	for ; k+4 <= len(a); k += 4 {
		s0 += S(a[k]) * S(b[k])
		s1 += S(a[k+1]) * S(b[k+1])
		s2 += S(a[k+2]) * S(b[k+2])
		s3 += S(a[k+3]) * S(b[k+3])
	}
	for ; k < len(a); k++ {
		s0 += S(a[k]) * S(b[k])
	}
	return (s0 + s1) + (s2 + s3)
}

// dotAbsF64 returns sum a*b and sum |a*b|.
func dotAbsF64(a, b []float64) (s, abs float64) {
	b = b[:len(a)]
	var s0, s1, a0, a1 float64
	k := 0
	for ; k+2 <= len(a); k += 2 {
		t0, t1 := a[k]*b[k], a[k+1]*b[k+1]
		s0 += t0
		s1 += t1
		a0 += math.Abs(t0)
		a1 += math.Abs(t1)
	}
	for ; k < len(a); k++ {
		t := a[k] * b[k]
		s0 += t
		a0 += math.Abs(t)
	}
	return s0 + s1, a0 + a1
}
