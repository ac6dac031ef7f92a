package kernel

import "fmt"

// Host is the tensor type of CPU backends and the harness's host-side data:
// exactly one of the slices is set, according to DType.
type Host struct {
	F32 []float32
	I8  []int8
	U8  []uint8
	I32 []int32
}

// NewHost allocates a host tensor of n elements.
func NewHost(dt DType, n int) *Host {
	h := &Host{}
	switch dt {
	case F32:
		h.F32 = make([]float32, n)
	case I8:
		h.I8 = make([]int8, n)
	case U8:
		h.U8 = make([]uint8, n)
	case I32:
		h.I32 = make([]int32, n)
	default:
		panic(fmt.Sprintf("kernel.NewHost: unknown dtype %v", dt))
	}
	return h
}

func (h *Host) DType() DType {
	switch {
	case h.F32 != nil:
		return F32
	case h.I8 != nil:
		return I8
	case h.U8 != nil:
		return U8
	case h.I32 != nil:
		return I32
	}
	return F32 // an empty float tensor
}

func (h *Host) Len() int {
	switch h.DType() {
	case I8:
		return len(h.I8)
	case U8:
		return len(h.U8)
	case I32:
		return len(h.I32)
	}
	return len(h.F32)
}

// Slice returns the set slice as an any ([]float32, []int8, []uint8 or []int32).
func (h *Host) Slice() any {
	switch h.DType() {
	case I8:
		return h.I8
	case U8:
		return h.U8
	case I32:
		return h.I32
	}
	return h.F32
}

// CopyFrom copies src (a slice of the same type and length) into h.
func (h *Host) CopyFrom(src any) error {
	n := -1
	switch s := src.(type) {
	case []float32:
		n = copy(h.F32, s)
	case []int8:
		n = copy(h.I8, s)
	case []uint8:
		n = copy(h.U8, s)
	case []int32:
		n = copy(h.I32, s)
	}
	if n != h.Len() || n != SliceLen(src) {
		return fmt.Errorf("kernel: copy of %T (len %d) into %v tensor of len %d", src, SliceLen(src), h.DType(), h.Len())
	}
	return nil
}

// CopyTo copies h into dst (a slice of the same type and length).
func (h *Host) CopyTo(dst any) error {
	n := -1
	switch d := dst.(type) {
	case []float32:
		n = copy(d, h.F32)
	case []int8:
		n = copy(d, h.I8)
	case []uint8:
		n = copy(d, h.U8)
	case []int32:
		n = copy(d, h.I32)
	}
	if n != h.Len() || n != SliceLen(dst) {
		return fmt.Errorf("kernel: copy of %v tensor of len %d into %T (len %d)", h.DType(), h.Len(), dst, SliceLen(dst))
	}
	return nil
}

// SliceLen is the length of a host slice ([]float32, []int8, []uint8 or
// []int32), or -1 for anything else.
func SliceLen(s any) int {
	switch v := s.(type) {
	case []float32:
		return len(v)
	case []int8:
		return len(v)
	case []uint8:
		return len(v)
	case []int32:
		return len(v)
	}
	return -1
}

// F32s returns the float32 data of a host tensor, or nil when t is nil.
// CPU backends call it on the tensors of an op; it panics on a foreign tensor,
// which Prepare's checks rule out.
func F32s(t Tensor) []float32 {
	if t == nil {
		return nil
	}
	return t.(*Host).F32
}

// I8s returns the int8 data of a host tensor, or nil when t is nil.
func I8s(t Tensor) []int8 {
	if t == nil {
		return nil
	}
	return t.(*Host).I8
}

// U8s returns the uint8 data of a host tensor, or nil when t is nil.
func U8s(t Tensor) []uint8 {
	if t == nil {
		return nil
	}
	return t.(*Host).U8
}

// I32s returns the int32 data of a host tensor, or nil when t is nil.
func I32s(t Tensor) []int32 {
	if t == nil {
		return nil
	}
	return t.(*Host).I32
}

// Want checks that t is a tensor of dtype dt with exactly n elements; name
// appears in the error. Backends call it in Prepare.
func Want(name string, t Tensor, dt DType, n int) error {
	if t == nil {
		return Shapef("%s: missing tensor", name)
	}
	if t.DType() != dt || t.Len() != n {
		return Shapef("%s: want %v[%d], got %v[%d]", name, dt, n, t.DType(), t.Len())
	}
	return nil
}

// WantOptional is Want for a tensor that may be nil.
func WantOptional(name string, t Tensor, dt DType, n int) error {
	if t == nil {
		return nil
	}
	return Want(name, t, dt, n)
}
