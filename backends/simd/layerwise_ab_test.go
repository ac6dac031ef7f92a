//go:build linux && amd64 && !purego

package simd

import (
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/nbench/nbench/kernel"
)

// TestWQByteSpeed compares layerwise_wq with and without the one-byte GEMV
// routines (the old form: wqDots per weight row) on the 8- and 3-bit
// layers: the whole Run, one process, alternating which form goes first each
// round and rotating buffer sets beyond 256 MiB so that neither form reads
// codes the other just brought into cache. One thread: thread CPU time;
// two: wall time. NBENCH_WQBYTE=1 go test -run TestWQByteSpeed -v.
func TestWQByteSpeed(t *testing.T) {
	if os.Getenv("NBENCH_WQBYTE") == "" {
		t.Skip("NBENCH_WQBYTE=1 runs it")
	}
	lv := supported()[0]
	if !lv.ok || lv.q == nil || lv.q.wqByte4[8] == nil {
		t.Skip("no one-byte GEMV")
	}
	oldQ := *lv.q
	oldQ.wqByte4, oldQ.wqByte1 = [9]w4Gemv{}, [9]w4Gemv{}
	oldLv := *lv
	oldLv.q = &oldQ
	rng := rand.New(rand.NewPCG(41, 42))
	f32 := func(n int, v func() float32) *kernel.Host {
		h := kernel.NewHost(kernel.F32, n)
		for i, s := 0, kernel.F32s(h); i < n; i++ {
			s[i] = v()
		}
		return h
	}
	for _, c := range []struct {
		name string
		dims []int
		bits []int
	}{
		{"dims=4096:11008,bits=8", []int{4096, 11008}, []int{8}},
		{"dims=11008:4096,bits=3", []int{11008, 4096}, []int{3}},
		{"dims=4096:11008:4096,bits=8:3", []int{4096, 11008, 4096}, []int{8, 3}},
	} {
		var bytes int
		mkOp := func() kernel.LayerwiseWQ {
			op := kernel.LayerwiseWQ{M: 1, X: f32(c.dims[0], func() float32 { return float32(rng.NormFloat64()) }),
				Y: kernel.NewHost(kernel.F32, c.dims[len(c.dims)-1])}
			bytes = 4 * (c.dims[0] + c.dims[len(c.dims)-1])
			for i, bits := range c.bits {
				K, N := c.dims[i], c.dims[i+1]
				G := K
				if bits == 3 {
					G = 128
				}
				ly := kernel.WQLayer{N: N, K: K, Bits: bits, Group: G,
					Scale: f32(N*K/G, func() float32 { return 0.01 }), Bias: f32(N, func() float32 { return 0 })}
				if bits == 8 {
					ly.Q = kernel.NewHost(kernel.I8, N*K)
					for j, q := 0, kernel.I8s(ly.Q); j < len(q); j++ {
						q[j] = int8(rng.IntN(255) - 127)
					}
				} else {
					ly.Q, ly.Zero = kernel.NewHost(kernel.U8, N*K), kernel.NewHost(kernel.U8, N*K/G)
					for j, q := 0, kernel.U8s(ly.Q); j < len(q); j++ {
						q[j] = uint8(rng.IntN(8))
					}
					for j, z := 0, kernel.U8s(ly.Zero); j < len(z); j++ {
						z[j] = uint8(rng.IntN(8))
					}
					bytes += N * K / G
				}
				bytes += N*K + 4*N*K/G + 4*N
				op.Layers = append(op.Layers, ly)
			}
			return op
		}
		ops := []kernel.LayerwiseWQ{mkOp()}
		sets := (256<<20)/bytes + 2
		for len(ops) < sets {
			ops = append(ops, mkOp())
		}
		for _, threads := range []int{1, 2} {
			var runs [2][]kernel.Bound // [old, new][set]
			for _, op := range ops {
				for form, l := range []*level{&oldLv, lv} {
					b := &Backend{threads: threads, lv: l}
					k, err := prepareLayerwiseWQ(b, op)
					if err != nil {
						t.Fatal(err)
					}
					runs[form] = append(runs[form], k)
				}
			}
			clock := func() time.Duration {
				if threads == 1 {
					return ThreadCPU()
				}
				return time.Duration(time.Now().UnixNano())
			}
			runtime.LockOSThread()
			var ts [2][]float64
			set := 0
			for round := range 40 {
				for i := range 2 {
					form := (round + i) % 2
					t0 := clock()
					runs[form][set].Run()
					ts[form] = append(ts[form], float64(clock()-t0))
					set = (set + 1) % sets
				}
			}
			runtime.UnlockOSThread()
			med := func(s []float64) float64 { slices.Sort(s); return s[len(s)/2] }
			o, n := med(ts[0]), med(ts[1])
			t.Logf("%-32s threads=%d sets=%d  old %6.2f GB/s  new %6.2f GB/s  speedup %.2fx", c.name, threads, sets,
				float64(bytes)/o, float64(bytes)/n, o/n)
		}
	}
}
