//go:build !purego

package simd

// The fused score-softmax kernels and the vector output scaling of the
// attention driver (kept here so isa_amd64.go's tables stay as they are).
func init() {
	attnAVX512.qks = [5]qksFn{nil, qksTile1AVX512, qksTile2AVX512, qksTile3AVX512, qksTile4AVX512}
	attnAVX512.qksMask = [5]qksFn{nil, qksTile1MaskAVX512, qksTile2MaskAVX512, qksTile3MaskAVX512, qksTile4MaskAVX512}
	attnAVX512.norm = axpyToAVX512
	attnAVX512.t16 = transpose16AVX512
	attnAVX512.run, attnAVX512.runTail = attnRunPipeAVX512, true
	attnAVX512.runFirst = attnRunAVX512
	attnAVX512.prefetch = prefetchT1
	attnAVX2.norm = axpyToAVX2
}

func init() {
	slaAVX512.qkRelu = [5]func(s, q []float32, ldq int, kt []float32, d int){nil, qkRelu1AVX512, qkRelu2AVX512, qkRelu3AVX512, qkRelu4AVX512}
}
func init() { slaAVX512.conv25 = conv25AVX512 }
