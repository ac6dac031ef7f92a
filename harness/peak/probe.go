// Package peak measures a machine's ceilings with nbench's own probes:
// memory bandwidth (read, copy, triad) at each cache level and in DRAM, and
// compute peaks (fp32 and fp64 FMA, int8 dot products, integer shift/add,
// fp32 exp), each for one thread and for all threads. The fp64, integer
// ALU and exp kinds have only vector probes (a scalar Go loop is no
// ceiling for vector code): a machine without them has no such ceiling. The results are kept per machine id (baselines/<id>/peak.json)
// and turned into roofline ceilings by package roofline.
//
// The package ships pure-Go probes. Faster code (the simd backend's
// AVX-512 FMA or VNNI loops) registers more probes with RegisterProbe; the
// best probe of each kind sets the ceiling. Every probe result is checked
// against a scalar computation of the same work, so a probe whose work was
// optimized away, skipped or miscounted fails instead of reporting a
// flattering number.
package peak

import (
	"fmt"
	"math"
	"sort"
	"sync"
)

// Kind is what a probe measures.
type Kind string

const (
	// Bandwidth kinds, in bytes per second. One pass over the arrays moves
	// len(dst)*4 bytes per array touched (read: 1, copy: 2, triad: 3).
	Read  Kind = "read"  // returns the sum of x
	Copy  Kind = "copy"  // dst = x
	Triad Kind = "triad" // dst = x + TriadScalar*y
	// Compute kinds.
	FMA32  Kind = "fma32"   // fp32 fused multiply-adds, in flop/s (an FMA counts 2)
	FMA64  Kind = "fma64"   // fp64 fused multiply-adds, in flop/s (an FMA counts 2)
	DotI8  Kind = "dot-i8"  // u8 x s8 dot products into int32, in op/s (a multiply-accumulate counts 2)
	IntALU Kind = "int-alu" // int32 shifts and adds, in op/s (each counts 1)
	Exp32  Kind = "exp32"   // fp32 exponentials, in exp/s (the vector exp the kernels use)
	// MMAI8 is int8 matrix units (GPU tensor cores: mma.sync s8), in op/s
	// like DotI8; only device backends measure it (RegisterDevice).
	MMAI8 Kind = "mma-i8"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{Read, Copy, Triad, FMA32, FMA64, DotI8, MMAI8, IntALU, Exp32}

// Compute reports whether k is a compute kind (measured per iteration, not per byte).
func (k Kind) Compute() bool {
	switch k {
	case FMA32, FMA64, DotI8, MMAI8, IntALU, Exp32:
		return true
	}
	return false
}

// WriteShare is the share of a bandwidth probe's counted traffic that it
// writes (STREAM's counting: copy moves one read and one write stream,
// triad two reads and one write); -1 for compute kinds.
func (k Kind) WriteShare() float64 {
	switch k {
	case Read:
		return 0
	case Copy:
		return 0.5
	case Triad:
		return 1.0 / 3
	}
	return -1
}

// Unit is the unit of a kind's results.
func (k Kind) Unit() string {
	switch k {
	case FMA32, FMA64:
		return "flop/s"
	case DotI8, MMAI8, IntALU:
		return "op/s"
	case Exp32:
		return "exp/s"
	}
	return "B/s"
}

// The operands of the standard work. They are variables, not constants, so
// the pure-Go probes cannot fold them; probe writers load them at run time
// or use the same values.
var (
	// FMA32: every lane starts at 0 and does acc = acc*FMAMul + FMAAdd.
	FMAMul, FMAAdd float32 = 1, 1
	// DotI8: every u8 operand is DotU8, every s8 operand DotS8; each
	// iteration adds a 4-way dot product (4 multiply-accumulates) to every int32 lane.
	DotU8 uint8 = 2
	DotS8 int8  = -3
	// Triad: dst = x + TriadScalar*y.
	TriadScalar float32 = 3
	// FMA64: as FMA32 in float64, with the same operands.
	// IntALU: every int32 lane starts at 0 and does acc = (acc >> 1) + ALUAdd
	// (an arithmetic shift and an add).
	ALUAdd int32 = 3
	// Exp32: every lane starts at 0 and does acc += exp(ExpArg); exp(0) is
	// exactly 1 in any correct range-reduced exp, so the sums are exact.
	ExpArg float32 = 0
)

// MaxIters bounds n for compute probes: up to it, every lane's result is
// exact (fp32 integers below 2^24, int32 sums below 2^31).
const MaxIters = 1 << 24

// Probe is one measurement loop.
//
// A compute probe (FMA32, DotI8) has Lanes independent accumulators (for a
// vector loop: vector width x registers) and Compute(n) runs n iterations of
// the kind's standard work on every lane, then returns the sum of all lanes.
// n is at most MaxIters. The result must equal Lanes times the scalar
// result of the same n iterations.
//
// A bandwidth probe (Read, Copy, Triad) has Stream(dst, x, y), which does one
// pass over equally long arrays (unused ones may be nil) and returns the sum
// of x for Read (in float64, or exact float32 partial sums: x holds 0s and 1s),
// anything for the others, whose dst is checked.
//
// Probes must be safe to run concurrently on different data.
type Probe struct {
	Name    string // e.g. "go-fma32", "avx512-fma32": unique
	Kind    Kind
	Lanes   int
	Compute func(n int) float64
	Stream  func(dst, x, y []float32) float64
}

var registry struct {
	sync.Mutex
	probes map[string]Probe
}

// RegisterProbe adds a probe. A SIMD backend registers its loops from init,
// only for the instruction sets this CPU has. A duplicate name or a probe
// without the function its kind needs panics (a programming error).
func RegisterProbe(p Probe) {
	if err := p.valid(); err != nil {
		panic("peak: " + err.Error())
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.probes == nil {
		registry.probes = map[string]Probe{}
	}
	if _, dup := registry.probes[p.Name]; dup {
		panic("peak: probe registered twice: " + p.Name)
	}
	registry.probes[p.Name] = p
}

func (p Probe) valid() error {
	switch {
	case p.Name == "":
		return fmt.Errorf("probe without a name")
	case p.Kind.Compute() && (p.Compute == nil || p.Lanes < 1):
		return fmt.Errorf("compute probe %s needs Compute and Lanes >= 1", p.Name)
	case !p.Kind.Compute() && p.Stream == nil:
		return fmt.Errorf("bandwidth probe %s needs Stream", p.Name)
	}
	for _, k := range Kinds {
		if p.Kind == k {
			return nil
		}
	}
	return fmt.Errorf("probe %s has unknown kind %q", p.Name, p.Kind)
}

// Lookup returns the registered probe of that name.
func Lookup(name string) (Probe, bool) {
	registry.Lock()
	defer registry.Unlock()
	p, ok := registry.probes[name]
	return p, ok
}

// Probes returns the registered probes by kind, then name.
func Probes() []Probe {
	registry.Lock()
	defer registry.Unlock()
	order := map[Kind]int{}
	for i, k := range Kinds {
		order[k] = i
	}
	ps := make([]Probe, 0, len(registry.probes))
	for _, p := range registry.probes {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if order[ps[i].Kind] != order[ps[j].Kind] {
			return order[ps[i].Kind] < order[ps[j].Kind]
		}
		return ps[i].Name < ps[j].Name
	})
	return ps
}

// OpsPerIter is the work of one iteration of a compute probe, in its unit.
func (p Probe) OpsPerIter() float64 {
	switch p.Kind {
	case FMA32:
		return 2 * float64(p.Lanes)
	case FMA64:
		return 2 * float64(p.Lanes)
	case DotI8:
		return 8 * float64(p.Lanes) // 4 multiply-accumulates
	case IntALU:
		return 2 * float64(p.Lanes) // shift, add
	case Exp32:
		return float64(p.Lanes)
	}
	return 0
}

// Scalar is the reference: the standard work of one lane for n iterations,
// written as the plainest loop.
func Scalar(k Kind, n int) float64 {
	switch k {
	case FMA32:
		var acc float32
		for i := 0; i < n; i++ {
			acc = acc*FMAMul + FMAAdd
		}
		return float64(acc)
	case FMA64:
		var acc float64
		for i := 0; i < n; i++ {
			acc = acc*float64(FMAMul) + float64(FMAAdd)
		}
		return acc
	case DotI8:
		var acc int32
		for i := 0; i < n; i++ {
			for j := 0; j < 4; j++ {
				acc += int32(DotU8) * int32(DotS8)
			}
		}
		return float64(acc)
	case IntALU:
		var acc int32
		for i := 0; i < n; i++ {
			acc = acc>>1 + ALUAdd
		}
		return float64(acc)
	case Exp32:
		var acc float32
		e := float32(math.Exp(float64(ExpArg)))
		for i := 0; i < n; i++ {
			acc += e
		}
		return float64(acc)
	}
	return 0
}

// checkCompute verifies a compute probe's result for n iterations.
func checkCompute(p Probe, n int, got, perLane float64) error {
	if want := perLane * float64(p.Lanes); got != want {
		return fmt.Errorf("probe %s: %d iterations on %d lanes returned %v, the scalar computation gives %v", p.Name, n, p.Lanes, got, want)
	}
	return nil
}
