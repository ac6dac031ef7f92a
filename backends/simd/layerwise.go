package simd

import (
	"unsafe"

	"github.com/nbench/nbench/kernel"
)

// layerwise_wq (KERNELS.md 3.3): each layer is a GEMV per row of X over the
// output channels, one vector routine per code width (quantK.wqDots) giving
// the group dot products d_g = Σ x*(q - z_g) (z: the 3-bit zero point, else
// 0), combined in Go as y = Σ_g S_g*d_g - shift_g*Σ_g x (the 4- and 2-bit
// Quanto shift) + bias, as the pure-Go GEMV does. Where the path has GEMV
// routines (quantK.wqGemv4), the 4- and 2-bit layers run those instead: four
// weight rows per pass, the weights code*S - shift looked up in a per-group
// table, as gemm_w4g's GEMV (2.6x at 4:2 from DRAM). The 3-bit layers run
// that GEMV's one-code-a-byte form with zero points (quantK.wqByte4: the
// table holds (code - z)*s), the 8-bit layers wqGemv8R4AVX512 (codes
// converted, one scaled dot product per row and group): 1.7x and 3.2x over
// wqDots from DRAM, one thread (TestWQByteSpeed). Run lays each row of X out once per layer so
// that every code lane meets its value without shuffles: per group and
// 16-byte chunk of codes, vpb phases of 16 floats.

func init() {
	register("layerwise_wq", prepareLayerwiseWQ, func(l *level) bool { return l.q != nil && l.q.wqDots[4] != nil })
}

// wqDotsFn is quantK.wqDots[bits]: wqDotsGo(vpb, signed)'s meaning.
type wqDotsFn func(d, x []float32, q []byte, z []int32, gb int)

// wqVPB is the number of codes per byte of a bit width.
func wqVPB(bits int) int {
	if bits == 4 || bits == 2 {
		return 8 / bits
	}
	return 1
}

// wqDotsGo is the twin of the wqDots routines: d[g] = Σ x'*(code - z[g])
// over the codes of group g's gb bytes (signed bytes: Σ x'*code). The 4-
// and 2-bit formats have no zero point: for them z is all zeros, which
// the vector routines do not read.
func wqDotsGo(vpb int, signed bool) wqDotsFn {
	bits := 8 / vpb
	return func(d, x []float32, q []byte, z []int32, gb int) {
		chunks := (gb + 15) / 16
		for g := range d {
			var acc float32
			for i, b := range q[g*gb : (g+1)*gb] {
				c, j := i/16, i%16
				for p := range vpb {
					code := int32(b>>(bits*p))&(1<<bits-1) - z[g]
					if signed {
						code = int32(int8(b)) // no zero point
					}
					acc += x[(g*chunks+c)*16*vpb+p*16+j] * float32(code)
				}
			}
			d[g] = acc
		}
	}
}

// wqGemvFn is quantK.wqGemv4/wqGemv1[bits]: wqGemvGo(vpb)'s meaning, n a
// multiple of the rows per pass.
type wqGemvFn func(y, x []float32, q []byte, s, sh, bias []float32, n, gb, ng int)

// wqGemvGo is the twin of the wqGemv routines: y[j] = bias[j] + Σ x'*w over
// weight row j's codes (gb bytes per group, x' as wqDots reads it), with the
// weights dequantized to float32 code*s - sh (rounded once).
func wqGemvGo(vpb int) wqGemvFn {
	bits := 8 / vpb
	return func(y, x []float32, q []byte, s, sh, bias []float32, n, gb, ng int) {
		chunks := (gb + 15) / 16
		for j := range n {
			var acc float32
			for g := range ng {
				sg, hg := float64(s[j*ng+g]), float64(sh[j*ng+g])
				for i, b := range q[(j*ng+g)*gb : (j*ng+g+1)*gb] {
					c, k := i/16, i%16
					for p := range vpb {
						w := float32(float64(int(b)>>(bits*p)&(1<<bits-1))*sg - hg)
						acc += x[(g*chunks+c)*16*vpb+p*16+k] * w
					}
				}
			}
			y[j] = acc + bias[j]
		}
	}
}

// wqByteGo is the twin of the wqByte routines (one code per byte), with X
// laid out as wqDots reads it. Signed codes (8 bits, no zero point): per
// group a dot product Σ x'*code, scaled once, y[j] = bias[j] + Σ_g s*dot_g.
// Unsigned codes with zero points z (3 bits): the weights dequantized to
// float32 (code - z)*s (rounded once; exactly 0 at the zero point), as
// w4GemvGo, y[j] = bias[j] + Σ x'*w; codes past 15 (outside the format)
// count as their low 4 bits, as the go backend reads them.
func wqByteGo(signed bool) w4Gemv {
	return func(y, x []float32, q []byte, s []float32, z []byte, bias []float32, n, gb, ng int) {
		chunks := (gb + 15) / 16
		for j := range n {
			var acc float32
			for g := range ng {
				codes, xg := q[(j*ng+g)*gb:(j*ng+g+1)*gb], x[g*chunks*16:]
				if !signed {
					for i, b := range codes {
						acc += xg[i] * (float32(int32(b&15)-int32(z[j*ng+g])) * s[j*ng+g])
					}
					continue
				}
				var dot float32
				for i, b := range codes {
					dot += xg[i] * float32(int8(b))
				}
				acc += s[j*ng+g] * dot
			}
			y[j] = acc + bias[j]
		}
	}
}

// wqLayout writes x [K] in the wqDots layout for groups of gb code bytes
// (len(dst) = K/(gb*vpb) groups of ceil(gb/16)*16*vpb floats).
func wqLayout(dst, x []float32, gb, vpb int) {
	chunks := (gb + 15) / 16
	per := chunks * 16 * vpb
	clear(dst)
	for g := range len(x) / (gb * vpb) {
		xg, dg := x[g*gb*vpb:(g+1)*gb*vpb], dst[g*per:(g+1)*per]
		for i := range gb {
			c, j := i/16, i%16
			for p := range vpb {
				dg[c*16*vpb+p*16+j] = xg[i*vpb+p]
			}
		}
	}
}

type wqLayer struct {
	ly       kernel.WQLayer
	vpb, gb  int
	ng, per  int // groups per row, floats of x' per group
	q        []byte
	s, shift []float32
	z        []int32 // [N*ng] (zeros but for 3 bits)
	bias     []float32
	x, y     []float32
	xl, xs   []float32 // [M][ng*per] the layout of x, [M][ng] group sums (shift formats)
	dots     wqDotsFn
	// gemv4, gemv1: the GEMV routines (4- and 2-bit layers, where the path
	// has them); zero is the bias when the layer has none.
	gemv4, gemv1 wqGemvFn
	// byte4, byte1: the GEMV routines of the 8- and 3-bit layers (where the
	// path has them), zb their zero points (3 bits).
	byte4, byte1 w4Gemv
	zb           []byte
	zero         []float32
	lgb, lvpb    int // the unit and codes per unit of the layout of X (gb, vpb but for the wide GEMV)
}

func prepareLayerwiseWQ(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.LayerwiseWQ)
	qk := b.lv.q
	if qk == nil || qk.wqDots[4] == nil {
		return b.pure.Prepare(op)
	}
	for _, ly := range op.Layers {
		if ly.Group%wqVPB(ly.Bits) != 0 { // a group ending inside a byte (no real format has one)
			return b.pure.Prepare(op)
		}
	}
	M := op.M
	x := kernel.F32s(op.X)
	ls := make([]*wqLayer, len(op.Layers))
	maxNG := 1
	for i, ly := range op.Layers {
		vpb := wqVPB(ly.Bits)
		l := &wqLayer{ly: ly, vpb: vpb, gb: ly.Group / vpb, ng: ly.K / ly.Group, s: kernel.F32s(ly.Scale),
			bias: kernel.F32s(ly.Bias), dots: qk.wqDots[ly.Bits], x: x}
		l.per = (l.gb + 15) / 16 * 16 * vpb
		l.lgb, l.lvpb = l.gb, vpb
		maxNG = max(maxNG, l.ng)
		if ly.Bits == 8 {
			if q8 := kernel.I8s(ly.Q); len(q8) > 0 {
				l.q = unsafe.Slice((*byte)(unsafe.Pointer(&q8[0])), len(q8)) // the routine widens them signed
			}
		} else {
			l.q = kernel.U8s(ly.Q)
		}
		switch ly.Bits {
		case 8, 3:
			if qk.wqByte4[ly.Bits] != nil {
				l.byte4, l.byte1 = qk.wqByte4[ly.Bits], qk.wqByte1[ly.Bits]
				if ly.Bits == 3 {
					l.zb = kernel.U8s(ly.Zero)
				}
				if l.bias == nil {
					l.zero = make([]float32, ly.N)
				}
				break
			}
			l.z = make([]int32, ly.N*l.ng)
			if ly.Bits == 3 {
				for j, zv := range kernel.U8s(ly.Zero) {
					l.z[j] = int32(zv)
				}
			}
		case 4, 2:
			l.z = make([]int32, ly.N*l.ng)
			l.shift = kernel.F32s(ly.Zero)
			l.gemv4, l.gemv1 = qk.wqGemv4[ly.Bits], qk.wqGemv1[ly.Bits]
			if ly.Bits == 4 && l.gb%64 == 0 && qk.wqGemvWide4 != nil {
				l.gemv4, l.gemv1, l.lgb, l.lvpb = qk.wqGemvWide4, qk.wqGemvWide1, l.gb/4, 8
			}
			if l.gemv4 == nil {
				l.xs = make([]float32, M*l.ng)
			} else if l.bias == nil {
				l.zero = make([]float32, ly.N)
			}
		}
		l.xl = make([]float32, M*l.ng*l.per)
		l.y = kernel.F32s(op.Y) // the last layer writes Y; the others a workspace
		if i < len(op.Layers)-1 {
			l.y = make([]float32, M*ly.N)
		}
		x = l.y
		ls[i] = l
	}
	pool := newPool(b.threads, func() *[]float32 { d := make([]float32, maxNG); return &d })
	v := b.lv.f
	runs := make([]func(), len(ls))
	for i, l := range ls {
		N, K := l.ly.N, l.ly.K
		qpr := K / l.vpb // code bytes per weight row
		layout := func(lo, hi int) {
			for m := lo; m < hi; m++ {
				xr := l.x[m*K : (m+1)*K]
				wqLayout(l.xl[m*l.ng*l.per:(m+1)*l.ng*l.per], xr, l.lgb, l.lvpb)
				if l.xs != nil {
					for g := range l.ng {
						l.xs[m*l.ng+g] = v.sum(xr[g*l.ly.Group : (g+1)*l.ly.Group])
					}
				}
			}
		}
		// gemv runs a GEMV pair (four, then one weight row per pass) on
		// weight rows lo..hi for each row of X.
		gemv := func(four, one func(y, x, bias []float32, j, n int)) func(lo, hi int) {
			return func(lo, hi int) {
				bias := l.bias
				if bias == nil {
					bias = l.zero
				}
				n4 := lo + (hi-lo)&^3
				for m := range M {
					x, y := l.xl[m*l.ng*l.per:(m+1)*l.ng*l.per], l.y[m*N:(m+1)*N]
					four(y[lo:], x, bias[lo:], lo, n4-lo)
					one(y[n4:], x, bias[n4:], n4, hi-n4)
				}
			}
		}
		rows := func(lo, hi int) {
			dp := <-pool
			defer func() { pool <- dp }()
			d := (*dp)[:l.ng]
			for n := lo; n < hi; n++ {
				q, z, s := l.q[n*qpr:(n+1)*qpr], l.z[n*l.ng:(n+1)*l.ng], l.s[n*l.ng:(n+1)*l.ng]
				for m := range M {
					l.dots(d, l.xl[m*l.ng*l.per:(m+1)*l.ng*l.per], q, z, l.gb)
					var y float32
					if l.shift != nil {
						sh, xs := l.shift[n*l.ng:(n+1)*l.ng], l.xs[m*l.ng:(m+1)*l.ng]
						for g, dg := range d {
							y += s[g]*dg - sh[g]*xs[g]
						}
					} else {
						for g, dg := range d {
							y += s[g] * dg
						}
					}
					if l.bias != nil {
						y += l.bias[n]
					}
					l.y[m*N+n] = y
				}
			}
		}
		switch {
		case l.gemv4 != nil:
			shifted := func(f wqGemvFn) func(y, x, bias []float32, j, n int) {
				return func(y, x, bias []float32, j, n int) {
					f(y, x, l.q[j*qpr:], l.s[j*l.ng:], l.shift[j*l.ng:], bias, n, l.gb, l.ng)
				}
			}
			rows = gemv(shifted(l.gemv4), shifted(l.gemv1))
		case l.byte4 != nil:
			zeroed := func(f w4Gemv) func(y, x, bias []float32, j, n int) {
				return func(y, x, bias []float32, j, n int) {
					var z []byte // none for 8 bits
					if l.zb != nil {
						z = l.zb[j*l.ng:]
					}
					f(y, x, l.q[j*qpr:], l.s[j*l.ng:], z, bias, n, l.gb, l.ng)
				}
			}
			rows = gemv(zeroed(l.byte4), zeroed(l.byte1))
		}
		runs[i] = func() {
			b.rows(M, 3*K, layout)
			b.rows(N, 2*M*K, rows)
		}
	}
	return bound(qk.path, func() {
		if M == 0 {
			return
		}
		for _, r := range runs {
			r()
		}
	}), nil
}
