#!/usr/bin/env bash
# Builds what a GPU machine without Go needs to check and measure the cuda
# backend, into DIR (default gpu-bundle/): nbench-cuda (the CLI with
# -tags cuda), cuda.test (the backend's test binary) and gpu-check.sh.
# Needs cuda.h and libcuda.so to link (Debian: nvidia-cuda-toolkit, or the
# lighter route in shared/PLATFORM-NOTES.md). Then copy DIR to the GPU
# machine and run: DIR/gpu-check.sh OUT
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-gpu-bundle}
mkdir -p "$out"
export GOFLAGS=${GOFLAGS:--buildvcs=false}
go build -tags cuda -o "$out/nbench-cuda" ./cmd/nbench
go test -tags cuda -c -o "$out/cuda.test" ./backends/cuda
cp ci/gpu-check.sh "$out/"
ls -l "$out"
# The binaries link libcuda.so.1 (from the driver) and glibc dynamically.
if command -v objdump >/dev/null; then
  need=$(objdump -T "$out/nbench-cuda" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
  echo "needs $need or newer and the NVIDIA driver's libcuda.so.1 on the GPU machine"
fi
