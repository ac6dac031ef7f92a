// Package suite is the contract between kernel definitions (suites/<family>)
// and the harness: what a kernel means, at which shapes it runs, how its
// inputs are drawn, its float64 reference and its pass rule, and its costs.
//
// References live here, in the suites, and never in a backend.
package suite

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/nbench/nbench/kernel"
)

// Families in display order.
var Families = []string{"norms", "attention", "qmatmul", "nms", "losses"}

// Kernel describes one kernel of a suite.
type Kernel struct {
	Name    string // kernel id, e.g. "layernorm"; matches kernel.Op.Kernel() of the op it builds
	Family  string // one of Families
	Summary string
	// Params lists every parameter key with its default; a shape string
	// ("R=2048,C=4096") overrides some of them. Unknown keys are errors.
	Params []Param
	// Quick runs in CI and `--quick` (each case well under 50 ms, edge-case
	// fills included); Full is drawn from real models; Tests are extra
	// small, odd and degenerate shapes that only the conformance tests run.
	Quick, Full, Tests []string
	// Long are Tests shapes whose float64 references take minutes under
	// emulation (thousands of boxes); emulated conformance runs leave them
	// out (conformance.Options.SkipLong), native runs keep them.
	Long []string
	// Gate holds mid-sized shapes for the regression gate (`nbench ab`,
	// `nbench ci`, `baseline save`): each runs roughly 0.1 to 20 ms at one
	// thread on both the go and simd backends, with default (normal) fills,
	// and together they cover the kernel's main code paths (usually one
	// shape, two where the kernel has distinct paths, e.g. causal or not).
	// Sub-microsecond cases measure the timer, not the kernel. Every gate
	// round runs all of them on two backends, so keep the total small.
	Gate []string
	// CostDoc says what the counts of Case.Cost include (`nbench list -v`):
	// which operations, which bytes, and what depends on the inputs.
	CostDoc string
	// New builds a case from complete parameters.
	New func(p Params) (Case, error)
}

// Param is one parameter of a kernel.
type Param struct {
	Key, Default, Doc string
}

// Buffer is one tensor of a case: its name, type, length and whether the
// kernel writes it. Outputs are poisoned before every checked run.
type Buffer struct {
	Name  string
	DType kernel.DType
	Len   int
	Out   bool
}

// Cost is the work of one run: the least work the computation needs for
// these inputs (KERNELS.md's counts), so that achieved rates over it, and
// their share of a machine's ceilings, are lower bounds of what a kernel
// did, never inflated by a worst case or by work it may skip.
type Cost struct {
	Flops  float64 // floating-point operations (FMA = 2), transcendentals included
	F64    bool    // Flops are float64 operations (Soft-NMS): their ceiling is the fp64 FMA peak
	Trans  float64 // transcendentals (exp, log, sqrt, ...), also counted in Flops
	IntOps float64 // int8 multiply-accumulate ops of dot products (never mixed into Flops)
	ALUOps float64 // integer shift and add ops (RepQuant's shift-based P@V)
	Bytes  float64 // minimal compulsory traffic: every input read once, every output written once
	// Written is the part of Bytes that is stored (the outputs); 0 when
	// unknown. It picks the bandwidth ceiling: a kernel that only reads
	// cannot use the extra bandwidth that mixing in writes gives some
	// machines. The harness sets it from the output buffers.
	Written float64
	// Reread is the traffic of the passes a kernel must make again over
	// data that exceeds what the cache keeps of one pass (BatchNorm
	// training reads x for its statistics, then again for the output):
	// Resolve adds it to Bytes when the case's data does not fit.
	Reread float64
}

// Resolve returns the cost of a run over data of dataBytes on a machine
// whose caches keep llc bytes of one pass for the next (the last-level
// cache, or less: machine.Caches.PassReach): Reread joins Bytes when the
// data exceeds that (llc <= 0: unknown, so no second pass is counted).
func (c Cost) Resolve(dataBytes, llc int64) Cost {
	if c.Reread > 0 && llc > 0 && dataBytes > llc {
		c.Bytes += c.Reread
	}
	c.Reread = 0
	return c
}

// DataCoster is implemented by cases whose least work depends on the input
// values: greedy NMS evaluates only the IoUs its suppressions leave, a
// masked loss reads only the samples it keeps. DataCost counts that work
// from the inputs (in Buffers order) with the suite's own reference
// algorithm, never from a backend; the harness uses it instead of Cost.
type DataCoster interface {
	DataCost(data []*kernel.Host) Cost
}

// Case is one kernel at one set of parameters.
type Case interface {
	// Buffers lists the tensors of the case, inputs and outputs.
	Buffers() []Buffer
	// Fill draws the inputs (host data, in Buffers order) from rng; output
	// buffers must be left alone.
	Fill(rng *rand.Rand, data []*kernel.Host)
	// Op binds the backend tensors (in Buffers order) into the kernel's op.
	Op(t []kernel.Tensor) kernel.Op
	// Check computes the float64 reference from the inputs and judges the
	// outputs in data.
	Check(data []*kernel.Host) Check
	Cost() Cost
}

// Params is an ordered set of key=value parameters.
type Params struct {
	keys []string
	vals map[string]string
}

// ParseParams parses "k=v,k=v" against the kernel's parameter list, filling
// defaults. An unknown key or a repeated key is an error naming it.
func (k *Kernel) ParseParams(shape string) (Params, error) {
	p := Params{vals: map[string]string{}}
	for _, d := range k.Params {
		p.keys = append(p.keys, d.Key)
		p.vals[d.Key] = d.Default
	}
	seen := map[string]bool{}
	if strings.TrimSpace(shape) == "" {
		return p, nil
	}
	for _, part := range strings.Split(shape, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || key == "" || val == "" {
			return p, fmt.Errorf("malformed shape part %q (want key=value, e.g. %s)", part, k.example())
		}
		if _, known := p.vals[key]; !known {
			return p, fmt.Errorf("kernel %s has no parameter %q (parameters: %s)", k.Name, key, strings.Join(p.keys, ", "))
		}
		if seen[key] {
			return p, fmt.Errorf("parameter %q given twice", key)
		}
		seen[key] = true
		p.vals[key] = val
	}
	return p, nil
}

func (k *Kernel) example() string {
	var parts []string
	for i, d := range k.Params {
		if i == 2 {
			break
		}
		parts = append(parts, d.Key+"="+d.Default)
	}
	return strings.Join(parts, ",")
}

// String renders the parameters in declaration order: "R=2048/C=4096".
func (p Params) String() string {
	parts := make([]string, len(p.keys))
	for i, k := range p.keys {
		parts[i] = k + "=" + p.vals[k]
	}
	return strings.Join(parts, "/")
}

// Keys returns the parameter keys in declaration order.
func (p Params) Keys() []string { return p.keys }

// Get returns the raw value of key.
func (p Params) Get(key string) string { return p.vals[key] }

// Registry of kernels, filled by each family package's init.
var registry = map[string]*Kernel{}

// Register adds kernels; a duplicate name is a programming error.
func Register(ks ...*Kernel) {
	for _, k := range ks {
		if _, dup := registry[k.Name]; dup {
			panic("suite: kernel registered twice: " + k.Name)
		}
		registry[k.Name] = k
	}
}

// All returns every registered kernel, by family order then name.
func All() []*Kernel {
	order := map[string]int{}
	for i, f := range Families {
		order[f] = i
	}
	ks := make([]*Kernel, 0, len(registry))
	for _, k := range registry {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if order[ks[i].Family] != order[ks[j].Family] {
			return order[ks[i].Family] < order[ks[j].Family]
		}
		return ks[i].Name < ks[j].Name
	})
	return ks
}

// Lookup returns the kernel named name.
func Lookup(name string) (*Kernel, bool) {
	k, ok := registry[name]
	return k, ok
}

// Shape renders the parameters as a --shape value: "R=2048,C=4096".
func (p Params) Shape() string { return strings.ReplaceAll(p.String(), "/", ",") }

// Partial is implemented by cases whose outputs are only partly defined,
// such as NMS keep lists past the kept count: Unspecified reports whether
// element 0 of buffer buf holds no value in these outputs, so the
// conformance driver does not require a check to catch a change there.
type Partial interface {
	Unspecified(data []*kernel.Host, buf int) bool
}
