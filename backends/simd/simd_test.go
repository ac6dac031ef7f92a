package simd_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/nbench/nbench/backends/simd"
	"github.com/nbench/nbench/harness/conformance"
	"github.com/nbench/nbench/kernel"
	_ "github.com/nbench/nbench/suites/all"
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
func TestConformance(t *testing.T) {
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
				conformance.Run(t, "simd", b, conformance.Options{})
			})
		}
	}
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
