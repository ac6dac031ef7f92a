package pure_test

import (
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// NMSDEV="kernel:shape;kernel:shape" NMSDEV_THREADS=1
func TestNMSDev(t *testing.T) {
	spec := os.Getenv("NMSDEV")
	if spec == "" {
		t.Skip()
	}
	threads := 1
	if os.Getenv("NMSDEV_THREADS") == "2" {
		threads = 2
	}
	be := pure.New(kernel.Config{Threads: threads})
	for _, item := range strings.Split(spec, ";") {
		name, shape, _ := strings.Cut(item, ":")
		k, _ := suite.Lookup(name)
		p, err := k.ParseParams(shape)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := k.New(p)
		bufs := c.Buffers()
		host := make([]*kernel.Host, len(bufs))
		ts := make([]kernel.Tensor, len(bufs))
		for i, bf := range bufs {
			host[i] = kernel.NewHost(bf.DType, bf.Len)
		}
		c.Fill(rand.New(rand.NewPCG(1, 2)), host)
		for i, bf := range bufs {
			ts[i], _ = be.Alloc(bf.DType, bf.Len)
			be.Write(ts[i], host[i].Slice())
		}
		bd, err := be.Prepare(c.Op(ts))
		if err != nil {
			t.Fatal(err)
		}
		bd.Run()
		for i, bf := range bufs {
			if bf.Out {
				be.Read(host[i].Slice(), ts[i])
			}
		}
		ch := c.Check(host)
		n := 0
		w0, c0 := time.Now(), cpuTime()
		for time.Since(w0) < 2*time.Second || n < 3 {
			bd.Run()
			n++
		}
		wall, cpu := time.Since(w0)/time.Duration(n), (cpuTime()-c0)/time.Duration(n)
		t.Logf("%-12s %-40s %s kept=%v wall %v cpu %v", name, shape, ch.Verdict, ch.Metrics["kept"], wall, cpu)
	}
}
