// Package kernel is nbench's one kernel contract: the tensors, operations and
// backend interface that every backend (pure Go, SIMD, CUDA) implements.
//
// The contract follows "prepare once, run many": a backend binds an Op (a
// kernel's parameters plus its backend-owned tensors) in Prepare, outside the
// timed region, where it may pack weights, allocate workspace, pick its code
// path or load a GPU module; only Bound.Run is timed.
//
// The ops themselves are plain structs, one per kernel, split by family:
// norms.go, losses.go, attention.go, qmatmul.go and nms.go.
package kernel

import (
	"errors"
	"fmt"
	"time"
)

// DType is the element type of a Tensor.
type DType uint8

const (
	F32 DType = iota + 1
	I8
	U8
	I32
)

// Size is the size of one element in bytes.
func (d DType) Size() int {
	switch d {
	case F32, I32:
		return 4
	case I8, U8:
		return 1
	}
	return 0
}

func (d DType) String() string {
	switch d {
	case F32:
		return "f32"
	case I8:
		return "i8"
	case U8:
		return "u8"
	case I32:
		return "i32"
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// Tensor is a flat, backend-owned buffer. Shapes live in the Op that uses it.
// A GPU backend keeps its tensors on the device; the harness moves data only
// through Backend.Write and Backend.Read, outside the timed region.
type Tensor interface {
	DType() DType
	Len() int
}

// Op is one kernel invocation: a struct from this package naming its
// parameters and tensors. Kernel returns the kernel id used in suites.
type Op interface {
	Kernel() string
	Validator
}

// Bound is an Op prepared by a backend. Run does the computation and nothing
// else; it may be called many times and must give the same result each time.
type Bound interface {
	Run() error
	// Path is the exact code path that runs, e.g. "generic", "avx512", "sm_90 ptx".
	Path() string
}

// Backend is implemented by every backend.
type Backend interface {
	Name() string
	// Paths lists the code paths this backend can run on this machine, best first.
	Paths() []string
	Alloc(dt DType, n int) (Tensor, error)
	Free(t Tensor)
	// Write copies host data ([]float32, []int8, []uint8 or []int32 matching
	// the tensor's dtype and length) into t; Read copies t into dst.
	Write(dst Tensor, src any) error
	Read(dst any, src Tensor) error
	// Prepare binds op. A kernel the backend lacks returns an error wrapping
	// ErrUnimplemented; a malformed op returns an error wrapping ErrShape.
	Prepare(op Op) (Bound, error)
	Close() error
}

// Syncer is implemented by backends whose Run only enqueues work (GPUs):
// the harness calls Sync before reading a clock or a result.
type Syncer interface {
	Sync() error
}

// BatchTimer is implemented by backends that time their own batches of runs
// (CUDA events around n launches). The harness uses it instead of wall time.
type BatchTimer interface {
	TimeBatch(runs []Bound, n int) (time.Duration, error)
}

// Config carries the settings a backend is opened with.
type Config struct {
	Threads int    // worker goroutines; <= 0 means all logical CPUs
	ISA     string // force a lower code path ("" = best available)
}

var (
	// ErrUnimplemented marks a kernel a backend does not provide (a gap, not a failure).
	ErrUnimplemented = errors.New("not implemented")
	// ErrShape marks parameters or tensor sizes that do not fit the kernel.
	ErrShape = errors.New("invalid shape")
)

// Unimplemented returns the error a backend gives for an op it lacks.
func Unimplemented(backend string, op Op) error {
	return fmt.Errorf("%w: %s on backend %s", ErrUnimplemented, op.Kernel(), backend)
}

// Shapef returns an error wrapping ErrShape.
func Shapef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrShape, fmt.Sprintf(format, args...))
}

// Lister is implemented by backends that can say which kernel ids they
// provide without preparing an op (for `nbench list`).
type Lister interface {
	Kernels() []string
}
