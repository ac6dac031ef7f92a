//go:build !purego

package simd

// The gemm_f32 tiles of simd_amd64.s (generated from _asm/gemmf32.go):
// 8 rows by 48 columns at AVX-512, 4 rows by 24 columns at AVX2+FMA.
var (
	gf32AVX512 = &gf32K{path: "avx512", mr: 8, nr: 48, pf: 32, tile: []gf32Tile{nil,
		gemmF32Tile1x48AVX512, gemmF32Tile2x48AVX512, gemmF32Tile3x48AVX512, gemmF32Tile4x48AVX512,
		gemmF32Tile5x48AVX512, gemmF32Tile6x48AVX512, gemmF32Tile7x48AVX512, gemmF32Tile8x48AVX512}, blocks: []gf32Blocks{nil,
		gemmF32Blocks8x16of48AVX512, gemmF32Blocks8x32of48AVX512, gemmF32Blocks8x48AVX512}, pack: packTAVX512, gemv: gemmF32Gemv48AVX512}
	gf32AVX2 = &gf32K{path: "avx2", mr: 4, nr: 24, pf: 32, tile: []gf32Tile{nil,
		gemmF32Tile1x24AVX2, gemmF32Tile2x24AVX2, gemmF32Tile3x24AVX2, gemmF32Tile4x24AVX2}, blocks: []gf32Blocks{nil,
		gemmF32Blocks4x8of24AVX2, gemmF32Blocks4x16of24AVX2, gemmF32Blocks4x24AVX2}}
)

// gf32Of is the gemm_f32 code of level l: the tile of its vector width.
func gf32Of(l *level) *gf32K {
	switch l.f {
	case vecAVX512:
		return gf32AVX512
	case vecAVX2:
		return gf32AVX2
	}
	return nil
}
