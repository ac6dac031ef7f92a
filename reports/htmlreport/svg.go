package htmlreport

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
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
		s.text(left-8, y0+float64(nb)*barH/2+4, "end", "cat", ellipsis(c, 40))
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

func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Roof is a ceiling line of a roofline chart: a bandwidth (a diagonal,
// work = intensity x bandwidth) or a compute peak (a horizontal line).
type Roof struct {
	Label     string
	Bandwidth float64 // B/s, for a memory roof
	Peak      float64 // op/s, for a compute roof
	Dashed    bool
}

// Dot is a result on a roofline chart.
type Dot struct {
	X, Y   float64 // work per byte, work per second
	Color  string
	Square bool // integer kernels
	Tip    string
}

// rooflineChart draws a log-log roofline: dots, memory roofs up to the
// highest compute roof and compute roofs as horizontal lines.
func rooflineChart(title string, roofs []Roof, dots []Dot) string {
	const w, h, left, right, top, bottom = 640.0, 420.0, 62.0, 150.0, 30.0, 46.0
	// Ranges: cover every dot and roof, whole decades.
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	grow := func(x, y float64) {
		if x > 0 && !math.IsInf(x, 0) {
			xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
		}
		if y > 0 {
			ylo, yhi = math.Min(ylo, y), math.Max(yhi, y)
		}
	}
	for _, d := range dots {
		grow(d.X, d.Y)
	}
	topPeak := 0.0
	for _, r := range roofs {
		topPeak = math.Max(topPeak, r.Peak)
	}
	for _, r := range roofs {
		if r.Peak > 0 {
			grow(0, r.Peak)
		}
	}
	if math.IsInf(xlo, 0) {
		xlo, xhi = 0.1, 10
	}
	if math.IsInf(ylo, 0) {
		ylo, yhi = 1e9, 1e10
	}
	for _, r := range roofs {
		if r.Bandwidth > 0 && topPeak > 0 {
			grow(topPeak/r.Bandwidth, 0) // ridge points on the x axis
		}
	}
	lx0, lx1 := math.Floor(math.Log10(xlo)), math.Ceil(math.Log10(xhi))
	ly0, ly1 := math.Floor(math.Log10(ylo)), math.Ceil(math.Log10(yhi))
	if lx1 <= lx0 {
		lx1 = lx0 + 1
	}
	if ly1 <= ly0 {
		ly1 = ly0 + 1
	}
	plotW, plotH := w-left-right, h-top-bottom
	px := func(x float64) float64 { return left + plotW*(math.Log10(x)-lx0)/(lx1-lx0) }
	py := func(y float64) float64 { return top + plotH*(1-(math.Log10(y)-ly0)/(ly1-ly0)) }
	s := newSVG(w, h, "roofline", title)
	s.text(left, 18, "start", "ttl", title)
	for e := lx0; e <= lx1; e++ {
		x := math.Pow(10, e)
		s.line(px(x), top, px(x), top+plotH, "#e3e3e3", 1, "")
		s.text(px(x), top+plotH+16, "middle", "tick", decade(int(e)))
	}
	for e := ly0; e <= ly1; e++ {
		y := math.Pow(10, e)
		s.line(left, py(y), left+plotW, py(y), "#e3e3e3", 1, "")
		s.text(left-6, py(y)+4, "end", "tick", siRate(y))
	}
	s.add(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#999"/>`, left, top, plotW, plotH)
	s.text(left+plotW/2, h-8, "middle", "axis", "arithmetic intensity (flop or int op per byte)")
	s.add(`<text transform="translate(14 %.1f) rotate(-90)" text-anchor="middle" class="axis">achieved flop/s or op/s</text>`, top+plotH/2)
	// Roofs, clipped to the plot, each in its own colour, named in a
	// legend on the right (labels on the lines would collide).
	xmin, xmax := math.Pow(10, lx0), math.Pow(10, lx1)
	ymax := math.Pow(10, ly1)
	for i, r := range roofs {
		c := roofColors[i%len(roofColors)]
		ly := top + 14 + 16*float64(i)
		s.line(left+plotW+8, ly-4, left+plotW+26, ly-4, c, 2, dash(r.Dashed))
		s.text(left+plotW+30, ly, "start", "roof", r.Label)
		switch {
		case r.Peak > 0:
			s.line(px(xmin), py(r.Peak), px(xmax), py(r.Peak), c, 1.6, dash(r.Dashed))
		case r.Bandwidth > 0:
			roofTop := topPeak
			if roofTop <= 0 {
				roofTop = ymax
			}
			x0, x1 := xmin, math.Min(xmax, roofTop/r.Bandwidth)
			if x1 <= x0 {
				continue
			}
			y0 := math.Max(x0*r.Bandwidth, math.Pow(10, ly0))
			x0 = y0 / r.Bandwidth
			s.line(px(x0), py(x0*r.Bandwidth), px(x1), py(x1*r.Bandwidth), c, 1.4, dash(r.Dashed))
		}
	}
	for _, d := range dots {
		if !(d.X > 0) || !(d.Y > 0) || math.IsInf(d.X, 0) {
			continue
		}
		if d.Square {
			s.add(`<rect x="%.1f" y="%.1f" width="8" height="8" fill="%s" fill-opacity="0.85"><title>%s</title></rect>`, px(d.X)-4, py(d.Y)-4, d.Color, esc(d.Tip))
		} else {
			s.add(`<circle cx="%.1f" cy="%.1f" r="4.5" fill="%s" fill-opacity="0.85"><title>%s</title></circle>`, px(d.X), py(d.Y), d.Color, esc(d.Tip))
		}
	}
	return s.String()
}

// decade labels 10^e plainly: "0.01", "1", "1000", then "1e+05".
func decade(e int) string {
	if e >= -3 && e <= 4 {
		return strconv.FormatFloat(math.Pow(10, float64(e)), 'f', -1, 64)
	}
	return fmt.Sprintf("1e%+d", e)
}

func dash(d bool) string {
	if d {
		return "6 4"
	}
	return ""
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
