package pure

import (
	"github.com/nbench/nbench/kernel"
)

// Group-quantized weights (gemm_w4g, layerwise_wq) and the float32 GEMM
// they share with repquant_ln_linear.
//
// GEMV (M = 1) unpacks the codes in the inner loop. GEMM dequantizes a
// panel of 2 columns (w^ over all K, interleaved [K][2]) once per tile of
// rows and runs a 4x2 register-blocked float32 kernel on X packed 4 rows
// per k. Zero points are applied to the codes (q - z) before scaling, so
// a code equal to its zero point contributes exactly 0, as the reference
// w^ = s*(q - z) does (an all-zero weight row gives exactly the bias).

// wqFormat is the storage format of one group-quantized weight.
type wqFormat uint8

const (
	fmtW4Z wqFormat = iota // 4-bit packed, u8 zero point: w^ = s*(q - z) (gemm_w4g)
	fmtW3Z                 // 3-bit, one code per byte, u8 zero point (GPTQ-style)
	fmtW4A                 // 4-bit packed, f32 shift: w^ = q*s - shift (Quanto)
	fmtW2A                 // 2-bit packed four per byte, f32 shift (Quanto)
	fmtW8                  // int8 symmetric per channel: w^ = s*q
)

// wqLinear is one linear layer y = x W^T + bias with group-quantized W.
type wqLinear struct {
	f        wqFormat
	n, k, g  int
	q        []uint8
	q8       []int8
	s, shift []float32
	z        []uint8
	bias     []float32
}

func newWQLinear(f wqFormat, n, k, g int, q kernel.Tensor, s, zero, bias kernel.Tensor) *wqLinear {
	l := &wqLinear{f: f, n: n, k: k, g: g, q: kernel.U8s(q), q8: kernel.I8s(q), s: kernel.F32s(s),
		bias: kernel.F32s(bias)}
	switch f {
	case fmtW4Z, fmtW3Z:
		l.z = kernel.U8s(zero)
	case fmtW4A, fmtW2A:
		l.shift = kernel.F32s(zero)
	}
	return l
}

// needsGroupSums: the affine formats fold the shift into group sums of x.
func (l *wqLinear) needsGroupSums() bool { return l.f == fmtW4A || l.f == fmtW2A }

// groupSums writes gs[g] = sum of x over group g (shared across all n).
func groupSums(x []float32, g int, gs []float32) {
	for i := range gs {
		gs[i] = sum(x[i*g : (i+1)*g])
	}
}

// dotRow returns sum_k x_k w^[n,k] + bias[n] for one row x.
func (l *wqLinear) dotRow(x, gs []float32, n int) float32 {
	k, g := l.k, l.g
	ng := k / g
	var y float32
	switch l.f {
	case fmtW4Z:
		q := l.q[n*k/2 : (n+1)*k/2]
		for i := 0; i < ng; i++ {
			y += l.s[n*ng+i] * dotNibblesZ(x[i*g:(i+1)*g], q[i*g/2:(i+1)*g/2], int32(l.z[n*ng+i]))
		}
	case fmtW3Z:
		q := l.q[n*k : (n+1)*k]
		for i := 0; i < ng; i++ {
			y += l.s[n*ng+i] * dotBytesZ(x[i*g:(i+1)*g], q[i*g:(i+1)*g], int32(l.z[n*ng+i]))
		}
	case fmtW4A:
		q := l.q[n*k/2 : (n+1)*k/2]
		for i := 0; i < ng; i++ {
			gi := n*ng + i
			y += l.s[gi]*dotNibblesZ(x[i*g:(i+1)*g], q[i*g/2:(i+1)*g/2], 0) - l.shift[gi]*gs[i]
		}
	case fmtW2A:
		q := l.q[n*k/4 : (n+1)*k/4]
		for i := 0; i < ng; i++ {
			gi := n*ng + i
			y += l.s[gi]*dotCrumbs(x[i*g:(i+1)*g], q[i*g/4:(i+1)*g/4]) - l.shift[gi]*gs[i]
		}
	case fmtW8:
		y = l.s[n] * dotI8(x, l.q8[n*k:(n+1)*k])
	}
	if l.bias != nil {
		y += l.bias[n]
	}
	return y
}

// codeMinusZ[z][q] = float32(q - z): a code's offset from its zero point
// as a float, by table lookup (cheaper than converting in the inner loop).
// i8Float[b] is float32(int8(b)).
var (
	codeMinusZ [16][16]float32
	i8Float    [256]float32
)

func init() {
	for z := range codeMinusZ {
		for q := range codeMinusZ[z] {
			codeMinusZ[z][q] = float32(q - z)
		}
	}
	for b := range i8Float {
		i8Float[b] = float32(int8(b))
	}
}

// dotNibblesZ is sum_k x_k (q_k - z) over packed nibbles (even k low).
func dotNibblesZ(x []float32, q []uint8, z int32) float32 {
	x = x[:2*len(q)]
	t := &codeMinusZ[z&15]
	var a0, a1, a2, a3 float32
	i := 0
	for ; i+2 <= len(q); i += 2 {
		b0, b1 := q[i], q[i+1]
		xs := x[2*i : 2*i+4 : 2*i+4]
		a0 += xs[0] * t[b0&15]
		a1 += xs[1] * t[b0>>4]
		a2 += xs[2] * t[b1&15]
		a3 += xs[3] * t[b1>>4]
	}
	for ; i < len(q); i++ {
		b0 := q[i]
		a0 += x[2*i] * t[b0&15]
		a1 += x[2*i+1] * t[b0>>4]
	}
	return (a0 + a1) + (a2 + a3)
}

// dotBytesZ is sum_k x_k (q_k - z) over one code (< 16) per byte.
func dotBytesZ(x []float32, q []uint8, z int32) float32 {
	x = x[:len(q)]
	t := &codeMinusZ[z&15]
	var a0, a1, a2, a3 float32
	i := 0
	for ; i+4 <= len(q); i += 4 {
		a0 += x[i] * t[q[i]&15]
		a1 += x[i+1] * t[q[i+1]&15]
		a2 += x[i+2] * t[q[i+2]&15]
		a3 += x[i+3] * t[q[i+3]&15]
	}
	for ; i < len(q); i++ {
		a0 += x[i] * t[q[i]&15]
	}
	return (a0 + a1) + (a2 + a3)
}

// dotCrumbs is sum_k x_k q_k over 2-bit codes, four per byte, lowest first.
func dotCrumbs(x []float32, q []uint8) float32 {
	x = x[:4*len(q)]
	t := &codeMinusZ[0]
	var a0, a1, a2, a3 float32
	for i, b := range q {
		xs := x[4*i : 4*i+4 : 4*i+4]
		a0 += xs[0] * t[b&3]
		a1 += xs[1] * t[b>>2&3]
		a2 += xs[2] * t[b>>4&3]
		a3 += xs[3] * t[b>>6]
	}
	return (a0 + a1) + (a2 + a3)
}

// dotI8 is sum_k x_k q_k over int8 codes.
func dotI8(x []float32, q []int8) float32 {
	x = x[:len(q)]
	var a0, a1, a2, a3 float32
	i := 0
	for ; i+4 <= len(q); i += 4 {
		a0 += x[i] * i8Float[uint8(q[i])]
		a1 += x[i+1] * i8Float[uint8(q[i+1])]
		a2 += x[i+2] * i8Float[uint8(q[i+2])]
		a3 += x[i+3] * i8Float[uint8(q[i+3])]
	}
	for ; i < len(q); i++ {
		a0 += x[i] * i8Float[uint8(q[i])]
	}
	return (a0 + a1) + (a2 + a3)
}

// dequantPanel writes w^ of columns n0, n0+1 into dst [K][2] (a column
// past N is zero).
func (l *wqLinear) dequantPanel(n0 int, dst []float32) []float32 {
	k := l.k
	dst = dst[:2*k]
	for c := 0; c < 2; c++ {
		if n := n0 + c; n < l.n {
			l.dequantCol(n, dst[c:])
			continue
		}
		for j := 0; j < k; j++ {
			dst[2*j+c] = 0
		}
	}
	return dst
}

// dequantCol writes w^[n, k] to dst[2k].
func (l *wqLinear) dequantCol(n int, dst []float32) {
	k, g := l.k, l.g
	ng := k / g
	dst = dst[:2*(k-1)+1]
	switch l.f {
	case fmtW4Z, fmtW4A:
		q := l.q[n*k/2 : (n+1)*k/2]
		for i := 0; i < ng; i++ {
			gi := n*ng + i
			s, t, sh := l.s[gi], &codeMinusZ[0], float32(0)
			if l.f == fmtW4Z {
				t = &codeMinusZ[l.z[gi]&15]
			} else {
				sh = l.shift[gi]
			}
			for j, b := range q[i*g/2 : (i+1)*g/2] {
				kk := i*g + 2*j
				dst[2*kk] = s*t[b&15] - sh
				dst[2*kk+2] = s*t[b>>4] - sh
			}
		}
	case fmtW2A:
		q := l.q[n*k/4 : (n+1)*k/4]
		for i := 0; i < ng; i++ {
			gi := n*ng + i
			s, sh := l.s[gi], l.shift[gi]
			for j, b := range q[i*g/4 : (i+1)*g/4] {
				kk := i*g + 4*j
				for e := 0; e < 4; e++ {
					dst[2*(kk+e)] = float32(b>>(2*e)&3)*s - sh
				}
			}
		}
	case fmtW3Z:
		q := l.q[n*k : (n+1)*k]
		for i := 0; i < ng; i++ {
			gi := n*ng + i
			s, t := l.s[gi], &codeMinusZ[l.z[gi]&15]
			for j, b := range q[i*g : (i+1)*g] {
				dst[2*(i*g+j)] = s * t[b&15]
			}
		}
	case fmtW8:
		s := l.s[n]
		for j, b := range l.q8[n*k : (n+1)*k] {
			dst[2*j] = s * i8Float[uint8(b)]
		}
	}
}

// ---- float32 GEMM on packed operands ----

const sgTile = 32 // rows per tile

// packRows4 writes rows [lo, hi) of x [M,K] into 4-row blocks [K][4].
func packRows4(dst, x []float32, k, lo, hi int) {
	for m := lo; m < hi; m++ {
		d := dst[(m/4)*4*k+m%4:]
		d = d[:4*(k-1)+1]
		for j, v := range x[m*k : (m+1)*k] {
			d[4*j] = v
		}
	}
}

// dot4x2 returns the 4x2 block of x [K][4] times w [K][2]: float32 panels
// for the float GEMMs, int32 rows times SWAR words for gemm_w8a8.
func dot4x2[X int32 | float32, A int64 | float32](x []X, w []A) (a00, a01, a10, a11, a20, a21, a30, a31 A) {
	for len(w) >= 4 && len(x) >= 8 { // two k per trip: less loop overhead
		w0, w1 := w[0], w[1]
		x0, x1, x2, x3 := A(x[0]), A(x[1]), A(x[2]), A(x[3])
		a00 += x0 * w0
		a01 += x0 * w1
		a10 += x1 * w0
		a11 += x1 * w1
		a20 += x2 * w0
		a21 += x2 * w1
		a30 += x3 * w0
		a31 += x3 * w1
		w0, w1 = w[2], w[3]
		x0, x1, x2, x3 = A(x[4]), A(x[5]), A(x[6]), A(x[7])
		a00 += x0 * w0
		a01 += x0 * w1
		a10 += x1 * w0
		a11 += x1 * w1
		a20 += x2 * w0
		a21 += x2 * w1
		a30 += x3 * w0
		a31 += x3 * w1
		w, x = w[4:], x[8:]
	}
	if len(w) >= 2 && len(x) >= 4 {
		w0, w1 := w[0], w[1]
		x0, x1, x2, x3 := A(x[0]), A(x[1]), A(x[2]), A(x[3])
		a00 += x0 * w0
		a01 += x0 * w1
		a10 += x1 * w0
		a11 += x1 * w1
		a20 += x2 * w0
		a21 += x2 * w1
		a30 += x3 * w0
		a31 += x3 * w1
	}
	return
}

// sgemm is Y [M,N] = X W^T + bias with X packed by packRows4 and W served
// as 2-column panels by panel (prepacked, or dequantized into buf).
type sgemm struct {
	m, n, k int
	xp      []float32
	bufs    [][]float32 // one panel buffer per worker
	panel   func(p int, buf []float32) []float32
	bias, y []float32
	run     func()
}

func newSgemm(b *Backend, m, n, k int, dequant bool, bias, y []float32, panel func(int, []float32) []float32) *sgemm {
	s := &sgemm{m: m, n: n, k: k, xp: make([]float32, ((m+3)&^3)*k), bias: bias, y: y, panel: panel}
	if dequant {
		s.bufs = make([][]float32, b.threads)
		for i := range s.bufs {
			s.bufs[i] = make([]float32, 2*k)
		}
	}
	s.run = b.workerParts((n+1)/2, 2*m*k, s.panels)
	return s
}

func (s *sgemm) panels(w, lo, hi int) {
	M, N, K := s.m, s.n, s.k
	var buf []float32
	if s.bufs != nil {
		buf = s.bufs[w]
	}
	for t := 0; t < M; t += sgTile {
		for p := lo; p < hi; p++ {
			wp := s.panel(p, buf)
			n0 := 2 * p
			var b0, b1 float32
			if s.bias != nil {
				b0 = s.bias[n0]
				if n0+1 < N {
					b1 = s.bias[n0+1]
				}
			}
			for m := t; m < min(t+sgTile, M); m += 4 {
				a00, a01, a10, a11, a20, a21, a30, a31 := dot4x2(s.xp[m*K:(m+4)*K], wp)
				out := [8]float32{a00 + b0, a01 + b1, a10 + b0, a11 + b1, a20 + b0, a21 + b1, a30 + b0, a31 + b1}
				for r := 0; r < min(4, M-m); r++ {
					s.y[(m+r)*N+n0] = out[2*r]
					if n0+1 < N {
						s.y[(m+r)*N+n0+1] = out[2*r+1]
					}
				}
			}
		}
	}
}

// ---- gemm_w4g, layerwise_wq ----

// wqForward runs one layer on M rows x [M,K] into y [M,N]: a GEMV over
// output channels when M == 1, else the panel GEMM.
type wqForward struct {
	l    *wqLinear
	x, y []float32
	gs   []float32 // group sums of x (GEMV, affine formats)
	gemv func(lo, hi int)
	pack func(lo, hi int)
	sg   *sgemm // GEMM (M > 1)
}

func newWQForward(b *Backend, l *wqLinear, m int, x, y []float32) *wqForward {
	f := &wqForward{l: l, x: x, y: y}
	if m == 1 {
		if l.needsGroupSums() {
			f.gs = make([]float32, l.k/l.g)
		}
		f.gemv = func(lo, hi int) {
			for n := lo; n < hi; n++ {
				y[n] = l.dotRow(x, f.gs, n)
			}
		}
		return f
	}
	f.sg = newSgemm(b, m, l.n, l.k, true, l.bias, y, l.dequantPanel2)
	f.pack = func(lo, hi int) { packRows4(f.sg.xp, x, l.k, lo, hi) }
	return f
}

// dequantPanel2 serves panel p (columns 2p, 2p+1) to sgemm.
func (l *wqLinear) dequantPanel2(p int, buf []float32) []float32 { return l.dequantPanel(2*p, buf) }

func (f *wqForward) run(b *Backend, m int) {
	l := f.l
	if f.sg == nil {
		if f.gs != nil {
			groupSums(f.x, l.g, f.gs)
		}
		b.rows(l.n, 2*l.k, f.gemv)
		return
	}
	b.rows(m, l.k, f.pack)
	f.sg.run()
}

func prepareGemmW4G(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.GemmW4G)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	l := newWQLinear(fmtW4Z, op.N, op.K, op.Group, op.Qp, op.S, op.Z, op.Bias)
	if op.M == 0 {
		return bound(func() {}), nil
	}
	f := newWQForward(b, l, op.M, kernel.F32s(op.X), kernel.F32s(op.Y))
	return bound(func() { f.run(b, op.M) }), nil
}

func prepareLayerwiseWQ(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.LayerwiseWQ)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	if op.M == 0 {
		return bound(func() {}), nil
	}
	fmts := map[int]wqFormat{2: fmtW2A, 3: fmtW3Z, 4: fmtW4A, 8: fmtW8}
	fs := make([]*wqForward, len(op.Layers))
	x := kernel.F32s(op.X)
	for i, ly := range op.Layers {
		y := kernel.F32s(op.Y) // the last layer writes Y; the others a workspace
		if i < len(op.Layers)-1 {
			y = make([]float32, op.M*ly.N)
		}
		l := newWQLinear(fmts[ly.Bits], ly.N, ly.K, ly.Group, ly.Q, ly.Scale, ly.Zero, ly.Bias)
		fs[i] = newWQForward(b, l, op.M, x, y)
		x = y
	}
	return bound(func() {
		for _, f := range fs {
			f.run(b, op.M)
		}
	}), nil
}
