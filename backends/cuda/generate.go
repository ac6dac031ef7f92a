//go:build cuda

package cuda

// Regenerate ptx/*.ptx from kernels/*.cu (needs nvcc; CI checks that the
// committed PTX is what this produces):
//
//	go generate -tags cuda ./backends/cuda

//go:generate sh kernels/build-ptx.sh
