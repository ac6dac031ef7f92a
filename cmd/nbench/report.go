package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/internal/atomicfile"
	"github.com/nbench/nbench/reports/htmlreport"
)

func init() {
	register("report", "compare result files across machines and backends: a self-contained HTML page or markdown", cmdReport)
}

func cmdReport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: nbench report FILES_OR_DIRS... [--format=html|markdown] [-o OUT]\n\n"+
			"Reads result files written by 'nbench run -o' (benchfmt or .json; folders are searched for\n"+
			"*.txt, *.bench, *.json) and peak files, groups them by machine, thread count and cache mode,\n"+
			"and writes one page: machines side by side, per-kernel tables, speed-up charts, rooflines.\n\n")
		fs.PrintDefaults()
	}
	format := fs.String("format", "", "html or markdown (default: from -o's extension, html)")
	out := fs.String("o", "", "output file (default stdout)")
	peaks := fs.String("peaks", peak.DefaultDir(), "folder of per-machine peak files (DIR/<machine id>/peak.json); '' to skip")
	files, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(files) == 0 {
		return usageErr(stderr, "report: give result files or folders (see 'nbench report -h')")
	}
	f := *format
	if f == "" {
		f = "html"
		if e := strings.ToLower(filepath.Ext(*out)); e == ".md" || e == ".markdown" {
			f = "markdown"
		}
	}
	if f != "html" && f != "markdown" {
		return usageErr(stderr, "--format=%q: valid values are html, markdown", f)
	}
	runs, err := htmlreport.Load(files, *peaks)
	if err != nil {
		return usageErr(stderr, "report: %v", err)
	}
	rep := htmlreport.NewReport(runs)
	render := func(w io.Writer) error {
		if f == "markdown" {
			return htmlreport.WriteMarkdown(w, rep)
		}
		return htmlreport.WriteHTML(w, rep, time.Now())
	}
	if *out == "" {
		if err := render(stdout); err != nil {
			fmt.Fprintf(stderr, "nbench: %v\n", err)
			return exitFail
		}
		return exitOK
	}
	if err := atomicfile.Write(*out, render); err != nil {
		fmt.Fprintf(stderr, "nbench: %v\n", err)
		return exitFail
	}
	for _, r := range runs {
		peaks := "no peak file"
		if r.Ceilings != nil {
			peaks = "peaks from " + r.PeakSource
		}
		fmt.Fprintf(stderr, "nbench: %s: %d results from %s (%s)\n", r.Label, len(r.Results), strings.Join(r.Sources, ", "), peaks)
	}
	fmt.Fprintf(stderr, "nbench: wrote %s (%s)\n", *out, f)
	return exitOK
}

// parseInterleaved parses flags that may follow positional arguments
// ("nbench report a.txt b.json -o out.html"), returning the positionals.
func parseInterleaved(fs *flagSet, args []string) (pos []string, code int, ok bool) {
	for {
		if code, ok := parseFlags(fs.FlagSet, args); !ok {
			return nil, code, false
		}
		args = fs.Args()
		i := 0
		for i < len(args) && (!strings.HasPrefix(args[i], "-") || args[i] == "-") {
			i++
		}
		pos = append(pos, args[:i]...)
		if i == len(args) {
			return pos, 0, true
		}
		if args[i] == "--" {
			return append(pos, args[i+1:]...), 0, true
		}
		args = args[i:]
	}
}
