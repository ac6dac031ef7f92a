package external

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Op parameters cross the protocol generically: every exported field of
// the op struct by its Go name, so a new kernel op needs no protocol change.
// Integers and enums are JSON integers, floats JSON numbers (a float32 sent
// as the float64 of the same value; "inf", "-inf" and "nan" as strings,
// which JSON lacks), bools JSON booleans, tensors {"tensor": handle} or
// null, slices of structs arrays of objects.

var tensorType = reflect.TypeOf((*kernel.Tensor)(nil)).Elem()

// encodeOp turns op into its params object; handle names each tensor.
func encodeOp(op kernel.Op, handle func(kernel.Tensor) (int64, error)) (map[string]any, error) {
	v := reflect.ValueOf(op)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	m, err := encodeStruct(v, handle)
	if err != nil {
		return nil, fmt.Errorf("%s params: %w", op.Kernel(), err)
	}
	return m, nil
}

func encodeStruct(v reflect.Value, handle func(kernel.Tensor) (int64, error)) (map[string]any, error) {
	m := map[string]any{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		x, err := encodeValue(v.Field(i), handle)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		m[f.Name] = x
	}
	return m, nil
}

func encodeValue(v reflect.Value, handle func(kernel.Tensor) (int64, error)) (any, error) {
	if v.Type() == tensorType {
		if v.IsNil() || isNilHost(v.Interface().(kernel.Tensor)) {
			return nil, nil
		}
		h, err := handle(v.Interface().(kernel.Tensor))
		if err != nil {
			return nil, err
		}
		return map[string]int64{"tensor": h}, nil
	}
	switch v.Kind() {
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint(), nil
	case reflect.Float32, reflect.Float64:
		return encodeFloat(v.Float()), nil
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Struct {
			break
		}
		out := make([]any, v.Len())
		for i := range out {
			m, err := encodeStruct(v.Index(i), handle)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = m
		}
		return out, nil
	case reflect.Struct:
		return encodeStruct(v, handle)
	}
	return nil, fmt.Errorf("unsupported type %s", v.Type())
}

func encodeFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return f
}

func isNilHost(t kernel.Tensor) bool {
	h, ok := t.(*kernel.Host)
	return ok && h == nil
}

// decodeOp is encodeOp's inverse for a Go worker: it fills a new op of
// kernel id's type from params, resolving tensor handles with tensor.
func decodeOp(id string, params map[string]json.RawMessage, tensor func(int64) (kernel.Tensor, error)) (kernel.Op, error) {
	info, ok := kernelInfo(id)
	if !ok {
		return nil, fmt.Errorf("unknown kernel %q", id)
	}
	v := reflect.New(info.typ).Elem()
	if err := decodeStruct(v, params, tensor); err != nil {
		return nil, fmt.Errorf("%s params: %w", id, err)
	}
	return v.Interface().(kernel.Op), nil
}

func decodeStruct(v reflect.Value, params map[string]json.RawMessage, tensor func(int64) (kernel.Tensor, error)) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		raw, ok := params[f.Name]
		if !f.IsExported() || !ok {
			continue
		}
		if err := decodeValue(v.Field(i), raw, tensor); err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
	}
	return nil
}

func decodeValue(v reflect.Value, raw json.RawMessage, tensor func(int64) (kernel.Tensor, error)) error {
	if v.Type() == tensorType {
		var h *struct{ Tensor *int64 }
		if err := json.Unmarshal(raw, &h); err != nil {
			return err
		}
		if h == nil {
			return nil
		}
		if h.Tensor == nil {
			return fmt.Errorf("want {\"tensor\": handle} or null, got %s", raw)
		}
		t, err := tensor(*h.Tensor)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(&t).Elem())
		return nil
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return err
			}
			v.SetFloat(f)
			return nil
		}
	case reflect.Slice:
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return err
		}
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, it := range items {
			if err := decodeStruct(s.Index(i), it, tensor); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		v.Set(s)
		return nil
	}
	return json.Unmarshal(raw, v.Addr().Interface())
}

// opInfo is what the protocol needs to know of a kernel id: its op type
// and which tensor fields are outputs ("Y", "Layers[].Q").
type opInfo struct {
	typ      reflect.Type
	outputs  map[string]bool
	tensors  []string                  // every tensor field path, in struct order
	dtypes   map[string][]kernel.DType // every dtype the field takes in the suite's shapes
	optional map[string]bool           // nil in some of the suite's shapes
}

var (
	infoOnce sync.Once
	infos    map[string]opInfo
)

// marker stands in for buffer i when an op is built to learn its layout.
type marker struct {
	i  int
	dt kernel.DType
	n  int
}

func (m marker) DType() kernel.DType { return m.dt }
func (m marker) Len() int            { return m.n }

// kernelInfo learns each kernel's op type and output fields from the suites
// (which own the meaning of every buffer): each quick and test shape's case
// binds markers, and the fields holding output buffers are outputs.
func kernelInfo(id string) (opInfo, bool) {
	infoOnce.Do(func() {
		infos = map[string]opInfo{}
		for _, k := range suite.All() {
			info := opInfo{outputs: map[string]bool{}, dtypes: map[string][]kernel.DType{}, optional: map[string]bool{}}
			seen := map[string]int{}
			shapes := 0
			for _, shape := range slices.Concat(k.Quick, k.Tests, k.Full, k.Gate) {
				c, err := k.Build(shape)
				if err != nil {
					continue
				}
				shapes++
				bufs := c.Buffers()
				ts := make([]kernel.Tensor, len(bufs))
				for i, b := range bufs {
					ts[i] = marker{i, b.DType, b.Len}
				}
				op := c.Op(ts)
				info.typ = reflect.TypeOf(op)
				here := map[string]bool{}
				walkTensors(reflect.ValueOf(op), "", func(path string, t kernel.Tensor) {
					if seen[path] == 0 {
						info.tensors = append(info.tensors, path)
					}
					if !here[path] {
						here[path] = true
						seen[path]++
					}
					if !slices.Contains(info.dtypes[path], t.DType()) {
						info.dtypes[path] = append(info.dtypes[path], t.DType())
					}
					if m, ok := t.(marker); ok && bufs[m.i].Out {
						info.outputs[path] = true
					}
				})
			}
			for path, n := range seen {
				info.optional[path] = n < shapes
			}
			if info.typ != nil {
				infos[k.Name] = info
			}
		}
	})
	info, ok := infos[id]
	return info, ok
}

// walkTensors calls f for every non-nil tensor field of the struct v,
// naming slice elements "Field[]".
func walkTensors(v reflect.Value, prefix string, f func(path string, t kernel.Tensor)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		fd := t.Field(i)
		if !fd.IsExported() {
			continue
		}
		fv := v.Field(i)
		switch {
		case fd.Type == tensorType:
			if !fv.IsNil() && !isNilHost(fv.Interface().(kernel.Tensor)) {
				f(prefix+fd.Name, fv.Interface().(kernel.Tensor))
			}
		case fd.Type.Kind() == reflect.Slice && fd.Type.Elem().Kind() == reflect.Struct:
			for j := 0; j < fv.Len(); j++ {
				walkTensors(fv.Index(j), prefix+fd.Name+"[].", f)
			}
		}
	}
}

// opTensors lists op's tensors with their field paths and output flags.
func opTensors(op kernel.Op) (ins, outs []kernel.Tensor, outNames []string) {
	info, _ := kernelInfo(op.Kernel())
	names := map[string]bool{}
	walkTensors(reflect.ValueOf(op), "", func(path string, t kernel.Tensor) {
		// A field no suite shape uses is unknown: not checksummed as an input.
		if info.outputs[path] || !slices.Contains(info.tensors, path) {
			outs = append(outs, t)
			if !names[path] {
				names[path] = true
				outNames = append(outNames, path)
			}
		} else {
			ins = append(ins, t)
		}
	})
	sort.Strings(outNames)
	return ins, outs, outNames
}
