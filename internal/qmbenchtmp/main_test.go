package qmbenchtmp

import (
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
	_ "github.com/nbench/nbench/suites/all"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /*RUSAGE_THREAD*/, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// NBCASE="kernel:shape;kernel:shape"
func TestCPU(t *testing.T) {
	runtime.LockOSThread()
	be := pure.New(kernel.Config{Threads: 1})
	for _, cs := range strings.Split(os.Getenv("NBCASE"), ";") {
		kn, shape, _ := strings.Cut(cs, ":")
		k, _ := suite.Lookup(kn)
		p, err := k.ParseParams(shape)
		if err != nil { t.Fatal(err) }
		c, err := k.New(p)
		if err != nil { t.Fatal(err) }
		bufs := c.Buffers()
		host := make([]*kernel.Host, len(bufs))
		ts := make([]kernel.Tensor, len(bufs))
		for i, bf := range bufs { host[i] = kernel.NewHost(bf.DType, bf.Len) }
		c.Fill(rand.New(rand.NewPCG(1, 2)), host)
		for i, bf := range bufs { ts[i], _ = be.Alloc(bf.DType, bf.Len); be.Write(ts[i], host[i].Slice()) }
		bd, err := be.Prepare(c.Op(ts))
		if err != nil { t.Fatal(err) }
		bd.Run()
		n := 0
		t0 := cpuTime(); w0 := time.Now()
		for time.Since(w0) < 2*time.Second || n < 2 { bd.Run(); n++ }
		d := (cpuTime() - t0) / time.Duration(n)
		cost := c.Cost()
		t.Logf("%-40s %-50s cpu/op %10v  GOP/s %6.2f GFLOP/s %6.2f GB/s %6.2f", kn, shape, d, cost.IntOps/d.Seconds()/1e9, cost.Flops/d.Seconds()/1e9, cost.Bytes/d.Seconds()/1e9)
	}
}

func procCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(0, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCheckTime(t *testing.T) {
	be := pure.New(kernel.Config{Threads: 2})
	for _, cs := range strings.Split(os.Getenv("NBCASE"), ";") {
		kn, shape, _ := strings.Cut(cs, ":")
		k, _ := suite.Lookup(kn)
		p, _ := k.ParseParams(shape)
		c, _ := k.New(p)
		bufs := c.Buffers()
		host := make([]*kernel.Host, len(bufs))
		ts := make([]kernel.Tensor, len(bufs))
		for i, bf := range bufs { host[i] = kernel.NewHost(bf.DType, bf.Len) }
		w0 := procCPU()
		c.Fill(rand.New(rand.NewPCG(1, 2)), host)
		fill := procCPU() - w0
		for i, bf := range bufs { ts[i], _ = be.Alloc(bf.DType, bf.Len); be.Write(ts[i], host[i].Slice()) }
		w0 = procCPU()
		bd, err := be.Prepare(c.Op(ts))
		if err != nil { t.Fatal(err) }
		prep := procCPU() - w0
		w0 = procCPU()
		bd.Run()
		run := procCPU() - w0
		for i, bf := range bufs { if bf.Out { be.Read(host[i].Slice(), ts[i]) } }
		w0 = procCPU()
		ch := c.Check(host)
		chk := procCPU() - w0
		t.Logf("CPU %s %s: fill %v prepare %v run %v check %v: %s %v", kn, shape, fill, prep, run, chk, ch.Verdict, ch.Metrics)
	}
}
