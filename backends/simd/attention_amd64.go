//go:build !purego

package simd

// The fused score-softmax kernels and the vector output scaling of the
// attention driver (kept here so isa_amd64.go's tables stay as they are).
func init() {
	attnAVX512.base2 = true // exp2Many: the exp on the FMA pipes is 5 FMAs
	attnAVX512.qks = [5]qksFn{nil, qksTile1AVX512, qksTile2AVX512, qksTile3AVX512, qksTile4AVX512}
	attnAVX512.qksMask = [5]qksFn{nil, qksTile1MaskAVX512, qksTile2MaskAVX512, qksTile3MaskAVX512, qksTile4MaskAVX512}
	attnAVX512.norm, attnAVX512.normNT, attnAVX512.ntAlign = axpyToAVX512, axpyToNTAVX512, 64
	attnAVX512.t16 = transpose16AVX512
	attnAVX512.run, attnAVX512.runTail = attnRunPipeAVX512, true
	attnAVX512.runFirst = attnRunAVX512
	attnAVX512.prefetch = prefetchT1
	attnAVX2.norm = axpyToAVX2
}

func init() { slaAVX512.conv25 = conv25AVX512 }

func init() {
	slaAVX512.reluSum = reluSumAVX512
	slaAVX512.kv = [attnRows + 1][5]func(s []float32, lds int, k []float32, ldk int, v []float32, ldv int, n int, pf []float32){{},
		{nil, kv1x1AVX512, kv1x2AVX512, kv1x3AVX512, kv1x4AVX512}, {nil, kv2x1AVX512, kv2x2AVX512, kv2x3AVX512, kv2x4AVX512},
		{nil, kv3x1AVX512, kv3x2AVX512, kv3x3AVX512, kv3x4AVX512}, {nil, kv4x1AVX512, kv4x2AVX512, kv4x3AVX512, kv4x4AVX512},
		{nil, kv5x1AVX512, kv5x2AVX512, kv5x3AVX512, kv5x4AVX512}, {nil, kv6x1AVX512, kv6x2AVX512, kv6x3AVX512, kv6x4AVX512}}
	slaAVX512.qs = [attnRows + 1][5]func(y []float32, ldy int, p []float32, ldp int, n int, s []float32, lds int, z, pf []float32){{},
		{nil, qs1x1AVX512, qs1x2AVX512, qs1x3AVX512, qs1x4AVX512}, {nil, qs2x1AVX512, qs2x2AVX512, qs2x3AVX512, qs2x4AVX512},
		{nil, qs3x1AVX512, qs3x2AVX512, qs3x3AVX512, qs3x4AVX512}, {nil, qs4x1AVX512, qs4x2AVX512, qs4x3AVX512, qs4x4AVX512},
		{nil, qs5x1AVX512, qs5x2AVX512, qs5x3AVX512, qs5x4AVX512}, {nil, qs6x1AVX512, qs6x2AVX512, qs6x3AVX512, qs6x4AVX512}}
	slaAVX512.qsl = [attnRows + 1][5]func(y []float32, ldy int, p []float32, ldp int, n int, s []float32, lds int, z, pf []float32){{},
		{nil, qsl1x1AVX512, qsl1x2AVX512, qsl1x3AVX512, qsl1x4AVX512}, {nil, qsl2x1AVX512, qsl2x2AVX512, qsl2x3AVX512, qsl2x4AVX512},
		{nil, qsl3x1AVX512, qsl3x2AVX512, qsl3x3AVX512, qsl3x4AVX512}, {nil, qsl4x1AVX512, qsl4x2AVX512, qsl4x3AVX512, qsl4x4AVX512},
		{nil, qsl5x1AVX512, qsl5x2AVX512, qsl5x3AVX512, qsl5x4AVX512}, {nil, qsl6x1AVX512, qsl6x2AVX512, qsl6x3AVX512, qsl6x4AVX512}}
}

func init() {
	slaAVX512.reluDotW, slaAVX512.reluKQ = reluDotWAVX512, reluKQAVX512
	slaAVX512.scan = [slaScanRows + 1][5]slaScanFn{{},
		{nil, scan1x1AVX512, scan1x2AVX512, scan1x3AVX512, scan1x4AVX512}, {nil, scan2x1AVX512, scan2x2AVX512, scan2x3AVX512, scan2x4AVX512},
		{nil, scan3x1AVX512, scan3x2AVX512, scan3x3AVX512, scan3x4AVX512}, {nil, scan4x1AVX512, scan4x2AVX512, scan4x3AVX512, scan4x4AVX512}}
}
