//go:build !cuda

package all

import (
	"errors"

	"github.com/nbench/nbench/backends"
	"github.com/nbench/nbench/kernel"
)

// Without the cuda build tag the CUDA backend is listed, with the reason it
// cannot be opened (gorgonia.org/cu exits the process at init when there is
// no GPU, so it is never linked into the default build).
func init() {
	backends.Register(backends.Entry{Name: "cuda", Order: 20,
		Summary: "NVIDIA GPUs through gorgonia.org/cu and embedded PTX",
		Open: func(kernel.Config) (kernel.Backend, error) {
			return nil, errors.New("unavailable (built without -tags cuda)")
		}})
}
