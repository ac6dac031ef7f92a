package kernel

// Every Op also has a Validate method (in <family>_validate.go) that checks
// its parameters and tensor sizes against KERNELS.md. Backends call it
// first in Prepare, so the shape rules are written once for all backends.
type Validator interface {
	Validate() error
}

// Arg describes one tensor an op expects.
type Arg struct {
	Name     string
	T        Tensor
	DType    DType
	Len      int
	Optional bool // nil allowed
}

// F32Arg, I8Arg, U8Arg and I32Arg describe required tensors; Opt makes one optional.
func F32Arg(name string, t Tensor, n int) Arg { return Arg{name, t, F32, n, false} }
func I8Arg(name string, t Tensor, n int) Arg  { return Arg{name, t, I8, n, false} }
func U8Arg(name string, t Tensor, n int) Arg  { return Arg{name, t, U8, n, false} }
func I32Arg(name string, t Tensor, n int) Arg { return Arg{name, t, I32, n, false} }
func (a Arg) Opt() Arg                        { a.Optional = true; return a }

// CheckArgs checks every Arg and returns the first mismatch.
func CheckArgs(args ...Arg) error {
	for _, a := range args {
		if a.T == nil || isNilHost(a.T) {
			if a.Optional {
				continue
			}
			return Shapef("%s: missing tensor", a.Name)
		}
		if a.T.DType() != a.DType || a.T.Len() != a.Len {
			return Shapef("%s: want %v[%d], got %v[%d]", a.Name, a.DType, a.Len, a.T.DType(), a.T.Len())
		}
	}
	return nil
}

func isNilHost(t Tensor) bool {
	h, ok := t.(*Host)
	return ok && h == nil
}

// RowsC checks a row-wise shape: rows >= 0 (0 is a no-op) and a reduced
// axis of at least one element.
func RowsC(rows, c int) error {
	if rows < 0 {
		return Shapef("rows = %d (must be >= 0)", rows)
	}
	if c < 1 {
		return Shapef("reduced axis C = %d (must be >= 1)", c)
	}
	return nil
}

// First returns the first non-nil error.
func First(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
