package machine

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Unknown is printed for every value nbench could not establish.
const Unknown = "unknown"

// Bytes formats a size in binary units: "48 KiB", "1 MiB", "23.5 GiB".
func Bytes(n int64) string {
	if n <= 0 {
		return Unknown
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v == math.Trunc(v) || v >= 100 {
		return fmt.Sprintf("%.0f %s", v, units[i])
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

func count(n int) string {
	if n <= 0 {
		return Unknown
	}
	return strconv.Itoa(n)
}

func mhz(f float64) string {
	if f <= 0 {
		return Unknown
	}
	return fmt.Sprintf("%.0f MHz", f)
}

// Field is one labelled line of the description.
type Field struct{ Label, Value string }

// Fields renders the description as labelled lines, "unknown" for values
// that could not be established.
func (d Description) Fields() []Field {
	cpu := d.CPUBrand
	if d.CPUFamily != 0 || d.CPUModel != 0 {
		cpu += fmt.Sprintf(" (%s, family %d model %d stepping %d)", d.CPUVendor, d.CPUFamily, d.CPUModel, d.CPUStepping)
	} else {
		cpu += " (" + d.CPUVendor + ")"
	}
	logical := strconv.Itoa(d.LogicalCPUs)
	if d.OnlineCPUs > 0 {
		logical += fmt.Sprintf(" usable (of %d online)", d.OnlineCPUs)
	}
	cores := count(d.PhysicalCores)
	if d.ThreadsPerCore > 0 {
		cores += fmt.Sprintf(" (%d thread%s per core)", d.ThreadsPerCore, map[bool]string{true: "s"}[d.ThreadsPerCore > 1])
	}
	freq := "base " + mhz(d.BaseMHz) + ", max " + mhz(d.MaxMHz)
	if d.OSMHz > 0 {
		freq += fmt.Sprintf(", OS reports %.0f MHz", d.OSMHz)
	}
	l3 := Bytes(d.Caches.L3)
	if d.Caches.L3SharedBy > 0 {
		l3 += fmt.Sprintf(" shared by %d CPUs", d.Caches.L3SharedBy)
	}
	if c := d.CountedL3(); c > 0 && c < d.Caches.L3 {
		l3 += fmt.Sprintf(" (%s counted on: at most %s per logical CPU)", Bytes(c), Bytes(LLCPerCPU))
	}
	if r := d.Caches.L3Reach; r > 0 && d.Caches.L3 > 0 {
		l3 += fmt.Sprintf("; one thread's reads reach %s of it at L3 speed (nbench peak)", Bytes(d.Caches.HeldL3()))
	}
	if r := d.Caches.PassReach; r > 0 {
		l3 += fmt.Sprintf("; it keeps %s of data read once for a second read", Bytes(r))
	}
	caches := fmt.Sprintf("L1d %s, L1i %s, L2 %s, L3 %s", Bytes(d.Caches.L1D), Bytes(d.Caches.L1I), Bytes(d.Caches.L2), l3)
	isa := d.ISA
	if isa == "" {
		isa = Unknown
	}
	if len(d.Features) > 0 {
		isa += ": " + strings.Join(d.Features, " ")
	}
	osLine := d.OS
	if d.Platform != "" {
		osLine += " " + d.Platform
	}
	osLine += ", kernel " + orUnknown(d.Kernel)
	if d.Hypervisor {
		osLine += " (virtual machine)"
	}
	gpus := "none"
	if len(d.GPUs) > 0 {
		gpus = strings.Join(d.GPUs, ", ")
	}
	f := []Field{
		{"machine id", d.ID()},
		{"cpu", cpu},
		{"logical cpus", logical},
		{"physical cores", cores},
		{"clock", freq},
		{"caches", caches},
		{"isa", isa},
		{"memory", Bytes(int64(d.MemoryBytes))},
		{"os", osLine},
		{"go", d.GoVersion + " " + d.OS + "/" + d.Arch},
		{"gpus", gpus},
	}
	for _, n := range d.Notes {
		f = append(f, Field{"note", n})
	}
	return f
}

func orUnknown(s string) string {
	if s == "" {
		return Unknown
	}
	return s
}

// WriteText prints the description as aligned "label  value" lines.
func (d Description) WriteText(w io.Writer) error {
	for _, f := range d.Fields() {
		if _, err := fmt.Fprintf(w, "%-15s %s\n", f.Label, f.Value); err != nil {
			return err
		}
	}
	return nil
}
