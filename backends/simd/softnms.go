package simd

import (
	"math"

	"github.com/nbench/nbench/backends/internal/nmsbox"
	"github.com/nbench/nbench/backends/internal/par"
	"github.com/nbench/nbench/kernel"
)

// Soft-NMS (KERNELS.md 4.2, official semantics, ties to the lowest index):
// each round selects the best live candidate and the vector pass
// (softPassAVX512: 8 candidates at a time in float64; softPassNEON: 2)
// decays, kills and ranks all others at once. Coordinates are float64, so
// differences and products of float32 coordinates are exact (no
// cancellation in 1-IoU); a dead candidate's score is NaN and the list is
// compacted once more than 1/32 of it is dead. Large lists split a round's
// pass across the workers. The passes keep the candidates in index order,
// so the first maximum is the lowest index.
// On AVX-512 the rounds are chunked (softRoundAVX512) on a list in spatial
// order (softList.loadSpatial): a round skips every chunk of softChunk whose
// bounding box the selected box does not intersect, the others run only
// the candidates a float32 filter finds may change, and the next selection
// is the best of per-chunk bests kept across rounds, ties broken on the
// original index (the key).

// softPassFn is one round's pass over a range (see softPassAVX512).
type softPassFn func(x1, y1, x2, y2, area, score []float64, p []float64, method int, best []float64) int

// softRoundFn is one round over the chunks of [lo, hi) that keeps each
// chunk's best (see softRoundAVX512): most candidates change nowhere in a
// round, nor then does the best of a chunk none of whose candidates
// changed, so a round skips the chunks apart from the selected box,
// filters the others (the intersection and IoU > nt tests), runs the round
// on the vectors that may change and rescans only their chunks.
type softRoundFn func(x1, y1, x2, y2, area, score []float64, key []int64, p []float64, f, g, q []float32, method int, cb []float64, full, mono, lo, hi, exact int) int

// softRoundK is a chunked round, its bounds (see softBoundsAVX512),
// which set the bounding boxes after a full round, its compaction (see
// softCompactAVX512: Compact and rekey in one) and the spatial load's
// sort keys and load in their order (see softKeysAVX512, softPlaceAVX512).
type softRoundK struct {
	round   softRoundFn
	bounds  func(f, g []float32, cb []float64)
	compact func(x1, y1, x2, y2, area, score []float64, idx []int32, key []int64, m int) (n, mw int)
	keys    func(boxes, scores []float32, one float64, keys []uint64) int
	place   func(order []uint64, boxes, scores []float32, one float64, x1, y1, x2, y2, area, score []float64, idx []int32, key []int64) int
}

// softCompact: chunked rounds compact the list once dead*dead > softCompact*N
// (and more than N/32 are dead): a dead candidate costs only the filter
// of the groups a round visits, a compaction the copy and a full round, so
// the best count of dead ones grows as sqrt(N) (N/32 for rounds of
// softPass, whose cost is the same for dead candidates). 400 against 100:
// 1.1-1.2x at N = 5000 and 20000 once rounds skipped chunks (200 and 1600
// within noise of 400).
var softCompact = 400

// softChunk is softRoundAVX512's chunk (candidates; _asm's softChunk).
const softChunk = 256

// softSigmaMul is the bit of softRoundAVX512's method that says sigma is
// a power of two with an exact reciprocal (_asm's softSigmaMul; see
// softSigmaPow2).
const softSigmaMul = 4

// softSigmaPow2 says whether sigma is ±2^k with 2^-k a normal float64:
// x/sigma and x*(1/sigma) are then the same rounding of the same real for
// every x, so the gaussian round may multiply (softSigmaMul) and keep every
// bit. A variable for TestSoftSigmaMulAB.
var softSigmaPow2 = func(sigma float64) bool {
	frac, e := math.Frexp(sigma) // sigma = frac * 2^e, |frac| in [0.5, 1)
	return math.Abs(frac) == 0.5 && 1-e >= -1022 && 1-e <= 1023
}

// softCB is the float64s of softRoundAVX512's cb per chunk (_asm's softCB):
// the best score and its position, the bounding box x1, y1, x2, y2.
const softCB = 8

// softG is the float32s of softRoundAVX512's g per chunk: per group of 16,
// its bounding box x1, y1, x2, y2 and least area, each a row of 16.
const softG = 80

// softSlot is the chunk of softRoundAVX512's cb that holds position m of
// a list of n: chunks of softChunk up to n&^15, then one for the rest.
func softSlot(m, n int) int {
	if w := n &^ 15; m >= w {
		return (w + softChunk - 1) / softChunk
	}
	return m / softChunk
}

// softFilterBox writes softRoundAVX512's q for the selected box: its
// float32 copy grown outward and c, the IoU > nt test's bound: iw*ih > c*(aa +
// area) in float32 on the grown boxes holds whenever the float64 round finds
// IoU > nt (iw*ih*(1+nt) > nt*(aa+area) up to a few float64 roundings; the
// float32 ones, a few 2^-24 relative, sit inside c's 2^-16 margin). That
// needs no float32 overflow or underflow: the selected box within 2^40 (the
// intersection lies inside it), aa >= 2^-40 and nt >= 2^-20 keep iw, ih and
// iw*ih normal where IoU > nt. Otherwise c is -Inf and every overlap is
// listed. c is softFilterC(nt), found once a run (its division and
// roundings were 5% of linear N=1000 when found every round).
func softFilterBox(q []float32, x1, y1, x2, y2, aa float64, c float32) {
	q = q[:6]
	q[0], q[1], q[2], q[3], q[4], q[5] = softDown(x1), softDown(y1), -softDown(-x2), -softDown(-y2), float32(aa), float32(math.Inf(-1))
	const lim = 0x1p40
	if aa >= 0x1p-40 && math.Abs(x1) <= lim && math.Abs(y1) <= lim && math.Abs(x2) <= lim && math.Abs(y2) <= lim {
		q[5] = c
	}
}

// softFilterC is softFilterBox's bound c for nt: nt/(1+nt) less a margin
// of 2^-16, rounded down, if nt >= 2^-20, else -Inf.
func softFilterC(nt float64) float32 {
	if nt >= 0x1p-20 {
		return softDown(nt / (1 + nt) * (1 - 0x1p-16))
	}
	return float32(math.Inf(-1))
}

// softDown is x rounded down to a float32 (inlined: the step down, rare,
// is a call).
func softDown(x float64) float32 {
	f := float32(x)
	if float64(f) > x {
		f = softNextDown(f)
	}
	return f
}

func softNextDown(f float32) float32 { return math.Nextafter32(f, float32(math.Inf(-1))) }

// softBest is the best of the chunk bests cb of the list: the largest
// score, of equal ones the lowest original index (chunks hold no order);
// -1 if no candidate is live (the chunk bests include -Inf scores).
func (c *softList) softBest(cb []float64) int {
	m, bs, bi := -1, math.Inf(-1), int32(math.MaxInt32)
	for s := range softSlot(c.N, c.N) + 1 {
		sc, j := cb[softCB*s], int(cb[softCB*s+1])
		if j >= 0 && (sc > bs || sc == bs && c.Idx[j] < bi) {
			m, bs, bi = j, sc, c.Idx[j]
		}
	}
	return m
}

func init() { register("soft_nms", prepareSoftNMS, func(l *level) bool { return l.softPass != nil }) }

// softParallel is the live candidates from which a round is split across
// workers: a round's fork and join cost more than the pass over fewer (N =
// 20000 took 1.5x as long with 2 workers at 8192).
var softParallel = 1 << 16 // a variable for TestSoftNMSParallelRounds

// softList is the shared candidate list (see nmsbox.Soft), with, for
// chunked rounds, each candidate's key: its original index<<32 | its byte
// offset (softRoundAVX512 breaks ties on it).
type softList struct {
	nmsbox.Soft
	key []int64
	// loadSpatial's scratch: sort keys.
	keys, tmp []uint64
}

// loadSpatial is nmsbox.Soft.Load (the same candidates and values) with
// the list in spatial order: by the Morton code of the box centres (8 bits
// an axis over their range; boxes that intersect nothing, zero-area or at
// infinity, last), so that a chunk holds neighbours and a box intersects
// the bounding boxes of few chunks (keys writes the codes, see
// softKeysAVX512). Equal codes stay in index order. It returns the
// position of the first best score (-1 if none) and sets the keys. The
// boxes are read from the input in the new order, not loaded and then
// moved (the copy and the move cost 1.1x at N=1000).
func (c *softList) loadSpatial(rk *softRoundK, boxes, scores []float32, one float64) int {
	n := rk.keys(boxes, scores, one, c.keys)
	keys := c.keys[:n]
	nmsbox.SortHigh(keys, c.tmp)
	m := rk.place(keys, boxes, scores, one, c.X1[:n], c.Y1[:n], c.X2[:n], c.Y2[:n], c.Area[:n], c.Score[:n], c.Idx[:n], c.key[:n])
	c.N = n
	return m
}

// pass runs the vector pass over [lo, hi) and returns the first best
// position (-1 if none survives) and the number killed.
func (c *softList) pass(f softPassFn, lo, hi int, p []float64, method int, lanes *[16]float64) (int, int) {
	killed := f(c.X1[lo:hi], c.Y1[lo:hi], c.X2[lo:hi], c.Y2[lo:hi], c.Area[lo:hi], c.Score[lo:hi], p, method, lanes[:])
	best, bs := -1, math.Inf(-1)
	for l := range 8 {
		s, j := lanes[l], int(lanes[8+l])
		if j >= 0 && (best < 0 || s > bs || s == bs && lo+j < best) {
			best, bs = lo+j, s
		}
	}
	if best < 0 && killed < hi-lo {
		best = c.firstLive(lo, hi)
	}
	return best, killed
}

// firstLive is the first live position in [lo, hi) (-1 if none): the
// selection when every survivor is at -Inf (a threshold of -Inf).
func (c *softList) firstLive(lo, hi int) int {
	for j := lo; j < hi; j++ {
		if c.Score[j] == c.Score[j] {
			return j
		}
	}
	return -1
}

func prepareSoftNMS(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SoftNMS)
	f := b.lv.softPass
	if f == nil {
		return b.pure.Prepare(op)
	}
	boxes, scores := kernel.F32s(op.Boxes), kernel.F32s(op.Scores)
	keep, keptScores, count := kernel.I32s(op.Keep), kernel.F32s(op.KeptScores), kernel.I32s(op.Count)
	n, workers := op.N, b.threads
	c := &softList{Soft: nmsbox.NewSoft(n)}
	one := 0.0
	if op.PlusOne {
		one = 1
	}
	method := int(op.Method)
	rmethod := method // the chunked round's
	if op.Method == kernel.SoftNMSGaussian && softSigmaPow2(float64(op.Sigma)) {
		rmethod |= softSigmaMul
	}
	rk, nt := b.lv.softRound, float64(op.Nt)
	var round softRoundFn
	if rk != nil && n < 1<<28 { // keys hold 8*position in 31 bits
		round = rk.round
	}
	var cb []float64
	var fc, g, q []float32
	fcq := softFilterC(nt)
	if round != nil {
		cb, fc, q = make([]float64, softCB*(softSlot(n, n)+1)), make([]float32, 5*(n&^15)), make([]float32, 6)
		g = make([]float32, softG*((n&^15+softChunk-1)/softChunk))
		c.key, c.keys, c.tmp = make([]int64, n), make([]uint64, n), make([]uint64, n)
	}
	exact := 1 // every coordinate is a float32: the float32 copies are exact
	if op.PlusOne {
		exact = 0
	}
	mono := 0 // after round 1 no live score is negative: scores only fall
	if op.Threshold >= 0 {
		mono = 1
	}
	p := make([]float64, 8)
	lanes := make([][16]float64, workers)
	best, killed := make([]int, workers), make([]int, workers)
	parallelPass := func(lo, hi int) {
		for w := lo; w < hi; w++ {
			best[w], killed[w] = c.pass(f, w*c.N/workers, (w+1)*c.N/workers, p, method, &lanes[w])
		}
	}
	full := 0
	// parallelRound splits a chunked round at chunk bounds, the rest with
	// the last worker.
	parallelRound := func(lo, hi int) {
		for w := lo; w < hi; w++ {
			ch := (c.N&^15 + softChunk - 1) / softChunk
			a, e := softChunk*(w*ch/workers), softChunk*((w+1)*ch/workers)
			if w == workers-1 {
				e = c.N
			}
			killed[w] = round(c.X1[:c.N], c.Y1[:c.N], c.X2[:c.N], c.Y2[:c.N], c.Area[:c.N], c.Score[:c.N], c.key[:c.N], p, fc, g, q, rmethod, cb, full, mono, a, e, exact)
		}
	}
	return bound(b.lv.f.path, func() {
		var m int
		if round != nil {
			m = c.loadSpatial(rk, boxes, scores, one)
		} else {
			m = c.Load(boxes, scores, one)
		}
		k, dead := 0, 0
		full = 1 // the chunk bests are to be set (and round 1 kills below thr)
		for m >= 0 {
			keep[k], keptScores[k] = c.Idx[m], float32(c.Score[m])
			k++
			p[0], p[1], p[2], p[3], p[4] = c.X1[m], c.Y1[m], c.X2[m], c.Y2[m], c.Area[m]
			p[5], p[6], p[7] = nt, float64(op.Sigma), float64(op.Threshold)
			c.Score[m] = math.NaN()
			dead++
			if round != nil {
				cb[softCB*softSlot(m, c.N)] = math.NaN() // rescan the chunk of m
				if m < c.N&^15 {
					fc[80*(m/16)+m%16] = float32(math.Inf(1)) // dead: the filter skips it (x1 at +Inf)
				}
				softFilterBox(q, p[0], p[1], p[2], p[3], p[4], fcq)
				if workers > 1 && c.N-dead >= softParallel {
					par.For(workers, workers, 1, parallelRound)
					for w := range workers {
						dead += killed[w]
					}
				} else {
					dead += round(c.X1[:c.N], c.Y1[:c.N], c.X2[:c.N], c.Y2[:c.N], c.Area[:c.N], c.Score[:c.N], c.key[:c.N], p, fc, g, q, rmethod, cb, full, mono, 0, c.N, exact)
				}
				if full != 0 {
					rk.bounds(fc[:5*(c.N&^15)], g[:softG*((c.N&^15+softChunk-1)/softChunk)], cb)
				}
				full = 0
				m = c.softBest(cb)
			} else if workers > 1 && c.N-dead >= softParallel {
				par.For(workers, workers, 1, parallelPass)
				m = -1
				for w := range workers {
					// Workers in list order: ties stay with the lowest index.
					if bw := best[w]; bw >= 0 && (m < 0 || c.Score[bw] > c.Score[m]) {
						m = bw
					}
					dead += killed[w]
				}
			} else {
				var kd int
				m, kd = c.pass(f, 0, c.N, p, method, &lanes[0])
				dead += kd
			}
			if 32*dead > c.N && (round == nil || dead*dead > softCompact*c.N) {
				if round != nil { // still in spatial order
					c.N, m = rk.compact(c.X1[:c.N], c.Y1[:c.N], c.X2[:c.N], c.Y2[:c.N], c.Area[:c.N], c.Score[:c.N], c.Idx[:c.N], c.key[:c.N], m)
				} else {
					m = c.Compact(m)
				}
				dead, full = 0, 2 // no score below thr: a filtered full round
			}
		}
		count[0] = int32(k)
	}), nil
}

// softPassGo is the twin of the vector pass (the meaning of softPassAVX512).
func softPassGo(x1, y1, x2, y2, area, score []float64, p []float64, method int, best []float64) int {
	ax1, ay1, ax2, ay2, aa, nt, sigma, thr := p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
	for l := range 8 {
		best[l], best[8+l] = math.Inf(-1), -1
	}
	killed := 0
	for j, s := range score {
		if s != s {
			continue
		}
		if iw, ih := min(ax2, x2[j])-max(ax1, x1[j]), min(ay2, y2[j])-max(ay1, y1[j]); iw > 0 && ih > 0 {
			// float64(inter): rounded, so arm64 does not fuse it into
			// the subtraction (FMSUB); the vector code rounds it too.
			inter := iw * ih
			ov := inter / (aa + area[j] - float64(inter))
			switch {
			case method == int(kernel.SoftNMSGaussian):
				s *= math.Exp(-(ov * ov) / sigma)
			case ov <= nt:
			case method == int(kernel.SoftNMSLinear):
				s *= 1 - ov
			default:
				s = 0
			}
			score[j] = s
		}
		if s < thr {
			score[j] = math.NaN()
			killed++
			continue
		}
		if l := j % 8; s > best[l] {
			best[l], best[8+l] = s, float64(j)
		}
	}
	return killed
}
