package htmlreport

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/nbench/nbench/reports"
)

// BackendRatio compares two backends measured in the same run (same
// inputs, machine, threads and cache mode), case by case: Ratio is A's
// speed over B's (B's median time / A's), so above 1 means A is faster.
type BackendRatio struct {
	Run     *Run
	A, B    string
	Rows    []RatioRow
	Geomean float64 // over the rows with a ratio
	N       int     // rows with a ratio
}

// RatioRow is one case; Ratio is 0 when either side is untimed.
type RatioRow struct {
	Kernel, Params string
	A, B           *Result
	Ratio          float64
}

// Label is "A/B".
func (r BackendRatio) Label() string { return r.A + "/" + r.B }

// Ratios pairs the backends of each run: every pair in series order, or
// only A/B when both are given. Pairs without a common case are left out.
func (rep *Report) Ratios(a, b string) []BackendRatio {
	var out []BackendRatio
	for _, run := range rep.Runs {
		var bs []string
		for _, s := range rep.Series {
			if s.Run == run {
				bs = append(bs, s.Backend)
			}
		}
		for i := range bs {
			for j := range bs {
				pick := i < j
				if a != "" || b != "" {
					pick = bs[i] == a && bs[j] == b
				}
				if pick {
					if r := rep.ratio(run, bs[i], bs[j]); len(r.Rows) > 0 {
						out = append(out, r)
					}
				}
			}
		}
	}
	return out
}

func (rep *Report) ratio(run *Run, a, b string) BackendRatio {
	r := BackendRatio{Run: run, A: a, B: b}
	sum := 0.0
	for _, k := range rep.Kernels {
		for _, sh := range k.Shapes {
			ra, rb := run.Result(k.Name+"/"+sh, a), run.Result(k.Name+"/"+sh, b)
			if ra == nil || rb == nil {
				continue
			}
			row := RatioRow{Kernel: k.Name, Params: sh, A: ra, B: rb}
			if ra.Timed() && rb.Timed() && ra.Stats.Median > 0 && rb.Stats.Median > 0 {
				row.Ratio = rb.Stats.Median / ra.Stats.Median
				sum += math.Log(row.Ratio)
				r.N++
			}
			r.Rows = append(r.Rows, row)
		}
	}
	if r.N > 0 {
		r.Geomean = math.Exp(sum / float64(r.N))
	}
	return r
}

func ratioText(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.3gx", v)
}

// timeText is a result's median time, or its verdict when untimed.
func timeText(r *Result) string {
	if r.Timed() {
		return reports.Duration(r.Stats.Median)
	}
	return r.Verdict
}

// WriteRatiosText writes the ratio tables as aligned text (nbench compare --ratio).
func WriteRatiosText(w io.Writer, rs []BackendRatio) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rs {
		fmt.Fprintf(tw, "%s: speed of %s over %s (%s median time / %s median time), from %s\n", r.Run.Label, r.A, r.B, r.B, r.A, strings.Join(r.Run.Sources, ", "))
		fmt.Fprintf(tw, "case\t%s\t%s\t%s\n", r.A, r.B, r.Label())
		for _, row := range r.Rows {
			fmt.Fprintf(tw, "%s/%s\t%s\t%s\t%s\n", row.Kernel, row.Params, timeText(row.A), timeText(row.B), ratioText(row.Ratio))
		}
		fmt.Fprintf(tw, "geomean\t\t\t%s\t(%d cases)\n\n", ratioText(r.Geomean), r.N)
	}
	return tw.Flush()
}

// writeRatiosMarkdown adds a section per backend pair.
func writeRatiosMarkdown(b *strings.Builder, rep *Report) {
	rs := rep.Ratios("", "")
	if len(rs) == 0 {
		return
	}
	b.WriteString("\n### Backend ratios\n\nSpeed of A over B measured in the same run (B's median time / A's); above 1, A is faster.\n")
	for _, r := range rs {
		fmt.Fprintf(b, "\n#### %s: %s (geomean %s over %d cases)\n\n| case | %s | %s | %s |\n|---|---|---|---|\n",
			r.Run.Label, r.Label(), ratioText(r.Geomean), r.N, r.A, r.B, r.Label())
		for _, row := range r.Rows {
			fmt.Fprintf(b, "| %s/%s | %s | %s | %s |\n", row.Kernel, strings.ReplaceAll(row.Params, "|", "\\|"), timeText(row.A), timeText(row.B), ratioText(row.Ratio))
		}
	}
}

// writeRatiosHTML adds a section per backend pair.
func writeRatiosHTML(b *strings.Builder, rep *Report) {
	rs := rep.Ratios("", "")
	if len(rs) == 0 {
		return
	}
	b.WriteString("<h2 id=\"ratios\">Backend ratios</h2>\n<p class=\"meta\">Speed of A over B measured in the same run (B's median time / A's); above 1, A is faster.</p>\n")
	for _, r := range rs {
		fmt.Fprintf(b, "<h3>%s: %s, geomean %s over %d cases</h3>\n<div class=\"scroll\"><table><tr><th>case</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
			html.EscapeString(r.Run.Label), html.EscapeString(r.Label()), ratioText(r.Geomean), r.N, html.EscapeString(r.A), html.EscapeString(r.B), html.EscapeString(r.Label()))
		for _, row := range r.Rows {
			fmt.Fprintf(b, "<tr><td>%s/%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
				html.EscapeString(row.Kernel), html.EscapeString(row.Params), html.EscapeString(timeText(row.A)), html.EscapeString(timeText(row.B)), ratioText(row.Ratio))
		}
		b.WriteString("</table></div>\n")
	}
}
