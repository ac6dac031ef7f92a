//go:build cuda

package cuda

import (
	"embed"
	"fmt"
	"math"
	"unsafe"

	"gorgonia.org/cu"

	"github.com/nbench/nbench/kernel"
)

// The PTX of each kernel family, generated from kernels/<family>.cu.
//
//go:embed ptx/*.ptx
var ptxFS embed.FS

// staticSmem is the shared memory a block gets without opting in.
const staticSmem = 48 << 10

// function returns kernel name of a family's module, loading the module
// (a JIT compile of its PTX) the first time. smem > 48 KiB of dynamic
// shared memory is opted in to; more than the device allows is a gap.
func (b *Backend) function(family, name string, smem int) (cu.Function, error) {
	fn, ok := b.fns[name]
	if !ok {
		mod, ok := b.mods[family]
		if !ok {
			src, err := ptxFS.ReadFile("ptx/" + family + ".ptx")
			if err != nil {
				return fn, fmt.Errorf("cuda: no PTX for %s: %w", family, err)
			}
			if mod, err = cu.LoadData(string(src)); err != nil {
				return fn, fmt.Errorf("cuda: load module %s (PTX JIT for sm_%d%d): %w", family, b.ccMajor, b.ccMinor, err)
			}
			b.mods[family] = mod
		}
		var err error
		if fn, err = mod.Function(name); err != nil {
			return fn, fmt.Errorf("cuda: function %s in %s: %w", name, family, err)
		}
		b.fns[name] = fn
	}
	if smem > staticSmem && smem > b.fnSmem[name] {
		if smem > b.smemOptin {
			return fn, fmt.Errorf("%w: %s needs %d KiB of shared memory per block, the device allows %d KiB",
				kernel.ErrUnimplemented, name, smem>>10, b.smemOptin>>10)
		}
		if err := setMaxDynamicShared(fn, smem); err != nil {
			return fn, err
		}
		b.fnSmem[name] = smem
	}
	return fn, nil
}

// args collects kernel arguments, each in 8 bytes (cu's Function.Launch
// reads 8 bytes per parameter; a 4-byte parameter takes the low half,
// little endian). A scratch argument is patched with the scratch address
// at each launch.
type args struct {
	vals    []uint64
	scratch []scratchRef
	err     error
}

type scratchRef struct {
	slot int
	off  int64
}

func (a *args) ptr(b *Backend, t kernel.Tensor) *args {
	var p uint64
	if t != nil {
		dt, err := b.own(t)
		if err != nil {
			if a.err == nil {
				a.err = err
			}
		} else {
			p = uint64(dt.ptr)
		}
	}
	a.vals = append(a.vals, p)
	return a
}

// ws passes the scratch buffer at byte offset off.
func (a *args) ws(off int64) *args {
	a.scratch = append(a.scratch, scratchRef{len(a.vals), off})
	a.vals = append(a.vals, 0)
	return a
}

func (a *args) null() *args         { a.vals = append(a.vals, 0); return a }
func (a *args) i32(v int) *args     { a.vals = append(a.vals, uint64(uint32(int32(v)))); return a }
func (a *args) i64(v int64) *args   { a.vals = append(a.vals, uint64(v)); return a }
func (a *args) f32(v float32) *args { a.vals = append(a.vals, uint64(math.Float32bits(v))); return a }
func (a *args) f64(v float64) *args { a.vals = append(a.vals, math.Float64bits(v)); return a }
func (a *args) flag(v bool) *args   { return a.i32(b2i(v)) }
func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

// step is one operation of a Run: a kernel launch, or (fn unset) a
// 32-bit memset of n words at a tensor.
type step struct {
	fn          cu.Function
	grid, block [3]int
	smem        int
	vals        []uint64
	params      []unsafe.Pointer
	scratch     []scratchRef
	memset      cu.DevicePtr
	memsetWords int64
	memsetValue uint32
	coop        bool // a cooperative launch (grid barriers inside)
	wsMemset    bool // the memset is of the scratch buffer at offset wsOff
	wsOff       int64
}

// bound is a prepared op: its steps, run in order on the stream.
type bound struct {
	b     *Backend
	steps []*step
	path  string
	// inputCheck, when set, is a scratch word a kernel sets to the first
	// row with NaN or Inf (INT32_MAX when none): Run waits for the device
	// and reports that row as an input error. TimeBatch does not check.
	inputCheck *inputCheck
}

type inputCheck struct {
	off  int64  // scratch byte offset of the word
	what string // the input's name in the error
}

// checkRows makes Run reset the row-error word at scratch offset off, then
// report it. Only Run does: the launches TimeBatch times stay the kernels
// alone (their atomicMin on a stale word is harmless).
func (k *bound) checkRows(off int64, what string) {
	k.inputCheck = &inputCheck{off: off, what: what}
}

func (b *Backend) newBound(detail string) *bound {
	p := b.path
	if detail != "" {
		p += " " + detail
	}
	return &bound{b: b, path: p}
}

// add appends a launch of family/name with grid, block (x, y) and dynamic
// shared memory smem. A zero-sized grid adds nothing.
func (k *bound) add(family, name string, grid, block [3]int, smem int, a *args) error {
	if a.err != nil {
		return a.err
	}
	for i := range grid {
		if grid[i] == 0 {
			grid[i] = 1
		}
		if block[i] == 0 {
			block[i] = 1
		}
	}
	if grid[1] > 65535 || grid[2] > 65535 || grid[0] > math.MaxInt32 {
		return fmt.Errorf("%w: %s grid %v exceeds the device limits", kernel.ErrUnimplemented, name, grid)
	}
	fn, err := k.b.function(family, name, smem)
	if err != nil {
		return err
	}
	s := &step{fn: fn, grid: grid, block: block, smem: smem, vals: a.vals, scratch: a.scratch}
	s.params = make([]unsafe.Pointer, len(s.vals))
	for i := range s.vals {
		s.params[i] = unsafe.Pointer(&s.vals[i])
	}
	k.steps = append(k.steps, s)
	return nil
}

// addCoop appends a cooperative launch: all blocks resident at once, at
// most one per multiprocessor, so that they can wait for each other.
func (k *bound) addCoop(family, name string, blocks, block, smem int, a *args) error {
	if !k.b.coop {
		return fmt.Errorf("%w: %s needs cooperative launches, which the device does not support", kernel.ErrUnimplemented, name)
	}
	if blocks > k.b.sms {
		return fmt.Errorf("cuda: %s: cooperative grid of %d blocks on %d multiprocessors", name, blocks, k.b.sms)
	}
	if err := k.add(family, name, grid1(blocks), threads(block), smem, a); err != nil {
		return err
	}
	k.steps[len(k.steps)-1].coop = true
	return nil
}

// memsetScratch adds a fill of words 32-bit words of scratch at byte
// offset off with v (the address is taken at each run, as for ws args).
func (k *bound) memsetScratch(off, words int64, v uint32) error {
	k.steps = append(k.steps, &step{wsMemset: true, wsOff: off, memsetWords: words, memsetValue: v})
	return nil
}

// memset32 adds a fill of t's first words with v.
func (k *bound) memset32(t kernel.Tensor, words int64, v uint32) error {
	dt, err := k.b.own(t)
	if err != nil {
		return err
	}
	k.steps = append(k.steps, &step{memset: dt.ptr, memsetWords: words, memsetValue: v})
	return nil
}

// Run enqueues the op's launches (kernel.Bound); with an input check it
// waits for them and fails on a row with NaN or Inf, as the CPU backends do.
func (k *bound) Run() error {
	if err := k.b.enter(); err != nil {
		return err
	}
	defer k.b.leave()
	if k.inputCheck == nil {
		return k.enqueue()
	}
	word := k.b.scratch + cu.DevicePtr(k.inputCheck.off)
	if err := cu.MemsetD32Async(word, math.MaxInt32, 1, k.b.stream); err != nil {
		return err
	}
	if err := k.enqueue(); err != nil {
		return err
	}
	if err := k.b.stream.Synchronize(); err != nil {
		return err
	}
	var row int32
	if err := cu.MemcpyDtoH(unsafe.Pointer(&row), word, 4); err != nil {
		return err
	}
	if row != math.MaxInt32 {
		return fmt.Errorf("input error: NaN or Inf in %s row %d", k.inputCheck.what, row)
	}
	return nil
}

func (k *bound) Path() string { return k.path }

// enqueue enqueues the steps; the caller holds the context.
func (k *bound) enqueue() error {
	b := k.b
	for _, s := range k.steps {
		if s.wsMemset {
			if err := cu.MemsetD32Async(b.scratch+cu.DevicePtr(s.wsOff), uint(s.memsetValue), s.memsetWords, b.stream); err != nil {
				return err
			}
			continue
		}
		if s.memset != 0 {
			if err := cu.MemsetD32Async(s.memset, uint(s.memsetValue), s.memsetWords, b.stream); err != nil {
				return err
			}
			continue
		}
		for _, r := range s.scratch {
			s.vals[r.slot] = uint64(b.scratch) + uint64(r.off)
		}
		if s.coop {
			if err := launchCoop(s.fn, s.grid, s.block, s.smem, b.stream, s.vals); err != nil {
				return err
			}
			continue
		}
		if err := s.fn.Launch(s.grid[0], s.grid[1], s.grid[2], s.block[0], s.block[1], s.block[2], s.smem, b.stream, s.params); err != nil {
			return fmt.Errorf("cuda: launch: %w", err)
		}
	}
	return nil
}

// ---- sizes ----

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func roundUp(a, m int) int { return ceilDiv(a, m) * m }

// grid1 is a 1-D grid of x blocks.
func grid1(x int) [3]int { return [3]int{x, 1, 1} }

// grid2 is a 2-D grid.
func grid2(x, y int) [3]int { return [3]int{x, y, 1} }

// threads is a 1-D block.
func threads(x int) [3]int { return [3]int{x, 1, 1} }

// wsLayout hands out 256-byte aligned offsets in the scratch buffer.
type wsLayout struct{ size int64 }

func (l *wsLayout) take(bytes int64) int64 {
	off := l.size
	l.size += (bytes + 255) / 256 * 256
	return off
}

// streamGrid is the block count of a grid-stride loop over n items with
// 256 threads: enough blocks to fill the device a few times over, no more
// than the items need.
func (b *Backend) streamGrid(n int64) int {
	g := (n + 255) / 256
	if lim := int64(b.sms) * 8; g > lim {
		g = lim
	}
	return int(max(g, 1))
}
