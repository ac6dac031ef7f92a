// Package cpu holds what the CPU backends (go, simd) share: host tensors and
// bound kernels made of plain functions.
package cpu

import (
	"fmt"

	"github.com/nbench/nbench/kernel"
)

// Memory implements Alloc, Free, Write and Read of kernel.Backend for
// backends whose tensors live in host memory. Embed it.
type Memory struct{}

func (Memory) Alloc(dt kernel.DType, n int) (kernel.Tensor, error) {
	if n < 0 {
		return nil, fmt.Errorf("alloc: negative length %d", n)
	}
	if dt.Size() == 0 {
		return nil, fmt.Errorf("alloc: unknown dtype %v", dt)
	}
	return kernel.NewHost(dt, n), nil
}

func (Memory) Free(kernel.Tensor) {}

func (Memory) Write(dst kernel.Tensor, src any) error {
	h, ok := dst.(*kernel.Host)
	if !ok {
		return fmt.Errorf("write: tensor %T is not a host tensor", dst)
	}
	return h.CopyFrom(src)
}

func (Memory) Read(dst any, src kernel.Tensor) error {
	h, ok := src.(*kernel.Host)
	if !ok {
		return fmt.Errorf("read: tensor %T is not a host tensor", src)
	}
	return h.CopyTo(dst)
}

// Bound is a kernel.Bound made of a function and the name of its code path.
type Bound struct {
	F    func()
	Name string
}

func (b Bound) Run() error   { b.F(); return nil }
func (b Bound) Path() string { return b.Name }
