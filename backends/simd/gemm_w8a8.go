package simd

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/nbench/nbench/backends/internal/par"
	"github.com/nbench/nbench/kernel"
)

// gemm_w8a8 (KERNELS.md 3.1). Prepare packs Wq into panels of nb output
// columns in the layout of the level's micro-kernel and sums each weight
// row (cs, for the VNNI compensation); Run turns X into the kernel's row
// format (Xq+128 as u8 for VNNI, Xq as int16 otherwise; quantizing first
// when the op is fused) and runs rows-by-panel tiles over the whole K, each
// tile's accumulators in registers and dequantized in the tile's epilogue.
//
// VNNI (VPDPBUSD) multiplies u8 by s8: with Xu = Xq+128,
// Σ Xu*Wq = Σ Xq*Wq + 128*cs[n], so acc = Σ Xu*Wq - 128*cs[n], exact in
// int32 (K is padded to a multiple of 4 with Xu = 128 and Wq = 0, which adds
// nothing). The AVX2 path multiplies int16 with VPMADDWD (two products per
// int32 lane, never saturating), not the saturating VPMADDUBSW.

// w8Tile is one micro-kernel: rows of x (byte rows of stride ldx) times one
// packed panel over ksteps k-steps, with the epilogue described in the
// generator (_asm/w8a8.go) and the Go twin w8TileGo.
// Unless pf is nil, the tile also prefetches one 64-byte line of pf into
// L2 per k-step.
type w8Tile func(x []byte, ldx int, w []byte, ksteps int, cs []int32, sw, sx, bias, y []float32, ldy int, acc []int32, lda int, pf []byte)

// w8K is the int8 GEMM of one code path.
type w8K struct {
	path   string
	nb     int      // output columns per panel
	mr     int      // rows of X per tile (at most w8Rows)
	layout w8Layout // how X and the panels hold the codes
	align  int      // k-steps are padded to a multiple of this (1 if 0)
	tile   [w8Rows + 1]w8Tile
	// The fused quantizer's vector parts (nil: Go): the bits of max|x|
	// (absMaxBitsGo) and the codes (quantI8Go).
	absMaxBits func(x []float32) uint32
	quant      func(q []int8, x []float32, inv float32)
	// flip is flipSign's vector part on whole words (nil: Go).
	flip func(dst, src []uint32)
}

// w8Layout is the operand format of a micro-kernel.
type w8Layout uint8

const (
	w8U8S8 w8Layout = iota // VPDPBUSD: Xq+128 as u8, Wq as s8, 4 k per step, -128*cs compensation
	w8S16                  // VPMADDWD: X and W as int16, 2 k per step
	w8S8                   // SDOT: X and W as s8, 4 k per step
)

const w8Rows = 6

// w8PFLag is how many row blocks before the end of a panel the prefetch
// of the next panel ends (gemm_w8a8: 2 to 8 measured alike; 0 and 1 left
// the next panel's first tile slower).
const w8PFLag = 3

func (k *w8K) kPerStep() int {
	if k.layout == w8S16 {
		return 2
	}
	return 4
}

func init() { register("gemm_w8a8", prepareGemmW8A8, func(l *level) bool { return l.w8 != nil }) }

// errBound is a bound kernel whose run can report an input error (a NaN or
// Inf row of a fused quantizer, KERNELS.md 3.1).
type errBound struct {
	f    func() error
	path string
}

func (e errBound) Run() error   { return e.f() }
func (e errBound) Path() string { return e.path }

func prepareGemmW8A8(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.GemmW8A8)
	if b.lv.w8 == nil {
		return b.pure.Prepare(op)
	}
	return newGemmW8A8(b, b.lv.w8, &op), nil
}

func newGemmW8A8(b *Backend, k *w8K, op *kernel.GemmW8A8) kernel.Bound {
	M, N, K := op.M, op.N, op.K
	if M == 0 || N == 0 {
		return errBound{func() error { return nil }, k.path}
	}
	nb := k.nb
	ksteps, panels := k.steps(K), (N+nb-1)/nb
	panelBytes := ksteps * nb * 4
	w, cs := k.packW(kernel.I8s(op.Wq), N, K)
	sw := make([]float32, panels*nb)
	bias := make([]float32, panels*nb)
	copy(sw, kernel.F32s(op.Sw))
	copy(bias, kernel.F32s(op.Bias))
	ldx := ksteps * 4
	xb := make([]byte, M*ldx)
	var sx []float32
	var x []float32
	var xq []int8
	if op.Fused {
		x, sx = kernel.F32s(op.X), make([]float32, M)
	} else {
		xq, sx = kernel.I8s(op.Xq), kernel.F32s(op.Sx)
	}
	y, acc := kernel.F32s(op.Y), kernel.I32s(op.Acc)
	type scratch struct {
		y []float32
		a []int32
		q []int8
	}
	pool := newPool(b.threads, func() *scratch {
		return &scratch{y: make([]float32, k.mr*nb), a: make([]int32, k.mr*nb), q: make([]int8, K)}
	})
	// Row prep: quantize (fused) and convert to the kernel's format.
	prep := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for m := lo; m < hi; m++ {
			var row []int8
			if op.Fused {
				sx[m] = k.quantRow(x[m*K:(m+1)*K], sc.q)
				row = sc.q
			} else {
				row = xq[m*K : (m+1)*K]
			}
			k.packX(xb[m*ldx:(m+1)*ldx], row)
		}
	}
	nblk := (M + k.mr - 1) / k.mr
	tiles := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for p := lo; p < hi; p++ {
			c0 := p * nb
			ncols := min(nb, N-c0)
			wp := w[p*panelBytes:]
			for blk := range nblk {
				m0, r := w8Block(blk, M, nblk)
				xr := xb[m0*ldx:]
				// Some row blocks fetch the next panel into L2 (pf nil:
				// no prefetch); a GEMV (one row block) streams W, which
				// needs none.
				var pf []byte
				if off := w8PFOffset(blk, nblk, ksteps, panelBytes); M > k.mr && p+1 < hi && off >= 0 {
					pf = w[(p+1)*panelBytes+off:]
				}
				if ncols == nb {
					var a []int32
					if acc != nil {
						a = acc[m0*N+c0:]
					}
					k.tile[r](xr, ldx, wp, ksteps, cs[c0:], sw[c0:], sx[m0:], bias[c0:], y[m0*N+c0:], N, a, N, pf)
					continue
				}
				k.tile[r](xr, ldx, wp, ksteps, cs[c0:], sw[c0:], sx[m0:], bias[c0:], sc.y, nb, sc.a, nb, pf)
				for i := range r {
					copy(y[(m0+i)*N+c0:(m0+i)*N+N], sc.y[i*nb:i*nb+ncols])
					if acc != nil {
						copy(acc[(m0+i)*N+c0:(m0+i)*N+N], sc.a[i*nb:i*nb+ncols])
					}
				}
			}
		}
	}
	return errBound{path: k.path, f: func() error {
		par.For(M, b.threads, par.Grain(4*K, 1<<16), prep)
		if op.Fused {
			for m, s := range sx {
				if math.IsNaN(float64(s)) {
					return fmt.Errorf("%w: gemm_w8a8: NaN or Inf in X row %d", kernel.ErrShape, m)
				}
			}
		}
		par.For(panels, b.threads, par.Grain(2*M*K*nb, 1<<18), tiles)
		return nil
	}}
}

// w8Block is row block b of M rows split into nblk = ceil(M/mr) blocks
// of nearly equal size (the first M%nblk one row taller): its first row
// and row count. A short last block (M = 6q+2 gave a 2-row tile, which
// runs at 70% of the 6-row tile's rate, and a 1-row tile at 35%) costs
// more than tiles one row short of mr (at 99%).
func w8Block(b, M, nblk int) (m0, rows int) {
	base, extra := M/nblk, M%nblk
	m0 = b*base + min(b, extra)
	if b < extra {
		return m0, base + 1
	}
	return m0, base
}

// w8PFOffset is where in the next panel row block blk of nblk prefetches
// (a line per k-step), or -1 where it prefetches nothing. The prefetching
// blocks end w8PFLag blocks before the panel does: fetched by its first
// blocks, many lines had left L2 again (X rows, Y lines and the panel
// itself pass through it) before the next panel began, and that panel's
// first tile took 1.4-1.9x the time of the others (M=512 and 128;
// 1.05-1.4x now).
func w8PFOffset(blk, nblk, ksteps, panelBytes int) int {
	first := max(0, nblk-panelBytes/(ksteps*64)-w8PFLag)
	if off := (blk - first) * ksteps * 64; off >= 0 && off < panelBytes {
		return off
	}
	return -1
}

// steps is the number of k-steps of K (K padded to whole, aligned steps).
func (k *w8K) steps(K int) int {
	s := (K + k.kPerStep() - 1) / k.kPerStep()
	if a := max(k.align, 1); s%a != 0 {
		s += a - s%a
	}
	return s
}

// packW packs Wq [N,K] into panels of nb columns, [ksteps][nb][4 bytes]
// each (zero padded), and returns the row sums cs (padded to the panels).
func (k *w8K) packW(wq []int8, N, K int) ([]byte, []int32) {
	nb, kps, ksteps := k.nb, k.kPerStep(), k.steps(K)
	panels := (N + nb - 1) / nb
	panelBytes := ksteps * nb * 4
	w := make([]byte, panels*panelBytes)
	cs := make([]int32, panels*nb)
	for n := 0; n < N; n++ {
		panel := w[n/nb*panelBytes:]
		c := n % nb
		var s int32
		for kk, v := range wq[n*K : (n+1)*K] {
			s += int32(v)
			st, j := kk/kps, kk%kps
			if k.layout != w8S16 {
				panel[st*nb*4+c*4+j] = byte(v)
			} else {
				binary.LittleEndian.PutUint16(panel[st*nb*4+c*4+2*j:], uint16(int16(v)))
			}
		}
		cs[n] = s
	}
	return w, cs
}

// packX writes one row of codes in the kernel's format: Xq+128 as u8 padded
// with 128 (VNNI), int16 or s8 padded with 0. dst holds 4*steps(len(q)) bytes.
func (k *w8K) packX(dst []byte, q []int8) {
	switch k.layout {
	case w8S16:
		for i, v := range q {
			binary.LittleEndian.PutUint16(dst[2*i:], uint16(int16(v)))
		}
		clear(dst[2*len(q):])
	case w8S8:
		for i, v := range q {
			dst[i] = byte(v)
		}
		clear(dst[len(q):])
	default:
		n := 0
		if k.flip != nil {
			n = len(q) / 4 * 4
			k.flip(words(dst[:n]), words(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(q))), n)))
		}
		flipSign(dst[n:len(q)], q[n:])
		for i := len(q); i < len(dst); i++ {
			dst[i] = 0x80
		}
	}
}

// quantRow quantizes x symmetrically (KERNELS.md 3.1): s = max|x|/127 (1
// for a zero row), q = clamp(rne(x/s), -127, 127) computed as x*(1/s) in
// float32 (within the near-tie allowance). A row with NaN or Inf returns a
// NaN scale.
func (k *w8K) quantRow(x []float32, q []int8) float32 {
	amb, qf := absMaxBitsGo, quantI8Go
	if k.absMaxBits != nil {
		amb, qf = k.absMaxBits, k.quant
	}
	bits := amb(x)
	if bits >= 0x7F800000 {
		return float32(math.NaN())
	}
	s := float32(1)
	if bits != 0 {
		s = float32(float64(math.Float32frombits(bits)) / 127)
	}
	inv := 1 / s
	if math.IsInf(float64(inv), 0) { // subnormal scale: divide instead
		for i, v := range x {
			q[i] = int8(math.RoundToEven(float64(min(max(v/s, -127), 127))))
		}
		return s
	}
	qf(q, x, inv)
	return s
}

// quantRowI8 is quantRow with the Go parts.
func quantRowI8(x []float32, q []int8) float32 { return (&w8K{}).quantRow(x, q) }

// absMaxBitsGo is the twin of absMaxBitsAVX512.
func absMaxBitsGo(x []float32) uint32 {
	var m uint32
	for _, v := range x {
		m = max(m, math.Float32bits(v)&0x7FFFFFFF)
	}
	return m
}

// quantI8Go is the twin of quantI8AVX512.
func quantI8Go(q []int8, x []float32, inv float32) {
	q = q[:len(x)]
	for i, v := range x {
		q[i] = int8(math.RoundToEven(float64(min(max(v*inv, -127), 127))))
	}
}

// flipSign writes q+128 as u8 (the sign bit flipped), eight bytes at a
// time: q read as bytes, so each step is one 8-byte load (assembling the
// word from eight int8 loads took 4% of gemm_w8a8 at M=512).
func flipSign(dst []byte, q []int8) {
	src := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(q))), len(q))
	dst = dst[:len(src)]
	i := 0
	for ; i+8 <= len(src); i += 8 {
		binary.LittleEndian.PutUint64(dst[i:], binary.LittleEndian.Uint64(src[i:])^0x8080808080808080)
	}
	for ; i < len(src); i++ {
		dst[i] = src[i] ^ 0x80
	}
}

// words views b (len a multiple of 4) as uint32s.
func words(b []byte) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

// w8TileGo is the Go twin of the micro-kernels of panel width nb: the
// meaning of the assembly (used by tests on every architecture).
func w8TileGo(rows, nb int, layout w8Layout) w8Tile {
	return func(x []byte, ldx int, w []byte, ksteps int, cs []int32, sw, sx, bias, y []float32, ldy int, acc []int32, lda int, _ []byte) {
		for i := range rows {
			for c := range nb {
				var a int32
				for st := range ksteps {
					for j := range 4 {
						switch {
						case layout == w8U8S8:
							a += int32(x[i*ldx+st*4+j]) * int32(int8(w[st*nb*4+c*4+j]))
						case layout == w8S8:
							a += int32(int8(x[i*ldx+st*4+j])) * int32(int8(w[st*nb*4+c*4+j]))
						case j%2 == 0:
							xv := int16(binary.LittleEndian.Uint16(x[i*ldx+st*4+j:]))
							wv := int16(binary.LittleEndian.Uint16(w[st*nb*4+c*4+j:]))
							a += int32(xv) * int32(wv)
						}
					}
				}
				if layout == w8U8S8 {
					a -= 128 * cs[c]
				}
				if acc != nil {
					acc[i*lda+c] = a
				}
				y[i*ldy+c] = float32(a)*(sx[i]*sw[c]) + bias[c]
			}
		}
	}
}
