package main

import (
	"fmt"
	"os"

	"github.com/nbench/nbench/backends"
)

// checkISA rejects an --isa (or NBENCH_ISA, its default; also what the
// simd backend falls back to when --isa is empty) that names no level of
// this build, whichever backends are selected. A known level this CPU
// cannot run is reported by the backend's Open.
func (f *runFlags) checkISA() error {
	isa, env := f.isa, os.Getenv("NBENCH_ISA")
	name := "--isa"
	if env != "" && (isa == "" || isa == env) {
		isa, name = env, "NBENCH_ISA"
	}
	if err := backends.CheckISA(isa); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	return nil
}
