package claims

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// cells renders a row's measured ratio, interval and verdict.
func (r Row) cells() (measured, ci, verdict string) {
	if !r.Measured() {
		return "-", "-", "n/a: " + r.Note
	}
	measured = fmt.Sprintf("%.3gx", r.Ratio)
	ci = fmt.Sprintf("[%.3g, %.3g]", r.Lo, r.Hi)
	verdict = r.Verdict
	if r.Note != "" {
		verdict += " (" + r.Note + ")"
	}
	return measured, ci, verdict
}

// groups splits rows by claim, keeping order.
func groups(rows []Row) [][]Row {
	var out [][]Row
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].Claim == rows[i].Claim {
			j++
		}
		out = append(out, rows[i:j])
		i = j
	}
	return out
}

// WriteText prints one block per claim: what the paper claims, what is
// tested, then a row per backend and case.
func WriteText(w io.Writer, rows []Row) error {
	for i, g := range groups(rows) {
		c := g[0].Claim
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  [%s]\n  claimed: %s\n  tested:  %s; %s\n", c.Name, c.Source, c.Claimed, c.Test, c.Metric)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  backend\tcase\tmeasured\t95% CI\tverdict")
		for _, r := range g {
			m, ci, v := r.cells()
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", r.Backend, r.Case, m, ci, v)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// WriteMarkdown prints the rows as one markdown table (for READMEs and
// pull-request comments); a claim's name and claimed effect head its first row.
func WriteMarkdown(w io.Writer, rows []Row) error {
	fmt.Fprintln(w, "| claim | claimed (paper) | backend | case | measured | 95% CI | verdict |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, g := range groups(rows) {
		for i, r := range g {
			name, claimed := "", ""
			if i == 0 {
				c := r.Claim
				name = fmt.Sprintf("**%s** (%s)", c.Name, c.Metric.short())
				claimed = c.Claimed + " [" + c.Source + "]"
			}
			m, ci, v := r.cells()
			cells := []string{name, claimed, r.Backend, r.Case, m, ci, v}
			for j := range cells {
				cells[j] = strings.ReplaceAll(cells[j], "|", "\\|")
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		}
	}
	return nil
}

func (m Metric) short() string {
	if m == CostRatio {
		return "cost ratio"
	}
	return "speedup"
}
