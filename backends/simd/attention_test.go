package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestAVX2LowRegisters checks that no routine of the AVX2 levels (names
// ending in AVX2 or VNNI256) uses vector registers 16-31: avo allocates
// them when 16 do not suffice, the Go assembler then emits EVEX (AVX-512)
// encodings, and avo's "Requires:" line does not say so.
func TestAVX2LowRegisters(t *testing.T) {
	src, err := os.ReadFile("simd_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	high := regexp.MustCompile(`\b[XYZ](1[6-9]|2[0-9]|3[01])\b`)
	name := ""
	for i, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "TEXT ·"); ok {
			name, _, _ = strings.Cut(rest, "(")
			continue
		}
		if (strings.HasSuffix(name, "AVX2") || strings.HasSuffix(name, "VNNI256")) && high.MatchString(line) {
			t.Errorf("simd_amd64.s:%d: %s uses an AVX-512 register: %s", i+1, name, strings.TrimSpace(line))
		}
	}
}

// TestNoLegacySSEWhileDirty checks that no routine runs a legacy-SSE
// instruction on an XMM register (MOVSD, UCOMISD, ...) after it has used a
// YMM or ZMM register and before its VZEROUPPER, nor returns in between
// (the Go code after it is legacy SSE). AMD runs those at full
// speed; the Xeon VM charges each one a state transition: such tests in
// softRoundAVX512's loop made soft_nms 5-6x slower there (linear N=5000:
// 4.8 ms, 0.77 ms with their VEX forms). The scan follows the file's order,
// not its jumps: a block after a VZEROUPPER that a jump enters with dirty
// registers is judged clean.
func TestNoLegacySSEWhileDirty(t *testing.T) {
	src, err := os.ReadFile("simd_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	wide := regexp.MustCompile(`\b[YZ]([0-9]|[12][0-9]|3[01])\b`)
	xmm := regexp.MustCompile(`\bX([0-9]|1[0-5])\b`)
	name, dirty, checked, rets := "", false, 0, 0
	for i, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "TEXT ·"); ok {
			name, _, _ = strings.Cut(rest, "(")
			dirty = false
			continue
		}
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "//") || strings.HasSuffix(f[0], ":") {
			continue
		}
		switch op := f[0]; {
		case op == "VZEROUPPER" || op == "VZEROALL":
			dirty = false
		case wide.MatchString(line):
			dirty = true
		case op == "RET":
			rets++
			if dirty { // the caller's Go code is legacy SSE
				t.Errorf("simd_amd64.s:%d: %s returns with dirty upper halves (no VZEROUPPER)", i+1, name)
			}
		case !strings.HasPrefix(op, "V") && !strings.HasPrefix(op, "K") && xmm.MatchString(line):
			checked++
			if dirty {
				t.Errorf("simd_amd64.s:%d: %s runs legacy SSE with dirty upper halves: %s", i+1, name, strings.TrimSpace(line))
			}
		}
	}
	if checked == 0 || rets == 0 {
		t.Fatalf("%d legacy-SSE instructions and %d RETs found: the scan no longer reads the file's syntax", checked, rets)
	}
}

// TestAttnEdges calls every attention micro-kernel variant with inputs
// ending at a guard page (off 0) or misaligned by off elements, outputs
// with guard values (or at the page end), against float64; the softmax
// scores reach below -110 and through the denormal range of exp (the AVX2
// exp scales by 2^n in two steps there).
func TestAttnEdges(t *testing.T) {
	forAttn(t, func(t *testing.T, k *attnK) {
		rng := rand.New(rand.NewPCG(11, 12))
		rnd := func() float32 { return float32(2*rng.Float64() - 1) }
		for _, off := range []int{0, 1, 3, 5} {
			for _, d := range []int{0, 1, 2, 3, 7, 8, 9, 64, 65} {
				qt, kt := input(t, 8*d, off, rnd), input(t, 64*d, off, rnd)
				s := newOutput(t, 6*64, off)
				k.qk(s.y, qt, kt, d, 0.3)
				what := fmt.Sprintf("qk off=%d d=%d", off, d)
				s.guards(t, what)
				checkQK(t, what, s.y, qt, kt, d, 0.3)
			}
			for trial := range 8 {
				softmaxEdge(t, k, rng, off, trial)
			}
			for nz := 1; nz <= 4; nz++ {
				for _, nk := range []int{0, 1, 2, 7, 8, 9, 63, 64} {
					pvEdge(t, k, rng, off, nz, nk)
				}
			}
		}
	})
}

// softmaxEdge checks one softmax tile whose arguments x-mx cover [-130, 0]
// (the exact boundaries -87 and -110 included) and -Inf; in base 2,
// [-190, 0] and the boundaries -126 and -150.
func softmaxEdge(t *testing.T, k *attnK, rng *rand.Rand, off, trial int) {
	s, m, l, corr := newOutput(t, 6*64, off), newOutput(t, 6, off), newOutput(t, 6, off), newOutput(t, 6, off)
	lo, edges, poly := float32(-130), []float32{-87, -110, -87.5, -103.3, -109.99, -110.01}, 1e-7
	if k.base2 {
		lo, edges, poly = -190, []float32{-126, -150, -126.5, -149, -149.99, -150.01}, attnExp2Bound
	}
	for i := range s.y {
		s.y[i] = lo * float32(rng.Float64())
		switch rng.IntN(8) {
		case 0:
			s.y[i] = float32(math.Inf(-1))
		case 1:
			s.y[i] = edges[rng.IntN(len(edges))]
		}
	}
	base := float32(trial) - 4
	for i := range 6 {
		row := s.y[i*64 : (i+1)*64]
		row[rng.IntN(64)] = 0 // the row maximum is base unless m is larger
		for j := range row {
			row[j] += base
		}
		m.y[i] = base + []float32{-1, 0, 2, -90, -120, float32(math.Inf(-1))}[(i+trial)%6]
		l.y[i] = 1 + 5*float32(rng.Float64())
	}
	in := append([]float32(nil), s.y...)
	m0, l0 := append([]float32(nil), m.y...), append([]float32(nil), l.y...)
	k.softmax(s.y, m.y, l.y, corr.y)
	what := fmt.Sprintf("softmax off=%d trial=%d", off, trial)
	for _, o := range []output{s, m, l, corr} {
		o.guards(t, what)
	}
	// exp(arg) within the polynomial's and the argument's float32 error,
	// and half a denormal ulp (2^-150) where the result is tiny.
	ok := func(got float32, arg float64) bool {
		if math.IsInf(arg, -1) {
			return got == 0
		}
		want := attnExpRef(k, arg)
		return math.Abs(float64(got)-want) <= (1.2e-7*(1+math.Abs(arg))+poly)*want+0x1p-150
	}
	for i := range 6 {
		mx := float64(m0[i])
		for _, x := range in[i*64 : (i+1)*64] {
			mx = math.Max(mx, float64(x))
		}
		if float64(m.y[i]) != mx {
			t.Fatalf("%s: m[%d] = %v, want %v", what, i, m.y[i], mx)
		}
		if !ok(corr.y[i], float64(m0[i])-mx) {
			t.Fatalf("%s: corr[%d] = %v, want exp(%v)", what, i, corr.y[i], float64(m0[i])-mx)
		}
		sum := float64(l0[i]) * float64(corr.y[i])
		for j, x := range in[i*64 : (i+1)*64] {
			if got := s.y[i*64+j]; !ok(got, float64(float32(float64(x)-mx))) {
				t.Fatalf("%s: p[%d][%d] = %v, want exp(%v)", what, i, j, got, float64(x)-mx)
			}
			sum += float64(s.y[i*64+j])
		}
		if !near(l.y[i], sum, sum, 1e-6) {
			t.Fatalf("%s: l[%d] = %v, want %v", what, i, l.y[i], sum)
		}
	}
}

// pvEdge checks both P V forms for nk keys of 16*nz columns: v ends at
// the guard page (off 0, ldv = 16*nz) or is misaligned with a wider ldv;
// the output rows have guard values between them.
func pvEdge(t *testing.T, k *attnK, rng *rand.Rand, off, nz, nk int) {
	rnd := func() float32 { return float32(2*rng.Float64() - 1) }
	w := 16 * nz
	ldv, ldo := w, w+5
	if off != 0 {
		ldv = w + off
	}
	p6 := input(t, 6*64, off, rnd)
	p1 := input(t, nk, off, rnd)
	v := input(t, max(nk-1, 0)*ldv+w, off, rnd)
	corr := input(t, 6, off, rnd)
	o6, o1 := newOutput(t, 5*ldo+w, off), newOutput(t, w, off)
	for i := range 6 {
		for c := range ldo {
			if i*ldo+c < len(o6.y) {
				o6.y[i*ldo+c] = guardVal
				if c < w {
					o6.y[i*ldo+c] = rnd()
				}
			}
		}
	}
	for c := range o1.y {
		o1.y[c] = rnd()
	}
	in6, in1 := append([]float32(nil), o6.y...), append([]float32(nil), o1.y...)
	k.pv6[nz](o6.y, ldo, p6, nk, v, ldv, corr)
	k.pv1[nz](o1.y, p1, nk, v, ldv)
	what := fmt.Sprintf("pv off=%d nz=%d nk=%d", off, nz, nk)
	o6.guards(t, what)
	o1.guards(t, what)
	for i := range 6 {
		for c := range ldo {
			if i*ldo+c >= len(o6.y) {
				break
			}
			got := o6.y[i*ldo+c]
			if c >= w {
				if got != guardVal {
					t.Fatalf("%s: pv6 wrote o[%d][%d] between rows", what, i, c)
				}
				continue
			}
			x := float64(in6[i*ldo+c]) * float64(corr[i])
			ref, mag := x, math.Abs(x)
			for j := range nk {
				pv := float64(p6[i*64+j]) * float64(v[j*ldv+c])
				ref += pv
				mag += math.Abs(pv)
			}
			if !near(got, ref, mag, 1e-6) {
				t.Fatalf("%s: pv6 o[%d][%d] = %v, want %v", what, i, c, got, ref)
			}
		}
	}
	for c := range w {
		ref, mag := float64(in1[c]), math.Abs(float64(in1[c]))
		for j := range nk {
			pv := float64(p1[j]) * float64(v[j*ldv+c])
			ref += pv
			mag += math.Abs(pv)
		}
		if !near(o1.y[c], ref, mag, 1e-6) {
			t.Fatalf("%s: pv1 o[%d] = %v, want %v", what, c, o1.y[c], ref)
		}
	}
}

// TestAttnFused checks each fused score-softmax kernel against the
// separate kernels of its variant (qk on the transposed rows, the masked
// keys at -Inf, softmax): the same operations in the same order, so bit
// for bit (s over the first 16*nz keys). Inputs end at a guard page or
// are misaligned; rows have all, some or none of their keys valid, and
// a NaN key outside the valid ones must not reach any output.
func TestAttnFused(t *testing.T) {
	forAttn(t, func(t *testing.T, k *attnK) {
		if k.qks[4] == nil {
			t.Skip("no fused kernels")
		}
		rng := rand.New(rand.NewPCG(13, 14))
		rnd := func() float32 { return float32(2*rng.Float64() - 1) }
		ninf := float32(math.Inf(-1))
		for _, off := range []int{0, 3} {
			for _, d := range []int{0, 1, 5, 16, 64, 65} {
				for nz := 1; nz <= 4; nz++ {
					for _, masked := range []bool{false, true} {
						what := fmt.Sprintf("off=%d d=%d nz=%d masked=%v", off, d, nz, masked)
						ldq := d + off
						q := input(t, 5*ldq+d, off, rnd)
						kt := input(t, 64*d, off, rnd)
						qt := make([]float32, 8*d)
						for i := range attnRows {
							for u := range d {
								qt[u*8+i] = q[i*ldq+u]
							}
						}
						var valid [attnRows]uint64
						m0, l0 := make([]float32, attnRows), make([]float32, attnRows)
						for i := range attnRows {
							valid[i] = []uint64{^uint64(0), rng.Uint64(), 1<<rng.IntN(64) - 1, 0}[rng.IntN(4)]
							m0[i], l0[i] = 3*rnd(), 1+rnd()
							if valid[i] != 0 && i%3 == 0 {
								m0[i], l0[i] = ninf, 0 // the first tile of the row
							}
						}
						// A NaN key: masked out in every row, or past 16*nz.
						nanKey := -1
						if nz < 4 {
							nanKey = 16*nz + rng.IntN(64-16*nz)
						}
						if masked {
							nanKey = rng.IntN(16 * nz)
							for i := range valid {
								valid[i] &^= 1 << nanKey
							}
						}
						if d > 0 && nanKey >= 0 {
							kt[rng.IntN(d)*64+nanKey] = float32(math.NaN())
						}
						ref, mr, lr, cr := make([]float32, attnRows*64), append([]float32(nil), m0...), append([]float32(nil), l0...), make([]float32, attnRows)
						k.qk(ref, qt, kt, d, 0.3)
						for i := range attnRows {
							for j := range 64 {
								if j >= 16*nz || masked && valid[i]>>j&1 == 0 {
									ref[i*64+j] = ninf
								}
							}
						}
						k.softmax(ref, mr, lr, cr)

						s, st, corr := newOutput(t, attnRows*64, off), make([]float32, 32), make([]float32, 16)
						for i := range 16 {
							st[i], st[16+i] = ninf, 0
						}
						copy(st, m0)
						copy(st[16:], l0)
						if masked {
							k.qksMask[nz](s.y, q, ldq, kt, d, 0.3, st, corr, valid[:])
						} else {
							k.qks[nz](s.y, q, ldq, kt, d, 0.3, st, corr, nil)
						}
						s.guards(t, what)
						same := func(name string, i int, got, want float32) {
							t.Helper()
							if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
								t.Fatalf("%s: %s[%d] = %v, want %v", what, name, i, got, want)
							}
						}
						for i := range attnRows {
							same("m", i, st[i], mr[i])
							same("l", i, st[16+i], lr[i])
							same("corr", i, corr[i], cr[i])
							for j := range 16 * nz {
								same("p", i*64+j, s.y[i*64+j], ref[i*64+j])
							}
						}
					}
				}
			}
		}
	})
}

// TestAttnTranspose16 checks the 16x16 transposer that packs K: every
// element lands in place, nothing else in the destination is written.
func TestAttnTranspose16(t *testing.T) {
	forAttn(t, func(t *testing.T, k *attnK) {
		if k.t16 == nil {
			t.Skip("no transposer")
		}
		rng := rand.New(rand.NewPCG(15, 16))
		rnd := func() float32 { return float32(2*rng.Float64() - 1) }
		for _, off := range []int{0, 1, 5} {
			for _, ld := range [][2]int{{16, 16}, {64, 17}, {23, 64}} {
				ldd, lds := ld[0], ld[1]
				src := input(t, 15*lds+16, off, rnd)
				dst := newOutput(t, 15*ldd+16, off)
				k.t16(dst.y, ldd, src, lds)
				what := fmt.Sprintf("off=%d ldd=%d lds=%d", off, ldd, lds)
				dst.guards(t, what)
				for i, got := range dst.y {
					c, r := i/ldd, i%ldd
					want := guardVal
					if r < 16 {
						want = src[r*lds+c]
					}
					if got != want {
						t.Fatalf("%s: dst[%d] (column %d, row %d) = %v, want %v", what, i, c, r, got, want)
					}
				}
			}
		}
	})
}
