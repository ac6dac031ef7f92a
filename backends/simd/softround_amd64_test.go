//go:build !purego

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nbench/nbench/backends/internal/nmsbox"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// TestSoftRound runs softRoundAVX512 for several rounds on random
// candidate lists (lengths around the chunk and step sizes, dead, tied and
// zero-area candidates, below-threshold scores in round 1, full rounds of
// both kinds, mono on and off, boxes in random order or in strips along x,
// where most chunks lie apart from the selected box, and rounds split at a
// chunk bound) against rounds of softPassGo: identical scores and kill
// counts (linear, hard) or within 1e-14 (gaussian), and every chunk best
// its chunk's largest score of least original index (a random permutation:
// not the position).
func TestSoftRound(t *testing.T) {
	if _, avx512, _, _ := features(); !avx512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(41, 42))
	for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 100, 255, 256, 257, 271, 512, 1000, 2055} {
		for layout := range 2 {
			for method := 0; method <= 2; method++ {
				softRoundCase(t, rng, n, layout == 1, method)
			}
		}
	}
}

func softRoundCase(t *testing.T, rng *rand.Rand, n int, strips bool, method int) {
	var c [2][6][]float64
	for k := range 2 {
		for a := range 6 {
			c[k][a] = make([]float64, n)
		}
	}
	for j := range n {
		x, y := float64(rng.IntN(60)), float64(rng.IntN(60))
		if strips {
			x = float64(j*600/max(n, 1) + rng.IntN(5))
		}
		vals := []float64{x, y, x + float64(rng.IntN(20)), y + float64(rng.IntN(20)), 0, float64(rng.IntN(50)) / 50}
		vals[4] = (vals[2] - vals[0]) * (vals[3] - vals[1])
		if j%13 == 5 {
			vals[5] = math.NaN()
		}
		for k := range 2 {
			for a := range 6 {
				c[k][a][j] = vals[a]
			}
		}
	}
	l := &softList{Soft: nmsbox.Soft{X1: c[0][0], Y1: c[0][1], X2: c[0][2], Y2: c[0][3], Area: c[0][4], Score: c[0][5],
		Idx: make([]int32, n), N: n}, key: make([]int64, n)}
	for j, i := range rng.Perm(n) {
		l.Idx[j] = int32(i)
	}
	cb, fc, q := make([]float64, softCB*(softSlot(n, n)+1)), make([]float32, 5*(n&^15)), make([]float32, 6)
	g := make([]float32, softG*((n&^15+softChunk-1)/softChunk))
	l.rekey()
	var best [16]float64
	for round := range 8 {
		if n == 0 {
			break
		}
		m := rng.IntN(n)
		p := []float64{c[0][0][m], c[0][1][m], c[0][2][m], c[0][3][m], c[0][4][m], 0.3, 0.5, 0.02}
		softFilterBox(q, p[0], p[1], p[2], p[3], p[4], p[5])
		full := 0
		switch round {
		case 0:
			full = 1 // scores below thr
		case 3:
			full = 2 // as after a compaction
		}
		for k := range 2 {
			c[k][5][m] = math.NaN()
		}
		cb[softCB*softSlot(m, n)] = math.NaN()
		mono := (n + round) % 2
		exact := round / 2 % 2 // the coordinates are integers
		var k0 int
		if split := softChunk * ((n&^15 + softChunk - 1) / softChunk / 2); round%2 == 1 && split > 0 {
			k0 = softRoundAVX512(c[0][0], c[0][1], c[0][2], c[0][3], c[0][4], c[0][5], l.key, p, fc, g, q, method, cb, full, mono, 0, split, exact)
			k0 += softRoundAVX512(c[0][0], c[0][1], c[0][2], c[0][3], c[0][4], c[0][5], l.key, p, fc, g, q, method, cb, full, mono, split, n, exact)
		} else {
			k0 = softRoundAVX512(c[0][0], c[0][1], c[0][2], c[0][3], c[0][4], c[0][5], l.key, p, fc, g, q, method, cb, full, mono, 0, n, exact)
		}
		if full != 0 {
			// The bounds and their twin's agree.
			cb2, g2 := slices.Clone(cb), slices.Clone(g)
			softBoundsAVX512(fc, g, cb)
			softBoundsGo(fc, g2, cb2)
			if !slices.Equal(g, g2) || !slices.Equal(cb, cb2) {
				t.Fatalf("n=%d round %d: softBoundsAVX512 %v %v, twin %v %v", n, round, g, cb, g2, cb2)
			}
		}
		k1 := softPassGo(c[1][0], c[1][1], c[1][2], c[1][3], c[1][4], c[1][5], p, method, best[:])
		what := fmt.Sprintf("n=%d strips=%v method=%d round=%d", n, strips, method, round)
		if k0 != k1 {
			t.Fatalf("%s: killed %d, want %d", what, k0, k1)
		}
		for j := range n {
			g, w := c[0][5][j], c[1][5][j]
			if math.IsNaN(g) != math.IsNaN(w) || !math.IsNaN(g) && g != w && (method < 2 || math.Abs(g-w) > 1e-14*math.Abs(w)) {
				t.Fatalf("%s: score[%d] = %v, want %v", what, j, g, w)
			}
		}
		for j := range n {
			c[1][5][j] = c[0][5][j] // rounds go on from the same scores
		}
		for s := range softSlot(n, n) + 1 {
			lo, hi := s*softChunk, min((s+1)*softChunk, n&^15)
			if s == softSlot(n, n) {
				lo, hi = n&^15, n
			}
			bs, bi := math.Inf(-1), -1.0
			for j := lo; j < hi; j++ {
				if sc := c[0][5][j]; sc > bs || sc == bs && (bi < 0 || l.Idx[j] < l.Idx[int(bi)]) {
					bs, bi = sc, float64(j)
				}
			}
			if cb[softCB*s] != bs || cb[softCB*s+1] != bi {
				t.Fatalf("%s: chunk %d [%d,%d) best %v at %v, want %v at %v", what, s, lo, hi, cb[softCB*s], cb[softCB*s+1], bs, bi)
			}
		}
	}
}

// TestSoftRoundSameAsPass: soft_nms with chunked rounds keeps the same
// boxes with bit-identical scores as with rounds of softPassAVX512, on suite
// inputs (the adversarial fills, plus_one, Nt = 0, a negative threshold, so
// mono off) at one and three threads.
func TestSoftRoundSameAsPass(t *testing.T) {
	if _, avx512, _, _ := features(); !avx512 {
		t.Skip("no AVX-512")
	}
	k, _ := suite.Lookup("soft_nms")
	for _, sh := range []string{"N=5000", "N=3000,method=gaussian", "N=2000,method=hard", "N=500,fill=special,method=gaussian,plus_one=true",
		"N=333,fill=special,Nt=0.5", "N=1000,method=hard,Nt=0", "N=2000,threshold=-0.5", "N=700,method=gaussian,fill=identical,plus_one=true"} {
		c, err := k.Build(sh)
		if err != nil {
			t.Fatal(err)
		}
		var outs [2][]*kernel.Host
		for _, threads := range []int{1, 3} {
			for form := range 2 {
				host := suite.Alloc(c)
				c.Fill(rand.New(rand.NewPCG(5, 6)), host)
				ts := make([]kernel.Tensor, len(host))
				for i, h := range host {
					ts[i] = h
				}
				bd, err := softBackend(t, threads, form == 1).Prepare(c.Op(ts))
				if err != nil {
					t.Fatal(err)
				}
				if err := bd.Run(); err != nil {
					t.Fatal(err)
				}
				outs[form] = host
			}
			n := outs[0][4].I32[0]
			if got := outs[1][4].I32[0]; got != n {
				t.Fatalf("%s threads=%d: kept %d, rounds of the pass %d", sh, threads, got, n)
			}
			for i := range n {
				if outs[1][2].I32[i] != outs[0][2].I32[i] || math.Float32bits(outs[1][3].F32[i]) != math.Float32bits(outs[0][3].F32[i]) {
					t.Fatalf("%s threads=%d: keep[%d] = %d (%v), rounds of the pass %d (%v)", sh, threads, i,
						outs[1][2].I32[i], outs[1][3].F32[i], outs[0][2].I32[i], outs[0][3].F32[i])
				}
			}
		}
	}
}

// softBackend is a simd backend whose soft_nms runs chunked rounds
// (softRound) or, without chunked, rounds of softPass only.
func softBackend(t *testing.T, threads int, chunked bool) *Backend {
	t.Helper()
	b, err := New(kernel.Config{Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	if !chunked {
		lv := *b.lv
		lv.softRound = nil
		b.lv = &lv
	}
	return b
}

// softBoundsGo is the twin of softBoundsAVX512: it sets softRoundAVX512's bounding boxes of the groups of 16 (g) and
// of the chunks (cb) from the float32 copies fc a full round wrote (rounded
// outward: they hold the boxes), of the boxes that can overlap at all:
// min(ax2, x2) - max(ax1, x1) <= x2 - x1, so one with x2 <= x1 (or y2 <=
// y1: zero area, at infinity) intersects none; g also holds the least area
// of a group's boxes. A group or chunk of none is empty (+Inf, +Inf, -Inf,
// -Inf; area +Inf).
func softBoundsGo(fc, g []float32, cb []float64) {
	w := len(fc) / 5
	inf := float32(math.Inf(1))
	for s := range len(g) / softG {
		cx1, cy1, cx2, cy2 := inf, inf, -inf, -inf
		gs := g[softG*s : softG*s+softG]
		for i := range softChunk / 16 {
			x1, y1, x2, y2, ar := inf, inf, -inf, -inf, inf
			if gi := softChunk/16*s + i; 16*gi < w {
				f := fc[80*gi : 80*gi+80]
				// Plain compares: no copy is NaN (nmsbox.Soft.Load).
				for l := range 16 {
					a, b, cc, d := f[l], f[16+l], f[32+l], f[48+l]
					if cc > a && d > b {
						if a < x1 {
							x1 = a
						}
						if b < y1 {
							y1 = b
						}
						if cc > x2 {
							x2 = cc
						}
						if d > y2 {
							y2 = d
						}
						if f[64+l] < ar {
							ar = f[64+l]
						}
					}
				}
			}
			gs[i], gs[16+i], gs[32+i], gs[48+i], gs[64+i] = x1, y1, x2, y2, ar
			cx1, cy1, cx2, cy2 = min(cx1, x1), min(cy1, y1), max(cx2, x2), max(cy2, y2)
		}
		cb[softCB*s+2], cb[softCB*s+3], cb[softCB*s+4], cb[softCB*s+5] = float64(cx1), float64(cy1), float64(cx2), float64(cy2)
	}
}

// TestSoftCompact checks softCompactAVX512 against its twin softCompactGo
// (the driver's compaction before it): the same arrays bit for bit
// (nothing written past the new length), keys and new position of m, on
// lengths around the vector of 8 with none, few, half, most and all
// candidates dead.
func TestSoftCompact(t *testing.T) {
	if _, avx512, _, _ := features(); !avx512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 257, 1000} {
		for _, pDead := range []float64{0, 0.1, 0.5, 0.9, 1} {
			var l [2]*softList
			for k := range l {
				s := nmsbox.NewSoft(n + 3)
				l[k] = &softList{Soft: s, key: make([]int64, n+3)}
			}
			perm := rng.Perm(n + 3)
			for j := range n + 3 {
				vals := []float64{rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64()}
				if rng.Float64() < pDead {
					vals[5] = math.NaN()
				}
				for _, c := range l {
					c.X1[j], c.Y1[j], c.X2[j], c.Y2[j], c.Area[j], c.Score[j] = vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]
					c.Idx[j], c.key[j] = int32(perm[j]), -7
				}
			}
			ms := []int{-1}
			for j := range n {
				if l[0].Score[j] == l[0].Score[j] {
					ms = append(ms, j)
				}
			}
			m := ms[rng.IntN(len(ms))]
			w, c := l[0], l[1]
			wn, wm := softCompactGo(w.X1[:n], w.Y1[:n], w.X2[:n], w.Y2[:n], w.Area[:n], w.Score[:n], w.Idx[:n], w.key[:n], m)
			gn, gm := softCompactAVX512(c.X1[:n], c.Y1[:n], c.X2[:n], c.Y2[:n], c.Area[:n], c.Score[:n], c.Idx[:n], c.key[:n], m)
			name := fmt.Sprintf("n=%d dead=%g m=%d", n, pDead, m)
			if gn != wn || gm != wm {
				t.Fatalf("%s: n, m = %d, %d, want %d, %d", name, gn, gm, wn, wm)
			}
			for a, pair := range [][2][]float64{{w.X1, c.X1}, {w.Y1, c.Y1}, {w.X2, c.X2}, {w.Y2, c.Y2}, {w.Area, c.Area}, {w.Score, c.Score}} {
				for j := range n + 3 {
					if x, y := pair[0][j], pair[1][j]; math.Float64bits(x) != math.Float64bits(y) {
						t.Fatalf("%s: array %d [%d] = %v, want %v", name, a, j, y, x)
					}
				}
			}
			for j := range n + 3 {
				if c.Idx[j] != w.Idx[j] || c.key[j] != w.key[j] {
					t.Fatalf("%s: idx, key [%d] = %d, %d, want %d, %d", name, j, c.Idx[j], c.key[j], w.Idx[j], w.key[j])
				}
			}
		}
	}
}

// softCompactGo is the twin of softCompactAVX512: nmsbox.Soft.Compact,
// then rekey, on the arrays.
func softCompactGo(x1, y1, x2, y2, area, score []float64, idx []int32, key []int64, m int) (n, mw int) {
	c := &softList{Soft: nmsbox.Soft{X1: x1, Y1: y1, X2: x2, Y2: y2, Area: area, Score: score, Idx: idx, N: len(score)}, key: key}
	mw = c.Compact(m)
	c.rekey()
	return c.N, mw
}

// rekey sets the keys of the list (softList.key's meaning).
func (c *softList) rekey() {
	for j := range c.N {
		c.key[j] = int64(c.Idx[j])<<32 | int64(8*j)
	}
}
