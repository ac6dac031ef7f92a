//go:build purego || !(amd64 || arm64)

package simd

import "github.com/nbench/nbench/harness/peak"

// Without assembly there are no vector probes (the generic level has none).
var (
	floatPeaks = map[string][]peak.Probe{}
	dotPeaks   = map[string]peak.Probe{}
)
