package external

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/nbench/nbench/kernel"
)

// Worker serves the protocol with a Go kernel.Backend: a worker written in
// Go (the tests run the go backend through it, and a vendor with a Go or
// cgo library can start from it). Tensors are the shared mappings viewed
// as kernel.Host, so CPU backends compute in place.
type Worker struct {
	Name, Version, Device string
	Config                [][2]string
	// Protocol is the version announced in hello (0: ProtocolVersion).
	Protocol int
	// Open opens the backend with the hello's thread count and ISA.
	Open func(cfg kernel.Config) (kernel.Backend, error)

	be      kernel.Backend
	tensors map[int64]*mapped
	bounds  map[int64]*served
}

type mapped struct {
	mem  []byte
	host *kernel.Host
}

type served struct {
	k    kernel.Bound
	uses map[int64]bool // tensor handles
}

type request struct {
	ID       int64                      `json:"id"`
	Op       string                     `json:"op"`
	Protocol int                        `json:"protocol"`
	Threads  int                        `json:"threads"`
	ISA      string                     `json:"isa"`
	Tensor   int64                      `json:"tensor"`
	DType    string                     `json:"dtype"`
	Len      int                        `json:"len"`
	Bytes    int                        `json:"bytes"`
	File     string                     `json:"file"`
	Bound    int64                      `json:"bound"`
	Kernel   string                     `json:"kernel"`
	Params   map[string]json.RawMessage `json:"params"`
	Bounds   []int64                    `json:"bounds"`
	N        int                        `json:"n"`
}

// Serve answers requests from in on out until close or end of input.
func (w *Worker) Serve(in io.Reader, out io.Writer) error {
	w.tensors, w.bounds = map[int64]*mapped{}, map[int64]*served{}
	dec := bufio.NewScanner(in)
	dec.Buffer(make([]byte, 1<<16), 1<<26)
	enc := json.NewEncoder(out)
	for dec.Scan() {
		var req request
		ans := map[string]any{}
		err := json.Unmarshal(dec.Bytes(), &req)
		if err == nil {
			ans, err = w.handle(&req)
		}
		if ans == nil {
			ans = map[string]any{}
		}
		ans["id"] = req.ID
		ans["ok"] = err == nil
		if err != nil {
			ans["error"] = err.Error()
			switch {
			case errors.Is(err, kernel.ErrUnimplemented):
				ans["kind"] = "unimplemented"
			case errors.Is(err, kernel.ErrShape):
				ans["kind"] = "shape"
			}
		}
		if err := enc.Encode(ans); err != nil {
			return err
		}
		if req.Op == "close" {
			break
		}
	}
	if w.be != nil {
		w.be.Close()
	}
	return dec.Err()
}

func (w *Worker) handle(r *request) (map[string]any, error) {
	switch r.Op {
	case "hello":
		var err error
		if w.be, err = w.Open(kernel.Config{Threads: r.Threads, ISA: r.ISA}); err != nil {
			return nil, err
		}
		proto := w.Protocol
		if proto == 0 {
			proto = ProtocolVersion
		}
		var ids []string
		if l, ok := w.be.(kernel.Lister); ok {
			ids = l.Kernels()
		}
		return map[string]any{"protocol": proto, "name": w.Name, "version": w.Version, "kernels": ids,
			"paths": w.be.Paths(), "device": w.Device, "config": w.Config}, nil
	case "alloc":
		return nil, w.alloc(r)
	case "free":
		if m, ok := w.tensors[r.Tensor]; ok {
			syscall.Munmap(m.mem)
			delete(w.tensors, r.Tensor)
		}
		for id, s := range w.bounds {
			if s.uses[r.Tensor] {
				delete(w.bounds, id)
			}
		}
		return nil, nil
	case "prepare":
		uses := map[int64]bool{}
		op, err := decodeOp(r.Kernel, r.Params, func(h int64) (kernel.Tensor, error) {
			m, ok := w.tensors[h]
			if !ok {
				return nil, fmt.Errorf("unknown tensor %d", h)
			}
			uses[h] = true
			return m.host, nil
		})
		if err != nil {
			return nil, err
		}
		k, err := w.be.Prepare(op)
		if err != nil {
			return nil, err
		}
		w.bounds[r.Bound] = &served{k: k, uses: uses}
		return map[string]any{"path": k.Path()}, nil
	case "run":
		ks := make([]kernel.Bound, len(r.Bounds))
		for i, id := range r.Bounds {
			s, ok := w.bounds[id]
			if !ok {
				return nil, fmt.Errorf("run: unknown bound %d", id)
			}
			ks[i] = s.k
		}
		if len(ks) == 0 || r.N < 1 {
			return nil, fmt.Errorf("run: want bounds and n >= 1")
		}
		start := time.Now()
		for i := 0; i < r.N; i++ {
			if err := ks[i%len(ks)].Run(); err != nil {
				return nil, err
			}
		}
		if s, ok := w.be.(kernel.Syncer); ok {
			if err := s.Sync(); err != nil {
				return nil, err
			}
		}
		return map[string]any{"ns": time.Since(start).Nanoseconds()}, nil
	case "close":
		return nil, nil
	}
	return nil, fmt.Errorf("unknown op %q", r.Op)
}

func (w *Worker) alloc(r *request) error {
	var dt kernel.DType
	for _, d := range []kernel.DType{kernel.F32, kernel.I8, kernel.U8, kernel.I32} {
		if d.String() == r.DType {
			dt = d
		}
	}
	if dt == 0 || r.Bytes != r.Len*dt.Size() {
		return fmt.Errorf("alloc: bad dtype %q or bytes %d for len %d", r.DType, r.Bytes, r.Len)
	}
	f, err := os.OpenFile(r.File, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() < int64(r.Bytes) {
		return fmt.Errorf("alloc: %s has %d bytes, want %d", r.File, st.Size(), r.Bytes)
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return err
	}
	w.tensors[r.Tensor] = &mapped{mem: mem, host: hostView(dt, mem[:r.Bytes])}
	return nil
}
