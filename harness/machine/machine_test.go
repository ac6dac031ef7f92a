package machine

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// misreportingVM is what CPUID and the OS say on the 2-vCPU VM of
// PLATFORM-NOTES.md: CPUID claims 254 cores, hides the L3, knows no clock.
func misreportingVM() sources {
	return sources{
		arch: "amd64", goos: "linux", goVersion: "go1.26.8", numCPU: 2,
		brand: "Oxide Virtual Turin-like Processor", vendor: "AMD", family: 26, model: 2, stepping: 1,
		cpuidLogical: 254, cpuidPhysical: 254, cpuidTPC: 1,
		l1d: 48 << 10, l1i: 32 << 10, l2: 1 << 20, l3: -1,
		features: []string{"AVX2", "AVX512F"}, isa: "x86-64-v4", hypervisor: true,
		osLogical: 2, osPhysical: 2, osMHz: 2596.1,
		sysCaches: []sysCache{{1, "Data", 48 << 10, 1}, {1, "Instruction", 32 << 10, 1}, {2, "Unified", 1 << 20, 1}},
		memTotal:  24 << 30, platform: "debian 12.11", kernel: "6.1.0",
	}
}

func TestMisreportedValuesBecomeUnknown(t *testing.T) {
	d := build(misreportingVM())
	if d.LogicalCPUs != 2 || d.PhysicalCores != 2 || d.ThreadsPerCore != 1 {
		t.Errorf("cpus: logical %d physical %d tpc %d, want 2 2 1", d.LogicalCPUs, d.PhysicalCores, d.ThreadsPerCore)
	}
	if d.Caches.L3 != 0 {
		t.Errorf("L3 = %d, want unknown (CPUID hides it, sysfs does not show it)", d.Caches.L3)
	}
	if d.BaseMHz != 0 || d.MaxMHz != 0 || d.OSMHz != 2596.1 {
		t.Errorf("clocks base %v max %v os %v", d.BaseMHz, d.MaxMHz, d.OSMHz)
	}
	var text bytes.Buffer
	d.WriteText(&text)
	js, _ := json.Marshal(d)
	var env strings.Builder
	for _, kv := range d.Env() {
		env.WriteString(kv.Key + ": " + kv.Value + "\n")
	}
	// 254 may appear only in the notes that explain why it was dropped.
	for name, out := range map[string]string{"text": dropNotes(text.String()), "env": env.String()} {
		if strings.Contains(out, "254") {
			t.Errorf("%s output shows the bogus 254:\n%s", name, out)
		}
		if strings.Contains(out, "-1") {
			t.Errorf("%s output shows the hidden cache as -1:\n%s", name, out)
		}
	}
	if !strings.Contains(text.String(), "L3 unknown") {
		t.Errorf("text does not say the L3 is unknown:\n%s", text.String())
	}
	if !strings.Contains(strings.Join(d.Notes, "\n"), "254") {
		t.Errorf("no note explains the dropped core count: %q", d.Notes)
	}
	if strings.Contains(string(js), "254") && !strings.Contains(string(js), `"notes"`) {
		t.Errorf("JSON shows 254 outside notes: %s", js)
	}
	if strings.Contains(env.String(), "cache-l3") {
		t.Errorf("env has an L3 line for an unknown L3:\n%s", env.String())
	}
}

func dropNotes(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "note") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func TestSysfsFillsHiddenL3(t *testing.T) {
	s := misreportingVM()
	s.sysCaches = append(s.sysCaches, sysCache{3, "Unified", 32 << 20, 2})
	d := build(s)
	if d.Caches.L3 != 32<<20 || d.Caches.L3SharedBy != 2 {
		t.Errorf("L3 %d shared by %d, want 32 MiB shared by 2", d.Caches.L3, d.Caches.L3SharedBy)
	}
}

func TestAffinityLimitedProcess(t *testing.T) {
	// A process pinned to 2 of 16 CPUs: 8 physical cores is plausible for
	// the system, and the usable count stays 2.
	s := misreportingVM()
	s.osLogical, s.osPhysical, s.cpuidLogical, s.cpuidPhysical = 16, 8, 16, 8
	d := build(s)
	if d.LogicalCPUs != 2 || d.OnlineCPUs != 16 || d.PhysicalCores != 8 || d.ThreadsPerCore != 2 {
		t.Errorf("got logical %d online %d physical %d tpc %d", d.LogicalCPUs, d.OnlineCPUs, d.PhysicalCores, d.ThreadsPerCore)
	}
	if len(d.Notes) != 1 { // only the hidden L3
		t.Errorf("notes: %q", d.Notes)
	}
}

func TestImplausibleClockAndCPUIDOnlyCores(t *testing.T) {
	s := misreportingVM()
	s.osPhysical = 0      // OS cannot tell
	s.cpuidHz = 1e6       // 1 MHz
	s.cpuidBoostHz = 37e8 // 3.7 GHz
	d := build(s)
	if d.PhysicalCores != 0 {
		t.Errorf("physical cores %d: CPUID's 254 must not be used", d.PhysicalCores)
	}
	if d.BaseMHz != 0 || d.MaxMHz != 3700 {
		t.Errorf("base %v max %v, want unknown and 3700", d.BaseMHz, d.MaxMHz)
	}
	s.cpuidPhysical = 2
	if d := build(s); d.PhysicalCores != 2 {
		t.Errorf("physical cores %d, want CPUID's plausible 2", d.PhysicalCores)
	}
}

func TestID(t *testing.T) {
	cases := []struct {
		d    Description
		want string
	}{
		{Description{Arch: "amd64", CPUVendor: "AMD", CPUBrand: "AMD EPYC", CPUFamily: 26, CPUModel: 2, LogicalCPUs: 2},
			"amd64-amd-epyc-f26m2-2cpu"},
		{Description{Arch: "amd64", CPUVendor: "AMD", CPUBrand: "Oxide Virtual Turin-like Processor", CPUFamily: 26, CPUModel: 2, LogicalCPUs: 2},
			"amd64-amd-oxide-virtual-turin-like-processor-f26m2-2cpu"},
		{Description{Arch: "amd64", CPUVendor: "Intel", CPUBrand: "Intel(R) Xeon(R) Platinum 8480+", CPUFamily: 6, CPUModel: 143, LogicalCPUs: 16,
			GPUs: []string{"NVIDIA H100 80GB HBM3"}},
			"amd64-intel-xeon-platinum-8480-f6m143-16cpu-nvidia-h100-80gb-hbm3"},
		{Description{Arch: "arm64", CPUVendor: "unknown", CPUBrand: "unknown", LogicalCPUs: 4}, "arm64-unknown-4cpu"},
		// "amd" must be a whole word of the brand to be dropped.
		{Description{Arch: "amd64", CPUVendor: "AMD", CPUBrand: "Amdahl X", LogicalCPUs: 1}, "amd64-amd-amdahl-x-1cpu"},
	}
	for _, c := range cases {
		if got := c.d.ID(); got != c.want {
			t.Errorf("ID() = %q, want %q", got, c.want)
		}
	}
}

// This machine: whatever it is, no number may exceed what the OS shows.
func TestDescribeThisMachine(t *testing.T) {
	d := Describe()
	if d.LogicalCPUs != runtime.NumCPU() {
		t.Errorf("logical cpus %d, NumCPU %d", d.LogicalCPUs, runtime.NumCPU())
	}
	sys := max(d.LogicalCPUs, d.OnlineCPUs)
	if d.PhysicalCores > sys {
		t.Errorf("physical cores %d > %d CPUs", d.PhysicalCores, sys)
	}
	if d.ID() != Describe().ID() {
		t.Error("ID not stable between calls")
	}
	if strings.Contains(d.ID(), "--") || strings.HasSuffix(d.ID(), "-") {
		t.Errorf("malformed ID %q", d.ID())
	}
	var b bytes.Buffer
	if err := d.WriteText(&b); err != nil || !strings.Contains(b.String(), d.ID()) {
		t.Errorf("text: %v\n%s", err, b.String())
	}
	t.Logf("\n%s", b.String())
}

// TestCountedL3: the L3 counted is the reported one up to LLCPerCPU per
// logical CPU (a VM sees its host's cache, not its share of it).
func TestCountedL3(t *testing.T) {
	for _, c := range []struct {
		l2, l3 int64
		cpus   int
		want   int64 // CountedL3
		last   int64 // CountedLastLevel
	}{
		{1 << 20, 32 << 20, 2, 32 << 20, 32 << 20},     // the AMD VM: as reported
		{2 << 20, 260 << 20, 2, 32 << 20, 32 << 20},    // the Xeon VM
		{2 << 20, 260 << 20, 0, 16 << 20, 16 << 20},    // CPUs unknown: one
		{2 << 20, 0, 2, 0, 2 << 20},                    // no L3: L2 is the last level
		{1 << 20, 384 << 20, 96, 384 << 20, 384 << 20}, // a whole server: as reported
	} {
		d := Description{LogicalCPUs: c.cpus, Caches: Caches{L2: c.l2, L3: c.l3}}
		if got := d.CountedL3(); got != c.want {
			t.Errorf("L3 %d MiB, %d CPUs: CountedL3 %d MiB, want %d", c.l3>>20, c.cpus, got>>20, c.want>>20)
		}
		if got := d.CountedLastLevel(); got != c.last {
			t.Errorf("L3 %d MiB, %d CPUs: CountedLastLevel %d MiB, want %d", c.l3>>20, c.cpus, got>>20, c.last>>20)
		}
	}
	if LLCPerCPU > 16<<20 {
		t.Fatalf("LLCPerCPU = %d MiB: above any real CPU's L3 per core", LLCPerCPU>>20)
	}
}
