//go:build cuda

package cuda

import (
	"fmt"
	"time"
	"unsafe"

	"gorgonia.org/cu"
)

// CopyBandwidth measures the device's memory bandwidth: reps device-to-device
// copies of bytes, timed with CUDA events after one warm-up copy. Each copy
// reads and writes bytes, so it counts 2*bytes; the result is in GB/s. It
// is the reference for "% of device bandwidth" of memory-bound kernels.
func (b *Backend) CopyBandwidth(bytes int64, reps int) (float64, error) {
	if bytes <= 0 || reps <= 0 {
		return 0, fmt.Errorf("cuda: copy bandwidth: bytes and reps must be positive")
	}
	if err := b.enter(); err != nil {
		return 0, err
	}
	defer b.leave()
	src, err := cu.MemAlloc(bytes)
	if err != nil {
		return 0, err
	}
	defer cu.MemFree(src)
	dst, err := cu.MemAlloc(bytes)
	if err != nil {
		return 0, err
	}
	defer cu.MemFree(dst)
	if err := cu.MemsetD8Async(src, 1, bytes, b.stream); err != nil {
		return 0, err
	}
	if err := cu.MemcpyDtoDAsync(dst, src, bytes, b.stream); err != nil { // warm-up
		return 0, err
	}
	d, err := b.timeEvents(func() error {
		for i := 0; i < reps; i++ {
			if err := cu.MemcpyDtoDAsync(dst, src, bytes, b.stream); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("cuda: copy bandwidth: elapsed %v: %v", d, err)
	}
	return 2 * float64(bytes) * float64(reps) / d.Seconds() / 1e9, nil
}

// Transfer measures host-to-device and device-to-host copies of bytes from
// and to pageable Go memory (what Write and Read do), in GB/s over reps
// copies each, wall clock. Kernel timings never include these copies.
func (b *Backend) Transfer(bytes int64, reps int) (h2d, d2h float64, err error) {
	if bytes <= 0 || reps <= 0 {
		return 0, 0, fmt.Errorf("cuda: transfer: bytes and reps must be positive")
	}
	if err := b.enter(); err != nil {
		return 0, 0, err
	}
	defer b.leave()
	host := make([]byte, bytes)
	for i := range host {
		host[i] = byte(i)
	}
	dev, err := cu.MemAlloc(bytes)
	if err != nil {
		return 0, 0, err
	}
	defer cu.MemFree(dev)
	if err := b.stream.Synchronize(); err != nil {
		return 0, 0, err
	}
	p := unsafe.Pointer(&host[0])
	timeIt := func(f func() error) (float64, error) {
		if err := f(); err != nil { // warm-up
			return 0, err
		}
		start := time.Now()
		for i := 0; i < reps; i++ {
			if err := f(); err != nil {
				return 0, err
			}
		}
		if err := cu.Synchronize(); err != nil {
			return 0, err
		}
		return float64(bytes) * float64(reps) / time.Since(start).Seconds() / 1e9, nil
	}
	if h2d, err = timeIt(func() error { return cu.MemcpyHtoD(dev, p, bytes) }); err != nil {
		return 0, 0, err
	}
	if d2h, err = timeIt(func() error { return cu.MemcpyDtoH(p, dev, bytes) }); err != nil {
		return 0, 0, err
	}
	return h2d, d2h, nil
}
