#!/usr/bin/env bash
# CI for external backends and the torch backend (issue 14): the worker
# protocol's tests (the go backend through a worker, every broken-worker
# mode, the Python template), then Debian's PyTorch installed and the torch
# backend's conformance (every kernel it implements on the quick and test
# shapes, with the mutation check), then both side by side from the CLI.
# The default build and tests need none of this: torch is found at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n---- %s (%ds)\n' "$*" "$SECONDS"; }

step "external protocol: go backend through a worker, broken workers, Python template, protocol doc table"
go test -count=1 ./backends/external/

step "install python3-torch and python3-torchvision (Debian)"
if ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q python3-torch python3-torchvision >/dev/null
fi
/usr/bin/python3 -c 'import torch, torchvision; print("torch", torch.__version__, "torchvision", torchvision.__version__)'

step "torch conformance (NBENCH_REQUIRE_TORCH: unavailable is a failure, not a skip)"
NBENCH_REQUIRE_TORCH=1 go test -count=1 ./backends/torch/

step "CLI: an exec: worker and torch beside simd, --threads=1, compare --ratio"
go build -o /tmp/nbench-torch ./cmd/nbench
/tmp/nbench-torch list --backend=exec:backends/external/template/worker.py | grep -E '^  (torch|exec:)'
/tmp/nbench-torch run --backend=go,exec:backends/external/template/worker.py --quick --check-only --no-progress \
  --kernel='^(selu|mse)$' >/dev/null
# kernels without known deviations from KERNELS.md (backends/torch/torch_test.go lists those)
/tmp/nbench-torch run --backend=simd,torch --threads=1 --quick --no-progress \
  --kernel='^(rmsnorm|batchnorm_infer|softmax_attention|mse|cross_entropy|gemm_w8a8|quantize_i8|nms)$' -o /tmp/nbench-torch.txt >/dev/null
/tmp/nbench-torch compare --ratio=simd/torch /tmp/nbench-torch.txt | tail -3
grep -q '^torch-version: ' /tmp/nbench-torch.txt
