package nms

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

func TestDevTiming(t *testing.T) {
	for _, k := range suite.All() {
		if k.Family != "nms" {
			continue
		}
		for _, sh := range k.Full {
			p, _ := k.ParseParams(sh)
			c, err := k.New(p)
			if err != nil {
				t.Fatal(err)
			}
			bufs := c.Buffers()
			host := make([]*kernel.Host, len(bufs))
			for i, bf := range bufs {
				host[i] = kernel.NewHost(bf.DType, bf.Len)
			}
			t0 := time.Now()
			c.Fill(rand.New(rand.NewPCG(1, 2)), host)
			t1 := time.Now()
			c.Check(host)
			t.Logf("%s %s fill %v check %v", k.Name, sh, t1.Sub(t0), time.Since(t1))
		}
	}
}
