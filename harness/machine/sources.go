package machine

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/klauspost/cpuid/v2"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/host"
	"github.com/shirou/gopsutil/v4/mem"
)

// sources is everything Describe reads, raw, so that the cross-checks in
// build can be tested with the values of a misreporting machine.
type sources struct {
	arch, goos, goVersion string
	numCPU                int // runtime.NumCPU: what this process may use

	// CPUID (klauspost/cpuid). Caches are -1 or 0 when hidden.
	brand, vendor                         string
	family, model, stepping               int
	cpuidLogical, cpuidPhysical, cpuidTPC int
	cpuidHz, cpuidBoostHz                 int64
	l1d, l1i, l2, l3                      int
	features                              []string
	isa                                   string
	hypervisor                            bool

	// The OS (gopsutil, sysfs). Zero when unreadable.
	osLogical, osPhysical int
	osModelName           string
	osMHz                 float64 // /proc/cpuinfo "cpu MHz"
	maxKHz                float64 // cpufreq/cpuinfo_max_freq
	sysCaches             []sysCache
	memTotal              uint64
	platform, kernel      string

	gpus []string
}

// sysCache is one cache of cpu0 as sysfs lists it.
type sysCache struct {
	level      int
	typ        string // Data, Instruction, Unified
	size       int64
	sharedCPUs int
}

// simdFeatures are the CPUID features worth printing: those that decide
// which kernel code paths a machine can run.
var simdFeatures = []string{
	"SSE2", "SSE3", "SSSE3", "SSE4", "SSE42", "AVX", "AVX2", "FMA3", "F16C", "BMI2",
	"AVX512F", "AVX512DQ", "AVX512BW", "AVX512VL", "AVX512VNNI", "AVX512BF16", "AVX512FP16",
	"AVX512IFMA", "AVX512VBMI", "AVXVNNI", "AVXVNNIINT8", "AMXINT8", "AMXBF16", "AMXTILE", "AVX10",
	"ASIMD", "ASIMDDP", "ASIMDHP", "ASIMDRDM", "I8MM", "BF16", "FPHP", "SVE", "SVE2", "SME",
}

// gather reads CPUID, the OS and the GPU providers.
func gather() sources {
	c := cpuid.CPU
	s := sources{
		arch: runtime.GOARCH, goos: runtime.GOOS, goVersion: runtime.Version(), numCPU: runtime.NumCPU(),
		brand: strings.TrimSpace(c.BrandName), vendor: c.VendorID.String(),
		family: c.Family, model: c.Model, stepping: c.Stepping,
		cpuidLogical: c.LogicalCores, cpuidPhysical: c.PhysicalCores, cpuidTPC: c.ThreadsPerCore,
		cpuidHz: c.Hz, cpuidBoostHz: c.BoostFreq,
		l1d: c.Cache.L1D, l1i: c.Cache.L1I, l2: c.Cache.L2, l3: c.Cache.L3,
		hypervisor: c.VM(),
	}
	if s.vendor == "VendorUnknown" {
		s.vendor = ""
	}
	for _, f := range simdFeatures {
		if id := cpuid.ParseFeature(f); id != cpuid.UNKNOWN && c.Supports(id) {
			s.features = append(s.features, f)
		}
	}
	switch runtime.GOARCH {
	case "amd64", "386":
		if l := c.X64Level(); l > 0 {
			s.isa = "x86-64-v" + strconv.Itoa(l)
		}
	case "arm64":
		if maj, min := c.ARM64Level(); maj > 0 {
			s.isa = "armv" + strconv.Itoa(maj) + "." + strconv.Itoa(min)
		}
	}
	if n, err := cpu.Counts(true); err == nil {
		s.osLogical = n
	}
	if n, err := cpu.Counts(false); err == nil {
		s.osPhysical = n
	}
	if infos, err := cpu.Info(); err == nil && len(infos) > 0 {
		s.osModelName = strings.TrimSpace(infos[0].ModelName)
	}
	s.osMHz = procMHz()
	s.maxKHz = readFloat("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
	s.sysCaches = readSysCaches("/sys/devices/system/cpu/cpu0/cache")
	if v, err := mem.VirtualMemory(); err == nil {
		s.memTotal = v.Total
	}
	if h, err := host.Info(); err == nil {
		s.platform = strings.TrimSpace(h.Platform + " " + h.PlatformVersion)
		s.kernel = h.KernelVersion
	}
	for _, f := range gpuProviders {
		s.gpus = append(s.gpus, f()...)
	}
	return s
}

// procMHz is the first "cpu MHz" of /proc/cpuinfo (gopsutil replaces it
// with the cpufreq maximum when there is one; we want both apart).
func procMHz() float64 {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == "cpu MHz" {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

func readFloat(path string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	return f
}

// readSysCaches lists the caches sysfs shows for one CPU.
func readSysCaches(dir string) []sysCache {
	idx, _ := filepath.Glob(filepath.Join(dir, "index[0-9]*"))
	sort.Strings(idx)
	var out []sysCache
	for _, d := range idx {
		read := func(name string) string {
			b, _ := os.ReadFile(filepath.Join(d, name))
			return strings.TrimSpace(string(b))
		}
		level, _ := strconv.Atoi(read("level"))
		size := parseSize(read("size"))
		if level == 0 || size <= 0 {
			continue
		}
		out = append(out, sysCache{level: level, typ: read("type"), size: size, sharedCPUs: countCPUList(read("shared_cpu_list"))})
	}
	return out
}

// parseSize reads sysfs sizes: "48K", "1024K", "32768K", "2M".
func parseSize(s string) int64 {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0
	}
	return n * mult
}

// countCPUList counts the CPUs of a sysfs list such as "0-3,8-11"; 0 when malformed.
func countCPUList(s string) int {
	n := 0
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0
			}
		}
		n += b - a + 1
	}
	return n
}
