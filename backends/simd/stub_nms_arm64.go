//go:build !purego

package simd

// nmsSuppressNEON is nmsSuppressGo (the IoU sweep of greedy NMS) on 4
// lanes with the twin's float32 operations in its order: it decides
// exactly alike. It stores x1 and rank back whole (unchanged where nothing
// is suppressed).
//
//go:noescape
func nmsSuppressNEON(x1, y1, x2, y2, area []float32, rank []int32, box []float32, t, one float32, geq bool) int
