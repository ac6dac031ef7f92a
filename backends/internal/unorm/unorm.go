// Package unorm is the window bookkeeping of Unified Normalization (UN1d)
// training (KERNELS.md 1): the ring of per-channel mean squares, the
// outlier filtration and the choice between this batch's statistic and the
// window's geometric mean. It is O(W*C) scalar work, shared by the CPU
// backends so the filtration's discrete decision is made by one piece of
// code; the backends compute the O(M*C) mean squares their own way.
package unorm

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

// Step is the bookkeeping of one bound UnifiedNormTrain op (scratch
// allocated once, so Update does not allocate).
type Step struct {
	op                        *kernel.UnifiedNormTrain
	w, buf, rv, newBuf, newRV []float32
	slot, sq, gm              []float32
}

// New binds op's tensors.
func New(op *kernel.UnifiedNormTrain) *Step {
	c, win := op.C, op.Window
	s := &Step{op: op, w: kernel.F32s(op.Weight), buf: kernel.F32s(op.Buf), rv: kernel.F32s(op.RunVar),
		newBuf: kernel.F32s(op.NewBuf), newRV: kernel.F32s(op.NewRunVar),
		sq: make([]float32, win*c), gm: make([]float32, c)}
	s.slot = s.newBuf[(op.Iter%win)*c : (op.Iter%win+1)*c]
	return s
}

// Empty is the step of a batch of no rows: the state passes through.
func (s *Step) Empty() {
	copy(s.newBuf, s.buf)
	copy(s.newRV, s.rv)
}

// Update takes x2, the per-channel mean of x² over the batch, writes the
// new window and running variance, and sets k[j] = weight[j] / sqrt(var[j]
// + eps) with var this batch's x2 or the window's geometric mean.
func (s *Step) Update(x2, k []float32) {
	op, c, win := s.op, s.op.C, s.op.Window
	copy(s.newBuf, s.buf)
	copy(s.slot, x2)
	trig := false
	if op.Filter && op.Iter >= op.Warmup {
		// rec: unbiased variance of sqrt(buf) over the window, before the write.
		var mean, m2 float64
		for i, v := range s.buf {
			s.sq[i] = float32(math.Sqrt(float64(v)))
			mean += float64(s.sq[i])
		}
		mean /= float64(len(s.sq))
		for _, v := range s.sq {
			m2 += (float64(v) - mean) * (float64(v) - mean)
		}
		thr := float32(m2 / float64(len(s.sq)-1) * float64(win))
		s.geo()
		for j, g := range s.gm {
			var am float32
			for t := 0; t < win; t++ {
				am += s.newBuf[t*c+j]
			}
			if am/float32(win)-g > thr {
				trig = true
			}
		}
		if trig { // skip this batch: the window keeps the running var
			copy(s.slot, s.rv)
		}
	}
	variance := x2
	if !(op.Iter <= win || op.Iter < op.Warmup || trig || win <= 1) {
		if !op.Filter { // else geo ran for the filtration, on this window
			s.geo()
		}
		variance = s.gm
	}
	mom := op.Momentum
	for j, v := range variance[:c] {
		k[j] = s.w[j] * float32(1/math.Sqrt(float64(v+op.Eps)))
		s.newRV[j] = mom*s.rv[j] + (1-mom)*v
	}
}

// geo writes the per-channel geometric mean of the window into gm (O(W*C)
// logs, so float64 math costs nothing).
func (s *Step) geo() {
	c, win := s.op.C, s.op.Window
	for j := range s.gm {
		var l float32
		for t := 0; t < win; t++ {
			l += float32(math.Log(float64(s.newBuf[t*c+j])))
		}
		s.gm[j] = float32(math.Exp(float64(l / float32(win))))
	}
}
