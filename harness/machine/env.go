package machine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nbench/nbench/harness"
)

// The machine description goes into every result file as configuration
// lines. Only values that do not drift between runs on one machine are
// written (no current clock, no free memory): benchstat splits tables on
// any configuration difference. Unknown values are left out.
func init() {
	harness.AddEnv(func() harness.Env { return Describe().Env() })
}

// Env returns the description as configuration lines.
func (d Description) Env() harness.Env {
	e := harness.Env{
		{Key: "cpu", Value: d.CPUBrand},
		{Key: "machine", Value: d.ID()},
		{Key: "cpu-vendor", Value: d.CPUVendor},
	}
	add := func(k, v string) {
		if v != "" && v != Unknown {
			e = append(e, harness.KV{Key: k, Value: v})
		}
	}
	if d.CPUFamily != 0 || d.CPUModel != 0 {
		add("cpu-family-model", fmt.Sprintf("%d/%d", d.CPUFamily, d.CPUModel))
	}
	add("logical-cpus", itoa(d.LogicalCPUs))
	if d.PhysicalCores > 0 {
		add("physical-cores", itoa(d.PhysicalCores))
	}
	if d.BaseMHz > 0 {
		add("cpu-base-mhz", fmt.Sprintf("%.0f", d.BaseMHz))
	}
	if d.MaxMHz > 0 {
		add("cpu-max-mhz", fmt.Sprintf("%.0f", d.MaxMHz))
	}
	add("cache-l1d", Bytes(d.Caches.L1D))
	add("cache-l2", Bytes(d.Caches.L2))
	l3 := Bytes(d.Caches.L3)
	if d.Caches.L3 > 0 && d.Caches.L3SharedBy > 0 {
		l3 += fmt.Sprintf(" shared by %d", d.Caches.L3SharedBy)
	}
	add("cache-l3", l3)
	if c := d.CountedL3(); c > 0 && c < d.Caches.L3 {
		add("cache-l3-counted", Bytes(c))
	}
	add("isa", d.ISA)
	add("isa-features", strings.Join(d.Features, " "))
	if d.MemoryBytes > 0 {
		// Rounded to whole GiB: the total the kernel reports moves a little between boots.
		add("memory", fmt.Sprintf("%d GiB", (d.MemoryBytes+1<<29)>>30))
	}
	add("platform", d.Platform)
	add("os-kernel", d.Kernel)
	if d.Hypervisor {
		add("hypervisor", "yes")
	}
	for i, g := range d.GPUs {
		add("gpu"+itoa(i), g)
	}
	return e
}

func itoa(i int) string { return strconv.Itoa(i) }
