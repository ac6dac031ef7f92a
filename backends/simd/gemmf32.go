package simd

import (
	"github.com/nbench/nbench/backends/internal/par"
	"github.com/nbench/nbench/kernel"
)

// gemm_f32: Y = X W^T + bias in float32, blocked as GotoBLAS/BLIS do.
// Prepare packs W into panels of nr columns, [K][nr] each (zero padded
// past N), and the bias into the same panels. Run packs X into blocks of
// mr rows (zero padded past M), laid out per k block of gf32KC steps so
// that one k block of all row blocks is one sequential stream. Each worker
// takes a range of panels; per chunk of about gf32MC rows (chunks of equal
// size, up to an eighth more, so that none is short), per group of panels whose Y strips
// fit gf32YBudget, per k block, it runs the mr x nr
// register tile (see gf32Tile) over the chunk's row blocks for each panel
// of the group: the panel's k block (96 KiB at AVX-512) stays in L2 across
// the row blocks, the chunk's k block of X across the panels, and the
// group's Y across the k blocks. The first k block starts from the bias,
// the next ones from Y. While a panel's k block computes, its first tiles
// prefetch the next one into L2 (the tile's pf operand): without that, the
// first tile of each panel waits on DRAM (75% of the peak at M = 128
// instead of 89%). A last, partial panel writes a scratch strip [M][nr]
// copied to Y at the end. The GEMV (M = 1) runs the one-row tile over the
// whole of K on X as it is (ldx = 1): it streams W once, at memory speed,
// its gemv form prefetching W gf32GemvPF bytes ahead across panel ends.

// gf32Tile is one micro-kernel (rows fixed by its index in gf32K.tile):
// y[i*ldy+j] = c[i*ldc+j] + Σ_{t<kc} xp[t*ldx+i]*wp[t*nr+j], i < rows, j < nr;
// it also prefetches gf32K.pf floats from pf into L2 per step of k.
type gf32Tile func(y []float32, ldy int, c []float32, ldc int, xp []float32, ldx int, wp []float32, kc int, pf []float32)

// gf32Blocks runs the mr-row tile on blocks consecutive packed row blocks
// of one panel (xp, c and y move on by a block each time); only the first
// pfBlocks prefetch, gf32BlocksPF floats of pf onwards per step of k,
// continuing from block to block.
type gf32Blocks func(y []float32, ldy int, c []float32, ldc int, xp, wp []float32, kc int, pf []float32, blocks, pfBlocks int)

// gf32K is a level's gemm_f32 code: tile[r] computes r rows, 1 <= r <= mr;
// pf is how many floats a tile prefetches per step of k; blocks, if not
// nil, runs the full row blocks of a panel in one call, blocks[v] the
// first v of its vectors of columns (all: v = len(blocks)-1; fewer for the
// last, partial panel); pack, if not nil, is packTGo in assembly (X's pack
// took 1.6% of M=128, N=4096 in Go); gemv, if not nil, is tile[1] (same
// results, bit for bit) prefetching into L2 the W row of each step at pf,
// which moves on with wp.
type gf32K struct {
	path       string
	mr, nr, pf int
	tile       []gf32Tile
	gemv       gf32Tile
	blocks     []gf32Blocks
	pack       func(dst []float32, ldd int, src []float32, lds, rows, cols int)
}

// Blocking, measured at AVX-512 on Zen 5 (1 MiB L2): kc 512 beat 256 by 2-3%.
const (
	gf32KC      = 512       // k block: a 48-column panel's block is 96 KiB, in L2
	gf32MC      = 192       // rows per chunk: their k block (384 KiB) stays in L2
	gf32YBudget = 256 << 10 // bytes of the Y strips of one group of panels
	// One line per step: three blocks fetch a 48-column panel's next k
	// block. Two lines per step over two blocks measured the same.
	gf32BlocksPF = 16
	// The GEMV's prefetch distance: one stream of W with only the hardware
	// prefetcher ran at 75% (N=4096) and 85% (N=11008) of the two-stream
	// read probe, 85-94% with it (BenchmarkGemvAB: 1.04-1.28x over
	// runs); 64-192 KiB ahead into L2 measured the same, 16-32 KiB into L1
	// (PREFETCHT0) 5-10% less.
	gf32GemvPF = 96 << 10
)

func init() {
	register("gemm_f32", prepareGemmF32, func(l *level) bool { return gf32Of(l) != nil })
}

func prepareGemmF32(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.GemmF32)
	k := gf32Of(b.lv)
	if k == nil {
		return b.pure.Prepare(op)
	}
	return newGemmF32(b, k, &op), nil
}

// gf32TileGo is the twin of the micro-kernels of nr columns.
func gf32TileGo(rows, nr int) gf32Tile {
	return func(y []float32, ldy int, c []float32, ldc int, xp []float32, ldx int, wp []float32, kc int, _ []float32) {
		for i := range rows {
			for j := range nr {
				acc := c[i*ldc+j]
				for t := range kc {
					acc += xp[t*ldx+i] * wp[t*nr+j]
				}
				y[i*ldy+j] = acc
			}
		}
	}
}

// packTGo sets dst[c*ldd+r] = src[r*lds+c] for r < rows, c < cols: the
// pack of X's row blocks (packTAVX512 in assembly).
func packTGo(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	for r := range rows {
		for c, v := range src[r*lds : r*lds+cols] {
			dst[c*ldd+r] = v
		}
	}
}

// packPanels lays out W [N,K] as panels of nr columns, [K][nr] each, zero
// padded past N.
func packPanels(w []float32, n, k, nr int) []float32 {
	wp := make([]float32, (n+nr-1)/nr*nr*k)
	for r := range n {
		p := wp[(r/nr)*nr*k+r%nr:]
		for t, v := range w[r*k : (r+1)*k] {
			p[t*nr] = v
		}
	}
	return wp
}

func newGemmF32(b *Backend, k *gf32K, op *kernel.GemmF32) kernel.Bound {
	M, N, K := op.M, op.N, op.K
	mr, nr := k.mr, k.nr
	if M == 0 || N == 0 {
		return bound(k.path, func() {})
	}
	x, y := kernel.F32s(op.X), kernel.F32s(op.Y)
	panels := (N + nr - 1) / nr
	wp := packPanels(kernel.F32s(op.W), N, K, nr)
	bias := make([]float32, panels*nr)
	copy(bias, kernel.F32s(op.Bias))
	full := N / nr // panels written to Y directly
	// edge is the partial panel's strip, [M][nr] (GEMV: one row).
	var edge []float32
	if full < panels {
		edge = make([]float32, ((M+mr-1)/mr)*mr*nr)
	}
	flush := func() {
		c0 := full * nr
		for m := range M {
			copy(y[m*N+c0:(m+1)*N], edge[m*nr:])
		}
	}
	if M == 1 {
		tile, dist := k.gemv, gf32GemvPF/4
		if tile == nil {
			tile, dist = k.tile[1], 0 // a tile prefetching its own panel: nothing ahead
		}
		gemv := func(lo, hi int) {
			for p := lo; p < hi; p++ {
				out := edge
				if p < full {
					out = y[p*nr:]
				}
				o := p * nr * K
				// Past the end of W the prefetches fetch nothing used (at most
				// gf32GemvPF bytes a call).
				tile(out, nr, bias[p*nr:], 0, x, 1, wp[o:], K, wp[min(o+dist, len(wp)):])
			}
			if hi == panels && edge != nil {
				flush()
			}
		}
		return bound(k.path, func() { par.For(panels, b.threads, par.Grain(nr*K, 1<<16), gemv) })
	}
	blocks := (M + mr - 1) / mr
	mp := blocks * mr
	// X packed per k block, then per row block: [K/kc][blocks][kc][mr], so
	// that each k block of all row blocks is one sequential stream.
	xp := make([]float32, mp*K) // rows past M stay 0
	packT := k.pack
	if packT == nil {
		packT = packTGo
	}
	pack := func(lo, hi int) {
		for blk := lo; blk < hi; blk++ {
			for k0 := 0; k0 < K; k0 += gf32KC {
				kc := min(gf32KC, K-k0)
				packT(xp[k0*mp+blk*kc*mr:], mr, x[blk*mr*K+k0:], K, min(mr, M-blk*mr), kc)
			}
		}
	}
	// Row blocks go in chunks of at most gf32MC rows and panels in groups
	// whose Y strips (chunk x nr each) stay in L2 across the k blocks.
	// Each chunk streams all of W, so the chunks are the fewest that hold
	// up to an eighth more blocks than gf32MC rows (27 at AVX-512: a 432
	// KiB k block of X, still in L2 with the panel and the Y strips), of
	// equal size: a short last chunk streamed W again for a few rows (M =
	// 197: 24 blocks, then 1).
	chunk := max(1, gf32MC/mr)
	passes := max(1, (blocks+chunk+chunk/8-1)/(chunk+chunk/8))
	chunk = max(1, (blocks+passes-1)/passes)
	group := max(1, gf32YBudget/(min(M, chunk*mr)*nr*4))
	// dst is where row block blk of panel p goes (Y, or the edge strip) and
	// what its k block starts from (the bias, then Y).
	dst := func(p, k0, blk int) (out []float32, ldy int, c []float32, ldc int) {
		if p < full {
			out, ldy = y[blk*mr*N+p*nr:], N
		} else {
			out, ldy = edge[blk*mr*nr:], nr
		}
		if k0 == 0 {
			return out, ldy, bias[p*nr:], 0
		}
		return out, ldy, out, ldy
	}
	gemm := func(lo, hi int) {
		for b0 := 0; b0 < blocks; b0 += chunk {
			b1 := min(b0+chunk, blocks)
			for g0 := lo; g0 < hi; g0 += group {
				g1 := min(g0+group, hi)
				for k0 := 0; k0 < K; k0 += gf32KC {
					kc := min(gf32KC, K-k0)
					for p := g0; p < g1; p++ {
						w := wp[(p*K+k0)*nr:]
						// The first tiles fetch the next panel's k block into
						// L2 while this one computes (three blocks in the
						// blocks call; two one-by-one tiles at AVX-512); the
						// others do not prefetch (nil next: none left).
						var next []float32
						switch {
						case p+1 < g1:
							next = wp[((p+1)*K+k0)*nr:]
						case k0+kc < K:
							next = wp[(g0*K+k0+kc)*nr:]
						case g1 < hi:
							next = wp[g1*K*nr:]
						case b1 < blocks:
							next = wp[lo*K*nr:]
						}
						// The full row blocks in one call, the rest one by one.
						blk := b0
						if bf := min(b1, M/mr); k.blocks != nil && bf > b0 {
							nv := len(k.blocks) - 1
							run := k.blocks[nv]
							if p >= full {
								run = k.blocks[((N-full*nr)*nv+nr-1)/nr]
							}
							out, ldy, c, ldc := dst(p, k0, b0)
							pfb := 0
							if next != nil {
								pfb = min(bf-b0, (nr+gf32BlocksPF-1)/gf32BlocksPF)
							}
							run(out, ldy, c, ldc, xp[k0*mp+b0*kc*mr:], w, kc, next, bf-b0, pfb)
							blk = bf
						}
						for ; blk < b1; blk++ {
							pf := w
							if off := (blk - b0) * kc * k.pf; off < min(kc*nr, len(next)) {
								pf = next[off:]
							}
							out, ldy, c, ldc := dst(p, k0, blk)
							k.tile[min(mr, M-blk*mr)](out, ldy, c, ldc, xp[k0*mp+blk*kc*mr:], mr, w, kc, pf)
						}
					}
				}
			}
		}
		if hi == panels && edge != nil {
			flush()
		}
	}
	return bound(k.path, func() {
		par.For(blocks, b.threads, par.Grain(mr*K, 1<<16), pack)
		par.For(panels, b.threads, par.Grain(2*M*K*nr, 1<<17), gemm)
	})
}
