// Package pure is the "go" backend: every kernel in plain, portable Go,
// written to be fast (several accumulators, no allocation in the hot loop,
// goroutine parallelism over rows). It is a backend to be measured, not the
// reference: the float64 references live in suites/.
package pure

import (
	"github.com/nbench/nbench/backends"
	"github.com/nbench/nbench/backends/internal/cpu"
	"github.com/nbench/nbench/backends/internal/par"
	"github.com/nbench/nbench/kernel"
)

// Name is the backend's name on the command line.
const Name = "go"

// Path is the code path every kernel of this backend reports.
const Path = "generic"

// preparers is filled by each family's file (norms.go, losses.go, ...).
// A preparer receives the backend for its settings (threads).
var preparers = map[string]func(b *Backend, op kernel.Op) (kernel.Bound, error){}

func register(id string, p func(b *Backend, op kernel.Op) (kernel.Bound, error)) {
	if _, dup := preparers[id]; dup {
		panic("pure: preparer registered twice: " + id)
	}
	preparers[id] = p
}

// Backend is the pure-Go backend.
type Backend struct {
	cpu.Memory
	threads int
}

// New opens the backend with cfg.Threads workers (all CPUs when <= 0).
func New(cfg kernel.Config) *Backend { return &Backend{threads: par.Threads(cfg.Threads)} }

func init() {
	backends.Register(backends.Entry{Name: Name, Order: 0,
		Summary: "portable pure Go, parallel over rows",
		Open:    func(cfg kernel.Config) (kernel.Backend, error) { return New(cfg), nil }})
}

func (b *Backend) Name() string    { return Name }
func (b *Backend) Paths() []string { return []string{Path} }
func (b *Backend) Close() error    { return nil }

// Threads is the number of worker goroutines.
func (b *Backend) Threads() int { return b.threads }

// Prepare validates op and binds it.
func (b *Backend) Prepare(op kernel.Op) (kernel.Bound, error) {
	p, ok := preparers[op.Kernel()]
	if !ok {
		return nil, kernel.Unimplemented(Name, op)
	}
	return p(b, op)
}

// Implements reports whether the backend has kernel id.
func Implements(id string) bool { _, ok := preparers[id]; return ok }

// bound wraps a kernel body as this backend's Bound.
func bound(f func()) kernel.Bound { return cpu.Bound{F: f, Name: Path} }

// rows runs body over [0, n) rows in parallel, each chunk doing at least
// about 64K units of work (perRow units per row).
func (b *Backend) rows(n, perRow int, body func(lo, hi int)) {
	par.For(n, b.threads, par.Grain(perRow, 1<<16), body)
}

// Kernels lists the kernel ids this backend implements.
func (b *Backend) Kernels() []string {
	ids := make([]string, 0, len(preparers))
	for id := range preparers {
		ids = append(ids, id)
	}
	return ids
}
