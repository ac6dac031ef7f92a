//go:build !purego

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAttnRunPipe checks the software-pipelined whole-tile loop against
// attnRunAVX512 (one tile at a time: qks then P V), and its tail tile
// against qksMask and pvTile6x4, bit for bit: the outputs, the running
// maxima and sums, and the last tile's probabilities and correction.
func TestAttnRunPipe(t *testing.T) {
	if _, avx512, _, _ := features(); !avx512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(31, 32))
	rnd := func() float32 { return float32(2*rng.Float64() - 1) }
	fill := func(n int, scale float32) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = scale * rnd()
		}
		return s
	}
	for _, sh := range []struct{ d, dvc, ldq, ldv, n int }{
		{64, 1, 64, 64, 1}, {64, 1, 64, 64, 2}, {64, 1, 70, 80, 3}, {64, 1, 64, 64, 8},
		{128, 2, 128, 128, 5}, {8, 2, 8, 128, 4}, {1, 3, 5, 192, 3}, {0, 1, 0, 64, 2}, {33, 1, 40, 64, 7},
	} {
		for tail, qs := range []float32{1, 30, 1, 30, 1, 30, 1, 30, 1, 30} { // 30: scores spread enough that exp underflows
			what := fmt.Sprintf("d=%d dvc=%d ldq=%d ldv=%d n=%d qscale=%v nzt=%d", sh.d, sh.dvc, sh.ldq, sh.ldv, sh.n, qs, tail%5)
			q := fill(6*sh.ldq, qs)
			kt := fill((sh.n+1)*sh.d*64, 1)
			v := fill((sh.n+1)*64*sh.ldv, 1)
			ldo := 64*sh.dvc + 3
			o0 := fill(6*ldo, 1)
			st0 := make([]float32, 32)
			for i := range 16 {
				st0[i], st0[16+i] = float32(math.Inf(-1)), 0
			}
			if qs == 1 {
				for i := range 6 {
					st0[i], st0[16+i] = rnd(), 1+rnd()
				}
			}
			// A tail tile (nzt > 0): nzt*16 keys computed, valid masks
			// with all, some or no keys per row; allt keys for all rows.
			nzt := tail % 5
			var valid [attnRows]uint64
			allt := 0
			if nzt > 0 {
				allt = rng.IntN(16*nzt + 1)
				for i := range valid {
					valid[i] = 1<<allt - 1 | rng.Uint64()
				}
				valid[rng.IntN(attnRows)] = 1<<allt - 1
			}
			// Reference: attnRunAVX512, then qksTile<nzt>MaskAVX512 and
			// pvTile6x4AVX512 on the tail.
			s1, c1, o1, st1 := make([]float32, 384), make([]float32, 16), append([]float32(nil), o0...), append([]float32(nil), st0...)
			attnRunAVX512(s1, q, sh.ldq, kt, sh.d, 0.3, st1, c1, o1, ldo, v, sh.ldv, sh.n, sh.dvc)
			if nzt > 0 {
				attnAVX512.qksMask[nzt](s1, q, sh.ldq, kt[sh.n*sh.d*64:], sh.d, 0.3, st1, c1, valid[:])
				for c := range sh.dvc {
					pvTile6x4AVX512(o1[64*c:], ldo, s1, allt, v[sh.n*64*sh.ldv+64*c:], sh.ldv, c1)
				}
			}
			s2, c2, o2, st2 := make([]float32, 864), make([]float32, 32), append([]float32(nil), o0...), append([]float32(nil), st0...)
			pf := fill(rng.IntN(3000), 1) // prefetched only: no effect on the results
			attnRunPipeAVX512(s2, q, sh.ldq, kt, sh.d, 0.3, st2, c2, o2, ldo, v, sh.ldv, sh.n, sh.dvc, nzt, valid[:], allt, pf)
			last := (sh.n - 1) & 1
			if nzt > 0 {
				last = sh.n & 1
			}
			same := func(name string, got, want []float32) {
				t.Helper()
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: %s[%d] = %v, want %v", what, name, i, got[i], want[i])
					}
				}
			}
			same("o", o2, o1)
			same("m", st2[:6], st1[:6])
			same("l", st2[16:22], st1[16:22])
			for i := range attnRows {
				w := 64
				if nzt > 0 {
					w = 16 * nzt
				}
				same("p", s2[384*last+64*i:384*last+64*i+w], s1[64*i:64*i+w])
			}
			same("corr", c2[16*last:16*last+6], c1[:6])
		}
	}
}
