package gate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nbench/nbench/reports"
)

// Formats are the output formats of a report.
var Formats = []string{"table", "markdown", "json"}

// Write renders the report in one of Formats.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "table":
		return r.Table(w)
	case "markdown":
		return r.Markdown(w)
	case "json":
		return r.JSON(w)
	}
	return fmt.Errorf("unknown format %q (valid: %s)", format, strings.Join(Formats, ", "))
}

var (
	columns      = []string{"case", "backend", "old", "new", "delta", "p (Holm)", "n", "status"}
	roundColumns = []string{"case", "backend", "old", "new", "delta", "95% CI", "p (Holm)", "rounds", "detectable", "status"}
)

// rounds reports whether the report comes from round-level gates.
func (r *Report) rounds() bool {
	for _, row := range r.Rows {
		if row.Rounds > 0 {
			return true
		}
	}
	return false
}

func (r *Report) columns() []string {
	if r.rounds() {
		return roundColumns
	}
	return columns
}

// cells renders a row in the report's columns order.
func (r *Report) cells(row *Row) []string {
	if !r.rounds() {
		return row.cells()
	}
	c := row.cells() // case, backend, old, new, delta, p, n, status
	ci, rounds, mde := "", "", ""
	if row.Hi > 0 {
		ci = fmt.Sprintf("[%+.1f%%, %+.1f%%]", 100*(row.Lo-1), 100*(row.Hi-1))
	}
	switch {
	case row.OldRounds > 0:
		rounds = fmt.Sprintf("%d+%d", row.OldRounds, row.Rounds)
	case row.Rounds > 0:
		rounds = fmt.Sprintf("%d pairs", row.Rounds)
	}
	if row.MDE > 0 {
		mde = FormatMDE(row.MDE)
	}
	return []string{c[0], c[1], c[2], c[3], c[4], ci, c[5], rounds, mde, c[7]}
}

// cells renders a row in columns order.
func (row *Row) cells() []string {
	side := func(s *Summary) string {
		if s == nil {
			return "-"
		}
		return reports.Duration(s.Median) + " " + reports.Percent(s.Spread)
	}
	delta, p, n := "", "", ""
	if row.Compared() {
		delta = fmt.Sprintf("%+.1f%%", 100*row.Delta())
		p = fmtP(row.PHolm)
		n = fmt.Sprintf("%d+%d", row.Old.N, row.New.N)
	}
	status := string(row.Status)
	switch row.Status {
	case Failed:
		if row.Detail != "" {
			status += ": " + row.Detail
		}
	case UnderFloor:
		status += fmt.Sprintf(" %.1f%%", 100*row.Floor)
	case UnderThreshold:
		if row.Rounds > 0 {
			status = fmt.Sprintf("slower, under %.1f%%", 100*row.Floor)
		}
	}
	return []string{row.Kernel + "/" + row.Shape, row.Backend, side(row.Old), side(row.New), delta, p, n, status}
}

func (g *Geomean) cells(n int) []string {
	c := []string{"geomean", "", reports.Duration(g.Old), reports.Duration(g.New), fmt.Sprintf("%+.1f%%", 100*(g.Ratio-1))}
	for len(c) < n {
		c = append(c, "")
	}
	return c
}

func fmtP(p float64) string {
	if p >= 0.001 {
		return fmt.Sprintf("%.3f", p)
	}
	return fmt.Sprintf("%.1e", p)
}

// header is the one-line account of what was compared and how.
func (r *Report) header() string {
	floors := "none"
	if r.NoiseFile != "" {
		floors = r.NoiseFile
	}
	shift := "deltas are absolute"
	if r.Shift > 0 {
		shift = fmt.Sprintf("deltas relative to the machine shift %+.1f%%", 100*(r.Shift-1))
		if r.ShiftCases > 0 {
			shift += fmt.Sprintf(" (the median of the %d of %d cases that moved together)", r.ShiftCases, r.Compared)
		}
	}
	if r.rounds() {
		how := "paired rounds (ABBA), each a fresh process"
		if r.Shift > 0 || !r.pairedRows() {
			how = "baseline rounds against new rounds, each a fresh process; " + shift
		}
		return fmt.Sprintf("old: %s  new: %s\n%s; alpha %g one-sided (Holm-corrected over %d cases), threshold %g%% (detectable at %g%% power)",
			r.Old, r.New, how, r.Policy.Alpha, r.Compared, 100*r.Policy.Threshold, 100*r.Policy.power())
	}
	return fmt.Sprintf("old: %s  new: %s\nalpha %g (Holm-corrected over %d cases), threshold %g%%, noise floors: %s, %s",
		r.Old, r.New, r.Policy.Alpha, r.Compared, 100*r.Policy.Threshold, floors, shift)
}

// pairedRows reports whether the rows compare paired rounds.
func (r *Report) pairedRows() bool {
	for _, row := range r.Rows {
		if row.OldRounds > 0 {
			return false
		}
	}
	return true
}

// Table writes a benchstat-like text table, the notes and the verdict.
func (r *Report) Table(w io.Writer) error {
	fmt.Fprintln(w, r.header())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(r.columns(), "\t"))
	for _, row := range r.shown() {
		fmt.Fprintln(tw, strings.Join(r.cells(row), "\t"))
	}
	if r.Geomean != nil {
		fmt.Fprintln(tw, strings.Join(r.Geomean.cells(len(r.columns())), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range r.notes() {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if !r.Gated {
		return nil
	}
	return r.Verdict(w)
}

// shown are the rows the tables show: untimed cases that did not fail
// (UNIMPLEMENTED, SKIPPED) are only counted in a note.
func (r *Report) shown() []*Row {
	var out []*Row
	for _, row := range r.Rows {
		if row.Status != Untimed {
			out = append(out, row)
		}
	}
	return out
}

// notes are the report's notes plus counts of cases not compared.
func (r *Report) notes() []string {
	notes := append([]string(nil), r.Notes...)
	if n := len(r.Rows) - len(r.shown()); n > 0 {
		notes = append(notes, fmt.Sprintf("%d cases of %s were not timed (unimplemented or skipped)", n, r.New))
	}
	if n := len(r.Missing); n > 0 {
		notes = append(notes, fmt.Sprintf("%d baseline cases are not in %s (not compared), e.g. %s", n, r.New, r.Missing[0]))
	}
	for _, row := range r.Rows {
		for _, w := range row.Warnings {
			notes = append(notes, row.ID+": "+w)
		}
		if row.Status == NotReproduced {
			notes = append(notes, row.ID+": "+row.Rerun)
		}
	}
	return notes
}

// Verdict writes the gate's decision: PASS or FAIL, each regressed or
// failed case with its change and p-values, and the rerun command.
func (r *Report) Verdict(w io.Writer) error {
	rule := fmt.Sprintf("Holm-adjusted p < %g and slower by more than max(%g%%, noise floor)", r.Policy.Alpha, 100*r.Policy.Threshold)
	if r.rounds() {
		rule = fmt.Sprintf("Holm-adjusted one-sided p < %g and slower by more than %g%% or the case's floor", r.Policy.Alpha, 50*r.Policy.Threshold)
		if ng := r.NotGateables(); len(ng) > 0 {
			fmt.Fprintf(w, "NOT GATEABLE here: %d of %d cases could not have shown a %g%% slowdown (their detectable slowdown is larger; more --budget or quieter machines help):\n",
				len(ng), r.Compared, 100*r.Policy.Threshold)
			for _, row := range ng {
				mde := "too few rounds"
				if row.MDE > 0 {
					mde = "detectable " + FormatMDE(row.MDE)
				}
				fmt.Fprintf(w, "  %s on %s: %s\n", row.c.Name(), row.Backend, mde)
			}
		}
	}
	regs, fails := r.Regressions(), r.Failures()
	if r.Pass && len(r.Inconclusives()) > 0 {
		fmt.Fprintf(w, "gate: PASS, INCONCLUSIVE: %d cases looked slower, but %s; not failing (--busy=-1 judges anyway)\n", len(r.Inconclusives()), r.Busy)
		for _, row := range r.Inconclusives() {
			fmt.Fprintf(w, "  INCONCLUSIVE %s on %s: %s\n", row.Case().Name(), row.Backend, row.regression())
		}
		if r.Rerun != "" {
			fmt.Fprintf(w, "rerun them on a quiet machine: %s\n", r.Rerun)
		}
		return nil
	}
	if r.Pass {
		_, err := fmt.Fprintf(w, "gate: PASS: %d cases compared, none regressed (%s), no correctness failure\n", r.Compared, rule)
		return err
	}
	fmt.Fprintf(w, "gate: FAIL: %d regressed, %d failed correctness (%d cases compared; regressed = %s)\n",
		len(regs), len(fails), r.Compared, rule)
	for _, row := range regs {
		fmt.Fprintf(w, "  REGRESSED %s on %s: %s\n", row.Case().Name(), row.Backend, row.regression())
	}
	for _, row := range fails {
		fmt.Fprintf(w, "  FAILED    %s on %s: %s\n", row.Case().Name(), row.Backend, row.Detail)
	}
	for _, row := range r.Inconclusives() {
		fmt.Fprintf(w, "  INCONCLUSIVE %s on %s: %s (%s)\n", row.Case().Name(), row.Backend, row.regression(), r.Busy)
	}
	if r.Rerun != "" {
		fmt.Fprintf(w, "rerun just these cases: %s\n", r.Rerun)
	}
	return nil
}

func (row *Row) regression() string {
	s := fmt.Sprintf("%s, p=%.2g, Holm p=%.2g, noise floor %.1f%%", row.describe(), row.P, row.PHolm, 100*row.Floor)
	if row.Rounds > 0 {
		s = fmt.Sprintf("%s, 95%% CI [%+.1f%%, %+.1f%%] over %d rounds, one-sided p=%.2g, Holm p=%.2g", row.describe(), 100*(row.Lo-1), 100*(row.Hi-1), row.Rounds, row.P, row.PHolm)
	}
	if row.Rerun != "" {
		s += "; " + row.Rerun
	}
	return s
}

// Markdown writes the report for a CI summary page.
func (r *Report) Markdown(w io.Writer) error {
	switch {
	case !r.Gated:
		fmt.Fprint(w, "### nbench compare\n\n")
	case r.Pass && len(r.Inconclusives()) > 0:
		fmt.Fprint(w, "### nbench gate: ⚠️ PASS, INCONCLUSIVE (machine busy)\n\n")
	case r.Pass:
		fmt.Fprint(w, "### nbench gate: ✅ PASS\n\n")
	default:
		fmt.Fprint(w, "### nbench gate: ❌ FAIL\n\n")
	}
	for _, line := range strings.Split(r.header(), "\n") {
		fmt.Fprintf(w, "%s  \n", escapeMD(line))
	}
	fmt.Fprintln(w)
	if r.Gated {
		for _, row := range r.Regressions() {
			fmt.Fprintf(w, "- **REGRESSED** `%s` on %s: %s\n", row.Case().Name(), row.Backend, escapeMD(row.regression()))
		}
		for _, row := range r.Failures() {
			fmt.Fprintf(w, "- **FAILED** `%s` on %s: %s\n", row.Case().Name(), row.Backend, escapeMD(row.Detail))
		}
		for _, row := range r.Inconclusives() {
			fmt.Fprintf(w, "- **INCONCLUSIVE** `%s` on %s: %s (not failing: %s)\n", row.Case().Name(), row.Backend, escapeMD(row.regression()), escapeMD(r.Busy))
		}
		if r.Rerun != "" {
			fmt.Fprintf(w, "\nRerun just these cases:\n\n```\n%s\n```\n", r.Rerun)
		}
		fmt.Fprintln(w)
	}
	line := func(cells []string) {
		for i := range cells {
			cells[i] = escapeMD(cells[i])
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	cols := r.columns()
	line(append([]string(nil), cols...))
	line(strings.Split(strings.Repeat("---,", len(cols)-1)+"---", ","))
	for _, row := range r.shown() {
		line(r.cells(row))
	}
	if r.Geomean != nil {
		c := r.Geomean.cells(len(cols))
		c[0] = "**geomean**"
		line(c)
	}
	if notes := r.notes(); len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintf(w, "> note: %s  \n", escapeMD(n))
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

// JSON writes the report as indented JSON.
func (r *Report) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func escapeMD(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// FormatMDE prints a minimum detectable slowdown; beyond 1000% the number
// only says that the case had too few rounds.
func FormatMDE(mde float64) string {
	if mde > 10 {
		return ">1000%"
	}
	return fmt.Sprintf("%.1f%%", 100*mde)
}
