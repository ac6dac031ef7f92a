package main

import (
	"strings"
	"testing"

	"github.com/nbench/nbench/backends"
)

// TestISAUsage: an --isa (or NBENCH_ISA) naming no level of this build is
// a usage error before anything runs, whichever backends are selected, and
// the message lists the valid levels (from the backends, per GOARCH).
func TestISAUsage(t *testing.T) {
	t.Setenv("NBENCH_ISA", "")
	levels := backends.ISAs()
	if len(levels) == 0 || levels[len(levels)-1] != "generic" {
		t.Fatalf("backends.ISAs() = %v, want a list ending in generic (the simd backend's levels)", levels)
	}
	valid := strings.Join(levels, ", ")
	// Small selections, so that a broken check fails fast instead of running everything.
	one := []string{"--kernel=^layernorm$", "--shape=R=1,C=1", "--count=1", "--benchtime=1ms", "--no-progress"}
	claim := []string{"--claim=^Soft-NMS vs NMS$", "--quick", "--count=1", "--benchtime=1ms", "--no-progress"}
	with := func(args []string, more []string) []string { return append(args[:len(args):len(args)], more...) }
	for _, tc := range []struct {
		env  string
		args []string
		want string
	}{
		{"", with([]string{"run", "--isa=bogus"}, one), `--isa: unknown ISA level "bogus" (valid on `},
		{"", with([]string{"run", "--backend=go", "--isa=bogus"}, one), `--isa: unknown ISA level "bogus"`},
		{"", with([]string{"run", "--backend=simd", "--isa=AVX2"}, one), `--isa: unknown ISA level "AVX2"`},
		{"", with([]string{"claims", "--backend=go", "--isa=bogus"}, claim), `--isa: unknown ISA level "bogus"`},
		{"bogus", with([]string{"run"}, one), `NBENCH_ISA: unknown ISA level "bogus"`},
		{"bogus", with([]string{"run", "--isa="}, one), `NBENCH_ISA: unknown ISA level "bogus"`},
		{"bogus", with([]string{"claims", "--backend=go"}, claim), `NBENCH_ISA: unknown ISA level "bogus"`},
	} {
		t.Setenv("NBENCH_ISA", tc.env)
		code, stdout, stderr := nbench(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, valid) {
			t.Errorf("NBENCH_ISA=%q nbench %v: exit %d, stderr %q; want exit 2, %q and the levels %q",
				tc.env, tc.args, code, stderr, tc.want, valid)
		}
		if stdout != "" || strings.Contains(stderr, "cases x") || strings.Contains(stderr, "claims on") {
			t.Errorf("NBENCH_ISA=%q nbench %v ran something:\n%s\n%s", tc.env, tc.args, stdout, stderr)
		}
	}
	t.Setenv("NBENCH_ISA", "")
	// Every level of the list is accepted by the check; generic runs on every CPU.
	code, stdout, stderr := nbench(t, with([]string{"run", "--backend=simd", "--isa=generic"}, one)...)
	if code != exitOK || !strings.Contains(stdout, "generic") {
		t.Errorf("run --isa=generic: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestShapeDomainUsage: shape parameters outside their domain are usage
// errors naming the parameter, the value and the domain; values inside it run.
func TestShapeDomainUsage(t *testing.T) {
	t.Setenv("NBENCH_ISA", "")
	for _, tc := range []struct {
		kernel, shape, want string
	}{
		{"layernorm", "R=4,C=8,eps=NaN", `parameter eps="NaN": want a finite number >= 0`},
		{"layernorm", "R=4,C=8,eps=-1", `parameter eps="-1": want a finite number >= 0`},
		{"layernorm", "R=4,C=8,eps=+Inf", `parameter eps="+Inf": want a finite number >= 0`},
		{"rmsnorm", "R=4,C=8,eps=-1e-6", `parameter eps="-1e-6": want a finite number >= 0`},
		{"batchnorm_train", "N=4,C=8,eps=0", `parameter eps="0": want a finite number > 0`},
		{"batchnorm_train", "N=4,C=8,momentum=1.5", `parameter momentum="1.5": want a number in [0, 1]`},
		{"prepbn_train", "B=2,T=3,C=4,bn_eps=NaN", `parameter bn_eps="NaN": want a finite number > 0`},
		{"huber", "N=2,D=3,delta=0", `parameter delta="0": want a finite number > 0`},
		{"mse_masked", "N=2,D=3,keep=2", `parameter keep="2": want a number in [0, 1]`},
	} {
		args := []string{"run", "--backend=go", "--kernel=^" + tc.kernel + "$", "--shape=" + tc.shape}
		code, stdout, stderr := nbench(t, args...)
		want := `--shape "` + tc.shape + `" for kernel ` + tc.kernel + ": " + tc.want
		if code != exitUsage || !strings.Contains(stderr, want) || stdout != "" {
			t.Errorf("nbench %v: exit %d, stderr %q; want exit 2 and %q", args, code, stderr, want)
		}
	}
	// In the domain: a small eps, and eps = 0 where KERNELS.md defines it (layernorm).
	for _, shape := range []string{"R=4,C=8,eps=1e-3", "R=4,C=8,eps=0"} {
		code, stdout, stderr := nbench(t, "run", "--backend=go", "--kernel=^layernorm$", "--shape="+shape,
			"--count=1", "--benchtime=1ms", "--no-progress")
		if code != exitOK || !strings.Contains(stdout, "PASSED") {
			t.Errorf("run --shape=%s: exit %d\n%s\n%s", shape, code, stdout, stderr)
		}
	}
}

// TestFlagHelp: every command's flag listing (printed for -h and for an
// unknown flag) prints without a panic: the flag package formats each
// flag's zero value, so a flag.Value's String must accept a zero receiver.
func TestFlagHelp(t *testing.T) {
	for name := range commands {
		code, _, stderr := nbench(t, name, "--no-such-flag")
		if code != exitUsage || strings.Contains(stderr, "panic") || !strings.Contains(stderr, "no-such-flag") {
			t.Errorf("nbench %s --no-such-flag: exit %d, stderr:\n%s", name, code, stderr)
		}
	}
}
