package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"time"

	"github.com/nbench/nbench/claims"
)

func init() {
	register("claims", "test the seed papers' efficiency claims: kernel pairs timed per backend, ratios with 95% CIs", cmdClaims)
}

func cmdClaims(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("claims", stderr)
	f := runFlags{cache: "cold", maxMem: 8 << 10}
	fs.StringVar(&f.backend, "backend", "all", "comma list of backends, or all (the available ones)")
	fs.IntVar(&f.threads, "threads", 0, "worker threads per kernel (default: all logical CPUs)")
	fs.BoolVar(&f.quick, "quick", false, "small shapes (CI): count 5, 5ms samples")
	fs.IntVar(&f.count, "count", 0, "interleaved rounds, one sample of each case per round (default 10, 5 with --quick)")
	fs.DurationVar(&f.benchtime, "benchtime", 0, "target duration of one sample (default 50ms, 5ms with --quick)")
	fs.StringVar(&f.isa, "isa", os.Getenv("NBENCH_ISA"), "force a lower SIMD path (e.g. avx2, generic); env NBENCH_ISA")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the random inputs (default: drawn and printed)")
	fs.BoolVar(&f.noProgress, "no-progress", false, "no progress line on stderr")
	only := fs.String("claim", "", "regular expression on claim names (default all)")
	format := fs.String("format", "text", "output: text or markdown")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "claims: unexpected argument %q", fs.Arg(0))
	}
	if *format != "text" && *format != "markdown" {
		return usageErr(stderr, "--format=%q: valid values are text, markdown", *format)
	}
	if f.count == 0 && !f.quick {
		f.count = 10
	}
	if f.benchtime == 0 && !f.quick {
		f.benchtime = 50 * time.Millisecond
	}
	opt := claims.Options{Quick: f.quick}
	var err error
	if opt.Harness, err = f.options(); err != nil {
		return usageErr(stderr, "%v", err)
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			return usageErr(stderr, "--claim: %v", err)
		}
		opt.Claims = []*claims.Claim{}
		for _, c := range claims.All {
			if re.MatchString(c.Name) {
				opt.Claims = append(opt.Claims, c)
			}
		}
		if len(opt.Claims) == 0 {
			return usageErr(stderr, "--claim=%q matches no claim", *only)
		}
	}
	var notes []string
	if opt.Backends, notes, err = f.openBackends(); err != nil {
		return usageErr(stderr, "%v", err)
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "nbench: note: %s\n", n)
	}
	if len(opt.Backends) == 0 {
		return usageErr(stderr, "no backend is available")
	}
	defer func() {
		for _, b := range opt.Backends {
			b.Close()
		}
	}()
	threads := f.threads
	if threads <= 0 {
		threads = defaultThreads()
	}
	fmt.Fprintf(stderr, "nbench: claims on %d backend(s), %d thread(s), seed %d (rerun with --seed=%d)\n",
		len(opt.Backends), threads, opt.Harness.Seed, opt.Harness.Seed)
	p := newProgress(stderr, !f.noProgress && isTerminal(stderr))
	opt.Progress = p.update
	rows := claims.Run(opt)
	p.done()
	if *format == "markdown" {
		claims.WriteMarkdown(stdout, rows)
	} else {
		fmt.Fprintf(stdout, "95%% CI over %d interleaved rounds: both sides of each pair timed in every round (order A B B A), ratio = geometric mean of the per-round ratios, CI = t interval of their logs; both sides run on the backend of the row (the quantized GEMMs against gemm_f32)\n\n",
			opt.Harness.Count)
		claims.WriteText(stdout, rows)
	}
	for _, r := range rows {
		if r.Failed {
			return exitFail // a kernel failed its correctness check
		}
	}
	return exitOK
}
