#!/usr/bin/env bash
# CI for the cuda backend on a machine without a GPU (called from .ci/run).
# Installs Debian's CUDA toolkit if nvcc is missing (non-free; ~3 minutes,
# ~5.5 GB), then:
#   1. regenerates the PTX and fails if it differs from the committed files;
#   2. checks every PTX file with ptxas for sm_90;
#   3. go vet / go build with -tags cuda, and compiles the test binary;
#   4. unless NBENCH_CUDA_EMU=0: builds the CPU emulation of the driver and
#      kernels (backends/cuda/emu; the build first checks its model of the
#      int8 tensor-core mma against a plain integer GEMM) and runs that test
#      binary on it: the conformance suite (every kernel, the dp4a int8
#      fallback too), tensors, the int8 path, the device peak probes; this
#      checks the kernels' logic and bounds but not their speed or GPU-only
#      races;
#   5. builds the GPU bundle (ci/build-gpu-bundle.sh) and runs its
#      gpu-check.sh as a dry run on the emulation (a few kernels), so the
#      script a GPU machine will run is exercised here.
# The default build never links gorgonia.org/cu; this script checks that too.
# --install-only installs the toolkit if needed and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=${GOFLAGS:--buildvcs=false}
step() { printf '\n==== cuda: %s (%ds)\n' "$*" "$SECONDS"; }

if ! command -v nvcc >/dev/null 2>&1; then
  step "install nvidia-cuda-toolkit (Debian non-free)"
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -i -E 's/^Components: main$/Components: main contrib non-free/' /etc/apt/sources.list.d/debian.sources
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends nvidia-cuda-toolkit
fi
nvcc --version | tail -1
if [ "${1:-}" = --install-only ]; then exit 0; fi

step "regenerate PTX (go generate -tags cuda ./backends/cuda) and compare with the committed files"
go generate -tags cuda ./backends/cuda
if ! git diff --exit-code --stat -- backends/cuda/ptx; then
  echo "backends/cuda/ptx is stale: run 'go generate -tags cuda ./backends/cuda' and commit the PTX"
  exit 1
fi
untracked=$(git ls-files --others --exclude-standard backends/cuda/ptx)
if [ -n "$untracked" ]; then
  echo "PTX files not committed: $untracked"
  if [ "${CI:-}" = true ]; then exit 1; fi
fi

step "ptxas -arch=sm_90 on each PTX"
for f in backends/cuda/ptx/*.ptx; do
  ptxas -arch=sm_90 "$f" -o /dev/null
  echo "ok $f"
done

step "go vet -tags cuda ./..."
go vet -tags cuda ./...

step "go build -tags cuda ./..."
go build -tags cuda ./...

step "go test -tags cuda -c ./backends/cuda"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -tags cuda -c -o "$tmp/cuda.test" ./backends/cuda

step "the default build does not link gorgonia.org/cu"
if go list -deps ./cmd/nbench ./backends/... | grep -q gorgonia; then
  echo "gorgonia.org/cu is linked without -tags cuda"; exit 1
fi

if [ "${NBENCH_CUDA_EMU:-1}" != 0 ]; then
  step "conformance of the cuda backend on the CPU emulation (backends/cuda/emu)"
  sh backends/cuda/emu/build.sh "$tmp/emu" >/dev/null
  (cd "$tmp" && NBENCH_CUDA_PEAK_QUICK=1 LD_LIBRARY_PATH="$tmp/emu" ./cuda.test \
    -test.run 'TestConformance|TestTensors|TestKernelsKnown|TestInt8Path|TestInputErrors|TestDevicePeak' -test.timeout 30m) 2>&1 | tail -5

  step "GPU bundle (ci/build-gpu-bundle.sh) and a dry run of its gpu-check.sh on the emulation"
  bash ci/build-gpu-bundle.sh "$tmp/bundle" >/dev/null
  if ! NBENCH_GPU_DRY="$tmp/emu" NBENCH_GPU_BUDGET=400 "$tmp/bundle/gpu-check.sh" "$tmp/gpu-out" >"$tmp/gpu-check.log" 2>&1; then
    tail -40 "$tmp/gpu-check.log"
    echo "gpu-check.sh dry run failed"
    exit 1
  fi
  for f in device.txt bandwidth.json conformance.log peak-cuda.json quick.json full-norms.json summary.txt; do
    [ -s "$tmp/gpu-out/$f" ] || { echo "gpu-check.sh dry run did not write $f"; exit 1; }
  done
  tail -12 "$tmp/gpu-out/summary.txt"
fi
step "cuda done"
