package htmlreport

import (
	"fmt"
	"io"
	"strings"

	"github.com/nbench/nbench/reports"
)

// WriteMarkdown writes the report for a pull-request comment: machines
// side by side, the geomean summary, and one table per kernel.
func WriteMarkdown(w io.Writer, rep *Report) error {
	var b strings.Builder
	row := func(cells ...string) {
		for i := range cells {
			cells[i] = strings.ReplaceAll(cells[i], "|", "\\|")
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	sep := func(n int) { b.WriteString("|" + strings.Repeat("---|", n) + "\n") }

	b.WriteString("## nbench report\n\n### Machines\n\n")
	head := []string{""}
	for _, r := range rep.Runs {
		head = append(head, r.Label)
	}
	row(head...)
	sep(len(head))
	for _, k := range rep.EnvKeys() {
		cells := []string{k}
		for _, r := range rep.Runs {
			cells = append(cells, r.Env.Get(k))
		}
		row(cells...)
	}
	cells := []string{"measured peaks"}
	for _, r := range rep.Runs {
		cells = append(cells, peakSummary(r))
	}
	row(cells...)

	fmt.Fprintf(&b, "\n### Summary\n\nSpeed-up vs **%s** (geometric mean over the cases both timed).\n\n", rep.Reference().Label())
	row("series", "geomean speed-up", "cases")
	sep(3)
	for _, s := range rep.Series {
		g, n := rep.Geomean(s)
		gs := "-"
		if n > 0 {
			gs = fmt.Sprintf("%.3gx", g)
		}
		row(s.Label(), gs, fmt.Sprint(n))
	}

	b.WriteString("\n### Kernels\n\nCell: median time · throughput · % of peak · speed-up vs the first column.\n")
	for _, k := range rep.Kernels {
		fmt.Fprintf(&b, "\n#### %s (%s)\n\n", k.Name, k.Family)
		head := []string{"shape"}
		for _, s := range rep.Series {
			head = append(head, s.Label())
		}
		row(head...)
		sep(len(head))
		short := shortShapes(k.Name, k.Shapes)
		for i, sh := range k.Shapes {
			cells := []string{short[i]}
			for _, s := range rep.Series {
				cells = append(cells, mdCell(s, s.result(k.Name, sh), rep.Speedup(s, k.Name, sh)))
			}
			row(cells...)
		}
	}
	writeRatiosMarkdown(&b, rep)
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCell(s Series, r *Result, speedup float64) string {
	if r == nil {
		return "-"
	}
	if !r.Timed() {
		return r.Verdict
	}
	parts := []string{reports.Duration(r.Stats.Median)}
	if v, unit := r.Throughput(); v > 0 {
		parts = append(parts, reports.Rate(v)+" "+unit)
	}
	if p, ok := s.Point(r); ok {
		parts = append(parts, p.String()+r.nowSuffix())
	}
	if speedup > 0 && s.Index > 0 {
		parts = append(parts, fmt.Sprintf("%.2fx", speedup))
	}
	if r.Verdict != "" && r.Verdict != "PASSED" {
		parts = append(parts, "**"+r.Verdict+"**")
	}
	return strings.Join(parts, " · ")
}
