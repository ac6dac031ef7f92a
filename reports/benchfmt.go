package reports

import (
	"io"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/nbench/nbench/harness"
)

// BenchName is a result's name in the Go benchmark format, without the
// "Benchmark" prefix: the kernel, its parameters as /key=value parts, and the
// backend, e.g. "layernorm/R=2048/C=4096/eps=1e-05/fill=normal/backend=go".
func BenchName(r *harness.Result) string {
	return r.Kernel + "/" + r.Params + "/backend=" + r.Backend
}

// Benchfmt writes timed results in the Go benchmark format: the environment
// as file configuration, then one line per sample with ns/op, B/s, flop/s
// and (integer kernels) op/s. The code path and verdict are per-result
// configuration ("path: avx512", "verdict: PASSED"), so benchstat keeps runs
// of different paths apart. Untimed results are omitted.
func Benchfmt(w io.Writer, env harness.Env, rs []harness.Result) error {
	bw := benchfmt.NewWriter(w)
	for i := range rs {
		r := &rs[i]
		if !r.Timed() {
			continue
		}
		res := &benchfmt.Result{Name: benchfmt.Name(BenchName(r)), Iters: r.Iters}
		for _, kv := range env {
			res.SetConfig(kv.Key, kv.Value)
		}
		res.SetConfig("path", r.Path)
		res.SetConfig("verdict", string(r.Check.Verdict))
		markFile(res)
		for _, s := range r.Samples {
			res.Values = res.Values[:0]
			res.Values = append(res.Values, benchfmt.Value{Value: s * 1e9, Unit: "ns/op"})
			if r.Cost.Bytes > 0 {
				res.Values = append(res.Values, benchfmt.Value{Value: r.Cost.Bytes / s, Unit: "B/s"})
			}
			if r.Cost.Flops > 0 {
				res.Values = append(res.Values, benchfmt.Value{Value: r.Cost.Flops / s, Unit: "flop/s"})
			}
			if r.Cost.IntOps > 0 {
				res.Values = append(res.Values, benchfmt.Value{Value: r.Cost.IntOps / s, Unit: "op/s"})
			}
			if err := bw.Write(res); err != nil {
				return err
			}
		}
	}
	return nil
}

// markFile makes every configuration key a file key (written as a line).
func markFile(res *benchfmt.Result) {
	for i := range res.Config {
		res.Config[i].File = true
		if strings.ContainsAny(string(res.Config[i].Value), "\n") {
			res.Config[i].Value = []byte(strings.ReplaceAll(string(res.Config[i].Value), "\n", " "))
		}
	}
}
