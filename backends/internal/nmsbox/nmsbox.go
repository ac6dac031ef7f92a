// Package nmsbox holds the candidate bookkeeping the CPU backends (go,
// simd) share for NMS: the score order and the Soft-NMS candidate list.
// The suppression sweeps, which differ per backend, stay in the backends.
package nmsbox

import "math"

// ScoreKey packs a score and an index into a uint64 whose ascending order
// is score descending, then index ascending: one allocation-free sort gives
// the stable score order. -0 is folded into +0 so the two tie.
func ScoreKey(s float32, i int) uint64 {
	if s == 0 {
		s = 0
	}
	u := math.Float32bits(s)
	if u>>31 != 0 {
		u = ^u
	} else {
		u |= 1 << 31
	}
	return uint64(^u)<<32 | uint64(uint32(i))
}

// KeyIndex is the index packed into a ScoreKey.
func KeyIndex(k uint64) int { return int(uint32(k)) }

// scoreKeys writes the keys of the boxes scoring at least thr, in index
// order, and returns them.
func scoreKeys(keys []uint64, scores []float32, thr float32) []uint64 {
	m := 0
	for i, s := range scores {
		if s >= thr { // false for NaN
			keys[m] = ScoreKey(s, i)
			m++
		}
	}
	return keys[:m]
}

// Kept writes, in score order, the index of every candidate ks[p] with
// kept[p] set into keep and returns how many there are.
func Kept(keep []int32, ks []uint64, kept []bool) int32 {
	c := 0
	for p, k := range ks {
		if kept[p] {
			keep[c] = int32(KeyIndex(k))
			c++
		}
	}
	return int32(c)
}

// Soft is the Soft-NMS candidate list in index order (so a strict > argmax
// breaks ties to the lowest index). Coordinates are float64: differences
// and products of float32 coordinates are then exact. X2 and Y2 hold
// x2+one and y2+one. A dead candidate has score NaN; N is the list length,
// dead entries included.
type Soft struct {
	X1, Y1, X2, Y2, Area, Score []float64
	Idx                         []int32
	N                           int
}

// NewSoft allocates a list for n candidates.
func NewSoft(n int) Soft {
	return Soft{X1: make([]float64, n), Y1: make([]float64, n), X2: make([]float64, n), Y2: make([]float64, n),
		Area: make([]float64, n), Score: make([]float64, n), Idx: make([]int32, n)}
}

// Load fills the list with the candidates (NaN scores dropped) and returns
// the position of the first maximum (-1 if none). A box with a NaN
// coordinate sits at +Inf with area 0, where it overlaps nothing (NaN IoU
// never suppresses).
func (c *Soft) Load(boxes, scores []float32, one float64) int {
	n, m, inf := 0, -1, math.Inf(1)
	for i, s := range scores {
		if s != s {
			continue
		}
		x1, y1, x2, y2 := float64(boxes[4*i]), float64(boxes[4*i+1]), float64(boxes[4*i+2]), float64(boxes[4*i+3])
		if x1 != x1 || y1 != y1 || x2 != x2 || y2 != y2 {
			c.X1[n], c.Y1[n], c.X2[n], c.Y2[n], c.Area[n] = inf, inf, inf, inf, 0
		} else {
			x2, y2 = x2+one, y2+one
			c.X1[n], c.Y1[n], c.X2[n], c.Y2[n] = x1, y1, x2, y2
			c.Area[n] = max(0, x2-x1) * max(0, y2-y1)
		}
		c.Score[n], c.Idx[n] = float64(s), int32(i)
		if m < 0 || c.Score[n] > c.Score[m] {
			m = n
		}
		n++
	}
	c.N = n
	return m
}

// Compact moves the live candidates to the front, in order, and returns
// the new position of the one at m.
func (c *Soft) Compact(m int) int {
	w, mw := 0, -1
	for j := range c.N {
		if c.Score[j] != c.Score[j] {
			continue
		}
		if j == m {
			mw = w
		}
		c.X1[w], c.Y1[w], c.X2[w], c.Y2[w], c.Area[w], c.Score[w], c.Idx[w] = c.X1[j], c.Y1[j], c.X2[j], c.Y2[j], c.Area[j], c.Score[j], c.Idx[j]
		w++
	}
	c.N = w
	return mw
}

// Greedy holds hard-NMS candidates in score order as separate coordinate
// arrays, the layout the sweeps stream through, with each one's rank (its
// position in score order, -1 once suppressed). Area -1 marks an inert box
// (a NaN coordinate), which neither suppresses nor is suppressed. Whether
// X2 and Y2 have the plus_one convention folded in is the backend's choice.
type Greedy struct {
	X1, Y1, X2, Y2, Area []float32
	Rank                 []int32
}

// NewGreedy allocates room for n candidates.
func NewGreedy(n int) Greedy {
	return Greedy{make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n),
		make([]float32, n), make([]int32, n)}
}

// KeepFirst is the sweep over [lo, hi) when IoU >= 0 suppresses: that holds
// for every pair, disjoint ones too, so the first box suppresses all others
// except the inert ones.
func (g Greedy) KeepFirst(lo, hi int, kept []bool) {
	first := true
	for p := lo; p < hi; p++ {
		if g.Area[p] < 0 || first {
			kept[g.Rank[p]] = true
			first = first && g.Area[p] < 0
		}
	}
}

// Compact moves the live boxes of [lo, hi) to its front, in order, and
// returns the new end.
func (g Greedy) Compact(lo, hi int) int {
	w := lo
	for j := lo; j < hi; j++ {
		if g.Rank[j] >= 0 {
			g.X1[w], g.Y1[w], g.X2[w], g.Y2[w], g.Area[w], g.Rank[w] = g.X1[j], g.Y1[j], g.X2[j], g.Y2[j], g.Area[j], g.Rank[j]
			w++
		}
	}
	return w
}
