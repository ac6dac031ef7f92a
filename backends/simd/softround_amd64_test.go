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
		softFilterBox(q, p[0], p[1], p[2], p[3], p[4], softFilterC(p[5]))
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

// TestSoftKeys checks softKeysAVX512 and softPlaceAVX512 against their
// twins softKeysGo and softPlaceGo (the driver's scalar loops before
// them): the same keys, arrays and best bit for bit, on lengths
// around the step of 8, with NaN scores and coordinates, zero-area,
// inverted, huge and infinite boxes, plus_one, a single centre, and tied
// and -Inf scores.
func TestSoftKeys(t *testing.T) {
	if _, avx512, _, _ := features(); !avx512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, n := range []int{0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 100, 1000} {
		for form := range 4 {
			boxes, scores := make([]float32, 4*n), make([]float32, n)
			for i := range n {
				x, y := float32(rng.IntN(1000))/7, float32(rng.IntN(1000))/3
				if form == 3 {
					x, y = 5, 5 // one centre
				}
				b := []float32{x, y, x + float32(rng.IntN(50)), y + float32(rng.IntN(50))}
				switch rng.IntN(24) {
				case 0:
					b[rng.IntN(4)] = nan
				case 1:
					b[2] = b[0] - 1 // inverted
				case 2:
					b[2], b[3] = inf, inf
				case 3:
					b[0], b[2] = -3e38, 3e38 // centre finite, x2-x1 not
				case 4:
					b = []float32{inf, inf, inf, inf} // NaN sides, NaN area
				}
				copy(boxes[4*i:], b)
				scores[i] = float32(rng.IntN(100)) / 100
				if form == 2 {
					scores[i] = float32(rng.IntN(3)) - 1 // ties
					if rng.IntN(5) == 0 {
						scores[i] = float32(math.Inf(-1))
					}
				}
				if rng.IntN(9) == 0 {
					scores[i] = nan
				}
			}
			one := float64(form % 2)
			got, want := make([]uint64, n), make([]uint64, n)
			g, w := softKeysAVX512(boxes, scores, one, got), softKeysGo(n)(boxes, scores, one, want)
			if g != w || !slices.Equal(got[:g], want[:w]) {
				t.Fatalf("n=%d form=%d: softKeysAVX512 %d keys %x, twin %d %x", n, form, g, got[:g], w, want[:w])
			}
			// The load in a shuffled order of those keys (softPlace), ties
			// of score included: the same arrays bit for bit and best.
			order := got[:g]
			rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
			var l [2]nmsbox.Soft
			var key [2][]int64
			for k := range 2 {
				l[k] = nmsbox.NewSoft(g)
				key[k] = make([]int64, g)
			}
			m0 := softPlaceAVX512(order, boxes, scores, one, l[0].X1[:g], l[0].Y1[:g], l[0].X2[:g], l[0].Y2[:g], l[0].Area[:g], l[0].Score[:g], l[0].Idx[:g], key[0])
			m1 := softPlaceGo(order, boxes, scores, one, l[1].X1[:g], l[1].Y1[:g], l[1].X2[:g], l[1].Y2[:g], l[1].Area[:g], l[1].Score[:g], l[1].Idx[:g], key[1])
			bits := func(s []float64) []uint64 {
				b := make([]uint64, len(s))
				for j, v := range s {
					b[j] = math.Float64bits(v)
				}
				return b
			}
			for a, pair := range [][2][]float64{{l[0].X1, l[1].X1}, {l[0].Y1, l[1].Y1}, {l[0].X2, l[1].X2}, {l[0].Y2, l[1].Y2}, {l[0].Area, l[1].Area}, {l[0].Score, l[1].Score}} {
				if !slices.Equal(bits(pair[0][:g]), bits(pair[1][:g])) {
					for j := range g {
						if math.Float64bits(pair[0][j]) != math.Float64bits(pair[1][j]) {
							t.Fatalf("n=%d form=%d: softPlaceAVX512 array %d [%d] = %v, twin %v (order %x)", n, form, a, j, pair[0][j], pair[1][j], order[j])
						}
					}
				}
			}
			if m0 != m1 || !slices.Equal(l[0].Idx[:g], l[1].Idx[:g]) || !slices.Equal(key[0], key[1]) {
				t.Fatalf("n=%d form=%d: softPlaceAVX512 best %d idx %v keys %x, twin %d %v %x", n, form, m0, l[0].Idx[:g], key[0], m1, l[1].Idx[:g], key[1])
			}
		}
	}
}

// softKeysGo is the twin of softKeysAVX512 (its meaning: the driver's
// loops before it) for up to n boxes, with its scratch.
func softKeysGo(n int) func(boxes, scores []float32, one float64, keys []uint64) int {
	cx, cy, idx := make([]float64, n), make([]float64, n), make([]int32, n)
	return func(boxes, scores []float32, one float64, keys []uint64) int {
		return softKeysGoScratch(boxes, scores, one, keys, cx, cy, idx)
	}
}

func softKeysGoScratch(boxes, scores []float32, one float64, keys []uint64, cx, cy []float64, idx []int32) int {
	inf := math.Inf(1)
	lx, hx, ly, hy := inf, -inf, inf, -inf
	n := 0
	for i, s := range scores {
		if s != s {
			continue
		}
		x1, y1 := float64(boxes[4*i]), float64(boxes[4*i+1])
		x2, y2 := float64(boxes[4*i+2])+one, float64(boxes[4*i+3])+one
		a, b := x1/2+x2/2, y1/2+y2/2
		if !(x2 > x1 && y2 > y1 && a-a == 0 && b-b == 0) {
			a = math.NaN() // last
		} else {
			lx, hx, ly, hy = min(lx, a), max(hx, a), min(ly, b), max(hy, b)
		}
		cx[n], cy[n], idx[n] = a, b, int32(i)
		n++
	}
	sx, sy := 255.99/(hx-lx), 255.99/(hy-ly)
	spread := func(v float64) uint32 { // bit b to 2b
		if v > 0 { // also false for NaN (0*Inf: a single centre)
			return uint32(mortonSpread[uint8(min(v, 255))])
		}
		return 0
	}
	for j := range n {
		code := uint32(1 << 16)
		if a := cx[j]; a == a {
			code = spread((a-lx)*sx) | spread((cy[j]-ly)*sy)<<1
		}
		keys[j] = uint64(code)<<32 | uint64(idx[j])
	}
	return n
}

// mortonSpread[x] is x with bit b moved to bit 2b.
var mortonSpread = func() (t [256]uint16) {
	for x := range t {
		for b := range 8 {
			t[x] |= uint16(x>>b&1) << (2 * b)
		}
	}
	return t
}()

// softPlaceGo is the twin of softPlaceAVX512 (its meaning: the driver's
// loop before it).
func softPlaceGo(order []uint64, boxes, scores []float32, one float64, x1s, y1s, x2s, y2s, ar, sc []float64, ix []int32, key []int64) int {
	inf := math.Inf(1)
	m, bs, bi := -1, 0.0, int32(0)
	for p, k := range order {
		i := int32(nmsbox.KeyIndex(k))
		x1, y1, x2, y2 := float64(boxes[4*i]), float64(boxes[4*i+1]), float64(boxes[4*i+2]), float64(boxes[4*i+3])
		if x1 != x1 || y1 != y1 || x2 != x2 || y2 != y2 {
			x1s[p], y1s[p], x2s[p], y2s[p], ar[p] = inf, inf, inf, inf, 0
		} else {
			x2, y2 = x2+one, y2+one
			x1s[p], y1s[p], x2s[p], y2s[p] = x1, y1, x2, y2
			ar[p] = max(0, x2-x1) * max(0, y2-y1)
		}
		s := float64(scores[i])
		sc[p], ix[p], key[p] = s, i, int64(i)<<32|int64(8*p)
		if m < 0 || s > bs || s == bs && i < bi {
			m, bs, bi = p, s, i
		}
	}
	return m
}

// TestSoftSigmaMul: gaussian rounds of softRoundAVX512 with softSigmaMul
// (the listed round multiplies by 1/sigma) give the same bits as without
// (it divides by sigma): scores, kill counts, chunk bests and float32
// copies, for powers of two from 2^-1000 (every listed score decays to 0)
// to 2^1022 (e/sigma below the normal range), exact or not, full and
// filtered rounds, round after round.
func TestSoftSigmaMul(t *testing.T) {
	if _, avx512, _, _ := features(); !avx512 {
		t.Skip("no AVX-512")
	}
	for _, sigma := range []float64{0.3, 0.75, 3, -3, 0, math.Inf(1), math.NaN(), 0x1p-1024, 0x1p1023, math.SmallestNonzeroFloat64} {
		if softSigmaPow2(sigma) {
			t.Fatalf("sigma %v: taken as a power of two with a normal reciprocal", sigma)
		}
	}
	rng := rand.New(rand.NewPCG(43, 44))
	for _, sigma := range []float64{0.5, 1, 2, 0.25, -0.5, 0x1p-20, 0x1p20, 0x1p-1000, 0x1p1022} {
		if !softSigmaPow2(sigma) {
			t.Fatalf("sigma %v: not taken as a power of two", sigma)
		}
		for _, n := range []int{17, 271, 1000, 2055} {
			type state struct {
				a     [6][]float64
				cb    []float64
				fc, g []float32
			}
			var st [2]state
			for j := range n {
				x, y := float64(rng.IntN(60)), float64(rng.IntN(60))
				vals := []float64{x, y, x + float64(1+rng.IntN(20)), y + float64(1+rng.IntN(20)), 0, float64(1+rng.IntN(50)) / 50}
				vals[4] = (vals[2] - vals[0]) * (vals[3] - vals[1])
				if j%13 == 5 {
					vals[5] = math.NaN()
				}
				for k := range 2 {
					for a := range 6 {
						if j == 0 {
							st[k].a[a] = make([]float64, n)
						}
						st[k].a[a][j] = vals[a]
					}
				}
			}
			for k := range 2 {
				st[k].cb, st[k].fc = make([]float64, softCB*(softSlot(n, n)+1)), make([]float32, 5*(n&^15))
				st[k].g = make([]float32, softG*((n&^15+softChunk-1)/softChunk))
			}
			l := &softList{Soft: nmsbox.Soft{Idx: make([]int32, n), N: n}, key: make([]int64, n)}
			for j, i := range rng.Perm(n) {
				l.Idx[j] = int32(i)
			}
			l.rekey()
			q := make([]float32, 6)
			for round := range 12 {
				m := rng.IntN(n)
				a := st[0].a
				p := []float64{a[0][m], a[1][m], a[2][m], a[3][m], a[4][m], 0.3, sigma, 0.001}
				softFilterBox(q, p[0], p[1], p[2], p[3], p[4], softFilterC(p[5]))
				full := 0
				if round == 0 || round == 7 {
					full = 1 + round%2
				}
				var killed [2]int
				for k := range 2 {
					s := &st[k]
					s.a[5][m] = math.NaN()
					s.cb[softCB*softSlot(m, n)] = math.NaN()
					killed[k] = softRoundAVX512(s.a[0], s.a[1], s.a[2], s.a[3], s.a[4], s.a[5], l.key, p, s.fc, s.g, q,
						2|k*softSigmaMul, s.cb, full, 1, 0, n, 1-round/4%2)
					if full != 0 {
						softBoundsAVX512(s.fc, s.g, s.cb)
					}
				}
				what := fmt.Sprintf("sigma=%v n=%d round %d", sigma, n, round)
				if killed[0] != killed[1] {
					t.Fatalf("%s: killed %d with softSigmaMul, %d without", what, killed[1], killed[0])
				}
				same := func(x, y []float64) bool {
					return slices.EqualFunc(x, y, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
				}
				if !same(st[1].a[5], st[0].a[5]) || !same(st[1].cb, st[0].cb) || !slices.Equal(st[1].fc, st[0].fc) {
					t.Fatalf("%s: scores, chunk bests or float32 copies differ with softSigmaMul", what)
				}
			}
		}
	}
}
