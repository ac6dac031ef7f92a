//go:build cuda

// Package cuda is the "cuda" backend: nbench's kernels on an NVIDIA GPU
// through the driver API (gorgonia.org/cu), with kernels written in CUDA C
// (kernels/*.cu), compiled to PTX for compute_80 by `go generate` and
// embedded (ptx/*.ptx), so building needs no nvcc; the driver JIT-compiles
// the PTX for the GPU at hand when a family's module is first loaded.
//
// Tensors live on the device; Write and Read copy outside the timed region.
// Prepare validates the op, loads the module (once per family), picks the
// grid and block sizes and stores the kernel arguments; Run only enqueues
// launches on the backend's stream. The backend times batches of runs with
// CUDA events (kernel.BatchTimer) and syncs the stream before results are
// read (kernel.Syncer).
//
// The package exists only with the build tag cuda: gorgonia.org/cu calls
// cuInit in its package init and exits the process with status 1 when that
// fails (no driver or no device), before main runs, and a binary linked
// against libcuda.so.1 does not start at all where that library is missing.
package cuda

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"time"
	"unsafe"

	"gorgonia.org/cu"

	"github.com/nbench/nbench/backends"
	"github.com/nbench/nbench/kernel"
)

// Name is the backend's name on the command line.
const Name = "cuda"

// ptxArch is the virtual architecture the embedded PTX targets.
const ptxArch = "compute_80"

func init() {
	backends.Register(backends.Entry{Name: Name, Order: 20,
		Summary: "NVIDIA GPUs through gorgonia.org/cu and embedded PTX",
		Open:    func(cfg kernel.Config) (kernel.Backend, error) { return Open(cfg) }})
	registerMachine()
}

// preparers is filled by each family's file; a preparer receives an op
// that passed Validate and returns the launches of its Run.
var preparers = map[string]func(b *Backend, op kernel.Op) (*bound, error){}

func register(id string, p func(b *Backend, op kernel.Op) (*bound, error)) {
	if _, dup := preparers[id]; dup {
		panic("cuda: preparer registered twice: " + id)
	}
	preparers[id] = p
}

// Backend is an opened CUDA device: its primary context, one stream, the
// timing events, the loaded modules and a scratch buffer shared by every
// bound kernel (launches run in stream order, and no kernel keeps data in
// scratch from one Run to the next).
type Backend struct {
	dev         cu.Device
	ctx         cu.CUContext
	stream      cu.Stream
	start, stop cu.Event
	ccMajor     int
	ccMinor     int
	sms         int
	smemOptin   int // bytes of shared memory a block may opt in to
	path        string
	mods        map[string]cu.Module
	fns         map[string]cu.Function
	fnSmem      map[string]int // dynamic shared memory each function is allowed
	scratch     cu.DevicePtr
	scratchCap  int64
	closed      bool
	forceDP4A   bool   // NBENCH_CUDA_INT8=dp4a: the int8 GEMM without tensor cores
	coop        bool   // cooperative launches supported
	nmsSweep    string // NBENCH_CUDA_NMS_SWEEP: "" (by size), "block" or "grid"
}

// int8MMA reports whether gemm_w8a8 runs on the int8 tensor cores
// (mma.sync m16n8k32 s8, compute capability 8.0 and later).
func (b *Backend) int8MMA() bool { return b.ccMajor >= 8 && !b.forceDP4A }

// Open opens device 0.
func Open(cfg kernel.Config) (*Backend, error) {
	n, err := cu.NumDevices()
	if err != nil {
		return nil, fmt.Errorf("unavailable: %v", err)
	}
	if n == 0 {
		return nil, fmt.Errorf("unavailable: no CUDA device")
	}
	b := &Backend{mods: map[string]cu.Module{}, fns: map[string]cu.Function{}, fnSmem: map[string]int{}}
	switch v := os.Getenv("NBENCH_CUDA_INT8"); v {
	case "", "mma":
	case "dp4a":
		b.forceDP4A = true
	default:
		return nil, fmt.Errorf("NBENCH_CUDA_INT8=%q: want mma (default, sm_80+) or dp4a", v)
	}
	switch v := os.Getenv("NBENCH_CUDA_NMS_SWEEP"); v {
	case "", "block", "grid":
		b.nmsSweep = v
	default:
		return nil, fmt.Errorf("NBENCH_CUDA_NMS_SWEEP=%q: want block, grid or nothing (by size)", v)
	}
	if b.dev, err = cu.GetDevice(0); err != nil {
		return nil, err
	}
	for _, a := range []struct {
		dst  *int
		attr cu.DeviceAttribute
	}{{&b.ccMajor, cu.ComputeCapabilityMajor}, {&b.ccMinor, cu.ComputeCapabilityMinor}, {&b.sms, cu.MultiprocessorCount}} {
		if *a.dst, err = b.dev.Attribute(a.attr); err != nil {
			return nil, err
		}
	}
	if b.smemOptin, err = smemOptin(b.dev); err != nil {
		return nil, err
	}
	if b.coop, err = coopSupported(b.dev); err != nil {
		return nil, err
	}
	if b.ctx, err = b.dev.RetainPrimaryCtx(); err != nil {
		return nil, fmt.Errorf("retain primary context: %w", err)
	}
	fail := func(err error) (*Backend, error) {
		b.Close()
		return nil, err
	}
	if err := b.enter(); err != nil {
		return fail(err)
	}
	defer b.leave()
	if b.stream, err = cu.MakeStream(cu.DefaultStream); err != nil {
		return fail(fmt.Errorf("create stream: %w", err))
	}
	if b.start, err = cu.MakeEvent(cu.DefaultEvent); err != nil {
		return fail(fmt.Errorf("create event: %w", err))
	}
	if b.stop, err = cu.MakeEvent(cu.DefaultEvent); err != nil {
		return fail(fmt.Errorf("create event: %w", err))
	}
	b.path = fmt.Sprintf("sm_%d%d ptx (%s)", b.ccMajor, b.ccMinor, ptxArch)
	if b.ccMajor < 8 {
		return fail(fmt.Errorf("unavailable: compute capability %d.%d is below the PTX target %s", b.ccMajor, b.ccMinor, ptxArch))
	}
	return b, nil
}

// enter makes the backend's context current on this OS thread, which the
// goroutine keeps until leave (CUDA contexts are per thread; goroutines move).
func (b *Backend) enter() error {
	if b.closed {
		return fmt.Errorf("cuda: backend is closed")
	}
	runtime.LockOSThread()
	if err := cu.SetCurrentContext(b.ctx); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("cuda: set context: %w", err)
	}
	return nil
}

func (b *Backend) leave() { runtime.UnlockOSThread() }

func (b *Backend) Name() string    { return Name }
func (b *Backend) Paths() []string { return []string{b.path} }

// Kernels lists the kernel ids this backend implements (kernel.Lister).
func (b *Backend) Kernels() []string {
	ids := make([]string, 0, len(preparers))
	for id := range preparers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Tensor is a device buffer of Len elements of DType.
type Tensor struct {
	ptr cu.DevicePtr // 0 when n == 0
	dt  kernel.DType
	n   int
	b   *Backend
}

func (t *Tensor) DType() kernel.DType { return t.dt }
func (t *Tensor) Len() int            { return t.n }
func (t *Tensor) bytes() int64        { return int64(t.n) * int64(t.dt.Size()) }

func (b *Backend) Alloc(dt kernel.DType, n int) (kernel.Tensor, error) {
	if n < 0 {
		return nil, fmt.Errorf("alloc: negative length %d", n)
	}
	if dt.Size() == 0 {
		return nil, fmt.Errorf("alloc: unknown dtype %v", dt)
	}
	t := &Tensor{dt: dt, n: n, b: b}
	if n == 0 {
		return t, nil
	}
	if err := b.enter(); err != nil {
		return nil, err
	}
	defer b.leave()
	p, err := cu.MemAlloc(t.bytes())
	if err != nil {
		return nil, fmt.Errorf("alloc %v[%d]: %w", dt, n, err)
	}
	t.ptr = p
	return t, nil
}

func (b *Backend) Free(t kernel.Tensor) {
	dt, ok := t.(*Tensor)
	if !ok || dt.b != b || dt.ptr == 0 || b.closed {
		return
	}
	if b.enter() != nil {
		return
	}
	defer b.leave()
	b.stream.Synchronize() // a queued kernel may still use it
	cu.MemFree(dt.ptr)
	dt.ptr = 0
}

// own returns t as this backend's tensor.
func (b *Backend) own(t kernel.Tensor) (*Tensor, error) {
	dt, ok := t.(*Tensor)
	if !ok || dt == nil || dt.b != b {
		return nil, fmt.Errorf("cuda: tensor %T does not belong to this backend", t)
	}
	return dt, nil
}

// hostSlice checks that s is a slice of t's element type and length and
// returns its data pointer (nil when empty).
func hostSlice(t *Tensor, s any) (unsafe.Pointer, error) {
	var p unsafe.Pointer
	n, dt := -1, kernel.DType(0)
	switch v := s.(type) {
	case []float32:
		n, dt = len(v), kernel.F32
		if n > 0 {
			p = unsafe.Pointer(&v[0])
		}
	case []int8:
		n, dt = len(v), kernel.I8
		if n > 0 {
			p = unsafe.Pointer(&v[0])
		}
	case []uint8:
		n, dt = len(v), kernel.U8
		if n > 0 {
			p = unsafe.Pointer(&v[0])
		}
	case []int32:
		n, dt = len(v), kernel.I32
		if n > 0 {
			p = unsafe.Pointer(&v[0])
		}
	}
	if dt != t.dt || n != t.n {
		return nil, fmt.Errorf("cuda: copy between %T (len %d) and a %v tensor of len %d", s, n, t.dt, t.n)
	}
	return p, nil
}

// Write copies host data into dst (after the stream's pending work, which
// may still read dst).
func (b *Backend) Write(dst kernel.Tensor, src any) error {
	return b.transfer("write", dst, src, func(t *Tensor, p unsafe.Pointer) error {
		return cu.MemcpyHtoD(t.ptr, p, t.bytes())
	})
}

// Read copies src into host memory once the stream's work is done.
func (b *Backend) Read(dst any, src kernel.Tensor) error {
	return b.transfer("read", src, dst, func(t *Tensor, p unsafe.Pointer) error {
		return cu.MemcpyDtoH(p, t.ptr, t.bytes())
	})
}

// transfer runs one host<->device copy of tensor d and host slice h after
// the stream's pending work.
func (b *Backend) transfer(what string, d kernel.Tensor, h any, copyFn func(*Tensor, unsafe.Pointer) error) error {
	t, err := b.own(d)
	if err != nil {
		return err
	}
	p, err := hostSlice(t, h)
	if err != nil || t.n == 0 {
		return err
	}
	if err := b.enter(); err != nil {
		return err
	}
	defer b.leave()
	if err := b.stream.Synchronize(); err != nil {
		return fmt.Errorf("cuda: %s: pending work failed: %w", what, err)
	}
	if err := copyFn(t, p); err != nil {
		return fmt.Errorf("cuda: %s: %w", what, err)
	}
	return nil
}

// Sync waits for the stream (kernel.Syncer); it returns the first error of
// the work queued since the last sync.
func (b *Backend) Sync() error {
	if err := b.enter(); err != nil {
		return err
	}
	defer b.leave()
	return b.stream.Synchronize()
}

// TimeBatch runs n launches cycling through runs between two CUDA events
// and returns the device time between them (kernel.BatchTimer). The
// harness warms up with it first.
func (b *Backend) TimeBatch(runs []kernel.Bound, n int) (time.Duration, error) {
	if len(runs) == 0 || n <= 0 {
		return 0, nil
	}
	if err := b.enter(); err != nil {
		return 0, err
	}
	defer b.leave()
	return b.timeEvents(func() error {
		for i := 0; i < n; i++ {
			r := runs[i%len(runs)]
			var err error
			if k, ok := r.(*bound); ok && k.b == b {
				err = k.enqueue()
			} else {
				err = r.Run()
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// timeEvents enqueues work between the backend's two CUDA events and
// returns the device time between them, once the stop event is reached.
// The caller holds the context.
func (b *Backend) timeEvents(enqueue func() error) (time.Duration, error) {
	if err := b.start.Record(b.stream); err != nil {
		return 0, err
	}
	if err := enqueue(); err != nil {
		return 0, err
	}
	if err := b.stop.Record(b.stream); err != nil {
		return 0, err
	}
	if err := b.stop.Synchronize(); err != nil {
		return 0, err
	}
	ms, err := b.start.Elapsed(b.stop)
	if err != nil {
		return 0, err
	}
	return time.Duration(float64(ms) * float64(time.Millisecond)), nil
}

// Prepare validates op and binds it.
func (b *Backend) Prepare(op kernel.Op) (kernel.Bound, error) {
	p, ok := preparers[op.Kernel()]
	if !ok {
		return nil, kernel.Unimplemented(Name, op)
	}
	if err := op.Validate(); err != nil {
		return nil, err
	}
	if err := b.enter(); err != nil {
		return nil, err
	}
	defer b.leave()
	k, err := p(b, op)
	if err != nil {
		return nil, err
	}
	return k, nil
}

// Close releases everything the backend holds; tensors still allocated are
// freed with the context's memory only if no other user retains it.
func (b *Backend) Close() error {
	if b.closed {
		return nil
	}
	if b.enter() == nil {
		b.stream.Synchronize()
		if b.scratch != 0 {
			cu.MemFree(b.scratch)
		}
		for _, m := range b.mods {
			m.Unload()
		}
		if b.start != (cu.Event{}) {
			cu.DestroyEvent(&b.start)
		}
		if b.stop != (cu.Event{}) {
			cu.DestroyEvent(&b.stop)
		}
		if b.stream != (cu.Stream{}) {
			b.stream.Destroy()
		}
		b.leave()
	}
	b.closed = true
	b.scratch, b.scratchCap = 0, 0
	return b.dev.ReleasePrimaryCtx()
}

// reserve grows the shared scratch buffer to at least n bytes. Bound
// kernels take the scratch address at each Run, so growing it is safe.
func (b *Backend) reserve(n int64) error {
	if n <= b.scratchCap {
		return nil
	}
	const grain = 1 << 20
	n = (n + grain - 1) / grain * grain
	if err := b.stream.Synchronize(); err != nil {
		return err
	}
	if b.scratch != 0 {
		cu.MemFree(b.scratch)
		b.scratch, b.scratchCap = 0, 0
	}
	p, err := cu.MemAlloc(n)
	if err != nil {
		return fmt.Errorf("cuda: scratch of %d MiB: %w", n>>20, err)
	}
	b.scratch, b.scratchCap = p, n
	return nil
}
