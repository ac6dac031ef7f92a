//go:build cuda

package cuda

// Two driver calls gorgonia.org/cu v0.9.6 does not wrap: the opt-in limit
// of shared memory per block and raising a function's dynamic shared
// memory above the default 48 KiB.

/*
#cgo LDFLAGS: -lcuda
#cgo linux LDFLAGS: -L/usr/local/cuda/lib64 -L/usr/lib/x86_64-linux-gnu
#cgo linux CFLAGS: -I/usr/local/cuda/include
#include <cuda.h>

static int nbenchSmemOptin(int dev, int* v) {
	return (int)cuDeviceGetAttribute(v, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, (CUdevice)dev);
}

static int nbenchSetMaxDynamicShared(void* fn, int bytes) {
	return (int)cuFuncSetAttribute((CUfunction)fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	"gorgonia.org/cu"
)

func smemOptin(d cu.Device) (int, error) {
	var v C.int
	if r := C.nbenchSmemOptin(C.int(d), &v); r != 0 {
		return 0, fmt.Errorf("cuda: shared memory opt-in limit: CUresult %d", int(r))
	}
	return int(v), nil
}

// setMaxDynamicShared lets fn launch with up to bytes of dynamic shared
// memory. cu.Function is a struct holding only the CUfunction handle.
func setMaxDynamicShared(fn cu.Function, bytes int) error {
	h := *(*unsafe.Pointer)(unsafe.Pointer(&fn))
	if r := C.nbenchSetMaxDynamicShared(h, C.int(bytes)); r != 0 {
		return fmt.Errorf("cuda: allow %d bytes of dynamic shared memory: CUresult %d", bytes, int(r))
	}
	return nil
}

// cu.Function must be exactly one pointer for setMaxDynamicShared.
var (
	_ [unsafe.Sizeof(cu.Function{}) - unsafe.Sizeof(uintptr(0))]byte
	_ [unsafe.Sizeof(uintptr(0)) - unsafe.Sizeof(cu.Function{})]byte
)
