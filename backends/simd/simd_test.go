package simd_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/nbench/nbench/backends/simd"
	"github.com/nbench/nbench/harness/conformance"
	"github.com/nbench/nbench/kernel"
	_ "github.com/nbench/nbench/suites/all"
	"github.com/nbench/nbench/suites/suite"
)

// paths are the levels to test: every level this CPU supports, or only
// the one NBENCH_ISA forces.
func paths(t testing.TB) []string {
	b, err := simd.New(kernel.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("NBENCH_ISA") != "" {
		return b.Paths()[:1]
	}
	return b.Paths()
}

// TestConformance runs every suite kernel on the backend forced to each
// supported level, with one thread and with three (verdicts must not
// depend on the thread count). Kernels without vector code run the pure-Go
// fallback and are checked too.
//
// Emulated runs (NBENCH_VECTOR_ONLY) skip the pure-Go fallbacks, which the
// native runs cover, a kernel whose path (its code) a higher level
// already ran with the same thread count, and the checks' mutation tests:
// under qemu the float64 references of the long soft_nms cases take
// minutes (an AVX2 run took over 20 minutes on a Xeon host with them).
func TestConformance(t *testing.T) {
	ran := map[string]bool{} // kernel/path/threads, emulated runs
	for _, isa := range paths(t) {
		for _, threads := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/threads=%d", isa, threads), func(t *testing.T) {
				b, err := simd.New(kernel.Config{Threads: threads, ISA: isa})
				if err != nil {
					t.Fatal(err)
				}
				if got := b.Level(); got != isa {
					t.Fatalf("forced ISA %s, backend runs at %s", isa, got)
				}
				o := conformance.Options{SkipMutation: emulated(), SkipLong: emulated()}
				if emulated() {
					for _, id := range b.Vectorized() {
						k, ok := suite.Lookup(id)
						key := fmt.Sprintf("%s/%s/%d", id, isa, threads)
						if ok {
							key = fmt.Sprintf("%s/%s/%d", id, prepareQuick(t, b, k), threads)
						}
						if !ran[key] {
							ran[key] = true
							o.Kernels = append(o.Kernels, id)
						}
					}
					if len(o.Kernels) == 0 {
						t.Skipf("%s: every vector kernel here ran at a higher level", isa)
					}
				}
				conformance.Run(t, "simd", b, o)
			})
		}
	}
}

// TestDispatch checks the level choice and the path each kernel reports:
// forcing works and lowers every path, an unknown or unsupported ISA is an
// error naming the supported ones, GODEBUG=cpu.avx512f=off leaves no
// AVX-512 level, and every vectorized kernel reports a path of its level
// or below (never a higher one, never a silent fallback under a vector name).
func TestDispatch(t *testing.T) {
	best, err := simd.New(kernel.Config{})
	if err != nil {
		t.Fatal(err)
	}
	all := best.Paths()
	t.Logf("levels here: %v", all)
	if all[len(all)-1] != "generic" {
		t.Fatalf("paths %v do not end with generic", all)
	}
	if _, err := simd.New(kernel.Config{ISA: "sse9"}); err == nil || !strings.Contains(err.Error(), all[0]) {
		t.Fatalf("unknown ISA: error %v does not name the supported paths", err)
	}
	if strings.Contains(os.Getenv("GODEBUG"), "cpu.avx512f=off") {
		for _, p := range all {
			if strings.HasPrefix(p, "avx512") {
				t.Fatalf("GODEBUG=cpu.avx512f=off but level %s is offered", p)
			}
		}
		if _, err := simd.New(kernel.Config{ISA: "avx512"}); err == nil {
			t.Fatal("forcing avx512 with AVX-512 off must fail")
		}
	}
	have := map[string]bool{}
	for _, id := range best.Kernels() {
		have[id] = true
	}
	for i, isa := range all {
		b, err := simd.New(kernel.Config{ISA: isa, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		allowed := map[string]bool{"generic": true}
		for _, p := range all[i:] {
			allowed[p] = true
		}
		for _, id := range b.Vectorized() {
			if !have[id] {
				t.Errorf("Kernels() lacks vectorized %s", id)
			}
			k, ok := suite.Lookup(id)
			if !ok {
				continue
			}
			path := prepareQuick(t, b, k)
			if !allowed[path] || path == "generic" && isa != "generic" {
				t.Errorf("level %s: %s reports path %q, want one of %v (and not generic)", isa, id, path, all[i:len(all)-1])
			}
		}
	}
}

// prepareQuick binds a kernel's first quick shape and returns its path.
func prepareQuick(t *testing.T, b kernel.Backend, k *suite.Kernel) string {
	c, err := k.Build(k.Quick[0])
	if err != nil {
		t.Fatal(err)
	}
	c.Fill(rand.New(rand.NewPCG(1, 2)), suite.Alloc(c)) // some cases draw op scalars (RepQuant's dt) in Fill
	var ts []kernel.Tensor
	for _, bf := range c.Buffers() {
		x, _ := b.Alloc(bf.DType, bf.Len)
		ts = append(ts, x)
	}
	bd, err := b.Prepare(c.Op(ts))
	if err != nil {
		t.Fatalf("%s: %v", k.Name, err)
	}
	return bd.Path()
}

// BenchmarkKernels: go test -bench . ./backends/simd (NBENCH_BENCH_FULL=1
// for model shapes, NBENCH_ISA to force a level), one thread.
func BenchmarkKernels(b *testing.B) {
	be, err := simd.New(kernel.Config{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	conformance.Bench(b, be, os.Getenv("NBENCH_BENCH_FULL") == "1")
}

// TestRunDoesNotAllocate: at every level, a one-thread Run of every kernel
// with code of its own allocates nothing at any quick shape (scratch is
// made in Prepare), so timings never include the allocator or the GC.
func TestRunDoesNotAllocate(t *testing.T) {
	for _, isa := range paths(t) {
		b, err := simd.New(kernel.Config{Threads: 1, ISA: isa})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range b.Vectorized() {
			k, ok := suite.Lookup(id)
			if !ok {
				continue
			}
			for _, shape := range k.Quick {
				c, host, err := k.Instance(shape, 1)
				if err != nil {
					t.Fatalf("%s/%s: %v", id, shape, err)
				}
				bd, err := b.Prepare(c.Op(suite.Tensors(host)))
				if err != nil {
					t.Fatalf("%s/%s: %v", id, shape, err)
				}
				if n := testing.AllocsPerRun(3, func() { bd.Run() }); n != 0 {
					t.Errorf("%s: %s %s (path %s): %v allocations per Run", isa, id, shape, bd.Path(), n)
				}
			}
		}
	}
}

// emulated says the tests run under qemu (NBENCH_VECTOR_ONLY, set by CI's
// emulated runs), where only what a CPU can change is worth its minutes.
func emulated() bool { return os.Getenv("NBENCH_VECTOR_ONLY") != "" }
