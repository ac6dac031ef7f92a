package machine

import (
	"fmt"
	"strings"
)

// Plausible ranges; a value outside is a misreport and becomes unknown.
const (
	minMHz, maxPlausibleMHz = 200, 8000
)

var cacheRange = map[string][2]int64{
	"L1d": {4 << 10, 4 << 20},
	"L1i": {4 << 10, 4 << 20},
	"L2":  {64 << 10, 64 << 20},
	"L3":  {1 << 20, 4 << 30},
}

// build turns raw sources into a description, cross-checking CPUID against
// the OS. The rule everywhere: the OS's view wins when it is plausible,
// CPUID fills gaps when it is plausible, otherwise the value is unknown;
// every value dropped or overridden leaves a note.
func build(s sources) Description {
	d := Description{
		Arch: s.arch, OS: s.goos, GoVersion: s.goVersion,
		CPUBrand: s.brand, CPUVendor: s.vendor,
		CPUFamily: s.family, CPUModel: s.model, CPUStepping: s.stepping,
		LogicalCPUs: s.numCPU,
		ISA:         s.isa, Features: s.features, Hypervisor: s.hypervisor,
		MemoryBytes: s.memTotal, Platform: s.platform, Kernel: s.kernel,
		GPUs: s.gpus,
	}
	note := func(format string, args ...any) { d.Notes = append(d.Notes, fmt.Sprintf(format, args...)) }
	if d.CPUBrand == "" {
		d.CPUBrand = s.osModelName
	}
	if d.CPUBrand == "" {
		d.CPUBrand = "unknown"
	}
	if d.CPUVendor == "" {
		d.CPUVendor = "unknown"
	}
	if d.LogicalCPUs < 1 {
		d.LogicalCPUs = 1
	}

	// CPU counts. The system may have more CPUs than this process may use
	// (an affinity mask or a cgroup): physical cores are checked against it.
	system := max(d.LogicalCPUs, s.osLogical)
	if s.osLogical > d.LogicalCPUs {
		d.OnlineCPUs = s.osLogical
	}
	if s.cpuidLogical > 0 && s.cpuidLogical != system {
		note("CPUID reports %d logical CPUs, the OS %d: CPUID ignored", s.cpuidLogical, system)
	}
	plausibleCores := func(n int) bool { return n >= 1 && n <= system }
	switch {
	case plausibleCores(s.osPhysical):
		d.PhysicalCores = s.osPhysical
		if s.cpuidPhysical > 0 && s.cpuidPhysical != s.osPhysical {
			note("CPUID reports %d physical cores, the OS %d: CPUID ignored", s.cpuidPhysical, s.osPhysical)
		}
	case plausibleCores(s.cpuidPhysical):
		d.PhysicalCores = s.cpuidPhysical
	default:
		if s.cpuidPhysical > 0 {
			note("CPUID reports %d physical cores for %d logical CPUs: physical cores unknown", s.cpuidPhysical, system)
		}
	}
	if d.PhysicalCores > 0 && system%d.PhysicalCores == 0 {
		d.ThreadsPerCore = system / d.PhysicalCores
	}

	// Clocks.
	plausibleMHz := func(f float64) bool { return f >= minMHz && f <= maxPlausibleMHz }
	if f := float64(s.cpuidHz) / 1e6; plausibleMHz(f) {
		d.BaseMHz = f
	} else if s.cpuidHz != 0 {
		note("CPUID base clock %.0f MHz is implausible: unknown", f)
	}
	if f := s.maxKHz / 1e3; plausibleMHz(f) {
		d.MaxMHz = f
	} else if f := float64(s.cpuidBoostHz) / 1e6; plausibleMHz(f) {
		d.MaxMHz = f
	}
	if plausibleMHz(s.osMHz) {
		d.OSMHz = s.osMHz
	}

	// Caches: sysfs first, then CPUID.
	sys := map[string]sysCache{}
	for _, c := range s.sysCaches {
		name := fmt.Sprintf("L%d", c.level)
		switch {
		case c.level == 1 && strings.HasPrefix(c.typ, "Data"):
			name = "L1d"
		case c.level == 1 && strings.HasPrefix(c.typ, "Instr"):
			name = "L1i"
		}
		if _, dup := sys[name]; !dup {
			sys[name] = c
		}
	}
	pick := func(name string, fromCPUID int) int64 {
		r := cacheRange[name]
		ok := func(v int64) bool { return v >= r[0] && v <= r[1] }
		c, haveSys := sys[name]
		cp := int64(fromCPUID)
		switch {
		case haveSys && ok(c.size):
			if cp < 0 {
				note("CPUID hides the %s (%d); using %s from sysfs", name, cp, Bytes(c.size))
			} else if cp > 0 && cp != c.size {
				note("CPUID reports %s of %s, sysfs %s: sysfs used", name, Bytes(cp), Bytes(c.size))
			}
			return c.size
		case ok(cp):
			return cp
		case cp < 0:
			note("CPUID hides the %s (%d) and sysfs does not show it: %s unknown", name, cp, name)
		case cp > 0:
			note("CPUID reports an implausible %s of %d bytes: %s unknown", name, cp, name)
		}
		return 0
	}
	d.Caches.L1D = pick("L1d", s.l1d)
	d.Caches.L1I = pick("L1i", s.l1i)
	d.Caches.L2 = pick("L2", s.l2)
	d.Caches.L3 = pick("L3", s.l3)
	if c, ok := sys["L3"]; ok && d.Caches.L3 > 0 && c.sharedCPUs >= 1 && c.sharedCPUs <= system {
		d.Caches.L3SharedBy = c.sharedCPUs
	}
	return d
}
