//go:build !purego

package simd

// nmsSuppressNEON is nmsSuppressGo (the IoU sweep of greedy NMS) on 4
// lanes with the twin's float32 operations in its order: it decides
// exactly alike. It stores x1 and rank back whole (unchanged where nothing
// is suppressed).
//
//go:noescape
func nmsSuppressNEON(x1, y1, x2, y2, area []float32, rank []int32, box []float32, t, one float32, geq bool) int

// softPassNEON is softPassGo (one Soft-NMS round) on 2 float64 lanes with
// the twin's operations in its order, so linear and hard decide and decay
// bit for bit alike; the gaussian weight is a vector exp within about two
// ulp of math.Exp.
//
//go:noescape
func softPassNEON(x1, y1, x2, y2, area, score []float64, p []float64, method int, best []float64) int
