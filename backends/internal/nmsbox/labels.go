package nmsbox

// ByLabel groups the candidates ks (in score order, see ByScoreRadix) by label
// for class-aware NMS: lk[p] gets the label and the rank r (position in
// ks) of the candidate at position p, the groups in ascending label order
// and each in score order; starts[g] is where group g begins (starts[groups]
// = len(ks)). It returns the number of groups. lk and tmp (scratch) need
// room for len(ks) entries, starts for len(ks)+1.
func ByLabel(lk, tmp, ks []uint64, labels []int32, starts []int32) int {
	m := len(ks)
	lk = lk[:m]
	for r, k := range ks {
		lk[r] = uint64(uint32(labels[KeyIndex(k)])^1<<31)<<32 | uint64(r)
	}
	SortHigh(lk, tmp)
	groups := 0
	for p, k := range lk {
		if p == 0 || k>>32 != lk[p-1]>>32 {
			starts[groups] = int32(p)
			groups++
		}
	}
	starts[groups] = int32(m)
	return groups
}
