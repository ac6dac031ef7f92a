// Package machine describes the machine nbench runs on and derives a
// stable identity for "this kind of machine", used to key baselines and
// peaks.
package machine

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// Description is what nbench records about a machine.
type Description struct {
	Arch        string // GOARCH
	OS          string
	CPUBrand    string
	CPUVendor   string
	CPUFamily   int
	CPUModel    int
	LogicalCPUs int
	GPUs        []string // GPU model names (cuda backend builds fill this)
}

// gpuProviders let a GPU backend add its devices without this package
// importing it.
var gpuProviders []func() []string

// AddGPUProvider registers a function that lists GPU model names.
func AddGPUProvider(f func() []string) { gpuProviders = append(gpuProviders, f) }

// Describe reads the description of this machine.
func Describe() Description {
	d := Description{
		Arch:        runtime.GOARCH,
		OS:          runtime.GOOS,
		CPUBrand:    strings.TrimSpace(cpuid.CPU.BrandName),
		CPUVendor:   cpuid.CPU.VendorID.String(),
		CPUFamily:   cpuid.CPU.Family,
		CPUModel:    cpuid.CPU.Model,
		LogicalCPUs: runtime.NumCPU(),
	}
	if d.CPUBrand == "" {
		d.CPUBrand = "unknown"
	}
	if d.CPUVendor == "" {
		d.CPUVendor = "unknown"
	}
	for _, f := range gpuProviders {
		d.GPUs = append(d.GPUs, f()...)
	}
	return d
}

// ID is a stable, readable identity for this kind of machine:
// arch, CPU vendor, brand, family/model, logical CPU count and GPU models.
// Nothing in it drifts between boots (no frequencies, memory or hostnames).
// Example: "amd64-amd-oxide-virtual-turin-like-processor-f26m2-2cpu".
func (d Description) ID() string {
	parts := []string{d.Arch, slug(d.CPUVendor), slug(d.CPUBrand)}
	if d.CPUFamily != 0 || d.CPUModel != 0 {
		parts = append(parts, fmt.Sprintf("f%dm%d", d.CPUFamily, d.CPUModel))
	}
	parts = append(parts, fmt.Sprintf("%dcpu", d.LogicalCPUs))
	for _, g := range d.GPUs {
		parts = append(parts, slug(g))
	}
	return strings.Join(parts, "-")
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
