package external

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/nbench/nbench/kernel"
)

// GuardBytes follow every tensor's data in its file, filled with
// guardByte: a worker writing past the end of a tensor changes them.
const (
	GuardBytes = 64
	guardByte  = 0xA5
)

// shmDir is where tensor files live: NBENCH_SHM_DIR, else /dev/shm (RAM
// backed), else the temporary directory.
func shmDir() string {
	if d := os.Getenv("NBENCH_SHM_DIR"); d != "" {
		return d
	}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}

// Tensor is a tensor of an external backend: a file in shared memory that
// nbench and the worker both map. nbench owns the file; the worker maps it
// on alloc and unmaps it on free.
type Tensor struct {
	handle int64
	dt     kernel.DType
	n      int
	path   string
	mem    []byte // the whole mapping: data then guard
	owner  *Backend
}

func (t *Tensor) DType() kernel.DType { return t.dt }
func (t *Tensor) Len() int            { return t.n }

// data is the tensor's bytes (without the guard).
func (t *Tensor) data() []byte { return t.mem[:t.n*t.dt.Size()] }

func (t *Tensor) guardOK() bool {
	for _, b := range t.mem[t.n*t.dt.Size():] {
		if b != guardByte {
			return false
		}
	}
	return true
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func (t *Tensor) sum() uint32 { return crc32.Checksum(t.data(), castagnoli) }

// newShm creates and maps a tensor file of n elements of dt in dir.
func newShm(dir string, pid int, handle int64, dt kernel.DType, n int) (*Tensor, error) {
	size := n*dt.Size() + GuardBytes
	f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("nbench-%d-%d", pid, handle)), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := f.Truncate(int64(size)); err != nil {
		os.Remove(f.Name())
		return nil, err
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		os.Remove(f.Name())
		return nil, fmt.Errorf("mmap %s: %w", f.Name(), err)
	}
	copy(mem[n*dt.Size():], bytes.Repeat([]byte{guardByte}, GuardBytes))
	return &Tensor{handle: handle, dt: dt, n: n, path: f.Name(), mem: mem}, nil
}

func (t *Tensor) release() {
	if t.mem != nil {
		syscall.Munmap(t.mem)
		t.mem = nil
	}
	os.Remove(t.path)
}

// removeStale deletes tensor files left in dir by nbench processes that
// no longer exist (killed before they could clean up).
func removeStale(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, "nbench-*-*"))
	for _, name := range names {
		parts := strings.Split(filepath.Base(name), "-")
		pid, err := strconv.Atoi(parts[1])
		if err != nil || len(parts) != 3 || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			os.Remove(name)
		}
	}
}

// bytesOf views a host slice ([]float32, []int8, []uint8, []int32) as bytes.
func bytesOf(s any) ([]byte, kernel.DType, bool) {
	switch v := s.(type) {
	case []float32:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 4*len(v)), kernel.F32, true
	case []int32:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 4*len(v)), kernel.I32, true
	case []int8:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)), kernel.I8, true
	case []uint8:
		return v, kernel.U8, true
	}
	return nil, 0, false
}

// hostView is a kernel.Host over the tensor's mapped data (no copy): the
// Go worker computes in place with it.
func hostView(dt kernel.DType, b []byte) *kernel.Host {
	p := unsafe.Pointer(unsafe.SliceData(b))
	n := len(b) / dt.Size()
	h := &kernel.Host{}
	switch dt {
	case kernel.F32:
		h.F32 = unsafe.Slice((*float32)(p), n)
	case kernel.I32:
		h.I32 = unsafe.Slice((*int32)(p), n)
	case kernel.I8:
		h.I8 = unsafe.Slice((*int8)(p), n)
	case kernel.U8:
		h.U8 = unsafe.Slice((*uint8)(p), n)
	}
	return h
}
