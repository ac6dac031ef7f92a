package suite

import (
	"fmt"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
)

// FillStream is the PCG stream every case's inputs are drawn from ("nbench"),
// so a seed names the same inputs in the harness and in tests.
const FillStream uint64 = 0x6e62656e6368

// Rand returns the generator that fills a case seeded with seed.
func Rand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, FillStream)) }

// Poison values: NaN for floats, a pattern for integers, so an output
// element a kernel never writes is caught.
const (
	PoisonI32 int32 = -0x55555556 // 0xAAAAAAAA
	PoisonU8  uint8 = 0xAA
	PoisonI8  int8  = -0x56
)

// Build parses shape against k and builds its case.
func (k *Kernel) Build(shape string) (Case, error) {
	p, err := k.ParseParams(shape)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", k.Name, shape, err)
	}
	c, err := k.New(p)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", k.Name, shape, err)
	}
	return c, nil
}

// Instance builds k at shape, allocates one host tensor per buffer and
// fills the inputs from Rand(seed); outputs are left zero.
func (k *Kernel) Instance(shape string, seed uint64) (Case, []*kernel.Host, error) {
	c, err := k.Build(shape)
	if err != nil {
		return nil, nil, err
	}
	h := Alloc(c)
	c.Fill(Rand(seed), h)
	return c, h, nil
}

// Instance is Kernel.Instance for the registered kernel name.
func Instance(name, shape string, seed uint64) (Case, []*kernel.Host, error) {
	k, ok := Lookup(name)
	if !ok {
		return nil, nil, fmt.Errorf("kernel %s not registered", name)
	}
	return k.Instance(shape, seed)
}

// Alloc allocates a zeroed host tensor for every buffer of c.
func Alloc(c Case) []*kernel.Host {
	bufs := c.Buffers()
	h := make([]*kernel.Host, len(bufs))
	for i, b := range bufs {
		h[i] = kernel.NewHost(b.DType, b.Len)
	}
	return h
}

// Tensors returns h as kernel tensors, to bind host data into an op.
func Tensors(h []*kernel.Host) []kernel.Tensor {
	ts := make([]kernel.Tensor, len(h))
	for i, x := range h {
		ts[i] = x
	}
	return ts
}

// Poison overwrites every output buffer of c in h with poison values.
func Poison(c Case, h []*kernel.Host) {
	for i, b := range c.Buffers() {
		if b.Out {
			poison(h[i])
		}
	}
}

// Poisoned returns n poison values of type dt ([]float32, []int32, ...).
func Poisoned(dt kernel.DType, n int) any {
	h := kernel.NewHost(dt, n)
	poison(h)
	return h.Slice()
}

func poison(h *kernel.Host) {
	for i := range h.F32 {
		h.F32[i] = NaN32
	}
	for i := range h.I32 {
		h.I32[i] = PoisonI32
	}
	for i := range h.U8 {
		h.U8[i] = PoisonU8
	}
	for i := range h.I8 {
		h.I8[i] = PoisonI8
	}
}

// RunOnce prepares op on b and runs it once, waiting for the result when b
// is a kernel.Syncer.
func RunOnce(b kernel.Backend, op kernel.Op) error {
	k, err := b.Prepare(op)
	if err != nil {
		return fmt.Errorf("%s: prepare: %w", op.Kernel(), err)
	}
	if err := k.Run(); err != nil {
		return fmt.Errorf("%s: run: %w", op.Kernel(), err)
	}
	if s, ok := b.(kernel.Syncer); ok {
		return s.Sync()
	}
	return nil
}
