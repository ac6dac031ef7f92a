package nmsbox

import "slices"

// The score and label orders by radix sort: their keys are built in the
// order of their low halves (index, rank), so a stable sort on the high 32
// bits alone gives the order of the whole keys, in O(n) rather than
// O(n log n) compares (the sorts dominate a vector NMS of many small
// groups).

// ByScoreRadix writes the keys of the boxes scoring at least thr (never a
// NaN) into keys and returns them sorted: the candidates in score order.
// tmp is scratch of at least len(scores) keys.
func ByScoreRadix(keys, tmp []uint64, scores []float32, thr float32) []uint64 {
	ks := scoreKeys(keys, scores, thr)
	SortHigh(ks, tmp)
	return ks
}

// SortHigh sorts keys by their high 32 bits, stably (least significant
// byte first, skipping bytes that all keys share), with tmp (at least
// len(keys)) as scratch. When the low halves ascend within equal high
// halves, as in ScoreKey and ByLabel keys, this is slices.Sort.
func SortHigh(keys, tmp []uint64) {
	n := len(keys)
	if n < 64 {
		slices.Sort(keys) // same order (see above); faster when short
		return
	}
	var count [4][256]int32
	for _, k := range keys {
		h := uint32(k >> 32)
		count[0][h&255]++
		count[1][h>>8&255]++
		count[2][h>>16&255]++
		count[3][h>>24]++
	}
	src, dst := keys, tmp[:n]
	for pass := range 4 {
		c, shift := &count[pass], 32+8*pass
		if c[uint8(src[0]>>shift)] == int32(n) {
			continue // one digit value: nothing moves
		}
		sum := int32(0)
		for d, v := range c {
			c[d], sum = sum, sum+v
		}
		for _, k := range src {
			d := uint8(k >> shift)
			dst[c[d]] = k
			c[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}
