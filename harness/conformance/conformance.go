// Package conformance is the test driver every backend's tests call: each
// kernel the backend implements runs on the quick and test shapes of its
// suite, on fresh random inputs (seed logged; NBENCH_SEED reproduces), and
// must pass its float64 reference check. It also breaks each output once
// and requires the check to fail, so no check is one that cannot fail.
package conformance

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Options select what a backend must pass.
type Options struct {
	// RequireAll fails the test for every kernel the backend lacks.
	RequireAll bool
	// Kernels restricts the run to these kernel ids (nil = all).
	Kernels []string
	// SkipMutation leaves out Mutate, which tests the suite's checks: no
	// backend or CPU changes them, and under emulation each broken output's
	// check (its float64 reference) costs minutes.
	SkipMutation bool
	// SkipLong leaves out the kernels' Long shapes (emulated runs).
	SkipLong bool
}

// Seed returns the run seed: NBENCH_SEED if set, else a fresh one.
func Seed(t testing.TB) uint64 {
	if s := os.Getenv("NBENCH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("NBENCH_SEED=%q: %v", s, err)
		}
		return v
	}
	return rand.Uint64() >> 1
}

// Run checks backend b against every suite kernel.
func Run(t *testing.T, name string, b kernel.Backend, o Options) {
	seed := Seed(t)
	t.Logf("seed %d (rerun with NBENCH_SEED=%d)", seed, seed)
	want := map[string]bool{}
	for _, k := range o.Kernels {
		want[k] = true
	}
	hb := harness.Backend{Name: name, Backend: b}
	for _, k := range suite.All() {
		if len(want) > 0 && !want[k.Name] {
			continue
		}
		k := k
		t.Run(k.Name, func(t *testing.T) {
			for _, shape := range append(append([]string{}, k.Quick...), k.Tests...) {
				if o.SkipLong && slices.Contains(k.Long, shape) {
					t.Logf("%s: a long shape, left out (SkipLong)", shape)
					continue
				}
				p, err := k.ParseParams(shape)
				if err != nil {
					t.Fatalf("shape %q: %v", shape, err)
				}
				it := harness.Item{Kernel: k, Params: p}
				opt := harness.Options{Seed: seed, NoTiming: true}
				r := harness.Run([]harness.Item{it}, []harness.Backend{hb}, opt)[0]
				switch r.Check.Verdict {
				case suite.Passed:
				case suite.Unimplemented:
					if o.RequireAll {
						t.Errorf("%s: not implemented by %s", it.Name(), name)
					} else {
						t.Skipf("%s: not implemented by %s", it.Name(), name)
					}
					return
				default:
					t.Errorf("%s on %s: %s: %s (err/tol %.3g)", it.Name(), name, r.Check.Verdict, r.Check.Detail, r.Check.ErrRatio)
					continue
				}
				if !o.SkipMutation {
					Mutate(t, hb, it, seed)
				}
			}
		})
	}
}

// Mutate runs the case once, then breaks the first element of each output
// in turn and requires the check to report FAILED.
func Mutate(t *testing.T, b harness.Backend, it harness.Item, seed uint64) {
	t.Helper()
	c, err := it.Kernel.New(it.Params)
	if err != nil {
		t.Fatalf("%s: %v", it.Name(), err)
	}
	cost := c.Cost()
	if cost.Bytes == 0 && cost.Flops == 0 && cost.IntOps == 0 {
		return // an empty problem has no output to break
	}
	bufs := c.Buffers()
	host := suite.Alloc(c)
	c.Fill(suite.Rand(harness.CaseSeed(seed, it.Name())), host)
	ts := make([]kernel.Tensor, len(bufs))
	for i, bf := range bufs {
		tt, err := b.Alloc(bf.DType, bf.Len)
		if err != nil {
			t.Fatalf("alloc: %v", err)
		}
		defer b.Free(tt)
		ts[i] = tt
		if err := b.Write(tt, host[i].Slice()); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	k, err := b.Prepare(c.Op(ts))
	if err != nil {
		t.Fatalf("%s: prepare: %v", it.Name(), err)
	}
	if err := k.Run(); err != nil {
		t.Fatalf("%s: run: %v", it.Name(), err)
	}
	if s, ok := b.Backend.(kernel.Syncer); ok {
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	for i, bf := range bufs {
		if bf.Out {
			if err := b.Read(host[i].Slice(), ts[i]); err != nil {
				t.Fatalf("read: %v", err)
			}
		}
	}
	for i, bf := range bufs {
		if !bf.Out || bf.Len == 0 {
			continue
		}
		if p, ok := c.(suite.Partial); ok && p.Unspecified(host, i) {
			continue // element 0 holds no value in this output
		}
		undo := breakFirst(host[i])
		if got := c.Check(host).Verdict; got != suite.Failed {
			t.Errorf("%s: output %s[0] broken, but the check says %s: the check cannot catch it", it.Name(), bf.Name, got)
		}
		undo()
	}
}

// breakFirst corrupts element 0 of h and returns a function restoring it.
func breakFirst(h *kernel.Host) func() {
	switch h.DType() {
	case kernel.F32:
		old := h.F32[0]
		v := float64(old)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			h.F32[0] = 0
		} else {
			h.F32[0] = float32(v + 1 + 0.25*math.Abs(v))
		}
		return func() { h.F32[0] = old }
	case kernel.I32:
		old := h.I32[0]
		h.I32[0] = old + 1
		return func() { h.I32[0] = old }
	case kernel.U8:
		old := h.U8[0]
		h.U8[0] = old + 1
		return func() { h.U8[0] = old }
	default:
		old := h.I8[0]
		h.I8[0] = old + 1
		return func() { h.I8[0] = old }
	}
}
