// Package external runs kernels in another process, written in any
// language: nbench starts a worker, talks to it over its stdin and stdout
// (one JSON message per line) and shares tensors with it through files in
// RAM-backed shared memory, so no tensor data crosses the pipe and nothing
// is copied in the timed region. The protocol is docs/protocol.md.
//
// A failing worker is contained: a crash, a missed deadline, a malformed
// or out-of-protocol answer, or a write outside the op's outputs fails the
// request (its case is FAILED), the worker is killed, and the next request
// starts a fresh one (the tensors, which nbench owns, survive; prepared ops
// are prepared again).
package external

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/kernel"
)

// Spec says how to start a worker.
type Spec struct {
	Name      string   // backend name in results ("torch", "exec:/path/w")
	Argv      []string // the worker command
	Env       []string // extra environment ("K=V")
	Deadlines Deadlines
}

// Backend is an external backend: a kernel.Backend (also a BatchTimer and
// a Lister) whose kernels run in a worker process.
type Backend struct {
	spec    Spec
	threads int
	isa     string
	dir     string

	mu      sync.Mutex
	p       *proc
	gen     int // worker generation: bumped at each (re)start
	hello   *reply
	broken  error // the worker cannot be (re)started: every request fails with it
	tensors map[int64]*Tensor
	next    int64
	closed  bool
}

// Open starts the worker and exchanges hello; an error says why the
// backend is unavailable.
func Open(spec Spec, cfg kernel.Config) (*Backend, error) {
	if len(spec.Argv) == 0 {
		return nil, errors.New("no worker command")
	}
	if spec.Deadlines == (Deadlines{}) {
		spec.Deadlines = DefaultDeadlines
	}
	threads := cfg.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	b := &Backend{spec: spec, threads: threads, isa: cfg.ISA, dir: shmDir(), tensors: map[int64]*Tensor{}}
	removeStale(b.dir)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.ensure(); err != nil {
		return nil, err
	}
	opened.add(b)
	return b, nil
}

// ensure returns with a live worker: it starts one (hello, then the live
// tensors mapped again) if there is none. Called with b.mu held.
func (b *Backend) ensure() error {
	if b.closed {
		return errors.New(b.spec.Name + ": backend closed")
	}
	if b.broken != nil {
		return b.broken
	}
	if b.p != nil && b.p.dead == nil {
		return nil
	}
	restart := b.p != nil
	if err := b.startWorker(); err != nil {
		if restart {
			err = fmt.Errorf("worker restart failed: %w", err)
		}
		b.broken = err // a worker that cannot start stays down: no retry per request
		return err
	}
	return nil
}

func (b *Backend) startWorker() error {
	p, err := start(b.spec.Argv, b.spec.Env)
	if err != nil {
		return err
	}
	r, err := p.call("hello", map[string]any{"protocol": ProtocolVersion, "threads": b.threads, "isa": b.isa, "shm_dir": b.dir}, b.spec.Deadlines.Hello)
	if err != nil {
		p.kill(err)
		return err
	}
	if r.Protocol != ProtocolVersion {
		err := fmt.Errorf("hello: worker speaks protocol version %d, nbench speaks %d (docs/protocol.md)", r.Protocol, ProtocolVersion)
		p.kill(err)
		return err
	}
	if r.Name == "" {
		err := errors.New("hello: the answer has no worker \"name\"")
		p.kill(err)
		return err
	}
	b.p, b.hello = p, r
	b.gen++
	for _, h := range b.handles() {
		if err := b.sendAlloc(b.tensors[h]); err != nil {
			return fmt.Errorf("mapping the live tensors again: %w", err)
		}
	}
	return nil
}

func (b *Backend) handles() []int64 {
	hs := make([]int64, 0, len(b.tensors))
	for h := range b.tensors {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	return hs
}

func (b *Backend) Name() string { return b.spec.Name }

// Paths are the worker's (hello "paths"), else its device.
func (b *Backend) Paths() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.hello.Paths) > 0 {
		return b.hello.Paths
	}
	return []string{b.hello.Device}
}

// OnHostCPU reports whether the worker computes on this machine's CPU (its
// hello device is "cpu..." or unsaid), so the host's peaks apply to it.
func (b *Backend) OnHostCPU() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := strings.ToLower(b.hello.Device)
	return d == "" || strings.HasPrefix(d, "cpu")
}

// Kernels lists the kernel ids the worker said it implements (kernel.Lister).
func (b *Backend) Kernels() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.hello.Kernels)
}

// Worker is the worker's name and version as its hello gave them.
func (b *Backend) Worker() (name, version string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hello.Name, b.hello.Version
}

// Env is the configuration lines for result files: the worker's version
// and device, then its own lines, each key prefixed with the worker's name
// (its hello "name": "torch-version").
func (b *Backend) Env() harness.Env {
	b.mu.Lock()
	defer b.mu.Unlock()
	prefix := harness.ConfigKey(b.hello.Name) + "-"
	key := func(k string) string {
		k = harness.ConfigKey(k)
		if strings.HasPrefix(k, prefix) {
			return k
		}
		return prefix + k
	}
	e := harness.Env{{Key: key("version"), Value: b.hello.Version}, {Key: key("backend"), Value: b.spec.Name}}
	if b.hello.Device != "" {
		e = append(e, harness.KV{Key: key("device"), Value: b.hello.Device})
	}
	for _, kv := range b.hello.Config {
		e = append(e, harness.KV{Key: key(kv[0]), Value: kv[1]})
	}
	return e
}

func (b *Backend) Alloc(dt kernel.DType, n int) (kernel.Tensor, error) {
	if dt.Size() == 0 || n < 0 {
		return nil, fmt.Errorf("%s: alloc of %v[%d]", b.spec.Name, dt, n)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.ensure(); err != nil {
		return nil, err
	}
	b.next++
	t, err := newShm(b.dir, os.Getpid(), b.next, dt, n)
	if err != nil {
		return nil, fmt.Errorf("%s: shared memory for %v[%d]: %w", b.spec.Name, dt, n, err)
	}
	t.owner = b
	if err := b.sendAlloc(t); err != nil {
		t.release()
		return nil, err
	}
	b.tensors[t.handle] = t
	return t, nil
}

func (b *Backend) sendAlloc(t *Tensor) error {
	_, err := b.p.call("alloc", map[string]any{"tensor": t.handle, "dtype": t.dt.String(), "len": t.n,
		"bytes": t.n * t.dt.Size(), "file": t.path}, b.spec.Deadlines.Control)
	return err
}

// Free unmaps t in the worker (which drops the prepared ops using it) and
// removes its file. A dead worker is not restarted just to free.
func (b *Backend) Free(t kernel.Tensor) {
	st, ok := t.(*Tensor)
	if !ok || st.owner != b {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, live := b.tensors[st.handle]; !live {
		return
	}
	delete(b.tensors, st.handle)
	if b.p != nil && b.p.dead == nil {
		b.p.call("free", map[string]any{"tensor": st.handle}, b.spec.Deadlines.Control)
	}
	st.release()
}

func (b *Backend) own(t kernel.Tensor) (*Tensor, error) {
	st, ok := t.(*Tensor)
	if !ok || st.owner != b || st.mem == nil {
		return nil, fmt.Errorf("%s: tensor %T not allocated by this backend", b.spec.Name, t)
	}
	return st, nil
}

// Write copies host data into t's shared memory (outside timing).
func (b *Backend) Write(dst kernel.Tensor, src any) error {
	t, err := b.own(dst)
	if err != nil {
		return err
	}
	bs, dt, ok := bytesOf(src)
	if !ok || dt != t.dt || len(bs) != len(t.data()) {
		return fmt.Errorf("%s: write of %T (len %d) into %v[%d]", b.spec.Name, src, kernel.SliceLen(src), t.dt, t.n)
	}
	copy(t.data(), bs)
	return nil
}

// Read copies t's shared memory into dst.
func (b *Backend) Read(dst any, src kernel.Tensor) error {
	t, err := b.own(src)
	if err != nil {
		return err
	}
	bs, dt, ok := bytesOf(dst)
	if !ok || dt != t.dt || len(bs) != len(t.data()) {
		return fmt.Errorf("%s: read of %v[%d] into %T (len %d)", b.spec.Name, t.dt, t.n, dst, kernel.SliceLen(dst))
	}
	copy(bs, t.data())
	return nil
}

// Prepare validates op (nbench's shape rules, before the worker sees it)
// and has the worker bind it.
func (b *Backend) Prepare(op kernel.Op) (kernel.Bound, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.ensure(); err != nil {
		return nil, err
	}
	if !slices.Contains(b.hello.Kernels, op.Kernel()) {
		return nil, kernel.Unimplemented(b.spec.Name, op)
	}
	if err := op.Validate(); err != nil {
		return nil, err
	}
	if _, ok := kernelInfo(op.Kernel()); !ok {
		return nil, fmt.Errorf("%s: kernel %s has no suite, so its outputs are unknown", b.spec.Name, op.Kernel())
	}
	params, err := encodeOp(op, func(t kernel.Tensor) (int64, error) {
		st, err := b.own(t)
		if err != nil {
			return 0, err
		}
		return st.handle, nil
	})
	if err != nil {
		return nil, err
	}
	ins, outs, outNames := opTensors(op)
	k := &bound{b: b, kernel: op.Kernel(), params: params, outputs: outNames}
	for _, t := range ins {
		k.ins = append(k.ins, t.(*Tensor))
	}
	for _, t := range outs {
		k.outs = append(k.outs, t.(*Tensor))
	}
	if err := k.prepare(); err != nil {
		return nil, err
	}
	return k, nil
}

// bound is an op prepared in the worker. It keeps its prepare request so
// that a restarted worker can prepare it again.
type bound struct {
	b         *Backend
	kernel    string
	params    map[string]any
	outputs   []string
	ins, outs []*Tensor
	handle    int64
	gen       int
	path      string
}

// prepare sends the prepare request. Called with b.mu held.
func (k *bound) prepare() error {
	b := k.b
	b.next++
	k.handle = b.next
	r, err := b.p.call("prepare", map[string]any{"bound": k.handle, "kernel": k.kernel, "params": k.params, "outputs": k.outputs}, b.spec.Deadlines.Control)
	var we *workerError
	switch {
	case errors.As(err, &we) && we.kind == "unimplemented":
		return fmt.Errorf("%w: %s on backend %s: %s", kernel.ErrUnimplemented, k.kernel, b.spec.Name, we.msg)
	case errors.As(err, &we) && we.kind == "shape":
		return fmt.Errorf("%w: %s", kernel.ErrShape, we.Error())
	case err != nil:
		return fmt.Errorf("%s: %w", b.spec.Name, err)
	}
	k.gen, k.path = b.gen, r.Path
	if k.path == "" && len(b.hello.Paths) > 0 {
		k.path = b.hello.Paths[0]
	}
	return nil
}

func (k *bound) Path() string { return k.path }

// live makes sure the worker runs and k is prepared in it. Called with b.mu held.
func (k *bound) live() error {
	if err := k.b.ensure(); err != nil {
		return err
	}
	if k.gen != k.b.gen {
		return k.prepare()
	}
	return nil
}

// Run runs the op once (the harness's checked run) and verifies that the
// worker wrote nothing but the op's outputs: the inputs' checksums and
// every tensor's guard bytes must be unchanged. A violation kills the
// worker.
func (k *bound) Run() error {
	b := k.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := k.live(); err != nil {
		return err
	}
	sums := make([]uint32, len(k.ins))
	for i, t := range k.ins {
		sums[i] = t.sum()
	}
	if _, err := b.run([]*bound{k}, 1); err != nil {
		return err
	}
	for i, t := range k.ins {
		if t.sum() != sums[i] {
			return b.p.kill(fmt.Errorf("%s: %s: the worker wrote into an input tensor (%v[%d]; outputs are %s); worker killed",
				b.spec.Name, k.kernel, t.dt, t.n, strings.Join(k.outputs, ", ")))
		}
	}
	return k.checkGuards()
}

// checkGuards checks the bytes past the end of every tensor of k.
func (k *bound) checkGuards() error {
	for _, t := range append(slices.Clone(k.ins), k.outs...) {
		if !t.guardOK() {
			return k.b.p.kill(fmt.Errorf("%s: %s: the worker wrote past the end of a %v[%d] tensor; worker killed", k.b.spec.Name, k.kernel, t.dt, t.n))
		}
	}
	return nil
}

// run sends one run request: n calls cycling through ks, timed by the worker.
func (b *Backend) run(ks []*bound, n int) (time.Duration, error) {
	ids := make([]int64, len(ks))
	for i, k := range ks {
		ids[i] = k.handle
	}
	r, err := b.p.call("run", map[string]any{"bounds": ids, "n": n}, b.spec.Deadlines.Control+b.spec.Deadlines.Run)
	if err != nil {
		return 0, fmt.Errorf("%s: %s: %w", b.spec.Name, ks[0].kernel, err)
	}
	if r.NS == nil || *r.NS < 0 {
		return 0, b.p.kill(fmt.Errorf("%s: run: the answer has no elapsed \"ns\" (>= 0); worker killed", b.spec.Name))
	}
	return time.Duration(*r.NS), nil
}

// TimeBatch runs n calls cycling through runs inside the worker, which
// times them with its own monotonic clock after synchronising its device
// (kernel.BatchTimer); only the batch's time is reported, not the pipe.
func (b *Backend) TimeBatch(runs []kernel.Bound, n int) (time.Duration, error) {
	if len(runs) == 0 || n <= 0 {
		return 0, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ks := make([]*bound, len(runs))
	for i, r := range runs {
		k, ok := r.(*bound)
		if !ok || k.b != b {
			return 0, fmt.Errorf("%s: TimeBatch of an op bound by another backend", b.spec.Name)
		}
		if err := k.live(); err != nil {
			return 0, err
		}
		ks[i] = k
	}
	d, err := b.run(ks, n)
	if err != nil {
		return 0, err
	}
	for _, k := range ks {
		if err := k.checkGuards(); err != nil {
			return 0, err
		}
	}
	return d, nil
}

// Close stops the worker and removes every tensor file.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	opened.remove(b)
	if b.p != nil {
		b.p.close(b.spec.Deadlines.Control)
	}
	for _, t := range b.tensors {
		t.release()
	}
	b.tensors = nil
	return nil
}

// opened is the set of open external backends, whose configuration lines
// go into result files (harness.AddEnv).
var opened = &openSet{}

type openSet struct {
	mu sync.Mutex
	bs []*Backend
}

func (s *openSet) add(b *Backend) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bs = append(s.bs, b)
}

func (s *openSet) remove(b *Backend) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bs = slices.DeleteFunc(s.bs, func(x *Backend) bool { return x == b })
}

func (s *openSet) env() harness.Env {
	s.mu.Lock()
	bs := slices.Clone(s.bs)
	s.mu.Unlock()
	sort.Slice(bs, func(i, j int) bool { return bs[i].spec.Name < bs[j].spec.Name })
	var e harness.Env
	for _, b := range bs {
		e = append(e, b.Env()...)
	}
	return e
}

func init() { harness.AddEnv(opened.env) }
