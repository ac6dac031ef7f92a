// Package machine describes the machine nbench runs on and derives a
// stable identity for "this kind of machine", used to key baselines and
// peaks.
//
// Every number comes from two sources where it can (CPUID through
// klauspost/cpuid, and the OS through gopsutil and sysfs) and is checked
// for plausibility: a virtual machine's CPUID may claim 254 cores or hide
// its L3, and a wrong number is worse than none, so implausible values are
// dropped (reported as "unknown") with a note saying why.
package machine

import (
	"fmt"
	"strings"
	"sync"
)

// Description is what nbench records about a machine. Zero numbers and
// empty strings mean unknown.
type Description struct {
	Arch        string `json:"arch"` // GOARCH
	OS          string `json:"os"`   // GOOS
	CPUBrand    string `json:"cpu_brand"`
	CPUVendor   string `json:"cpu_vendor"`
	CPUFamily   int    `json:"cpu_family,omitempty"`
	CPUModel    int    `json:"cpu_model,omitempty"`
	CPUStepping int    `json:"cpu_stepping,omitempty"`
	// LogicalCPUs is the number of CPUs this process may use (runtime.NumCPU).
	LogicalCPUs int `json:"logical_cpus"`
	// OnlineCPUs is the system's count when it differs (an affinity mask).
	OnlineCPUs     int `json:"online_cpus,omitempty"`
	PhysicalCores  int `json:"physical_cores,omitempty"`
	ThreadsPerCore int `json:"threads_per_core,omitempty"`
	// BaseMHz and MaxMHz are rated clocks (CPUID or cpufreq); OSMHz is what
	// /proc/cpuinfo says, which may be the current clock or, in a VM, the host's TSC.
	BaseMHz float64 `json:"base_mhz,omitempty"`
	MaxMHz  float64 `json:"max_mhz,omitempty"`
	OSMHz   float64 `json:"os_mhz,omitempty"`
	Caches  Caches  `json:"caches"`
	// ISA is the architecture level ("x86-64-v4", "armv8.2"); Features the
	// SIMD-relevant feature flags, sorted.
	ISA         string   `json:"isa,omitempty"`
	Features    []string `json:"features,omitempty"`
	Hypervisor  bool     `json:"hypervisor,omitempty"`
	MemoryBytes uint64   `json:"memory_bytes,omitempty"`
	Platform    string   `json:"platform,omitempty"` // "debian 12.11"
	Kernel      string   `json:"kernel,omitempty"`   // "6.1.0-18-amd64"
	GoVersion   string   `json:"go_version"`
	GPUs        []string `json:"gpus,omitempty"` // GPU model names (cuda backend builds fill this)
	// Notes explain values that were dropped or corrected by cross-checks.
	Notes []string `json:"notes,omitempty"`
}

// Caches are per-instance cache sizes in bytes (0 = unknown). L3SharedBy
// is how many logical CPUs share one L3 (0 = unknown).
type Caches struct {
	L1D        int64 `json:"l1d,omitempty"`
	L1I        int64 `json:"l1i,omitempty"`
	L2         int64 `json:"l2,omitempty"`
	L3         int64 `json:"l3,omitempty"`
	L3SharedBy int   `json:"l3_shared_by,omitempty"`
	// L3Reach is measured, not reported: the largest working set one
	// thread's reads still run through at L3 speed (nbench peak's sweep,
	// kept in the peak file); 0 when not measured. A VM reports its host's
	// L3 and may hold far less of it (the Xeon VM here: 260 MiB reported,
	// 128 MB held).
	L3Reach int64 `json:"l3_reach,omitempty"`
	// PassReach is measured too: the largest data one thread reads once
	// from DRAM and reads again from cache right after (nbench peak's pass
	// sweep); 0 when not measured. An L3 may keep only lines read twice:
	// the Xeon VM's second read of 12-48 MB ran at DRAM speed, its third at
	// L3 speed, so a kernel's second pass over its input reads DRAM again.
	PassReach int64 `json:"pass_reach,omitempty"`
}

// gpuProviders let a GPU backend add its devices without this package
// importing it.
var gpuProviders []func() []string

// AddGPUProvider registers a function that lists GPU model names.
func AddGPUProvider(f func() []string) { gpuProviders = append(gpuProviders, f) }

var cached struct {
	sync.Mutex
	d  *Description
	np int // number of GPU providers when d was computed
}

// Describe reads the description of this machine. The first call reads
// CPUID, /proc and /sys; later calls return a copy of the same result.
func Describe() Description {
	cached.Lock()
	defer cached.Unlock()
	if cached.d == nil || cached.np != len(gpuProviders) {
		d := build(gather())
		cached.d, cached.np = &d, len(gpuProviders)
	}
	d := *cached.d
	d.Features = append([]string(nil), d.Features...)
	d.GPUs = append([]string(nil), d.GPUs...)
	d.Notes = append([]string(nil), d.Notes...)
	return d
}

// ID is a stable, readable identity for this kind of machine:
// arch, CPU vendor (left out when the brand starts with it), brand,
// family/model, logical CPU count and GPU models. Nothing in it drifts
// between boots (no frequencies, memory or hostnames).
// Example: "amd64-amd-epyc-f26m2-2cpu".
func (d Description) ID() string {
	brand := slug(stripMarks(d.CPUBrand))
	parts := []string{d.Arch}
	if v := slug(d.CPUVendor); v != "" && v != "unknown" && !strings.HasPrefix(brand+"-", v+"-") {
		parts = append(parts, v)
	}
	parts = append(parts, brand)
	if d.CPUFamily != 0 || d.CPUModel != 0 {
		parts = append(parts, fmt.Sprintf("f%dm%d", d.CPUFamily, d.CPUModel))
	}
	parts = append(parts, fmt.Sprintf("%dcpu", d.LogicalCPUs))
	for _, g := range d.GPUs {
		parts = append(parts, slug(g))
	}
	return strings.Join(parts, "-")
}

// stripMarks drops trademark marks, which only make IDs longer:
// "Intel(R) Xeon(R) Gold 6338" -> "Intel Xeon Gold 6338".
func stripMarks(s string) string {
	for _, m := range []string{"(R)", "(r)", "(TM)", "(tm)", "(C)"} {
		s = strings.ReplaceAll(s, m, "")
	}
	return s
}

// slug lower-cases s and keeps letters and digits, other runs become "-".
func slug(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// LLCPerCPU bounds the L3 counted per logical CPU. No CPU has more than
// about 12 MiB of L3 per core; a VM that reports more sees its host's
// cache, shared with other tenants (the 2-vCPU Xeon VM here reports
// 260 MiB; its reads ran at L3 speed up to 128 MB, at DRAM speed from
// 192 MB). The counted size is a lower bound, for choices a kernel makes
// (when outputs stream past the cache); measurements must get past the
// reported size, an upper bound.
const LLCPerCPU = 16 << 20

// CountedL3 is the L3 this machine can count on: the size reported, at
// most LLCPerCPU per logical CPU; 0 when unknown.
func (d Description) CountedL3() int64 {
	if d.Caches.L3 <= 0 {
		return 0
	}
	return min(d.Caches.L3, LLCPerCPU*int64(max(d.LogicalCPUs, 1)))
}

// HeldL3 is the L3 measurements count: the measured reach when there is
// one (at most the reported size), else the reported size, an upper bound
// of what a VM may hold.
func (c Caches) HeldL3() int64 {
	if c.L3Reach > 0 && c.L3 > 0 {
		return min(c.L3Reach, c.L3)
	}
	return c.L3
}

// LastLevel is the size of the largest cache level reported (L3, else
// L2), 0 when none is: what a measurement's rotation must get past.
func (c Caches) LastLevel() int64 { return max(c.L3, c.L2) }

// HeldLastLevel is the size of the largest cache level as held (HeldL3,
// else L2), 0 when none is known: what a working set may live in.
func (c Caches) HeldLastLevel() int64 { return max(c.HeldL3(), c.L2) }

// CountedLastLevel is the size of the last cache level it can count on
// (CountedL3, else L2), 0 when none is known.
func (d Description) CountedLastLevel() int64 {
	if l3 := d.CountedL3(); l3 > 0 {
		return l3
	}
	return d.Caches.L2
}
