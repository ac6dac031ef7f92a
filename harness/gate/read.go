package gate

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"
	"golang.org/x/perf/benchunit"
)

// ReadPath reads a result file, or every *.txt result file of a folder
// (sorted by name, hidden files skipped) pooled into one set.
func ReadPath(path string) (*Set, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return Read(f, path)
	}
	files, err := ResultFiles(path)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no *.txt result files in this folder", path)
	}
	set := NewSet(path)
	r := newReader(set)
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		err = r.read(f, name)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return set, nil
}

// ResultFiles lists the *.txt files of dir, sorted, hidden files skipped.
func ResultFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".txt") && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// Read reads one result file in the Go benchmark format as nbench writes
// it. name labels errors, which always say "name:line: what is wrong".
// Every record must be an nbench result: a name ending in /backend=NAME
// and a positive, finite ns/op value.
func Read(r io.Reader, name string) (*Set, error) {
	set := NewSet(name)
	if err := newReader(set).read(r, name); err != nil {
		return nil, err
	}
	return set, nil
}

// reader groups benchmark records into cases with benchproc projections:
// the kernel is the base name, the backend the /backend name key, and the
// shape what remains of the full name once both are taken out.
type reader struct {
	set                  *Set
	kernel, backend, shp *benchproc.Projection
	kernelF, backendF    *benchproc.Field
	shapeF               *benchproc.Field
}

func newReader(set *Set) *reader {
	var pp benchproc.ProjectionParser
	filter, _ := benchproc.NewFilter("*")
	r := &reader{set: set}
	r.kernel = mustParse(&pp, ".name", filter)
	r.backend = mustParse(&pp, "/backend", filter)
	r.shp = mustParse(&pp, ".fullname", filter)
	r.kernelF, r.backendF, r.shapeF = r.kernel.Fields()[0], r.backend.Fields()[0], r.shp.Fields()[0]
	return r
}

func mustParse(pp *benchproc.ProjectionParser, expr string, f *benchproc.Filter) *benchproc.Projection {
	p, err := pp.Parse(expr, f)
	if err != nil {
		panic("gate: projection " + expr + ": " + err.Error())
	}
	return p
}

func (r *reader) read(in io.Reader, name string) error {
	br := benchfmt.NewReader(in, name)
	n := 0
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return fmt.Errorf("%s:%d: malformed benchmark line: %s", rec.FileName, rec.Line, rec.Msg)
		case *benchfmt.Result:
			if err := r.add(rec); err != nil {
				return err
			}
			n++
		}
	}
	if err := br.Err(); err != nil {
		if strings.HasPrefix(err.Error(), name+":") {
			return err // benchfmt names the file already
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: no benchmark results in this file", name)
	}
	return nil
}

func (r *reader) add(res *benchfmt.Result) error {
	file, line := res.Pos()
	pos := fmt.Sprintf("%s:%d", file, line)
	c := &Case{
		Kernel:  r.kernel.Project(res).Get(r.kernelF),
		Backend: r.backend.Project(res).Get(r.backendF),
		Path:    res.GetConfig("path"),
		Verdict: res.GetConfig("verdict"),
		Pos:     pos,
	}
	// .fullname with the base name and /backend taken out: "*/R=64/C=1024".
	c.Shape = strings.TrimPrefix(strings.TrimPrefix(r.shp.Project(res).Get(r.shapeF), "*"), "/")
	if c.Backend == "" {
		return fmt.Errorf("%s: benchmark %q is not an nbench result: its name has no /backend=NAME part", pos, res.Name.String())
	}
	if c.Kernel == "" {
		return fmt.Errorf("%s: benchmark %q has an empty kernel name", pos, res.Name.String())
	}
	sec, ok := secPerOp(res)
	if !ok {
		return fmt.Errorf("%s: benchmark %q has no ns/op value", pos, res.Name.String())
	}
	if !(sec > 0) || math.IsInf(sec, 0) {
		return fmt.Errorf("%s: benchmark %q: time per op %v is not a positive finite number", pos, res.Name.String(), sec)
	}
	c.Samples = []float64{sec}
	if len(r.set.Cases) == 0 {
		for _, cfg := range res.Config {
			if cfg.File && cfg.Key != "path" && cfg.Key != "verdict" { // per-result keys
				r.set.Config[cfg.Key] = string(cfg.Value)
			}
		}
	}
	r.set.add(c)
	return nil
}

// secPerOp returns the time per op in seconds. The reader tidies ns/op to
// sec/op, except for values that tidying leaves equal (0), so both count.
func secPerOp(res *benchfmt.Result) (float64, bool) {
	for _, v := range res.Values {
		val, unit := v.Value, v.Unit
		if v.OrigUnit == "" {
			val, unit = benchunit.Tidy(val, unit)
		}
		if unit == "sec/op" {
			return val, true
		}
	}
	return 0, false
}
