package external

import (
	"fmt"
	"time"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Overhead is the cost of the protocol on a near-empty kernel (selu of one
// element): RoundTrip is one untimed run request as nbench sees it (JSON
// both ways, the pipe, the worker's dispatch and the input checksums);
// PerCall is one call inside a timed batch as the worker times it (what
// every timed result of the backend includes beyond the kernel's work).
type Overhead struct {
	RoundTrip, PerCall time.Duration
}

// MeasureOverhead measures b's Overhead: the median of reps round trips,
// and a batch of n calls divided by n.
func MeasureOverhead(b kernel.Backend, reps, n int) (Overhead, error) {
	c, host, err := suite.Instance("selu", "E=1", 1)
	if err != nil {
		return Overhead{}, err
	}
	ts := make([]kernel.Tensor, len(host))
	for i, bf := range c.Buffers() {
		if ts[i], err = b.Alloc(bf.DType, bf.Len); err != nil {
			return Overhead{}, err
		}
		defer b.Free(ts[i])
		if err := b.Write(ts[i], host[i].Slice()); err != nil {
			return Overhead{}, err
		}
	}
	k, err := b.Prepare(c.Op(ts))
	if err != nil {
		return Overhead{}, err
	}
	bt, ok := b.(kernel.BatchTimer)
	if !ok {
		return Overhead{}, fmt.Errorf("%s times no batches", b.Name())
	}
	rt := make([]float64, reps)
	for i := range rt {
		start := time.Now()
		if err := k.Run(); err != nil {
			return Overhead{}, err
		}
		rt[i] = float64(time.Since(start))
	}
	d, err := bt.TimeBatch([]kernel.Bound{k}, n)
	if err != nil {
		return Overhead{}, err
	}
	return Overhead{RoundTrip: time.Duration(harness.Summarize(rt).Median), PerCall: d / time.Duration(n)}, nil
}
