package conformance

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// SoftNMSInfScores runs soft_nms with a threshold of -Inf and a quarter of
// the scores -Inf, checked by the suite's reference. The last rounds then
// select among survivors that are all -Inf (with linear and gaussian), and
// identical boxes decay an infinite score by 0 (NaN: dropped, as NaN
// scores are; hard suppression zeroes it instead). No suite fill draws
// infinite scores, so Run never reaches these paths; backends whose
// kernels handle them call this.
func SoftNMSInfScores(t *testing.T, b kernel.Backend) {
	t.Helper()
	k, ok := suite.Lookup("soft_nms")
	if !ok {
		t.Fatal("no suite kernel soft_nms")
	}
	for _, sh := range []string{"N=1000,threshold=-inf", "N=1000,threshold=-inf,method=gaussian", "N=300,threshold=-inf,method=hard",
		"N=200,threshold=-inf,fill=identical", "N=200,threshold=-inf,fill=identical,method=hard"} {
		c, err := k.Build(sh)
		if err != nil {
			t.Fatal(err)
		}
		host := suite.Alloc(c)
		rng := rand.New(rand.NewPCG(5, 6))
		c.Fill(rng, host)
		inf := 0
		for i := range host[1].F32 {
			if rng.IntN(4) == 0 {
				host[1].F32[i] = float32(math.Inf(-1))
				inf++
			}
		}
		ts := make([]kernel.Tensor, len(host))
		for i, h := range host {
			ts[i] = h
		}
		bd, err := b.Prepare(c.Op(ts))
		if err != nil {
			t.Fatal(err)
		}
		bd.Run()
		if ck := c.Check(host); ck.Verdict != suite.Passed {
			t.Fatalf("%s: %s (%s)", sh, ck.Verdict, ck.Detail)
		}
		// Only the decaying methods must end on -Inf survivors: hard
		// zeroes the -Inf scores it suppresses.
		if n := int(host[4].I32[0]); !strings.Contains(sh, "hard") && (n < inf || !math.IsInf(float64(host[3].F32[n-1]), -1)) {
			t.Fatalf("%s: kept %d (%d scores -Inf), the last at %v: the -Inf survivors were not selected", sh, n, inf, host[3].F32[max(n-1, 0)])
		}
	}
}
