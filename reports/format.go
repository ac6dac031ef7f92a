// Package reports presents results: a terminal table, the Go benchmark
// format (benchstat reads it directly), JSON with raw samples, and markdown.
package reports

import (
	"fmt"
	"math"
	"time"
)

// Duration formats seconds compactly: "812ns", "14.2µs", "3.07ms", "1.25s".
func Duration(sec float64) string {
	if sec <= 0 || math.IsNaN(sec) {
		return "-"
	}
	d := time.Duration(sec * 1e9)
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%.0fns", sec*1e9)
	case d < time.Millisecond:
		return fmt.Sprintf("%.3gµs", sec*1e6)
	case d < time.Second:
		return fmt.Sprintf("%.3gms", sec*1e3)
	}
	return fmt.Sprintf("%.3gs", sec)
}

// Rate formats a throughput with three significant digits, "-" when zero.
func Rate(v float64) string {
	if v <= 0 || math.IsNaN(v) {
		return "-"
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// Ratio formats the error-to-tolerance ratio.
func Ratio(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsNaN(v):
		return "nan"
	case v == 0:
		return "0"
	}
	return fmt.Sprintf("%.2g", v)
}

// Percent formats a fraction as "±3%".
func Percent(f float64) string {
	if f <= 0 {
		return "-"
	}
	if f < 0.01 {
		return fmt.Sprintf("±%.1f%%", 100*f)
	}
	return fmt.Sprintf("±%.0f%%", 100*f)
}
