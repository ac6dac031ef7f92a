package conformance

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Bench runs a `go test -bench` sub-benchmark for every kernel the backend
// implements, at each shape of the kernel's quick set (or the shapes given
// by NBENCH_BENCH_FULL=1: the full set), reporting B/s and GFLOP/s.
func Bench(b *testing.B, be kernel.Backend, full bool) {
	for _, k := range suite.All() {
		shapes := k.Quick
		if full {
			shapes = k.Full
		}
		for _, shape := range shapes {
			p, err := k.ParseParams(shape)
			if err != nil {
				b.Fatal(err)
			}
			it := harness.Item{Kernel: k, Params: p}
			b.Run(it.Name(), func(b *testing.B) { benchCase(b, be, it) })
		}
	}
}

func benchCase(b *testing.B, be kernel.Backend, it harness.Item) {
	c, err := it.Kernel.New(it.Params)
	if err != nil {
		b.Fatal(err)
	}
	bufs := c.Buffers()
	host := suite.Alloc(c)
	ts := make([]kernel.Tensor, len(bufs))
	c.Fill(rand.New(rand.NewPCG(1, 2)), host)
	for i, bf := range bufs {
		if ts[i], err = be.Alloc(bf.DType, bf.Len); err != nil {
			b.Fatal(err)
		}
		defer be.Free(ts[i])
		if err := be.Write(ts[i], host[i].Slice()); err != nil {
			b.Fatal(err)
		}
	}
	k, err := be.Prepare(c.Op(ts))
	if errors.Is(err, kernel.ErrUnimplemented) {
		b.Skip(err)
	}
	if err != nil {
		b.Fatal(err)
	}
	cost := c.Cost()
	b.SetBytes(int64(cost.Bytes))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := k.Run(); err != nil {
			b.Fatal(err)
		}
	}
	if s, ok := be.(kernel.Syncer); ok {
		s.Sync()
	}
	if sec := b.Elapsed().Seconds(); sec > 0 && cost.Flops > 0 {
		b.ReportMetric(cost.Flops*float64(b.N)/sec/1e9, "GFLOP/s")
	}
	if sec := b.Elapsed().Seconds(); sec > 0 && cost.IntOps > 0 {
		b.ReportMetric(cost.IntOps*float64(b.N)/sec/1e9, "GOP/s")
	}
}
