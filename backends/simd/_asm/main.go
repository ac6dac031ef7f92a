// Command _asm generates the amd64 assembly of package simd with avo.
//
// It lives in its own module so avo never enters nbench's go.mod. Run it
// through `go generate ./backends/simd/` (see gen.go there); ci/check-asm.sh
// regenerates and diffs the committed files.
//
// The row and loss primitives, the per-channel fold and the NMS sweep come
// in an AVX-512 (F/BW/DQ/VL + BMI2) and an AVX2+FMA variant built from one
// template (a variant describes the vector width), as do the fused row
// norms, the 4-bit GEMM and the Soft-NMS pass; the attention and quantizer
// kernels are AVX-512 only; the int8 GEMM has
// AVX-512 VNNI, AVX-VNNI (VEX, as bytes) and AVX2 (VPMADDWD) tiles. Tails
// use opmask registers (AVX-512) or a zero-padded stack copy (AVX2), so no
// routine reads or writes past its slices.
package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

func main() {
	ConstraintExpr("!purego")
	for _, v := range variants {
		reductions(v)
		elementwise(v)
		bnFold(v)
		evo(v)
		cols(v)
		sla(v)
		normRows(v)
		groupRows(v)
	}
	xent()
	attention()
	gemmI8()
	w4g()
	iou()
	softPass()
	softRound()
	softBounds()
	softCompact()
	softKeys()
	softPlace()
	softPassAVX2()
	quant()
	quantAVX2()
	quantW4()
	quantW4AVX2()
	softmaxPV()
	pvShift()
	pvOut()
	pvOutAVX2()
	pvShiftAVX2()
	rqCodes(avx512)
	rqCodes(avx2)
	gemmF32()
	wqDots()
	wqDotsAVX2()
	ntFence()
	peakProbes()
	Generate()
}

// variant is one vector width.
type variant struct {
	name  string // suffix of the routine names
	lanes int    // float32 lanes
	z     bool   // AVX-512 (zmm, opmask tails)
}

var (
	avx512   = variant{"AVX512", 16, true}
	avx2     = variant{"AVX2", 8, false}
	variants = []variant{avx512, avx2}
)

func (v variant) vec() VecVirtual {
	if v.z {
		return ZMM()
	}
	return YMM()
}

func (v variant) bytes() int { return 4 * v.lanes }

// ---- constant pool: every constant is 16 copies of a 32-bit value, so both
// a ymm and a zmm load it whole.

var pool = map[string]Mem{}

// table is the read-only constant c_<name> holding vals (each 1, 4 or 8
// bytes), emitted on first use.
func table[T uint8 | uint32 | uint64](name string, vals ...T) Mem {
	if m, ok := pool[name]; ok {
		return m
	}
	m := GLOBL("c_"+name, RODATA|NOPTR)
	for i, v := range vals {
		switch v := any(v).(type) {
		case uint8:
			DATA(i, U8(v))
		case uint32:
			DATA(4*i, U32(v))
		case uint64:
			DATA(8*i, U64(v))
		}
	}
	pool[name] = m
	return m
}

// copies is n copies of v.
func copies[T any](n int, v T) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func splat(name string, bits uint32) Mem { return table(name, copies(16, bits)...) }

func splatF(name string, f float32) Mem { return splat(name, math.Float32bits(f)) }

// tailMask is 8 all-ones int32 then 8 zeros: the 8 lanes starting at
// 4*(8-n) bytes have the first n lanes set (AVX2 tails).
func tailMask() Mem {
	return table("tailmask", append(copies(8, uint32(0xffffffff)), copies(8, uint32(0))...)...)
}

// copyBytes copies n (> 0) bytes from src to dst a byte at a time (a
// tail into a zeroed stack buffer, so that a full-width load never reads
// past the input); it uses the label "copy".
func copyBytes(dst Mem, src GPVirtual, n GPVirtual) {
	i, c := GP64(), GP32()
	XORQ(i, i)
	Label("copy")
	MOVBLZX(Mem{Base: src, Index: i, Scale: 1}, c)
	MOVB(c.As8(), dst.Idx(i, 1))
	INCQ(i)
	CMPQ(i, n)
	JB(LabelRef("copy"))
}

// kOpt is how kFirst builds its mask; the zero value suits most sites.
type kOpt struct {
	ones GPVirtual // holds -1 already (set once, outside a loop); nil: t is set to -1 here
	t    GPVirtual // the register the mask is built in; nil: a fresh one
	full string    // a label: n >= w jumps to it past BZHI (n may exceed 255; BZHI reads its low byte)
}

// kFirst sets the opmask of the first n lanes (AVX-512 tails; tailMask is
// the AVX2 one): ks[0] gets bits 0..w-1 of it, each further k the next w
// bits (a 2w-lane mask over two w-lane registers). w (8, 16, 32, 64) picks
// KMOVB, KMOVW, KMOVD or KMOVQ. With no ks it returns a fresh opmask.
func kFirst(w int, n GPVirtual, o kOpt, ks ...OpmaskVirtual) OpmaskVirtual {
	t := o.t
	if t == nil {
		t = GP64()
	}
	ones := o.ones
	if ones != nil && o.full != "" {
		panic("kFirst: the full path would skip setting t")
	}
	if ones == nil {
		MOVQ(I32(-1), t)
		ones = t
	}
	if o.full != "" {
		CMPQ(n, U8(w))
		JAE(LabelRef(o.full))
	}
	BZHIQ(n, ones, t)
	if o.full != "" {
		Label(o.full)
	}
	if len(ks) == 0 {
		ks = []OpmaskVirtual{K()}
	}
	for i, k := range ks {
		if i > 0 {
			SHRQ(U8(w), t)
		}
		switch w {
		case 8:
			KMOVB(t.As32(), k)
		case 16:
			KMOVW(t.As32(), k)
		case 32:
			KMOVD(t.As32(), k)
		case 64:
			KMOVQ(t, k)
		default:
			panic(fmt.Sprintf("kFirst: opmask width %d", w))
		}
	}
	return ks[0]
}

// bcast loads a constant vector (register form, for operands that cannot be memory).
func (v variant) bcast(m Mem) VecVirtual {
	r := v.vec()
	VMOVUPS(m, r)
	return r
}

// scalarArg broadcasts a float32 parameter to every lane.
func (v variant) scalarArg(name string) VecVirtual {
	r := v.vec()
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	VBROADCASTSS(b.Addr, r)
	return r
}

// lane is the context of one emitted vector step: full, or a masked tail.
type lane struct {
	v    variant
	tail bool
	k    OpmaskVirtual // AVX-512 tail mask
	ym   VecVirtual    // AVX2 tail mask
}

// load reads one vector (zero-filled past the tail; the AVX2 tail reads
// its zero-padded stack copy).
func (l lane) load(m Mem) VecVirtual {
	r := l.v.vec()
	if l.tail && l.v.z {
		VMOVUPS_Z(m, l.k, r)
	} else {
		VMOVUPS(m, r)
	}
	return r
}

// store writes one vector (only the tail lanes at the AVX-512 tail; the
// AVX2 tail writes its stack copy).
func (l lane) store(r VecVirtual, m Mem) {
	if l.tail && l.v.z {
		VMOVUPS(r, l.k, m)
	} else {
		VMOVUPS(r, m)
	}
}

// add accumulates term into acc (only tail lanes at the tail).
func (l lane) add(term, acc VecVirtual) {
	switch {
	case !l.tail:
		VADDPS(term, acc, acc)
	case l.v.z:
		VADDPS(term, acc, l.k, acc)
	default:
		VANDPS(l.ym, term, term)
		VADDPS(term, acc, acc)
	}
}

// max folds term into acc with VMAXPS (only tail lanes at the tail).
func (l lane) max(term, acc VecVirtual) {
	switch {
	case !l.tail:
		VMAXPS(term, acc, acc)
	case l.v.z:
		VMAXPS(term, acc, l.k, acc)
	default:
		t := l.v.vec()
		VMAXPS(term, acc, t)
		VBLENDVPS(l.ym, t, acc, acc)
	}
}

// loop emits a loop over n elements: unroll vectors per iteration, then
// one vector per iteration, then the tail. step(l, i) handles vector i of
// the current iteration at byte offset i*v.bytes() of every pointer; ptrs
// advance by 4 bytes per element; outs (a subset of ptrs) are written.
//
// The AVX-512 tail uses zero-masked loads and masked stores, which do not
// fault on the masked-out lanes. The AVX2 tail copies the last n < 8
// elements of every pointer into a stack buffer, runs the step there and
// copies the outputs back: VMASKMOVPS would not fault on real CPUs either,
// but emulators (qemu 7.2) fault on masked-out lanes past a page end.
func loop(v variant, n GPVirtual, ptrs, outs []GPVirtual, unroll int, step func(l lane, i int)) {
	advance := func(vectors int) {
		for _, p := range ptrs {
			ADDQ(U32(vectors*v.bytes()), p)
		}
		SUBQ(U32(vectors*v.lanes), n)
	}
	full := lane{v: v}
	if unroll > 1 {
		Label("unrolled")
		CMPQ(n, U32(unroll*v.lanes))
		JB(LabelRef("single"))
		for i := 0; i < unroll; i++ {
			step(full, i)
		}
		advance(unroll)
		JMP(LabelRef("unrolled"))
	}
	Label("single")
	CMPQ(n, U32(v.lanes))
	JB(LabelRef("tail"))
	step(full, 0)
	advance(1)
	JMP(LabelRef("single"))

	Label("tail")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	t := lane{v: v, tail: true}
	if v.z {
		t.k = kFirst(v.lanes, n, kOpt{})
		step(t, 0)
		Label("done")
		return
	}
	base := GP64()
	LEAQ(tailMask(), base)
	neg := GP64()
	MOVQ(n, neg)
	NEGQ(neg)
	t.ym = YMM()
	VMOVDQU(Mem{Base: base, Index: neg, Scale: 4, Disp: 32}, t.ym)
	buf := AllocLocal(32 * len(ptrs))
	orig := AllocLocal(8 * len(outs))
	z := YMM()
	VXORPS(z, z, z)
	i, e := GP64(), GP32()
	for j, p := range ptrs {
		for k, o := range outs {
			if o == p {
				MOVQ(p, orig.Offset(8*k))
			}
		}
		VMOVUPS(z, buf.Offset(32*j))
		XORQ(i, i)
		Label(fmt.Sprintf("in%d", j))
		MOVL(Mem{Base: p, Index: i, Scale: 4}, e)
		MOVL(e, buf.Offset(32*j).Idx(i, 4))
		INCQ(i)
		CMPQ(i, n)
		JB(LabelRef(fmt.Sprintf("in%d", j)))
		LEAQ(buf.Offset(32*j), p)
	}
	step(t, 0)
	for k, o := range outs {
		j := 0
		for jj, p := range ptrs {
			if p == o {
				j = jj
			}
		}
		dst := GP64()
		MOVQ(orig.Offset(8*k), dst)
		XORQ(i, i)
		Label(fmt.Sprintf("out%d", k))
		MOVL(buf.Offset(32*j).Idx(i, 4), e)
		MOVL(e, Mem{Base: dst, Index: i, Scale: 4})
		INCQ(i)
		CMPQ(i, n)
		JB(LabelRef(fmt.Sprintf("out%d", k)))
	}
	Label("done")
}

// hreduce folds the lanes of r with op (VADDPS or VMAXPS) into lane 0.
func (v variant) hreduce(r VecVirtual, op func(a, b, dst Op)) {
	y := r.AsY()
	if v.z {
		hi := YMM()
		VEXTRACTF64X4(U8(1), r, hi)
		op(hi, y, y)
	}
	hx := XMM()
	VEXTRACTF128(U8(1), y, hx)
	x := r.AsX()
	op(hx, x, x)
	t := XMM()
	VMOVHLPS(x, x, t)
	op(t, x, x)
	VMOVSHDUP(x, t)
	op(t, x, x)
}

// reduceTo combines accumulators with op, folds lanes, and returns the xmm
// holding the result in lane 0.
func (v variant) reduceTo(acc []VecVirtual, op func(a, b, dst Op)) Register {
	for len(acc) > 1 {
		h := len(acc) / 2
		for i := 0; i < h; i++ {
			op(acc[i+h], acc[i], acc[i])
		}
		if len(acc)%2 == 1 {
			op(acc[len(acc)-1], acc[0], acc[0])
		}
		acc = acc[:h]
	}
	v.hreduce(acc[0], op)
	return acc[0].AsX()
}

func vaddps(a, b, dst Op) { VADDPS(a, b, dst) }
func vmaxps(a, b, dst Op) { VMAXPS(a, b, dst) }

func zero(r VecVirtual) { VXORPS(r, r, r) }

// ptr loads a slice's base pointer.
func ptr(name string) GPVirtual {
	return Load(Param(name).Base(), GP64()).(GPVirtual)
}

func fn(v variant, name, sig string, doc ...string) {
	TEXT(name+v.name, NOSPLIT, sig)
	Pragma("noescape")
	what := "AVX2+FMA"
	if v.z {
		what = "AVX-512"
	}
	doc = append(doc, fmt.Sprintf("(%s)", what))
	Doc(doc...)
}
