//go:build cuda

package cuda

import (
	"fmt"
	"os"
	"regexp"
	"strconv"

	"gorgonia.org/cu"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/machine"
)

// registerMachine adds the GPUs to the machine description (their names
// also go into the machine id) and the details of device 0, the one the
// backend uses, to every result file's configuration.
func registerMachine() {
	machine.AddGPUProvider(gpuNames)
	harness.AddEnv(gpuEnv)
}

func gpuNames() []string {
	n, err := cu.NumDevices()
	if err != nil {
		return nil
	}
	var names []string
	for i := 0; i < n; i++ {
		d, err := cu.GetDevice(i)
		if err != nil {
			continue
		}
		if name, err := d.Name(); err == nil {
			names = append(names, name)
		}
	}
	return names
}

// gpuEnv describes device 0: name, compute capability, SMs, memory, clocks,
// the theoretical memory bandwidth (2 x memory clock x bus width, DDR) and
// the driver's CUDA version.
func gpuEnv() harness.Env {
	d, err := cu.GetDevice(0)
	if err != nil {
		return nil
	}
	attr := func(a cu.DeviceAttribute) int {
		v, err := d.Attribute(a)
		if err != nil {
			return 0
		}
		return v
	}
	var e harness.Env
	add := func(k, v string) { e = append(e, harness.KV{Key: k, Value: v}) }
	if name, err := d.Name(); err == nil {
		add("cuda-device", name)
	}
	add("cuda-cc", fmt.Sprintf("%d.%d", attr(cu.ComputeCapabilityMajor), attr(cu.ComputeCapabilityMinor)))
	add("cuda-sms", strconv.Itoa(attr(cu.MultiprocessorCount)))
	if mem, err := d.TotalMem(); err == nil {
		add("cuda-memory", fmt.Sprintf("%d MiB", mem>>20))
	}
	add("cuda-clock", fmt.Sprintf("%d MHz", attr(cu.ClockRate)/1000))
	memClock, bus := attr(cu.MemoryClockRate), attr(cu.GlobalMemoryBusWidth)
	add("cuda-memory-clock", fmt.Sprintf("%d MHz", memClock/1000))
	add("cuda-memory-bus", fmt.Sprintf("%d bit", bus))
	if memClock > 0 && bus > 0 {
		add("cuda-peak-bandwidth", fmt.Sprintf("%.0f GB/s", 2*float64(memClock)*1e3*float64(bus)/8/1e9))
	}
	add("cuda-l2", fmt.Sprintf("%d KiB", attr(cu.L2CacheSize)>>10))
	if v := cu.Version(); v > 0 {
		add("cuda-driver", fmt.Sprintf("%d.%d", v/1000, v%1000/10))
	}
	if v := driverRelease(); v != "" {
		add("cuda-driver-release", v)
	}
	add("cuda-ptx", ptxArch)
	return e
}

// driverRelease is the NVIDIA kernel driver's release (e.g. 580.159.04)
// from /proc/driver/nvidia/version, "" where that file is absent (another
// OS, or the CPU emulation).
func driverRelease() string {
	b, err := os.ReadFile("/proc/driver/nvidia/version")
	if err != nil {
		return ""
	}
	return string(driverRe.Find(b))
}

var driverRe = regexp.MustCompile(`\b\d{3,}\.\d+(\.\d+)?\b`)
