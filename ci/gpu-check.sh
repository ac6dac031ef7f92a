#!/usr/bin/env bash
# Checks and measures the cuda backend on a GPU machine, from prebuilt
# binaries (no Go, no network needed): nbench-cuda and cuda.test, built
# elsewhere by ci/build-gpu-bundle.sh, next to this script or in $NBENCH_BIN.
#
#   gpu-check.sh OUT
#
# Writes into OUT:
#   device.txt          nvidia-smi, the driver version, the bundle's BUILD file
#   bandwidth.json/.log device copy bandwidth and host transfers (CUDA events)
#   conformance.log     every cuda kernel against the float64 references
#                       (quick and test shapes; the dp4a int8 fallback too)
#   peak-cuda.json/.log the device's ceilings: copy bandwidth, fp32 FMA,
#                       int8 dp4a, int8 mma (also under
#                       baselines/<machine id>/, where %peak looks for them)
#   quick.json/.log     nbench run --backend=cuda,go --quick
#   full-<suite>.json/.log  the full (model) shapes on cuda, one suite each
#   summary.txt         the above in a page
# Every step has a time limit taken from what is left of the budget
# (NBENCH_GPU_BUDGET seconds, default 450: the whole script ends under 8
# minutes); a step cut by its limit is reported and the next one runs.
# Kernel timings come from CUDA events around batches of launches, with
# the host-device copies outside them, and every result file carries the
# device, compute capability and driver.
#
# NBENCH_GPU_DRY=EMU_DIR runs the same steps on the CPU emulation
# (backends/cuda/emu/build.sh EMU_DIR) with a few small kernels and short
# samples, to check this script where there is no GPU.
#
# Exit status: 0 when every step passed, 1 when a step failed or was cut,
# 2 when the binaries, the driver or the device are missing.
set -uo pipefail
out=${1:?usage: gpu-check.sh OUTDIR}
bin=${NBENCH_BIN:-$(cd "$(dirname "$0")" && pwd)}
budget=${NBENCH_GPU_BUDGET:-450}
dry=${NBENCH_GPU_DRY:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)
status=0
failed=()
step() { printf '\n==== %s (%ds)\n' "$*" "$SECONDS"; }
# run LIMIT LOG CMD...: CMD with at most LIMIT seconds (less if the budget
# has less left), output to LOG, its tail to the terminal.
run() {
  local limit=$1 log=$2
  shift 2
  local left=$((budget - SECONDS - 10))
  if [ "$left" -lt 5 ]; then
    echo "SKIPPED (budget of ${budget}s spent): $*" | tee "$log"
    status=1 failed+=("$log: skipped, budget spent")
    return 0
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  timeout --signal=INT --kill-after=5 "$limit" "$@" >"$log" 2>&1
  local rc=$?
  tail -n 15 "$log"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "CUT after ${limit}s: $*"
    status=1 failed+=("$log: cut after ${limit}s")
  elif [ $rc -ne 0 ]; then
    echo "FAILED (exit $rc): $*"
    status=1 failed+=("$log: exit $rc")
  fi
  return 0
}

for f in nbench-cuda cuda.test; do
  if [ ! -x "$bin/$f" ]; then
    echo "gpu-check: missing $bin/$f (build the bundle with ci/build-gpu-bundle.sh DIR and run DIR/gpu-check.sh)" >&2
    exit 2
  fi
done
cd "$out"

if [ -n "$dry" ]; then
  # Dry run on the CPU emulation: its libcuda.so.1, a few kernels, short samples.
  [ -e "$dry/libcuda.so.1" ] || { echo "gpu-check: NBENCH_GPU_DRY=$dry has no libcuda.so.1 (backends/cuda/emu/build.sh $dry)" >&2; exit 2; }
  export LD_LIBRARY_PATH="$dry${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export NBENCH_CUDA_PEAK_QUICK=1
  conf_run='TestConformance/^(layernorm|gemm_w8a8|nms)$|TestConformanceDP4A'
  only='^(layernorm|gemm_w8a8|mse)$'
  suites="norms:60 qmatmul:60 losses:60"
  full_set=(--quick)
else
  conf_run='TestConformance|TestConformanceDP4A'
  only='.*'
  suites="norms:45 attention:30 qmatmul:35 nms:40 losses:20"
  full_set=()
fi

step "device and driver"
{
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi
    nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total,clocks.max.sm,clocks.max.mem --format=csv
  else
    echo "nvidia-smi: not found"
  fi
  [ -r /proc/driver/nvidia/version ] && cat /proc/driver/nvidia/version
  [ -r "$bin/BUILD" ] && cat "$bin/BUILD"
} >device.txt 2>&1
head -20 device.txt
# Without libcuda.so.1 the binaries cannot start (exit 127); without a
# device, gorgonia.org/cu's init exits 1 before main: say which.
"$bin/nbench-cuda" version >version.txt 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  cat version.txt
  if [ $rc -eq 127 ] || grep -q 'libcuda.so' version.txt; then
    echo "gpu-check: the NVIDIA driver's libcuda.so.1 is not installed or not on the library path" >&2
  else
    echo "gpu-check: the CUDA driver found no usable device (cuInit failed; exit $rc): check nvidia-smi" >&2
  fi
  exit 2
fi
cat version.txt

step "device bandwidth, host transfers, tensors, int8 path"
NBENCH_CUDA_BW_OUT="$out/bandwidth.json" run 40 bandwidth.log \
  "$bin/cuda.test" -test.v -test.run 'TestKernelsKnown|TestTensors|TestInt8Path|TestInputErrors|TestDeviceBandwidth'

step "conformance: every cuda kernel on its quick and test shapes"
run 150 conformance.log "$bin/cuda.test" -test.v -test.run "$conf_run" -test.timeout 10m

step "device peaks (nbench peak for the GPU)"
NBENCH_CUDA_PEAK_OUT="$out/peak-cuda.json" run 40 peak.log "$bin/cuda.test" -test.v -test.run TestDevicePeak
id=$("$bin/nbench-cuda" machine 2>/dev/null | awk '$1 == "machine" && $2 == "id" {print $3; exit}')
if [ -s peak-cuda.json ] && [ -n "$id" ]; then
  mkdir -p "baselines/$id" && cp peak-cuda.json "baselines/$id/peak-cuda.json"
fi
export NBENCH_BASELINES="$out/baselines"

step "quick shapes on cuda and go"
run 110 quick.log "$bin/nbench-cuda" run --backend=cuda,go --quick --kernel="$only" --no-progress -o quick.json

# Full shapes one suite at a time: a run writes its file when it ends, so a
# run cut by its limit loses only its own suite.
for s in $suites; do
  suite=${s%%:*} limit=${s##*:}
  step "full shapes on cuda: $suite"
  run "$limit" "full-$suite.log" "$bin/nbench-cuda" run --backend=cuda --suite="$suite" --kernel="$only" \
    "${full_set[@]}" --count=5 --benchtime=20ms --no-progress -o "full-$suite.json"
done

step "summary"
{
  echo "gpu-check $(date -u +%FT%TZ), ${SECONDS}s of a ${budget}s budget${dry:+ (DRY RUN on the CPU emulation)}"
  grep -m1 -E '^NVIDIA|^[A-Z].*, [0-9.]+, [0-9.]+, ' device.txt 2>/dev/null || true
  sed -n 's/^.*NVRM version: //p' device.txt | head -1
  grep -h 'device copy' bandwidth.log 2>/dev/null | sed 's/^ *//' || true
  echo
  echo "conformance:"
  grep -E '^\s*--- (FAIL|SKIP)' conformance.log || true
  grep -cE '^\s*--- PASS: TestConformance/' conformance.log | sed 's/^/  kernels passed: /'
  grep -E 'FAILED|missing' conformance.log | head -20 || true
  grep -E '^(PASS|FAIL|ok)' conformance.log | tail -1
  echo
  echo "device peaks:"
  grep -E '^ *cuda_test.go:[0-9]+: cuda-' peak.log | sed 's/^ *cuda_test.go:[0-9]*: /  /' || true
  echo
  for f in quick.log full-*.log; do
    [ -e "$f" ] && printf '%-18s %s\n' "$f" "$(grep -h 'passed,' "$f" | tail -1)"
  done
  if command -v python3 >/dev/null && [ -s bandwidth.json ]; then
    python3 - <<'PY'
import glob, json
bw = json.load(open("bandwidth.json"))["device_copy_gbps"]
print(f"\nmemory-bound kernels (norms, losses): % of the measured device copy bandwidth ({bw:.0f} GB/s)")
for f in sorted(glob.glob("full-*.json")):
    try:
        rs = json.load(open(f))["results"]
    except Exception as e:
        print(f"  {f}: {e}")
        continue
    for r in rs:
        if r.get("suite") in ("norms", "losses") and r.get("gb_per_s"):
            print(f"  {r['kernel']:21} {r['shape'][:52]:52} {r['median_sec']*1e6:9.1f} us {r['gb_per_s']:7.0f} GB/s {100*r['gb_per_s']/bw:5.1f}%  {r['verdict']}")
PY
  fi
  echo
  if [ ${#failed[@]} -gt 0 ]; then
    echo "NOT ALL STEPS PASSED:"
    printf '  %s\n' "${failed[@]}"
  else
    echo "all steps passed"
  fi
} >summary.txt 2>&1
cat summary.txt
exit $status
