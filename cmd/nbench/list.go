package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/nbench/nbench/backends"
	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

func init() {
	register("list", "list suites, kernels (with parameters and shape sets) and backends", cmdList)
	register("version", "print the nbench version", func(args []string, stdout, stderr io.Writer) int {
		if code, ok := parseFlags(newFlagSet("version", stderr).FlagSet, args); !ok {
			return code
		}
		fmt.Fprintf(stdout, "nbench %s\n", harness.Version)
		return exitOK
	})
}

func cmdList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("list", stderr)
	verbose := fs.Bool("v", false, "also list each kernel's parameters and shape sets")
	extra := fs.String("backend", "", "also list these backends, comma separated (external workers: exec:PATH)")
	if code, ok := parseFlags(fs.FlagSet, args); !ok {
		return code
	}
	entries := backends.List()
	for _, n := range splitList(*extra) {
		e, err := backends.Lookup(n)
		if err != nil {
			return usageErr(stderr, "--backend: %v", err)
		}
		if !slices.ContainsFunc(entries, func(x backends.Entry) bool { return x.Name == e.Name }) {
			entries = append(entries, e)
		}
	}
	// Backends first: their kernel lists fill the coverage column.
	fmt.Fprintln(stdout, "backends:")
	impl := map[string][]string{}
	for _, e := range entries {
		b, err := e.Open(kernel.Config{})
		if err != nil {
			fmt.Fprintf(stdout, "  %-6s %s: %v\n", e.Name, e.Summary, err)
			continue
		}
		fmt.Fprintf(stdout, "  %-6s %s: available, paths: %s\n", e.Name, e.Summary, strings.Join(b.Paths(), ", "))
		if l, ok := b.(kernel.Lister); ok {
			for _, id := range l.Kernels() {
				impl[id] = append(impl[id], e.Name)
			}
		}
		b.Close()
	}
	fmt.Fprintln(stdout, "\nsuites and kernels (backends implementing each):")
	fam := ""
	for _, k := range suite.All() {
		if k.Family != fam {
			fam = k.Family
			fmt.Fprintf(stdout, "  %s\n", fam)
		}
		bs := impl[k.Name]
		sort.Strings(bs)
		cov := strings.Join(bs, ",")
		if cov == "" {
			cov = "none"
		}
		fmt.Fprintf(stdout, "    %-22s %-10s %s\n", k.Name, "["+cov+"]", k.Summary)
		if *verbose {
			for _, p := range k.Params {
				fmt.Fprintf(stdout, "        %-8s default %-8s %s\n", p.Key, p.Default, p.Doc)
			}
			fmt.Fprintf(stdout, "        quick: %s\n        full:  %s\n        gate:  %s\n        costs: %s\n",
				strings.Join(k.Quick, "; "), strings.Join(k.Full, "; "), strings.Join(k.Gate, "; "), k.CostDoc)
		}
	}
	return exitOK
}
