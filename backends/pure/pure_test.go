package pure_test

import (
	"os"
	"testing"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/harness/conformance"
	"github.com/nbench/nbench/kernel"
	_ "github.com/nbench/nbench/suites/all"
)

// The go backend implements every kernel and must pass every suite check,
// with one thread and with several (results must not depend on threads).
func TestConformance(t *testing.T) {
	for _, threads := range []int{1, 3} {
		conformance.Run(t, "go", pure.New(kernel.Config{Threads: threads}), conformance.Options{RequireAll: true})
	}
}

// BenchmarkKernels: go test -bench . ./backends/pure (NBENCH_BENCH_FULL=1 for model shapes).
func BenchmarkKernels(b *testing.B) {
	conformance.Bench(b, pure.New(kernel.Config{Threads: 1}), os.Getenv("NBENCH_BENCH_FULL") == "1")
}
