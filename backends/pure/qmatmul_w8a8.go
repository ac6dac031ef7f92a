package pure

import "github.com/nbench/nbench/kernel"

// gemm_w8a8 in pure Go. Go has no SIMD, so the inner loop packs three int8
// products into one 64-bit multiply ("SWAR"): a weight word holds
// w0 + w1*2^21 + w2*2^42, and x*word accumulates the three dot products in
// 21-bit lanes. A lane sum of at most lanesChunk products (|x*w| <= 2^14)
// stays within [-2^20, 2^20), so after each chunk of K the lanes are split
// exactly (sign-extend the low lane, shift, repeat) and added to int32
// accumulators. Weights are packed once in Prepare into panels of 6 columns
// (2 words per k); X is widened to int32, 4 rows interleaved per k.

const (
	laneBits   = 21
	lanesChunk = 63 // 63 * 128 * 128 < 2^20
	w8Cols     = 6  // columns per panel: 2 words of 3 lanes
	w8Tile     = 32 // rows of X per tile (32*K*4 bytes stay in L2)
)

// packW8 packs Wq [N,K] into panels [ceil(N/6)][K][2] of 3-lane words
// (columns past N are zero).
func packW8(wq []int8, n, k int) []int64 {
	np := (n + w8Cols - 1) / w8Cols
	out := make([]int64, np*2*k)
	for c := 0; c < n; c++ {
		p, word, lane := c/w8Cols, (c%w8Cols)/3, c%3
		row, dst := wq[c*k:(c+1)*k], out[p*2*k:(p+1)*2*k]
		for j, v := range row {
			dst[2*j+word] += int64(v) << (laneBits * lane)
		}
	}
	return out
}

// lanes splits a word of three 21-bit lane sums.
func swarLanes(a int64) (s0, s1, s2 int32) {
	l0 := (a << 43) >> 43
	a = (a - l0) >> laneBits
	l1 := (a << 43) >> 43
	return int32(l0), int32(l1), int32((a - l1) >> laneBits)
}

// addLanes adds the six lane sums of the words a0, a1 to acc[0:6].
func addLanes(acc []int32, a0, a1 int64) {
	acc = acc[:6]
	s0, s1, s2 := swarLanes(a0)
	s3, s4, s5 := swarLanes(a1)
	acc[0] += s0
	acc[1] += s1
	acc[2] += s2
	acc[3] += s3
	acc[4] += s4
	acc[5] += s5
}

// dot4x6 adds to acc (row r, column c at acc[6r+c]) the products of 4
// interleaved rows x [K][4] with one panel w [K][2].
func dot4x6(x []int32, w []int64, acc *[24]int32) {
	for len(w) > 0 {
		n := min(len(w)/2, lanesChunk)
		a00, a01, a10, a11, a20, a21, a30, a31 := dot4x2(x[:4*n], w[:2*n])
		w, x = w[2*n:], x[4*n:]
		addLanes(acc[0:6], a00, a01)
		addLanes(acc[6:12], a10, a11)
		addLanes(acc[12:18], a20, a21)
		addLanes(acc[18:24], a30, a31)
	}
}

// dot1x6 is dot4x6 for one row x [K].
func dot1x6(x []int32, w []int64, acc *[6]int32) {
	for len(w) > 0 {
		n := min(len(w)/2, lanesChunk)
		ws, xs := w[:2*n], x[:n]
		w, x = w[2*n:], x[n:]
		var a0, a1 int64
		for len(ws) >= 2 && len(xs) >= 1 {
			xv := int64(xs[0])
			a0 += xv * ws[0]
			a1 += xv * ws[1]
			ws, xs = ws[2:], xs[1:]
		}
		addLanes(acc[:], a0, a1)
	}
}

// w8a8 is a prepared gemm_w8a8.
type w8a8 struct {
	op      kernel.GemmW8A8
	pack    func(lo, hi int) // widens or quantizes rows of X
	gemm    func()
	wp      []int64   // packed weights
	xp      []int32   // X codes widened: 4-row blocks [K][4], or one row [K] when M == 1
	sx      []float32 // activation scales (the op's, or computed when fused)
	x       []float32
	xq      []int8
	sw, bia []float32
	y       []float32
	acc     []int32
}

func prepareGemmW8A8(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.GemmW8A8)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	g := &w8a8{op: op, wp: packW8(kernel.I8s(op.Wq), op.N, op.K), sw: kernel.F32s(op.Sw),
		bia: kernel.F32s(op.Bias), y: kernel.F32s(op.Y), acc: kernel.I32s(op.Acc),
		x: kernel.F32s(op.X), xq: kernel.I8s(op.Xq), sx: kernel.F32s(op.Sx)}
	rows := (op.M + 3) &^ 3
	if op.M == 1 {
		rows = 1
	}
	g.xp = make([]int32, rows*op.K) // padding rows stay zero
	if op.Fused {
		g.sx = make([]float32, op.M)
	}
	g.pack = g.packRows
	g.gemm = b.workerParts((op.N+w8Cols-1)/w8Cols, op.M*w8Cols*op.K, g.panels)
	return errBound{func() error { return g.run(b) }}, nil
}

func (g *w8a8) run(b *Backend) error {
	b.rows(g.op.M, 3*g.op.K, g.pack)
	if g.op.Fused {
		if err := nonFinite("x", g.sx, 1); err != nil {
			return err
		}
	}
	g.gemm()
	return nil
}

// packRows widens (or, when fused, quantizes) rows [lo, hi) of X into the
// packed layout.
func (g *w8a8) packRows(lo, hi int) {
	M, K := g.op.M, g.op.K
	stride := 4
	if M == 1 {
		stride = 1
	}
	for m := lo; m < hi; m++ {
		dst := g.xp[(m/4)*4*K+m%4:]
		if M == 1 {
			dst = g.xp
		}
		if g.op.Fused {
			g.sx[m] = quantI8Row(g.x[m*K:(m+1)*K], dst, stride)
			continue
		}
		dst = dst[:(K-1)*stride+1]
		for k, v := range g.xq[m*K : (m+1)*K] {
			dst[k*stride] = int32(v)
		}
	}
}

// panels computes the columns of panels [lo, hi) for all rows, a tile of
// w8Tile rows at a time so the tile's X stays in cache across panels.
func (g *w8a8) panels(_, lo, hi int) {
	M, K := g.op.M, g.op.K
	if M == 1 {
		for p := lo; p < hi; p++ {
			var acc [6]int32
			dot1x6(g.xp, g.wp[p*2*K:(p+1)*2*K], &acc)
			g.store(0, p*w8Cols, acc[:])
		}
		return
	}
	for t := 0; t < M; t += w8Tile {
		for p := lo; p < hi; p++ {
			w := g.wp[p*2*K : (p+1)*2*K]
			for m := t; m < min(t+w8Tile, M); m += 4 {
				var acc [24]int32
				dot4x6(g.xp[m*K:(m+4)*K], w, &acc)
				for r := 0; r < min(4, M-m); r++ {
					g.store(m+r, p*w8Cols, acc[6*r:6*r+6])
				}
			}
		}
	}
}

// store writes row m, columns n0.. of Y = f32(acc)*f32(sx*sw) + bias (and
// the raw accumulators when asked).
func (g *w8a8) store(m, n0 int, acc []int32) {
	N := g.op.N
	cols := min(len(acc), N-n0)
	y := g.y[m*N+n0 : m*N+n0+cols]
	sx := g.sx[m]
	for c := range y {
		n := n0 + c
		v := float32(acc[c]) * (sx * g.sw[n])
		if g.bia != nil {
			v += g.bia[n]
		}
		y[c] = v
	}
	if g.acc != nil {
		copy(g.acc[m*N+n0:m*N+n0+cols], acc[:cols])
	}
}
