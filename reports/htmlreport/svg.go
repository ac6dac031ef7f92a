package htmlreport

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"

	"github.com/nbench/nbench/harness/peak"
)

// roofColors tell the ceilings apart (dark, to stand out from the dots).
var roofColors = []string{"#5b3a8c", "#2f6f7e", "#8c5a2b", "#555555", "#222222", "#7a1f1f"}

// palette gives each series a color (Okabe-Ito, readable by most colour-blind readers).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

func color(i int) string { return palette[i%len(palette)] }

func esc(s string) string { return html.EscapeString(s) }

// svgDoc accumulates one inline <svg> element.
type svgDoc struct {
	b    strings.Builder
	w, h float64
}

func newSVG(w, h float64, class, title string) *svgDoc {
	s := &svgDoc{w: w, h: h}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" class="%s" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`,
		class, w, h, w, h, esc(title))
	fmt.Fprintf(&s.b, "<title>%s</title>", esc(title))
	return s
}

func (s *svgDoc) add(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func (s *svgDoc) text(x, y float64, anchor, class, t string) {
	s.add(`<text x="%.1f" y="%.1f" text-anchor="%s" class="%s">%s</text>`, x, y, anchor, class, esc(t))
}

func (s *svgDoc) line(x1, y1, x2, y2 float64, stroke string, width float64, dash string) {
	d := ""
	if dash != "" {
		d = fmt.Sprintf(` stroke-dasharray="%s"`, dash)
	}
	s.add(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"%s/>`, x1, y1, x2, y2, stroke, width, d)
}

func (s *svgDoc) String() string { return s.b.String() + "</svg>" }

// Bar is one bar of a grouped bar chart.
type Bar struct {
	Value float64 // <= 0: no bar (not measured)
	Color string
	Tip   string
}

// barChart draws horizontal grouped bars: one group per category, one bar
// per series, on a linear axis from 0 with a reference line at ref (e.g.
// a speed-up of 1). Values are labelled with format.
func barChart(title string, cats []string, bars [][]Bar, ref float64, format string) string {
	const left, right, top, barH, gap = 250.0, 70.0, 30.0, 13.0, 10.0
	nb := 0
	for _, g := range bars {
		nb = max(nb, len(g))
	}
	groupH := float64(nb)*barH + gap
	w := 820.0
	h := top + float64(len(cats))*groupH + 30
	vmax := ref
	for _, g := range bars {
		for _, b := range g {
			vmax = math.Max(vmax, b.Value)
		}
	}
	vmax *= 1.08
	s := newSVG(w, h, "bars", title)
	s.text(left, 16, "start", "ttl", title)
	plotW := w - left - right
	x := func(v float64) float64 { return left + plotW*v/vmax }
	// Axis ticks.
	step := niceStep(vmax / 5)
	for v := 0.0; v <= vmax; v += step {
		s.line(x(v), top-4, x(v), h-26, "#e3e3e3", 1, "")
		s.text(x(v), h-12, "middle", "tick", trimFloat(v))
	}
	if ref > 0 {
		s.line(x(ref), top-6, x(ref), h-26, "#555", 1.2, "4 3")
	}
	for i, c := range cats {
		y0 := top + float64(i)*groupH
		s.text(left-8, y0+float64(nb)*barH/2+4, "end", "cat", ellipsis(c, catChars))
		for j, b := range bars[i] {
			y := y0 + float64(j)*barH
			if b.Value <= 0 {
				s.text(left+4, y+barH-3, "start", "na", "n/a")
				continue
			}
			s.add(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
				left, y+1, math.Max(x(b.Value)-left, 1), barH-2, b.Color, esc(b.Tip))
			s.text(x(b.Value)+4, y+barH-3, "start", "val", fmt.Sprintf(format, b.Value))
		}
	}
	return s.String()
}

// niceStep rounds a raw step to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string { return fmt.Sprintf("%.3g", v) }

// catChars is how many characters of a category fit left of the bars at
// 11 px (40 ran past the chart's left edge).
const catChars = 36

// ellipsis shortens s to n characters by its middle: shapes differ at
// either end ("N=500/method=gaus…e=true/fill=special").
func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}

// Roof is a ceiling line of a roofline chart: a bandwidth (a diagonal,
// work = intensity x bandwidth) or a compute peak (a horizontal line, in
// the unit of its kind).
type Roof struct {
	Label     string
	Bandwidth float64   // B/s, for a memory roof
	Peak      float64   // per second, for a compute roof
	Kind      peak.Kind // of a compute roof: its line style matches its points' marker
}

// Dot is a result on a roofline chart, in the unit of its compute kind.
type Dot struct {
	X, Y  float64 // work per byte, work per second
	Color string
	Kind  peak.Kind // the marker's shape
	Tip   string    // the hover text
	Label string    // a visible label, or ""
	short string    // "kernel (backend)", for Label
}

// axes are the decade ranges of a set of roofline charts, shared so that
// charts of different machines compare directly.
type axes struct{ lx0, lx1, ly0, ly1 float64 }

// sharedAxes covers every dot, every compute roof and every ridge point
// of all the charts, in whole decades.
func sharedAxes(charts []chartData) axes {
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	grow := func(x, y float64) {
		if x > 0 && !math.IsInf(x, 0) {
			xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
		}
		if y > 0 && !math.IsInf(y, 0) {
			ylo, yhi = math.Min(ylo, y), math.Max(yhi, y)
		}
	}
	for _, c := range charts {
		for _, d := range c.dots {
			grow(d.X, d.Y)
		}
		top := topPeak(c.roofs)
		for _, r := range c.roofs {
			grow(0, r.Peak)
			if r.Bandwidth > 0 && top > 0 {
				grow(top/r.Bandwidth, 0) // ridge points on the x axis
			}
		}
	}
	if math.IsInf(xlo, 0) {
		xlo, xhi = 0.1, 10
	}
	if math.IsInf(ylo, 0) {
		ylo, yhi = 1e9, 1e10
	}
	ax := axes{math.Floor(math.Log10(xlo)), math.Ceil(math.Log10(xhi)), math.Floor(math.Log10(ylo)), math.Ceil(math.Log10(yhi))}
	if ax.lx1 <= ax.lx0 {
		ax.lx1 = ax.lx0 + 1
	}
	if ax.ly1 <= ax.ly0 {
		ax.ly1 = ax.ly0 + 1
	}
	return ax
}

func topPeak(roofs []Roof) float64 {
	top := 0.0
	for _, r := range roofs {
		top = math.Max(top, r.Peak)
	}
	return top
}

// kindStyles give each compute kind a marker and its roof a dash pattern.
var kindStyles = map[peak.Kind]struct{ marker, dash string }{
	peak.FMA32: {"circle", ""}, peak.DotI8: {"square", "6 4"}, peak.IntALU: {"diamond", "2 3"},
	peak.FMA64: {"triangle", "9 3 2 3"}, peak.Exp32: {"cross", "1 3"},
}

// marker draws a point of the given kind centred at (x, y).
func (s *svgDoc) marker(kind peak.Kind, x, y float64, fill, tip string) {
	t := ""
	if tip != "" {
		t = "<title>" + esc(tip) + "</title>"
	}
	switch kindStyles[kind].marker {
	case "square":
		s.add(`<rect x="%.1f" y="%.1f" width="8" height="8" fill="%s" fill-opacity="0.85">%s</rect>`, x-4, y-4, fill, t)
	case "diamond":
		s.add(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" fill-opacity="0.85">%s</polygon>`, x, y-5.5, x+5.5, y, x, y+5.5, x-5.5, y, fill, t)
	case "triangle":
		s.add(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" fill-opacity="0.85">%s</polygon>`, x, y-5.5, x+5, y+4, x-5, y+4, fill, t)
	case "cross":
		s.add(`<path d="M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f" stroke="%s" stroke-width="2.4">%s</path>`, x-4.5, y-4.5, x+4.5, y+4.5, x-4.5, y+4.5, x+4.5, y-4.5, fill, t)
	default:
		s.add(`<circle cx="%.1f" cy="%.1f" r="4.5" fill="%s" fill-opacity="0.85">%s</circle>`, x, y, fill, t)
	}
}

// rooflineChart draws a log-log roofline on the shared axes: memory roofs
// up to the highest compute roof, compute roofs as horizontal lines in
// their kind's dash, the points (labelled ones named beside them), and,
// under the plot, every ceiling and marker named in full.
func rooflineChart(title string, roofs []Roof, dots []Dot, ax axes) string {
	const w, left, right, top, plotH, rowH = 640.0, 66.0, 18.0, 30.0, 330.0, 17.0
	kinds := map[peak.Kind]bool{}
	for _, d := range dots {
		kinds[d.Kind] = true
	}
	var markerKinds []peak.Kind
	for _, k := range peak.Kinds {
		if kinds[k] {
			markerKinds = append(markerKinds, k)
		}
	}
	legendRows := len(roofs) + len(markerKinds)
	h := top + plotH + 46 + rowH*float64((legendRows+1)/2) + 8
	plotW := w - left - right
	px := func(x float64) float64 { return left + plotW*(math.Log10(x)-ax.lx0)/(ax.lx1-ax.lx0) }
	py := func(y float64) float64 { return top + plotH*(1-(math.Log10(y)-ax.ly0)/(ax.ly1-ax.ly0)) }
	s := newSVG(w, h, "roofline", title)
	s.text(left, 18, "start", "ttl", title)
	for e := ax.lx0; e <= ax.lx1; e++ {
		x := math.Pow(10, e)
		s.line(px(x), top, px(x), top+plotH, "#e3e3e3", 1, "")
		s.text(px(x), top+plotH+16, "middle", "tick", decade(int(e)))
	}
	for e := ax.ly0; e <= ax.ly1; e++ {
		y := math.Pow(10, e)
		s.line(left, py(y), left+plotW, py(y), "#e3e3e3", 1, "")
		s.text(left-6, py(y)+4, "end", "tick", siRate(y))
	}
	s.add(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#999"/>`, left, top, plotW, plotH)
	s.text(left+plotW/2, top+plotH+34, "middle", "axis", "arithmetic intensity (work of the point's compute kind per byte)")
	s.add(`<text transform="translate(14 %.1f) rotate(-90)" text-anchor="middle" class="axis">achieved work per second</text>`, top+plotH/2)
	xmin, xmax := math.Pow(10, ax.lx0), math.Pow(10, ax.lx1)
	ymin, ymax := math.Pow(10, ax.ly0), math.Pow(10, ax.ly1)
	ceil := topPeak(roofs)
	if ceil <= 0 {
		ceil = ymax
	}
	legendTop := top + plotH + 52
	legendItem := func(i int) (float64, float64) {
		return left + float64(i%2)*plotW/2, legendTop + rowH*float64(i/2)
	}
	for i, r := range roofs {
		c := roofColors[i%len(roofColors)]
		d := kindStyles[r.Kind].dash
		lx, ly := legendItem(i)
		s.line(lx, ly-4, lx+22, ly-4, c, 2, d)
		s.text(lx+28, ly, "start", "roof", r.Label)
		switch {
		case r.Peak > 0:
			s.line(px(xmin), py(r.Peak), px(xmax), py(r.Peak), c, 1.6, d)
		case r.Bandwidth > 0:
			x0, x1 := math.Max(xmin, ymin/r.Bandwidth), math.Min(xmax, ceil/r.Bandwidth)
			if x1 > x0 {
				s.line(px(x0), py(x0*r.Bandwidth), px(x1), py(x1*r.Bandwidth), c, 1.4, "")
			}
		}
	}
	for j, k := range markerKinds {
		lx, ly := legendItem(len(roofs) + j)
		s.marker(k, lx+11, ly-4, "#777", "")
		s.text(lx+28, ly, "start", "roof", "points judged in "+string(k)+" ("+kindUnit(k)+")")
	}
	for _, d := range dots {
		if !(d.X > 0) || !(d.Y > 0) || math.IsInf(d.X, 0) {
			continue
		}
		s.marker(d.Kind, px(d.X), py(d.Y), d.Color, d.Tip)
	}
	var placed []box
	for _, d := range dots { // labels over every marker, clear of each other
		if d.Label == "" || !(d.X > 0) || !(d.Y > 0) || math.IsInf(d.X, 0) {
			continue
		}
		x, anchor := px(d.X)+7, "start"
		if x > left+plotW*0.62 {
			x, anchor = px(d.X)-7, "end"
		}
		wd := labelWidth * float64(len([]rune(d.Label)))
		x0 := x
		if anchor == "end" {
			x0 = x - wd
		}
		y := py(d.Y) - 5
		for _, dy := range []float64{0, 16, -13, 29, -26, 42, -39} { // the first free slot near the point
			b := box{x0, py(d.Y) - 5 + dy - 10, x0 + wd, py(d.Y) - 5 + dy + 2}
			if !b.overlapsAny(placed) {
				y = py(d.Y) - 5 + dy
				break
			}
		}
		placed = append(placed, box{x0, y - 10, x0 + wd, y + 2})
		if y != py(d.Y)-5 { // moved off its point: a leader says whose label it is
			lx := x - 2
			if anchor == "end" {
				lx = x + 2
			}
			s.line(px(d.X), py(d.Y), lx, y-4, "#999", 0.8, "")
		}
		s.text(x, y, anchor, "lbl", d.Label)
	}
	return s.String()
}

// labelWidth is a generous width of one label character at 10.5 px.
const labelWidth = 6.0

// box is a label's extent, for placing labels clear of each other.
type box struct{ x0, y0, x1, y1 float64 }

func (b box) overlapsAny(others []box) bool {
	for _, o := range others {
		if b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1 {
			return true
		}
	}
	return false
}

// decade labels 10^e plainly: "0.01", "1", "1000", then "1e+05".
func decade(e int) string {
	if e >= -3 && e <= 4 {
		return strconv.FormatFloat(math.Pow(10, float64(e)), 'f', -1, 64)
	}
	return fmt.Sprintf("1e%+d", e)
}

// siRate formats a per-second rate: 3e9 -> "3G".
func siRate(v float64) string {
	units := []struct {
		f float64
		s string
	}{{1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}}
	for _, u := range units {
		if v >= u.f {
			return trimFloat(v/u.f) + u.s
		}
	}
	return trimFloat(v)
}

// legend is an HTML legend of colored series names.
func legend(items []string, colors []string) string {
	var b strings.Builder
	b.WriteString(`<div class="legend">`)
	for i, it := range items {
		fmt.Fprintf(&b, `<span><i style="background:%s"></i>%s</span>`, colors[i], esc(it))
	}
	b.WriteString(`</div>`)
	return b.String()
}
