package htmlreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// The fixtures are real `nbench run --quick` outputs of layernorm,
// gemm_w8a8 and nms on the go and simd backends: t1.json with --threads=1
// (JSON), t2.txt with --threads=2 (benchfmt), and the machine's peak.json.
// A third machine is made from t2.txt by renaming its CPU (and it has no
// peak file).
func fixtures(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/t2.txt")
	if err != nil {
		t.Fatal(err)
	}
	other := strings.NewReplacer("cpu: AMD EPYC", "cpu: Intel Xeon Gold 6338",
		"machine: amd64-amd-epyc-f26m2-2cpu", "machine: amd64-intel-xeon-gold-6338-f6m106-2cpu").Replace(string(b))
	path := filepath.Join(t.TempDir(), "xeon.txt")
	if err := os.WriteFile(path, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"testdata/t1.json", "testdata/t2.txt", path, "testdata/peak.json"}
}

var (
	wantKernels = []string{"layernorm", "gemm_w8a8", "nms"}
	wantRuns    = []string{"AMD EPYC · 1 thread", "AMD EPYC · 2 threads", "Intel Xeon Gold 6338"}
)

func TestLoad(t *testing.T) {
	runs, err := Load(fixtures(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 {
		t.Fatalf("%d runs, want 3", len(runs))
	}
	for i, r := range runs {
		if r.Label != wantRuns[i] {
			t.Errorf("run %d label %q, want %q", i, r.Label, wantRuns[i])
		}
		if len(r.Results) != 2*17 { // (4 + 6 + 7 quick shapes) x 2 backends
			t.Errorf("%s: %d results", r.Label, len(r.Results))
		}
		if r.Env.Get("path") != "" || r.Env.Get("verdict") != "" {
			t.Errorf("%s: per-result keys leaked into the machine description", r.Label)
		}
	}
	if runs[0].Ceilings == nil || runs[1].Ceilings == nil || runs[2].Ceilings != nil {
		t.Errorf("peaks: %v %v %v (want the AMD runs only)", runs[0].Ceilings != nil, runs[1].Ceilings != nil, runs[2].Ceilings != nil)
	}
	// Costs come back from both formats: benchfmt rates x time = JSON counts.
	a := runs[0].Result("layernorm/R=64/C=1024/eps=1e-05/fill=normal", "go")
	b := runs[1].Result("layernorm/R=64/C=1024/eps=1e-05/fill=normal", "go")
	if a == nil || b == nil || a.Family != "norms" {
		t.Fatalf("layernorm results: %+v %+v", a, b)
	}
	if d := a.Cost.Bytes/b.Cost.Bytes - 1; d > 1e-9 || d < -1e-9 || a.Cost.Flops == 0 || b.Sets != 0 || a.Sets == 0 {
		t.Errorf("costs differ: json %v B %v flop (sets %d), benchfmt %v B %v flop", a.Cost.Bytes, a.Cost.Flops, a.Sets, b.Cost.Bytes, b.Cost.Flops)
	}
	if g := runs[0].Result("gemm_w8a8/M=1/N=256/K=512/fused=false/acc=true/bias=true/fill=normal", "simd"); g == nil || g.Cost.IntOps == 0 {
		t.Errorf("gemm_w8a8 int ops missing: %+v", g)
	}
}

func TestHTMLStructure(t *testing.T) {
	runs, err := Load(fixtures(t), "")
	if err != nil {
		t.Fatal(err)
	}
	rep := NewReport(runs)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("HTML does not parse: %v", err)
	}
	var (
		svgs, rooflines, roofLines int
		headers, ids               []string
		external                   []string
		walk                       func(n *html.Node)
	)
	text := func(n *html.Node) string {
		var b strings.Builder
		var f func(*html.Node)
		f = func(n *html.Node) {
			if n.Type == html.TextNode {
				b.WriteString(n.Data)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				f(c)
			}
		}
		f(n)
		return b.String()
	}
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "svg":
				svgs++
				for _, a := range n.Attr {
					if a.Key == "class" && a.Val == "roofline" {
						rooflines++
					}
				}
			case "line":
				roofLines++
			case "script", "link", "img", "iframe", "object":
				external = append(external, "<"+n.Data+">")
			case "th":
				headers = append(headers, text(n))
			}
			for _, a := range n.Attr {
				if a.Key == "id" {
					ids = append(ids, a.Val)
				}
				if (a.Key == "src" || a.Key == "href") && !strings.HasPrefix(a.Val, "#") {
					external = append(external, a.Key+"="+a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if len(external) > 0 || strings.Contains(page, "url(") || strings.Contains(page, "@import") {
		t.Errorf("page is not self-contained: %v", external)
	}
	all := strings.Join(headers, "\n")
	for _, m := range wantRuns {
		if !strings.Contains(all, m) {
			t.Errorf("machine %q has no column", m)
		}
	}
	for _, k := range wantKernels {
		if !contains(ids, "kernel-"+k) {
			t.Errorf("kernel %s has no section", k)
		}
	}
	// A speed-up chart per kernel and the summary, a roofline per machine.
	if want := len(wantKernels) + 1 + len(wantRuns); svgs != want || rooflines != len(wantRuns) {
		t.Errorf("%d svg (%d rooflines), want %d (%d)", svgs, rooflines, want, len(wantRuns))
	}
	if roofLines == 0 {
		t.Error("no lines drawn")
	}
	for _, want := range []string{"% fma32 of peak", "of peak", "No peak file for machine amd64-intel-xeon-gold-6338-f6m106-2cpu", "DRAM"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestMarkdown(t *testing.T) {
	runs, err := Load(fixtures(t), "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, NewReport(runs)); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range append(append([]string{"### Machines", "geomean speed-up"}, wantRuns...), "#### layernorm (norms)", "#### gemm_w8a8 (qmatmul)", "#### nms (nms)") {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	for i, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "|") && !strings.HasSuffix(line, "|") {
			t.Errorf("line %d is a broken table row: %q", i+1, line)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("BenchmarkX 1 10 ns/op\n"), 0o644)
	if _, err := Load([]string{bad}, ""); err == nil || !strings.Contains(err.Error(), "not an nbench result") {
		t.Errorf("foreign benchmark: %v", err)
	}
	if _, err := Load([]string{filepath.Join(dir, "missing.json")}, ""); err == nil {
		t.Error("missing file: no error")
	}
	empty := t.TempDir()
	if _, err := Load([]string{empty}, ""); err == nil || !strings.Contains(err.Error(), "no result files") {
		t.Errorf("empty folder: %v", err)
	}
	// A folder of results is read recursively.
	sub := filepath.Join(dir, "machines", "a")
	os.MkdirAll(sub, 0o755)
	copyFile(t, "testdata/t2.txt", filepath.Join(sub, "run.txt"))
	os.Remove(bad)
	runs, err := Load([]string{dir}, "")
	if err != nil || len(runs) != 1 {
		t.Errorf("folder: %v, %d runs", err, len(runs))
	}
}

func copyFile(t *testing.T, from, to string) {
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	io.Copy(out, in)
}

func TestShortShapes(t *testing.T) {
	got := shortShapes("nokernel", []string{"R=64/C=1024/eps=1e-05/fill=normal", "R=8/C=4096/eps=1e-05/fill=offset"})
	if got[0] != "R=64/C=1024/fill=normal" || got[1] != "R=8/C=4096/fill=offset" {
		t.Errorf("shortShapes = %q", got)
	}
	if got := shortShapes("x", []string{"a=1/b=2"}); got[0] != "a=1/b=2" {
		t.Errorf("single shape = %q", got)
	}
}

// TestRooflineCharts: every point names its case and backend, the highest
// and lowest shares are labelled, every ceiling is named in full inside the
// chart, and all charts share their axes.
func TestRooflineCharts(t *testing.T) {
	runs, err := Load(fixtures(t), "")
	if err != nil {
		t.Fatal(err)
	}
	rep := NewReport(runs)
	var charts []chartData
	for _, r := range rep.Runs {
		cd := rooflineData(rep, r)
		charts = append(charts, cd)
		labels := 0
		for _, d := range cd.dots {
			if !strings.Contains(d.Tip, " on go:") && !strings.Contains(d.Tip, " on simd:") {
				t.Errorf("%s: point tip %q does not name its backend", r.Label, d.Tip)
			}
			if d.Label != "" {
				labels++
			}
		}
		want := 2 * labelled
		if r.Ceilings == nil {
			want = 0 // no shares of peak to rank
		}
		if labels != want {
			t.Errorf("%s: %d labelled points, want %d", r.Label, labels, want)
		}
	}
	ax := sharedAxes(charts)
	var ticks []string
	for i, r := range rep.Runs {
		svg := rooflineChart(r.Label, charts[i].roofs, charts[i].dots, ax)
		doc, err := html.Parse(strings.NewReader(svg))
		if err != nil {
			t.Fatal(err)
		}
		var width float64
		var tickText []string
		titles := 0
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				class, x := "", 0.0
				for _, a := range n.Attr {
					switch a.Key {
					case "class":
						class = a.Val
					case "x":
						fmt.Sscan(a.Val, &x)
					case "width":
						if n.Data == "svg" {
							fmt.Sscan(a.Val, &width)
						}
					}
				}
				if n.Data == "title" && n.Parent.Data != "svg" {
					titles++
				}
				if n.Data == "text" && n.FirstChild != nil {
					txt := n.FirstChild.Data
					if class == "tick" {
						tickText = append(tickText, txt)
					}
					// 6.5 px a character at 11 px overestimates a proportional font.
					if (class == "roof" || class == "lbl") && x+6.5*float64(len(txt)) > width+40 {
						t.Errorf("%s: %q at x=%v runs past the %v px chart", r.Label, txt, x, width)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		if titles != len(charts[i].dots) {
			t.Errorf("%s: %d points with a title, want %d", r.Label, titles, len(charts[i].dots))
		}
		for _, rf := range charts[i].roofs {
			if !strings.Contains(svg, ">"+esc(rf.Label)+"<") {
				t.Errorf("%s: ceiling %q not named in full", r.Label, rf.Label)
			}
		}
		if i == 0 {
			ticks = tickText
		} else if strings.Join(tickText, " ") != strings.Join(ticks, " ") {
			t.Errorf("%s: axes %v differ from the first chart's %v", r.Label, tickText, ticks)
		}
	}
}

// A result measured with run --peak-now shows its share of the ceiling
// measured between its samples beside its share of the peak file's.
func TestPeakNowCell(t *testing.T) {
	b, err := os.ReadFile("testdata/t1.json")
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	marked := 0
	for _, r := range f["results"].([]any) {
		m := r.(map[string]any)
		if m["kernel"] == "layernorm" && m["backend"] == "simd" && m["shape"] == "R=64/C=1024/eps=1e-05/fill=normal" {
			m["peak_now_pct"] = 97.4
			marked++
		}
	}
	if marked != 1 {
		t.Fatalf("marked %d results", marked)
	}
	path := filepath.Join(t.TempDir(), "now.json")
	if b, err = json.Marshal(f); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	runs, err := Load([]string{path, "testdata/peak.json"}, "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, NewReport(runs), time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "% now)"); n != 1 || !strings.Contains(buf.String(), "(97% now)") {
		t.Errorf("%d now shares on the page, want the one of layernorm R=64 on simd (97%%)", n)
	}
}
