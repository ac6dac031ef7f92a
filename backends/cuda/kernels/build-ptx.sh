#!/bin/sh
# Compiles each kernel family (kernels/<family>.cu) to PTX for compute_80
# (ptx/<family>.ptx, embedded by the backend; drivers JIT it for newer GPUs).
# Run by `go generate -tags cuda ./backends/cuda`. The output is
# deterministic, so CI regenerates it and fails on any difference.
set -eu
cd "$(dirname "$0")"
NVCC=${NVCC:-nvcc}
for f in norms losses attention qmatmul nms peak; do
	"$NVCC" -ptx -O3 -arch=compute_80 -o "../ptx/$f.ptx" "$f.cu"
done
