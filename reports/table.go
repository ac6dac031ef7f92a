package reports

import (
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/nbench/nbench/harness"
)

// Columns are the columns of the terminal and markdown tables.
var Columns = []string{"suite", "kernel", "shape", "backend", "path", "median", "CI", "GB/s", "GFLOP/s", "GOP/s", "%peak", "err/tol", "verdict"}

// Row renders one result as table cells in Columns order. Untimed results
// (UNIMPLEMENTED, SKIPPED, failed setup) show "-" for speeds and the reason.
func Row(r *harness.Result) []string {
	verdict := string(r.Check.Verdict)
	if r.Check.Verdict != "PASSED" && r.Check.Detail != "" {
		verdict += ": " + r.Check.Detail
	}
	path := r.Path
	if path == "" {
		path = "-"
	}
	errTol := "-"
	if r.Checked {
		errTol = Ratio(r.Check.ErrRatio)
	}
	return []string{r.Family, r.Kernel, r.Params, r.Backend, path,
		Duration(r.Stats.Median), Percent(r.Stats.Spread),
		Rate(r.GBps()), Rate(r.GFLOPs()), Rate(r.GOPs()), peakCell(r), errTol, verdict}
}

// peakCell is the result's share of the machine's ceilings, "-" without
// a peak file (or for a GPU result).
func peakCell(r *harness.Result) string {
	if r.Roof == nil {
		return "-"
	}
	return r.Roof.Cell
}

// Table writes the results as a terminal table.
func Table(w io.Writer, rs []harness.Result) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRendition(tw.Rendition{Borders: tw.BorderNone,
			Settings: tw.Settings{Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines: tw.Lines{ShowHeaderLine: tw.On}}}),
	)
	t.Header(Columns)
	for i := range rs {
		if err := t.Append(Row(&rs[i])); err != nil {
			return err
		}
	}
	return t.Render()
}

// Markdown writes the results as a markdown table.
func Markdown(w io.Writer, env harness.Env, rs []harness.Result) error {
	fmt.Fprintf(w, "| ")
	for _, kv := range env {
		fmt.Fprintf(w, "%s: %s · ", kv.Key, kv.Value)
	}
	fmt.Fprintln(w, "|")
	fmt.Fprintln(w)
	row := func(cells []string) {
		fmt.Fprint(w, "|")
		for _, c := range cells {
			fmt.Fprintf(w, " %s |", escapeMD(c))
		}
		fmt.Fprintln(w)
	}
	row(Columns)
	sep := make([]string, len(Columns))
	for i := range sep {
		sep[i] = "---"
	}
	row(sep)
	for i := range rs {
		row(Row(&rs[i]))
	}
	return nil
}

func escapeMD(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '|' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
