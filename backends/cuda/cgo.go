//go:build cuda

package cuda

// Driver calls gorgonia.org/cu v0.9.6 does not wrap: the opt-in limit of
// shared memory per block, raising a function's dynamic shared memory
// above the default 48 KiB, and cooperative launches (whose blocks are all
// resident at once, so they may wait for each other).

/*
#cgo LDFLAGS: -lcuda
#cgo linux LDFLAGS: -L/usr/local/cuda/lib64 -L/usr/lib/x86_64-linux-gnu
#cgo linux CFLAGS: -I/usr/local/cuda/include
#include <cuda.h>
#include <stdlib.h>

static int nbenchSmemOptin(int dev, int* v) {
	return (int)cuDeviceGetAttribute(v, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, (CUdevice)dev);
}

static int nbenchCoopSupported(int dev, int* v) {
	return (int)cuDeviceGetAttribute(v, CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH, (CUdevice)dev);
}

// nbenchLaunchCoop launches fn with n 8-byte arguments copied from vals
// (C memory: the driver reads the values through pointers, and cgo does
// not let C keep pointers into Go memory).
static int nbenchLaunchCoop(void* fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned smem, void* stream, const unsigned long long* vals, int n) {
	unsigned long long* argv = (unsigned long long*)malloc(n * sizeof(*argv) + 1);
	void** argp = (void**)malloc(n * sizeof(void*) + 1);
	for (int i = 0; i < n; i++) {
		argv[i] = vals[i];
		argp[i] = &argv[i];
	}
	int r = (int)cuLaunchCooperativeKernel((CUfunction)fn, gx, gy, gz, bx, by, bz, smem, (CUstream)stream, argp);
	free(argv);
	free(argp);
	return r;
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

func coopSupported(d cu.Device) (bool, error) {
	var v C.int
	if r := C.nbenchCoopSupported(C.int(d), &v); r != 0 {
		return false, fmt.Errorf("cuda: cooperative launch attribute: CUresult %d", int(r))
	}
	return v != 0, nil
}

// launchCoop is a cooperative launch of fn on stream with the 8-byte
// argument values vals. cu.Stream, like cu.Function, holds one handle.
func launchCoop(fn cu.Function, grid, block [3]int, smem int, stream cu.Stream, vals []uint64) error {
	h := *(*unsafe.Pointer)(unsafe.Pointer(&fn))
	sh := *(*unsafe.Pointer)(unsafe.Pointer(&stream))
	var p *C.ulonglong
	if len(vals) > 0 {
		p = (*C.ulonglong)(unsafe.Pointer(&vals[0]))
	}
	if r := C.nbenchLaunchCoop(h, C.uint(grid[0]), C.uint(grid[1]), C.uint(grid[2]), C.uint(block[0]), C.uint(block[1]),
		C.uint(block[2]), C.uint(smem), sh, p, C.int(len(vals))); r != 0 {
		return fmt.Errorf("cuda: cooperative launch: CUresult %d", int(r))
	}
	return nil
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

// cu.Function and cu.Stream must be exactly one pointer for the casts above.
var (
	_ [unsafe.Sizeof(cu.Function{}) - unsafe.Sizeof(uintptr(0))]byte
	_ [unsafe.Sizeof(uintptr(0)) - unsafe.Sizeof(cu.Function{})]byte
	_ [unsafe.Sizeof(cu.Stream{}) - unsafe.Sizeof(uintptr(0))]byte
	_ [unsafe.Sizeof(uintptr(0)) - unsafe.Sizeof(cu.Stream{})]byte
)
