package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// systemBusy is the non-idle CPU time of the whole machine, in seconds.
func systemBusy() (float64, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, false
	}
	var busy float64
	for i, v := range f[1:9] { // user nice system idle iowait irq softirq steal
		if i == 3 || i == 4 {
			continue // idle, iowait
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		busy += x
	}
	return busy / 100, true // USER_HZ is 100 on every Linux nbench runs on
}

// selfCPU is the user and system CPU time of this process and of its
// children that have exited (fresh runs), in seconds.
func selfCPU() (float64, bool) {
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	total := 0.0
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err != nil {
			return 0, false
		}
		total += tv(ru.Utime) + tv(ru.Stime)
	}
	return total, true
}
