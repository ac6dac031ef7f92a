package htmlreport

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/harness/roofline"
	"github.com/nbench/nbench/reports"
)

// css is the page's only styling: system fonts, nothing fetched.
const css = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1320px;padding:0 16px;color:#1d1d1f}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:30px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:16px;margin:22px 0 6px}h3 small{font-weight:normal;color:#777}
h3.family{font-size:12.5px;color:#666;text-transform:uppercase;letter-spacing:.06em;margin-top:30px}
.meta{color:#666;font-size:12.5px}.note{color:#8a5a00;font-size:12.5px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:12.5px}
th,td{border:1px solid #ddd;padding:4px 7px;text-align:left;vertical-align:top}
th{background:#f4f5f7;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td .main{white-space:nowrap}td .sub{display:block;color:#666;font-size:11.5px}
.scroll{overflow-x:auto;max-width:100%}
tr.diff td{background:#fffbe6}
td.key{font-weight:600;white-space:nowrap}
.bad{color:#b00020;font-weight:600}.miss{color:#999}
.legend{margin:4px 0 6px;font-size:12.5px}.legend span{margin-right:16px;white-space:nowrap}
.legend i{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px;border-radius:2px}
svg{display:block;margin:4px 0 8px;max-width:100%;height:auto}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;fill:#333}
svg .ttl{font-size:13px;font-weight:600}svg .tick,svg .val,svg .na{font-size:10.5px}svg .cat{font-size:11px}
svg .axis{font-size:11.5px}svg .roof{font-size:11px;fill:#444}svg .lbl{font-size:10.5px;fill:#222;paint-order:stroke;stroke:#fff;stroke-width:3px}svg .na{fill:#999}
.grid{display:flex;flex-wrap:wrap;gap:18px}
nav a{margin-right:10px}
`

// WriteHTML writes the report as one self-contained HTML page.
func WriteHTML(w io.Writer, rep *Report, generated time.Time) error {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n")
	b.WriteString("<title>nbench report</title>\n<style>" + css + "</style></head><body>\n")
	b.WriteString("<h1>nbench report</h1>\n")
	var sources []string
	for _, r := range rep.Runs {
		sources = append(sources, r.Sources...)
	}
	fmt.Fprintf(&b, "<p class=\"meta\">%d machine configuration(s), %d series, %d kernels; generated %s by nbench %s from %s.</p>\n",
		len(rep.Runs), len(rep.Series), len(rep.Kernels), generated.UTC().Format("2006-01-02 15:04 UTC"), esc(harness.Version), esc(strings.Join(sources, ", ")))
	b.WriteString("<nav><a href=\"#machines\">Machines</a><a href=\"#summary\">Summary</a><a href=\"#kernels\">Kernels</a><a href=\"#rooflines\">Rooflines</a></nav>\n")
	writeMachines(&b, rep)
	writeSummary(&b, rep)
	writeKernels(&b, rep)
	writeRooflines(&b, rep)
	writeRatiosHTML(&b, rep)
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func seriesColors(rep *Report) ([]string, []string) {
	var labels, colors []string
	for _, s := range rep.Series {
		labels = append(labels, s.Label())
		colors = append(colors, color(s.Index))
	}
	return labels, colors
}

func writeMachines(b *strings.Builder, rep *Report) {
	b.WriteString("<h2 id=\"machines\">Machines</h2>\n<p class=\"meta\">From the configuration lines of the result files; rows that differ are highlighted.</p>\n<table class=\"machines\"><tr><th></th>")
	for _, r := range rep.Runs {
		fmt.Fprintf(b, "<th>%s</th>", esc(r.Label))
	}
	b.WriteString("</tr>\n")
	row := func(key string, vals []string) {
		cls := ""
		for _, v := range vals[1:] {
			if v != vals[0] {
				cls = ` class="diff"`
			}
		}
		fmt.Fprintf(b, "<tr%s><td class=\"key\">%s</td>", cls, esc(key))
		for _, v := range vals {
			if v == "" {
				v = "-"
			}
			fmt.Fprintf(b, "<td>%s</td>", esc(v))
		}
		b.WriteString("</tr>\n")
	}
	for _, k := range rep.EnvKeys() {
		vals := make([]string, len(rep.Runs))
		for i, r := range rep.Runs {
			vals[i] = r.Env.Get(k)
		}
		row(k, vals)
	}
	vals := make([]string, len(rep.Runs))
	for i, r := range rep.Runs {
		vals[i] = peakSummary(r)
	}
	row("measured peaks", vals)
	b.WriteString("</table>\n")
}

// peakSummary is the DRAM bandwidth and compute peaks for the run's threads.
func peakSummary(r *Run) string {
	if r.Ceilings == nil {
		return "none (run 'nbench peak' on this machine)"
	}
	t := r.Threads()
	c := r.Ceilings
	return fmt.Sprintf("DRAM %s GB/s, fma32 %s GFLOP/s, dot-i8 %s GOP/s at %d thread(s) (%s)",
		reports.Rate(c.Bandwidth(peak.DRAM, t)/1e9), reports.Rate(c.Peak(peak.FMA32, t)/1e9), reports.Rate(c.Peak(peak.DotI8, t)/1e9), t, r.PeakSource)
}

func writeSummary(b *strings.Builder, rep *Report) {
	ref := rep.Reference()
	fmt.Fprintf(b, "<h2 id=\"summary\">Summary</h2>\n<p class=\"meta\">Speed-up = median time of the reference series (<b>%s</b>) / median time, geometric mean over the cases both timed.</p>\n", esc(ref.Label()))
	b.WriteString("<table><tr><th>series</th><th>cases timed</th><th>passed</th><th>failed</th><th>other</th><th>geomean speed-up</th></tr>\n")
	var cats []string
	var bars [][]Bar
	for _, s := range rep.Series {
		timed, passed, failed, other := 0, 0, 0, 0
		for _, r := range s.Run.Results {
			if r.Backend != s.Backend {
				continue
			}
			if r.Timed() {
				timed++
			}
			switch r.Verdict {
			case "PASSED":
				passed++
			case "FAILED":
				failed++
			default:
				other++
			}
		}
		g, n := rep.Geomean(s)
		gs := "-"
		if n > 0 {
			gs = fmt.Sprintf("%.3gx over %d", g, n)
		}
		fcls := ""
		if failed > 0 {
			fcls = ` class="num bad"`
		} else {
			fcls = ` class="num"`
		}
		fmt.Fprintf(b, "<tr><td><span style=\"color:%s\">■</span> %s</td><td class=\"num\">%d</td><td class=\"num\">%d</td><td%s>%d</td><td class=\"num\">%d</td><td class=\"num\">%s</td></tr>\n",
			color(s.Index), esc(s.Label()), timed, passed, fcls, failed, other, gs)
		cats = append(cats, s.Label())
		bars = append(bars, []Bar{{Value: g, Color: color(s.Index), Tip: fmt.Sprintf("%s: %.3gx geomean over %d cases", s.Label(), g, n)}})
	}
	b.WriteString("</table>\n")
	if len(rep.Series) > 1 {
		b.WriteString(barChart("geomean speed-up vs "+ref.Label(), cats, bars, 1, "%.2fx"))
	}
}

func writeKernels(b *strings.Builder, rep *Report) {
	b.WriteString("<h2 id=\"kernels\">Kernels</h2>\n")
	labels, colors := seriesColors(rep)
	b.WriteString(legend(labels, colors))
	b.WriteString("<p class=\"meta\">Each cell: median time ± half-width of its 95% CI; headline throughput; % of the machine's peak (roofline: the memory level or compute unit that bounds the case) when a peak file is known; speed-up vs the first column. Above 100% means the kernel beats the probe that set that ceiling, as vector kernels do against the pure-Go probes: probes registered by a SIMD backend raise the ceilings (rerun <code>nbench peak</code>).</p>\n")
	fam := ""
	for _, k := range rep.Kernels {
		if k.Family != fam {
			fam = k.Family
			name := fam
			if name == "" {
				name = "other"
			}
			fmt.Fprintf(b, "<h3 class=\"family\">%s</h3>\n", esc(name))
		}
		fmt.Fprintf(b, "<h3 id=\"kernel-%s\" class=\"kernel\">%s <small>%s</small></h3>\n", esc(k.Name), esc(k.Name), esc(k.Family))
		short := shortShapes(k.Name, k.Shapes)
		b.WriteString("<div class=\"scroll\"><table class=\"kernel\"><tr><th>shape</th>")
		for _, s := range rep.Series {
			fmt.Fprintf(b, "<th><span style=\"color:%s\">■</span> %s</th>", color(s.Index), esc(s.Label()))
		}
		b.WriteString("</tr>\n")
		var bars [][]Bar
		for i, sh := range k.Shapes {
			fmt.Fprintf(b, "<tr><td title=\"%s\">%s</td>", esc(sh), esc(short[i]))
			var group []Bar
			for _, s := range rep.Series {
				r := s.result(k.Name, sh)
				b.WriteString(cell(s, r, rep.Speedup(s, k.Name, sh)))
				sp := rep.Speedup(s, k.Name, sh)
				group = append(group, Bar{Value: sp, Color: color(s.Index), Tip: fmt.Sprintf("%s on %s: %.3gx", short[i], s.Label(), sp)})
			}
			bars = append(bars, group)
			b.WriteString("</tr>\n")
		}
		b.WriteString("</table></div>\n")
		if len(rep.Series) > 1 {
			b.WriteString(barChart(k.Name+": speed-up vs "+rep.Reference().Label(), short, bars, 1, "%.2fx"))
		}
	}
}

// cell renders one result: time, CI, throughput, %peak, speed-up.
func cell(s Series, r *Result, speedup float64) string {
	if r == nil {
		return "<td class=\"miss\">not run</td>"
	}
	if !r.Timed() {
		cls := "miss"
		if r.Verdict == "FAILED" {
			cls = "bad"
		}
		v := r.Verdict
		if v == "" {
			v = "untimed"
		}
		return fmt.Sprintf("<td class=\"%s\">%s</td>", cls, esc(v))
	}
	var sub []string
	if v, unit := r.Throughput(); v > 0 {
		sub = append(sub, reports.Rate(v)+" "+unit)
	}
	if p, ok := s.Point(r); ok {
		sub = append(sub, p.String()+" of peak"+r.nowSuffix())
	}
	if speedup > 0 && s.Index > 0 {
		sub = append(sub, fmt.Sprintf("%.2fx", speedup))
	}
	verdict := ""
	if r.Verdict != "" && r.Verdict != "PASSED" {
		verdict = fmt.Sprintf(" <span class=\"bad\">%s</span>", esc(r.Verdict))
	}
	ci := ""
	if r.Stats.Median > 0 && r.Stats.Hi > r.Stats.Lo {
		ci = " ±" + fmt.Sprintf("%.0f%%", 100*math.Max(r.Stats.Hi-r.Stats.Median, r.Stats.Median-r.Stats.Lo)/r.Stats.Median)
	}
	return fmt.Sprintf("<td class=\"num\"><span class=\"main\">%s%s%s</span><span class=\"sub\">%s</span></td>", reports.Duration(r.Stats.Median), ci, verdict, esc(strings.Join(sub, " · ")))
}

func writeRooflines(b *strings.Builder, rep *Report) {
	b.WriteString("<h2 id=\"rooflines\">Rooflines</h2>\n<p class=\"meta\">Per machine configuration: each timed case at its arithmetic intensity " +
		"and achieved rate, in the unit of the compute ceiling its arithmetic is judged against (the marker's shape: fp32 or fp64 FLOPs, " +
		"int8 dot ops, integer ALU ops or exponentials), under the measured ceilings for the run's thread count: memory roofs per level " +
		"(diagonals) and compute peaks (horizontal). All charts share their axes, so machines compare at a glance. Labelled points are " +
		"each chart's highest and lowest shares of peak; hover any point for its case.</p>\n<div class=\"grid\">\n")
	charts := make([]chartData, len(rep.Runs))
	for i, r := range rep.Runs {
		charts[i] = rooflineData(rep, r)
	}
	ax := sharedAxes(charts)
	for i, r := range rep.Runs {
		b.WriteString("<div>")
		b.WriteString(rooflineChart("roofline: "+r.Config(), charts[i].roofs, charts[i].dots, ax))
		b.WriteString(legend(charts[i].labels, charts[i].colors))
		if n := charts[i].uncounted; n > 0 {
			fmt.Fprintf(b, "<p class=\"note\">%d timed result(s) not plotted: their files carry no counts of the work "+
				"(a file of times alone) and this nbench cannot count their case.</p>", n)
		}
		if r.Ceilings == nil {
			fmt.Fprintf(b, "<p class=\"note\">No peak file for machine %s: run <code>nbench peak</code> on it and pass its peak.json (or --peaks DIR) to draw the ceilings.</p>", esc(r.Machine()))
		}
		b.WriteString("</div>\n")
	}
	b.WriteString("</div>\n")
}

// chartData is one run's roofline: its ceilings, points and series.
type chartData struct {
	roofs          []Roof
	dots           []Dot
	labels, colors []string
	uncounted      int // timed results without counts, not plotted
}

// labelled is how many of a chart's highest and lowest shares of peak get
// a visible label.
const labelled = 3

func rooflineData(rep *Report, r *Run) chartData {
	var cd chartData
	type ranked struct {
		dot   int
		pct   float64
		share string
	}
	var placed []ranked // dots with a share of peak, for the labels
	for _, s := range rep.Series {
		if s.Run != r {
			continue
		}
		cd.labels, cd.colors = append(cd.labels, s.Backend), append(cd.colors, color(s.Index))
		for _, res := range r.Results {
			if res.Backend != s.Backend || !res.Timed() {
				continue
			}
			if res.Cost.Bytes <= 0 {
				cd.uncounted++
				continue
			}
			w := roofline.WorkOf(res.Cost, res.Stats.Median, r.Threads(), float64(res.SetBytes), res.Sets, r.Env.Get("cache") != "warm")
			kind, work := w.MainKind()
			p, ok := s.Point(res)
			if ok {
				kind, work = p.Kind, p.Intensity*res.Cost.Bytes
			}
			if !(work > 0) {
				continue
			}
			unit := kindUnit(kind)
			tip := fmt.Sprintf("%s on %s: %.3g %s/B, %s%s/s", res.Name(), s.Backend, work/res.Cost.Bytes, unit, siRate(work/res.Stats.Median), unit)
			if ok {
				tip += fmt.Sprintf(", %s of peak (%s-bound, working set in %s, ceiling %s%s by %s)", p.String(), p.Bound, p.Level,
					siRate(p.Ceiling), p.Unit, p.Probe)
				placed = append(placed, ranked{len(cd.dots), p.Percent, p.Share()})
			}
			cd.dots = append(cd.dots, Dot{X: work / res.Cost.Bytes, Y: work / res.Stats.Median, Color: color(s.Index),
				Kind: kind, Tip: tip, short: res.Kernel + " (" + s.Backend + ")"})
		}
	}
	sort.SliceStable(placed, func(i, j int) bool { return placed[i].pct < placed[j].pct })
	for i, d := range placed {
		if i < labelled || i >= len(placed)-labelled {
			cd.dots[d.dot].Label = cd.dots[d.dot].short + " " + d.share
		}
	}
	if c := r.Ceilings; c != nil {
		t := r.Threads()
		for _, l := range c.MemoryLevels() {
			cd.roofs = append(cd.roofs, Roof{Label: fmt.Sprintf("%s %s GB/s", l, reports.Rate(c.Bandwidth(l, t)/1e9)), Bandwidth: c.Bandwidth(l, t)})
		}
		for _, k := range peak.Kinds {
			if v := c.Peak(k, t); k.Compute() && v > 0 {
				cd.roofs = append(cd.roofs, Roof{Label: fmt.Sprintf("%s %s G%s", k, reports.Rate(v/1e9), k.Unit()), Peak: v, Kind: k})
			}
		}
	}
	return cd
}

// kindUnit is the work unit of a compute kind, for tooltips.
func kindUnit(k peak.Kind) string {
	switch k {
	case peak.FMA32, peak.FMA64:
		return "flop"
	case peak.Exp32:
		return "exp"
	}
	return "op"
}
