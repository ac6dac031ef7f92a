package machine

import (
	"strconv"

	"github.com/nbench/nbench/harness"
)

// The machine description goes into every result file as configuration lines.
func init() {
	harness.AddEnv(func() harness.Env {
		d := Describe()
		e := harness.Env{
			{Key: "cpu", Value: d.CPUBrand},
			{Key: "machine", Value: d.ID()},
			{Key: "cpu-vendor", Value: d.CPUVendor},
			{Key: "logical-cpus", Value: itoa(d.LogicalCPUs)},
		}
		for i, g := range d.GPUs {
			e = append(e, harness.KV{Key: "gpu" + itoa(i), Value: g})
		}
		return e
	})
}

func itoa(i int) string { return strconv.Itoa(i) }
