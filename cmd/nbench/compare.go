package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nbench/nbench/harness/gate"
	"github.com/nbench/nbench/internal/atomicfile"
	"github.com/nbench/nbench/reports/htmlreport"
)

func init() {
	register("compare", "compare two result files or folders (benchstat-like; --gate exits 1 on regressions)", cmdCompare)
}

func cmdCompare(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("compare", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: nbench compare [flags] OLD NEW\n       nbench compare --ratio=A/B FILES...\n\nOLD and NEW are result files in the Go benchmark format (nbench run -o, nbench baseline save)\nor folders of them (*.txt, pooled). With --ratio, the files are one run's results with two\nbackends side by side (nbench run --backend=simd,torch -o FILE): the speed of A over B per case\nand its geomean. Flags:\n")
		fs.PrintDefaults()
	}
	var g gateFlags
	format := fs.String("format", "table", "output format: "+strings.Join(gate.Formats, ", "))
	out := fs.String("o", "", "write the comparison to this file instead of stdout")
	noiseFlag := fs.String("noise", "", "noise floors: a noise file, or none (default: OLD's <name>.noise.json, or every *.noise.json of an OLD folder)")
	fs.BoolVar(&g.gate, "gate", false, "apply the regression policy: exit 1 when a case regressed or a NEW verdict is FAILED")
	g.registerPolicy(fs)
	ratio := fs.String("ratio", "", "A/B: per-case speed of backend A over backend B (B's median time / A's) in the same run, and the geomean")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	if *ratio != "" {
		return compareRatio(*ratio, fs.Args(), *out, stdout, stderr)
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return usageErr(stderr, "compare: want OLD and NEW, got %d arguments", fs.NArg())
	}
	if !contains(gate.Formats, *format) {
		return usageErr(stderr, "--format=%q: valid values are %s", *format, strings.Join(gate.Formats, ", "))
	}
	pol, err := g.policy(false)
	if err != nil {
		return usageErr(stderr, "%v", err)
	}
	oldPath, newPath := fs.Arg(0), fs.Arg(1)
	base, err := gate.ReadPath(oldPath)
	if err != nil {
		return usageErr(stderr, "%v", err)
	}
	cur, err := gate.ReadPath(newPath)
	if err != nil {
		return usageErr(stderr, "%v", err)
	}
	noise, err := loadNoise(*noiseFlag, oldPath)
	if err != nil {
		return usageErr(stderr, "%v", err)
	}
	rep := gate.Compare(base, cur, pol, noise)
	rep.Gated = g.gate
	rep.Rerun = compareRerun(rep, cur, oldPath)
	render := func(w io.Writer) error { return rep.Write(w, *format) }
	if *out != "" {
		err = atomicfile.Write(*out, render)
	} else {
		err = render(stdout)
	}
	if err == nil && g.report != "" {
		err = writeReport(g.report, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "nbench: %v\n", err)
		return exitFail
	}
	if g.gate && !rep.Pass {
		return exitFail
	}
	return exitOK
}

// compareRatio prints the A/B speed ratio of two backends per case of the
// runs in files (the report's ratio tables, as text).
func compareRatio(ratio string, files []string, out string, stdout, stderr io.Writer) int {
	a, b, ok := strings.Cut(ratio, "/")
	if !ok || a == "" || b == "" || a == b {
		return usageErr(stderr, "--ratio=%q: want two backends A/B, e.g. simd/torch", ratio)
	}
	if len(files) == 0 {
		return usageErr(stderr, "compare --ratio: give result files (nbench run --backend=%s,%s -o FILE)", a, b)
	}
	runs, err := htmlreport.Load(files, "")
	if err != nil {
		return usageErr(stderr, "%v", err)
	}
	rs := htmlreport.NewReport(runs).Ratios(a, b)
	if len(rs) == 0 {
		return usageErr(stderr, "compare --ratio: no run in %s has cases on both %s and %s", strings.Join(files, ", "), a, b)
	}
	render := func(w io.Writer) error { return htmlreport.WriteRatiosText(w, rs) }
	if out != "" {
		err = atomicfile.Write(out, render)
	} else {
		err = render(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "nbench: %v\n", err)
		return exitFail
	}
	return exitOK
}

// loadNoise finds the noise floors for a comparison: the --noise file,
// none, or those beside OLD.
func loadNoise(flag, oldPath string) (*gate.Noise, error) {
	switch flag {
	case "none", "off":
		return nil, nil
	case "":
	default:
		return gate.ReadNoise(flag)
	}
	var paths []string
	if st, err := os.Stat(oldPath); err == nil && st.IsDir() {
		paths, _ = filepath.Glob(filepath.Join(oldPath, "*.noise.json"))
	} else {
		paths = []string{gate.NoisePath(oldPath)}
	}
	var all *gate.Noise
	for _, p := range paths {
		n, err := gate.ReadNoise(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = n
			continue
		}
		all.Merge(n)
		all.File += ", " + p
	}
	return all, nil
}

// compareRerun is the rerun command for regressions found between files:
// the cases, measured with the settings the NEW file records.
func compareRerun(rep *gate.Report, cur *gate.Set, oldPath string) string {
	f := runFlags{backend: "all", maxMem: defaultMaxMem}
	if v := cur.Config["cache"]; v != "" && v != "cold" { // cold is run's default
		f.cache = v
	}
	fmt.Sscan(cur.Config["threads"], &f.threads)
	for _, r := range rep.Rows {
		if r.New != nil {
			f.count = r.New.N
			break
		}
	}
	f.gate = gateFlags{alpha: rep.Policy.Alpha, threshold: fraction(rep.Policy.Threshold), thresholdSet: rep.Policy.Threshold != gate.DefaultPolicy().Threshold, normalize: rep.Policy.Normalize, busy: defaultBusy}
	return rerunCommand(rep, &f, oldPath, 0)
}
