package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/nbench/nbench/kernel"
)

// Direct tests of the quantizer routines of every quantK variant (the Go
// twins and each ISA's) against integer / float64 computations.

func quantVariants() []variant[quantK] {
	return variantsOf([]variant[quantK]{{"generic", true, quantGo}},
		func(l *level) *quantK { return l.q }, func(k *quantK) string { return k.path })
}

// tieGen draws normal values, exact halves (ties at inv = 1), values past
// the clamp and zeros of both signs.
func tieGen(rng *rand.Rand, scale float64) func() float32 {
	return func() float32 {
		switch rng.IntN(8) {
		case 0:
			return float32(rng.IntN(40)-20) + 0.5
		case 1:
			return float32(rng.NormFloat64() * 1000)
		case 2:
			return float32(math.Copysign(0, rng.Float64()-0.5))
		}
		return float32(rng.NormFloat64() * scale)
	}
}

func TestQuantI8Parts(t *testing.T) {
	forEach(t, quantVariants(), func(t *testing.T, k *quantK) {
		if k.quantI8 == nil {
			t.Skip("no int8 quantizer")
		}
		rng := rand.New(rand.NewPCG(21, 22))
		for _, n := range testLengths {
			for off := 0; off < 4; off++ {
				x := input(t, n, off, tieGen(rng, 40))
				var want uint32
				for _, v := range x {
					want = max(want, math.Float32bits(v)&0x7FFFFFFF)
				}
				if got := k.absMaxBits(x); got != want {
					t.Fatalf("absMaxBits n=%d off=%d: %#x, want %#x", n, off, got, want)
				}
				for _, inv := range []float32{1, 3.1} {
					buf := make([]int8, off+n+40)
					for i := range buf {
						buf[i] = 99
					}
					q := buf[off : off+n]
					k.quantI8(q, x, inv)
					for i := range buf {
						if (i < off || i >= off+n) && buf[i] != 99 {
							t.Fatalf("quantI8 n=%d off=%d: wrote outside q at %d", n, off, i)
						}
					}
					for i, v := range x {
						p := float64(v * inv) // the float32 product, then RNE and clamp in float64
						w := math.Max(-127, math.Min(127, math.RoundToEven(p)))
						if float64(q[i]) != w {
							t.Fatalf("quantI8 n=%d off=%d inv=%v: q[%d] = %d, want %v (x %v)", n, off, inv, i, q[i], w, v)
						}
					}
				}
				if n > 0 {
					x[rng.IntN(n)] = float32(math.Inf(1 - 2*rng.IntN(2)))
					if k.absMaxBits(x) < 0x7F800000 {
						t.Fatalf("absMaxBits n=%d: an Inf went unseen", n)
					}
					x[rng.IntN(n)] = float32(math.NaN())
					if k.absMaxBits(x) < 0x7F800000 {
						t.Fatalf("absMaxBits n=%d: a NaN went unseen", n)
					}
				}
			}
		}
	})
}

var w4TestGroups = []int{2, 4, 6, 14, 16, 18, 30, 32, 34, 46, 64, 96, 128, 130, 2 * 127}

func TestW4Parts(t *testing.T) {
	forEach(t, quantVariants(), func(t *testing.T, k *quantK) {
		if k.w4Pack == nil {
			t.Skip("no 4-bit quantizer")
		}
		rng := rand.New(rand.NewPCG(23, 24))
		for _, g := range w4TestGroups {
			for ng := 0; ng <= 4; ng++ {
				for off := 0; off < 4; off++ {
					n := ng * g
					what := fmt.Sprintf("g=%d groups=%d off=%d", g, ng, off)
					w := input(t, n, off, tieGen(rng, 3))
					if ng > 1 && off == 1 { // an all-positive group and an all-negative one
						for i := range g {
							w[i] = float32(math.Abs(float64(w[i]))) + 0.1
							w[g+i] = -float32(math.Abs(float64(w[g+i]))) - 0.1
						}
					}
					rbuf := make([]int32, off+2*ng+8)
					for i := range rbuf {
						rbuf[i] = 77
					}
					r := rbuf[off : off+2*ng]
					k.w4Range(r, w, g)
					for i := range rbuf {
						if (i < off || i >= off+2*ng) && rbuf[i] != 77 {
							t.Fatalf("w4Range %s: wrote outside r at %d", what, i)
						}
					}
					for i := range ng {
						lo, hi := 0.0, 0.0
						for _, v := range w[i*g : (i+1)*g] {
							lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
						}
						if gl, gh := float64(fromKey(r[2*i])), float64(fromKey(r[2*i+1])); gl != lo || gh != hi {
							t.Fatalf("w4Range %s: group %d range [%v, %v], want [%v, %v]", what, i, gl, gh, lo, hi)
						}
					}
					inv, z := make([]float32, ng), make([]int32, ng)
					for i := range inv {
						inv[i] = []float32{1, 2.7, 0.4}[rng.IntN(3)]
						z[i] = int32(rng.IntN(16))
					}
					qbuf := make([]byte, off+n/2+40)
					for i := range qbuf {
						qbuf[i] = 0xA5
					}
					qp := qbuf[off : off+n/2]
					k.w4Pack(qp, w, inv, z, g)
					for i := range qbuf {
						if (i < off || i >= off+n/2) && qbuf[i] != 0xA5 {
							t.Fatalf("w4Pack %s: wrote outside qp at %d", what, i)
						}
					}
					for i, v := range w {
						gi := i / g
						c := math.Max(0, math.Min(15, math.RoundToEven(float64(v*inv[gi]))+float64(z[gi])))
						got := qp[i/2] >> (4 * (i % 2)) & 15
						if float64(got) != c {
							t.Fatalf("w4Pack %s: code %d = %d, want %v (w %v inv %v z %d)", what, i, got, c, v, inv[gi], z[gi])
						}
					}
					if n > 0 {
						i := rng.IntN(n)
						w[i] = float32(math.NaN())
						if math.Signbit(float64(rng.NormFloat64())) {
							w[i] = -w[i]
						}
						k.w4Range(r, w, g)
						if r[2*(i/g)+1] < 0x7F800000 && r[2*(i/g)] > orderKey(float32(math.Inf(-1))) {
							t.Fatalf("w4Range %s: a NaN went unseen", what)
						}
						w[i] = float32(math.Inf(-1))
						k.w4Range(r, w, g)
						if r[2*(i/g)] > orderKey(float32(math.Inf(-1))) {
							t.Fatalf("w4Range %s: -Inf went unseen", what)
						}
					}
				}
			}
		}
	})
}

// pageEndI8 returns n int8 values ending at an inaccessible page.
func pageEndI8(t *testing.T, n int, rng *rand.Rand) []int8 {
	f := pageEnd(t, (n+3)/4)
	if len(f) == 0 {
		return nil
	}
	b := unsafe.Slice((*int8)(unsafe.Pointer(&f[0])), 4*len(f))
	b = b[len(b)-n:]
	for i := range b {
		b[i] = int8(rng.IntN(256) - 128)
	}
	return b
}

func TestSoftmaxPVParts(t *testing.T) {
	forEach(t, quantVariants(), func(t *testing.T, k *quantK) {
		if k.pvShift == nil {
			t.Skip("no softmax P@V code")
		}
		rng := rand.New(rand.NewPCG(25, 26))
		dvs := []int{0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100}
		if k.pvBuckets == nil {
			dvs = nil
		}
		for _, dv := range dvs {
			for _, s := range []int{0, 1, 2, 5, 40} {
				for _, drop := range []int{2, 16, 32} {
					what := fmt.Sprintf("dv=%d S=%d drop=%d", dv, s, drop)
					v := pageEndI8(t, s*dv, rng)
					codes := make([]byte, s)
					for j := range codes {
						codes[j] = byte(rng.IntN(drop + 3))
					}
					const garbage = -7777
					bk := make([]int32, drop*dv+20)
					for i := range bk {
						bk[i] = garbage
					}
					used := k.pvBuckets(bk[:drop*dv], codes, v, dv, drop)
					var wantUsed uint32
					for q := range drop {
						var n int
						for e := range dv {
							var sum int64
							n = 0
							for j, c := range codes {
								if int(c) == q {
									sum += int64(v[j*dv+e])
									n++
								}
							}
							if n > 0 && int64(bk[q*dv+e]) != sum || n == 0 && bk[q*dv+e] != garbage {
								t.Fatalf("pvBuckets %s: bucket %d[%d] = %d, want %d (%d rows)", what, q, e, bk[q*dv+e], sum, n)
							}
						}
						for _, c := range codes {
							if int(c) == q {
								wantUsed |= 1 << q
							}
						}
					}
					if used != wantUsed {
						t.Fatalf("pvBuckets %s: used %#x, want %#x", what, used, wantUsed)
					}
					for i := drop * dv; i < len(bk); i++ {
						if bk[i] != garbage {
							t.Fatalf("pvBuckets %s: wrote past the buckets at +%d", what, i-drop*dv)
						}
					}
				}
			}
		}
		for n := 0; n <= 40 && k.shiftAdd != nil; n++ {
			for _, sh := range []uint64{0, 1, 7, 22, 30} {
				b := make([]int32, n)
				for i := range b {
					b[i] = rng.Int32() >> rng.IntN(31)
					if rng.IntN(2) == 0 {
						b[i] = -b[i]
					}
				}
				buf := make([]int64, n+9)
				for i := range buf {
					buf[i] = int64(i) * 1000003
				}
				a := buf[:n]
				k.shiftAdd(a, b, sh)
				for i := range buf {
					want := int64(i) * 1000003
					if i < n {
						want += int64(b[i]) * (1 << sh)
					}
					if buf[i] != want {
						t.Fatalf("shiftAdd n=%d sh=%d: a[%d] = %d, want %d", n, sh, i, buf[i], want)
					}
				}
			}
		}
		// Each table with the keep its codes allow: 2^bits for the
		// driver's, every code (256, or more) for a random one.
		tables := []*[512]byte{pvCounts(4, kernel.QuantLogSqrt2), pvCounts(4, kernel.QuantLog2), pvCounts(1, kernel.QuantLog2)}
		keeps := []int{16, 16, 2, 256, 1000}
		var rt [512]byte
		for i := range rt {
			rt[i] = byte(rng.IntN(40))
		}
		tables = append(tables, &rt, &rt)
		for lanes := 0; lanes <= k.pvLanes; lanes++ {
			if k.pvStep > 1 && (lanes == 0 || lanes%k.pvStep != 0) {
				continue
			}
			for _, s := range []int{0, 1, 3, 33, 64, 130} {
				for ti, cnt := range tables {
					for _, withOdd := range []bool{true, false} {
						ldv := lanes + rng.IntN(3)
						what := fmt.Sprintf("lanes=%d S=%d table=%d odd=%v", lanes, s, ti, withOdd)
						v := pageEndI8(t, max(s*ldv-(ldv-lanes), 0), rng) // the last row ends at the page
						codes := make([]byte, s)
						for j := range codes {
							codes[j] = byte(rng.IntN(256))
							if rng.IntN(2) == 0 {
								codes[j] = byte(rng.IntN(17))
							}
						}
						const garbage = -5555
						buf := make([]int32, 2*(lanes+16))
						for i := range buf {
							buf[i] = garbage
						}
						all, odd := buf[:lanes], buf[lanes+16:2*lanes+16]
						k.pvShift(all, odd, codes, v, ldv, cnt, withOdd, keeps[ti])
						for e := range lanes {
							var a, o int64
							for j, c := range codes {
								x := int64(v[j*ldv+e])
								if sh := cnt[c]; sh < 32 {
									a += x << sh
								}
								if sh := cnt[256+int(c)]; sh < 32 {
									o += x << sh
								}
							}
							if all[e] != int32(a) {
								t.Fatalf("pvShift %s: all[%d] = %d, want %d", what, e, all[e], int32(a))
							}
							if withOdd && odd[e] != int32(o) || !withOdd && odd[e] != garbage {
								t.Fatalf("pvShift %s: odd[%d] = %d, want %d", what, e, odd[e], int32(o))
							}
						}
						for i := range 16 {
							if buf[lanes+i] != garbage || buf[2*lanes+16+i] != garbage {
								t.Fatalf("pvShift %s: wrote past its outputs", what)
							}
						}
					}
				}
			}
		}
	})
}

// TestPVOut compares each level's pvOut with pvOutGo bit for bit, with
// and without the odd sums, on int32 sums over their whole range and
// lengths around the vectors (and past 256, where a mask built from the
// count's low byte would fail), with guards after o.
func TestPVOut(t *testing.T) {
	forEach(t, quantVariants(), func(t *testing.T, k *quantK) {
		if k.pvOut == nil {
			t.Skip("no vector pvOut")
		}
		rng := rand.New(rand.NewPCG(27, 28))
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 256, 263} {
			all, odd := make([]int32, n), make([]int32, n)
			for i := range all {
				all[i], odd[i] = int32(rng.Uint32()), int32(rng.Uint32())
				if rng.IntN(3) == 0 {
					all[i], odd[i] = int32(rng.IntN(2000)-1000), int32(rng.IntN(2000)-1000)
				}
			}
			scale := math.Ldexp(rng.Float64()+0.5, -rng.IntN(40))
			for _, od := range [][]int32{odd, nil} {
				got, want := make([]float32, n+8), make([]float32, n+8)
				for i := range got {
					got[i], want[i] = -7, -7
				}
				k.pvOut(got[:n], all, od, scale, math.Sqrt2-1)
				pvOutGo(want[:n], all, od, scale, math.Sqrt2-1)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("n=%d odd=%v: o[%d] = %v, want %v (8 guards after o)", n, od != nil, i, got[i], want[i])
					}
				}
			}
		}
	})
}

func TestWQDots(t *testing.T) {
	forEach(t, quantVariants(), func(t *testing.T, k *quantK) {
		if k.wqDots[4] == nil {
			t.Skip("no layerwise_wq code")
		}
		rng := rand.New(rand.NewPCG(29, 30))
		for _, bits := range []int{2, 3, 4, 8} {
			vpb := wqVPB(bits)
			for _, gb := range []int{1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 48, 64, 65} {
				for ng := 0; ng <= 3; ng++ {
					what := fmt.Sprintf("bits=%d gb=%d groups=%d", bits, gb, ng)
					per := (gb + 15) / 16 * 16 * vpb
					x := randSlice(rng, ng*gb*vpb)
					xl := input(t, ng*per, 0, func() float32 { return 0 })
					wqLayout(xl, x, gb, vpb)
					q8 := pageEndI8(t, ng*gb, rng)
					var q []byte
					if len(q8) > 0 {
						q = unsafe.Slice((*byte)(unsafe.Pointer(&q8[0])), len(q8))
					}
					z := make([]int32, ng) // zero points: 3 bits only (the others have none)
					for g := range z {
						if bits == 3 {
							z[g] = int32(rng.IntN(8))
						}
					}
					d, check := guarded(ng, 8)
					k.wqDots[bits](d, xl, q, z, gb)
					check(t, what)
					for g := range ng {
						var ref, mag float64
						for i := range gb * vpb {
							b := q[g*gb+i/vpb]
							var c float64
							switch {
							case bits == 8:
								c = float64(int8(b))
							case bits == 3:
								c = float64(b) - float64(z[g])
							default:
								c = float64(int(b)>>(bits*(i%vpb))&(1<<bits-1)) - float64(z[g])
							}
							ref += float64(x[g*gb*vpb+i]) * c
							mag += math.Abs(float64(x[g*gb*vpb+i]) * c)
						}
						if !near(d[g], ref, mag, 1e-6) {
							t.Fatalf("wqDots %s: d[%d] = %v, want %v", what, g, d[g], ref)
						}
					}
				}
			}
		}
	})
}

// TestW4Params compares every supported level's vector group parameters
// with w4Params bit for bit (s, inv, z, zb), asymmetric and symmetric, for
// 0..40 groups (every tail of the 8- and 16-group steps) of keys from
// random ranges, zero groups (of both signs), tiny and huge ranges, and
// NaN and Inf.
func TestW4Params(t *testing.T) {
	tested := false
	for _, l := range levels() {
		if p := w4ParamsOf(l.q); l.ok && p != nil {
			t.Run(l.name, func(t *testing.T) { testW4Params(t, p) })
			tested = true
		}
	}
	if !tested {
		t.Skip("no vector group parameters")
	}
}

func testW4Params(t *testing.T, p w4ParamsFn) {
	rng := rand.New(rand.NewPCG(31, 32))
	val := func() float32 {
		switch rng.IntN(10) {
		case 0:
			return 0
		case 1:
			return float32(math.Copysign(0, -1))
		case 2:
			return float32(math.Inf(1 - 2*rng.IntN(2)))
		case 3:
			return float32(math.NaN())
		case 4:
			return float32(rng.NormFloat64() * 1e-7)
		case 5:
			return float32(rng.NormFloat64() * 1e30)
		case 6:
			return float32(rng.IntN(31)-15) * 0.5
		}
		return float32(rng.NormFloat64())
	}
	for round := range 200 {
		for n := range 41 {
			keys := make([]int32, 2*n)
			for i := range n {
				lo, hi := min(0, val()), max(0, val())
				if rng.IntN(4) == 0 { // NaN through the ordered keys
					lo, hi = val(), val()
				}
				keys[2*i], keys[2*i+1] = min(0, orderKey(lo)), max(0, orderKey(hi))
			}
			for _, sym := range []bool{false, true} {
				s, inv, z, zb := make([]float32, n+1), make([]float32, n+1), make([]int32, n+1), make([]byte, n+1)
				s2, inv2, z2, zb2 := make([]float32, n), make([]float32, n), make([]int32, n), make([]byte, n)
				s[n], inv[n], z[n], zb[n] = 99, 99, 99, 99
				p(keys, s[:n], inv[:n], z[:n], zb[:n], sym)
				w4ParamsGo(keys, s2, inv2, z2, zb2, sym)
				if s[n] != 99 || inv[n] != 99 || z[n] != 99 || zb[n] != 99 {
					t.Fatalf("round %d n=%d sym=%v: wrote past the end", round, n, sym)
				}
				for i := range n {
					if math.Float32bits(s[i]) != math.Float32bits(s2[i]) || math.Float32bits(inv[i]) != math.Float32bits(inv2[i]) ||
						z[i] != z2[i] || zb[i] != zb2[i] {
						t.Fatalf("round %d n=%d sym=%v group %d (keys %#x %#x): got %v %v %d %d, want %v %v %d %d", round, n, sym, i,
							keys[2*i], keys[2*i+1], s[i], inv[i], z[i], zb[i], s2[i], inv2[i], z2[i], zb2[i])
					}
				}
			}
		}
	}
}

// TestW4PackNT compares the streaming pack with the plain one (32-byte
// aligned codes, groups of 64, 128 and 192, one to three groups).
func TestW4PackNT(t *testing.T) {
	var nt func(qp []byte, w []float32, inv []float32, z []int32, g int)
	l := levels()[0]
	if l.ok {
		nt = w4PackNTOf(l.q)
	}
	if nt == nil {
		t.Skip("no streaming pack")
	}
	rng := rand.New(rand.NewPCG(33, 34))
	for _, g := range []int{64, 128, 192} {
		for ng := 1; ng <= 3; ng++ {
			n := ng * g
			w := input(t, n, 0, tieGen(rng, 3))
			inv, z := make([]float32, ng), make([]int32, ng)
			for i := range inv {
				inv[i], z[i] = []float32{1, 2.7, 0.4}[rng.IntN(3)], int32(rng.IntN(16))
			}
			buf := bytesAligned(n/2+64, 32)
			for i := range buf {
				buf[i] = 0xA5
			}
			want := make([]byte, n/2)
			l.q.w4Pack(want, w, inv, z, g)
			nt(buf[:n/2], w, inv, z, g)
			sfence()
			for i, c := range buf {
				if i < n/2 && c != want[i] || i >= n/2 && c != 0xA5 {
					t.Fatalf("g=%d groups=%d: byte %d = %#x, want %#x", g, ng, i, c, want[min(i, n/2-1)])
				}
			}
		}
	}
}

// bytesAligned returns n bytes starting at an align-byte boundary.
func bytesAligned(n, align int) []byte {
	buf := make([]byte, n+align)
	h := int(-uintptr(unsafe.Pointer(&buf[0])) & uintptr(align-1))
	return buf[h : h+n]
}

// TestQuantI8NT compares the streaming int8 quantizer with the plain one
// (64-byte aligned codes; lengths with and without 16-steps and tails).
func TestQuantI8NT(t *testing.T) {
	forEach(t, quantVariants(), func(t *testing.T, qk *quantK) {
		if nt := quantI8NTOf(qk); nt != nil {
			testQuantI8NT(t, qk, nt)
		} else {
			t.Skip("no streaming quantizer")
		}
	})
}

func testQuantI8NT(t *testing.T, qk *quantK, nt func(q []int8, x []float32, inv float32)) {
	rng := rand.New(rand.NewPCG(35, 36))
	for _, n := range []int{64, 128, 200, 4096, 4099} {
		x := input(t, n, 0, tieGen(rng, 40))
		for _, inv := range []float32{1, 3.1} {
			want := make([]int8, n)
			qk.quantI8(want, x, inv)
			buf := bytesAligned(n+64, 64)
			for i := range buf {
				buf[i] = 0x5A
			}
			q := unsafe.Slice((*int8)(unsafe.Pointer(&buf[0])), n)
			nt(q, x, inv)
			sfence()
			for i, c := range buf {
				if i < n && int8(c) != want[i] || i >= n && c != 0x5A {
					t.Fatalf("n=%d inv=%v: byte %d = %d, want %d", n, inv, i, int8(c), want[min(i, n-1)])
				}
			}
		}
	}
}

// TestWQGemv calls layerwise_wq's GEMV routines (4 and 1 weight rows per
// pass, 4- and 2-bit codes) with every input ending at an inaccessible
// page, for full chunks, tails, per-channel groups and more than 16 groups,
// against a float64 computation from the codes.
func TestWQGemv(t *testing.T) {
	forEach(t, quantVariants(), func(t *testing.T, k *quantK) {
		if k.wqGemv4[4] == nil {
			t.Skip("no layerwise_wq GEMV")
		}
		rng := rand.New(rand.NewPCG(31, 32))
		for _, bits := range []int{2, 4} {
			vpb := wqVPB(bits)
			for _, kg := range [][2]int{{4, 4}, {36, 36}, {100, 100}, {128, 128}, {256, 128}, {2176, 128}, {2560, 32}, {384, 384}} {
				K, G := kg[0], kg[1]
				gb, ng := G/vpb, K/G
				per := (gb + 15) / 16 * 16 * vpb
				cases := []struct {
					n    int
					f    wqGemvFn
					name string
				}{{8, k.wqGemv4[bits], "wqGemv4"}, {3, k.wqGemv1[bits], "wqGemv1"}}
				if bits == 4 && gb%64 == 0 && k.wqGemvWide4 != nil {
					cases = append(cases, cases[0], cases[1])
					cases[2].f, cases[2].name, cases[3].f, cases[3].name = k.wqGemvWide4, "wide4", k.wqGemvWide1, "wide1"
				}
				for ci, c := range cases {
					n := c.n
					what := fmt.Sprintf("%s bits=%d K=%d G=%d", c.name, bits, K, G)
					x := randSlice(rng, K)
					xl := pageEnd(t, ng*per)
					if ci < 2 {
						wqLayout(xl, x, gb, vpb)
					} else {
						wqLayout(xl, x, gb/4, 8)
					}
					q := pageEndBytes(t, n*K/vpb)
					for i := range q {
						q[i] = uint8(rng.IntN(256))
					}
					s, sh, bias := pageEnd(t, n*ng), pageEnd(t, n*ng), pageEnd(t, n)
					for i := range s {
						s[i], sh[i] = float32(rng.Float64()), float32(4*rng.Float64()-2)
					}
					for i := range bias {
						bias[i] = float32(rng.Float64() - 0.5)
					}
					y, check := guarded(n, 16)
					c.f(y, xl, q, s, sh, bias, n, gb, ng)
					check(t, what)
					for j := range n {
						ref, mag := float64(bias[j]), math.Abs(float64(bias[j]))
						for kk := range K {
							g := j*ng + kk/G
							code := int(q[(j*K+kk)/vpb]) >> (bits * (kk % vpb)) & (1<<bits - 1)
							w := float64(code)*float64(s[g]) - float64(sh[g])
							ref += float64(x[kk]) * w
							mag += math.Abs(float64(x[kk]) * w)
						}
						if !near(y[j], ref, mag, 1e-5) {
							t.Fatalf("%s: y[%d] = %v, want %v", what, j, y[j], ref)
						}
					}
				}
			}
		}
	})
}

// TestWQByte calls layerwise_wq's one-byte GEMV routines (8-bit signed
// codes, 3-bit codes with zero points) as the driver does, four weight rows
// per pass and then one, for 0..9 rows, full 64- and 16-byte steps, tails
// and several group counts, with every input ending at an inaccessible page,
// against a float64 computation from the codes and against the Go twin.
// Some groups hold only codes at their zero point (8 bits: 0), which must
// add exactly 0: a row of them gives exactly its bias.
func TestWQByte(t *testing.T) {
	forEach(t, quantVariants(), func(t *testing.T, k *quantK) {
		if k.wqByte4[8] == nil {
			t.Skip("no layerwise_wq one-byte GEMV")
		}
		rng := rand.New(rand.NewPCG(37, 38))
		for _, bits := range []int{8, 3} {
			kgs := [][2]int{{1, 1}, {12, 12}, {16, 16}, {17, 17}, {64, 64}, {100, 100}, {130, 130}, {4096, 4096}}
			if bits == 3 {
				kgs = [][2]int{{128, 128}, {256, 128}, {1408, 128}, {130, 130}, {36, 36}, {48, 16}, {2560, 32}, {200, 40}}
			}
			for _, kg := range kgs {
				K, G := kg[0], kg[1]
				ng, per := K/G, (G+15)/16*16
				for n := 0; n <= 9; n++ {
					what := fmt.Sprintf("bits=%d K=%d G=%d n=%d", bits, K, G, n)
					x := randSlice(rng, K)
					xl := pageEnd(t, ng*per)
					wqLayout(xl, x, G, 1)
					q, z := pageEndBytes(t, n*K), pageEndBytes(t, n*ng)
					s, bias := pageEnd(t, n*ng), pageEnd(t, n)
					for i := range s {
						s[i] = float32(rng.Float64())
					}
					for i := range z {
						z[i] = uint8(rng.IntN(8))
					}
					flat := rng.IntN(n+1) - 1 // a row of zero-point codes (-1: none)
					atZ := make([]bool, n*ng) // groups of zero-point codes only
					for g := range atZ {
						atZ[g] = g/ng == flat || rng.IntN(4) == 0
					}
					for i := range q {
						g := i/K*ng + i%K/G
						switch {
						case atZ[g] && bits == 3:
							q[i] = z[g]
						case atZ[g]:
							q[i] = 0
						case bits == 3:
							q[i] = uint8(rng.IntN(8))
						default:
							q[i] = uint8(rng.IntN(256))
						}
					}
					for i := range bias {
						bias[i] = float32(rng.Float64() - 0.5)
					}
					run := func(four, one w4Gemv) []float32 {
						y, check := guarded(n, 16)
						n4 := n &^ 3
						zs := func(j int) []byte {
							if bits == 8 {
								return nil
							}
							return z[j*ng:]
						}
						four(y, xl, q, s, zs(0), bias, n4, G, ng)
						one(y[n4:], xl, q[n4*K:], s[n4*ng:], zs(n4), bias[n4:], n-n4, G, ng)
						check(t, what)
						return y
					}
					y := run(k.wqByte4[bits], k.wqByte1[bits])
					twin := run(quantGo.wqByte4[bits], quantGo.wqByte1[bits])
					for j := range n {
						ref, mag := float64(bias[j]), math.Abs(float64(bias[j]))
						for kk := range K {
							g := j*ng + kk/G
							c := float64(int8(q[j*K+kk]))
							if bits == 3 {
								c = float64(q[j*K+kk]) - float64(z[g])
							}
							ref += float64(x[kk]) * c * float64(s[g])
							mag += math.Abs(float64(x[kk]) * c * float64(s[g]))
						}
						if !near(y[j], ref, mag, 1e-5) || !near(y[j], float64(twin[j]), mag, 1e-5) {
							t.Fatalf("%s: y[%d] = %v, want %v (twin %v)", what, j, y[j], ref, twin[j])
						}
						if j == flat && y[j] != bias[j] {
							t.Fatalf("%s: row %d of zero-point codes gives %v, want the bias %v", what, j, y[j], bias[j])
						}
					}
				}
			}
		}
	})
}

// TestQuantizeI8Streaming runs quantize_i8 where it takes the streaming
// quantizer (traffic beyond the L2, aligned rows; checked) at one and
// three threads: codes and scales equal the plain quantizer's, bit for
// bit, and nothing is written past Q.
func TestQuantizeI8Streaming(t *testing.T) {
	for _, l := range supported() {
		if quantI8NTOf(l.q) != nil {
			t.Run(l.name, func(t *testing.T) { testQuantizeI8Streaming(t, l) })
		}
	}
}

func testQuantizeI8Streaming(t *testing.T, l *level) {
	rng := rand.New(rand.NewPCG(37, 38))
	k := 4096
	rows := l2Bytes()/(5*k) + 3
	x := input(t, rows*k, 0, tieGen(rng, 40))
	buf := bytesAligned(rows*k+64, 64)
	q := unsafe.Slice((*int8)(unsafe.Pointer(&buf[0])), rows*k)
	if quantI8Streams(l.q, x, q, k) == nil {
		t.Fatalf("%dx%d: quantize_i8 does not stream", rows, k)
	}
	want, wantS := make([]int8, rows*k), make([]float32, rows)
	plain := &w8K{absMaxBits: l.q.absMaxBits, quant: l.q.quantI8}
	for r := range rows {
		wantS[r] = plain.quantRow(x[r*k:(r+1)*k], want[r*k:(r+1)*k])
	}
	for _, threads := range []int{1, 3} {
		for i := range buf {
			buf[i] = 0x5A
		}
		s := make([]float32, rows)
		op := kernel.QuantizeI8{Rows: rows, K: k, X: &kernel.Host{F32: x}, Q: &kernel.Host{I8: q}, Scale: &kernel.Host{F32: s}}
		bd, err := prepareQuantizeI8(&Backend{threads: threads, lv: l}, op)
		if err != nil {
			t.Fatal(err)
		}
		if err := bd.Run(); err != nil {
			t.Fatal(err)
		}
		for i, c := range buf {
			if i < rows*k && int8(c) != want[i] || i >= rows*k && c != 0x5A {
				t.Fatalf("threads=%d: byte %d = %d, want %d", threads, i, int8(c), want[min(i, rows*k-1)])
			}
		}
		for r := range rows {
			if math.Float32bits(s[r]) != math.Float32bits(wantS[r]) {
				t.Fatalf("threads=%d: scale %d = %v, want %v", threads, r, s[r], wantS[r])
			}
		}
	}
}
