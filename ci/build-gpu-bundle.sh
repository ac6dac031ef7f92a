#!/usr/bin/env bash
# Builds what a GPU machine without Go (and without network) needs to check
# and measure the cuda backend, into DIR (default gpu-bundle/):
#   nbench-cuda   the CLI built with -tags cuda
#   cuda.test     the backend's test binary (conformance, bandwidth, peaks)
#   gpu-check.sh  the one command to run there: DIR/gpu-check.sh OUT
#   BUILD         commit, Go and nvcc versions, date; SHA256SUMS
# Linking needs cuda.h and libcuda.so (the driver's stub): when they are
# missing this installs Debian's CUDA toolkit as ci/cuda-ci.sh does. The
# binaries link glibc and the driver's libcuda.so.1 dynamically (nothing
# else): the GPU machine needs glibc no older than this machine's.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-gpu-bundle}
export GOFLAGS=${GOFLAGS:--buildvcs=false}
command -v go >/dev/null || { echo "build-gpu-bundle: Go is needed here (the GPU machine needs none)" >&2; exit 2; }
have_cuda_h() {
  for d in ${CGO_CFLAGS:-} /usr/include /usr/local/cuda/include; do
    [ -f "${d#-I}/cuda.h" ] && return 0
  done
  return 1
}
if ! have_cuda_h; then
  echo "build-gpu-bundle: cuda.h not found: installing nvidia-cuda-toolkit (Debian non-free)" >&2
  bash ci/cuda-ci.sh --install-only
fi
mkdir -p "$out"
# -s -w: no symbol tables (the bundle travels; panics still print stacks).
go build -tags cuda -trimpath -ldflags='-s -w' -o "$out/nbench-cuda" ./cmd/nbench
go test -tags cuda -trimpath -ldflags='-s -w' -c -o "$out/cuda.test" ./backends/cuda
cp ci/gpu-check.sh "$out/gpu-check.sh"
chmod +x "$out/gpu-check.sh"
{
  echo "nbench gpu bundle"
  echo "commit:  $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo ' (plus uncommitted changes)')"
  echo "go:      $(go version)"
  echo "nvcc:    $(nvcc --version 2>/dev/null | tail -1 || echo none) (PTX in the binaries: compute_80, JIT-compiled by the driver)"
  echo "built:   $(date -u +%FT%TZ) on $(uname -m)"
  need=$(objdump -T "$out/nbench-cuda" "$out/cuda.test" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
  echo "needs:   ${need:-glibc} or newer, and the NVIDIA driver's libcuda.so.1"
} >"$out/BUILD"
(cd "$out" && sha256sum nbench-cuda cuda.test gpu-check.sh >SHA256SUMS)
cat "$out/BUILD"
ls -l "$out"
echo "copy $out to the GPU machine and run: $out/gpu-check.sh OUT   (about 8 minutes at most on one H100)"
