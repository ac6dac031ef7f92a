#!/usr/bin/env bash
# Checks and measures the cuda backend on a GPU machine, from prebuilt
# binaries (no Go needed): nbench-cuda and cuda.test, built elsewhere by
# ci/build-gpu-bundle.sh, next to this script or in $NBENCH_BIN.
#
#   gpu-check.sh OUT
#
# Writes into OUT: nvidia-smi.txt, bandwidth.json/.log (device copy
# bandwidth and host transfers), conformance.log (every cuda kernel against
# the float64 references), quick.json/.log (--backend=cuda,go --quick),
# full-<suite>.json/.log (full model shapes on cuda) and summary.txt. Each step has
# a time limit; the whole script stays under about 8 minutes on an H100.
# Exit status: 0 when every step passed, else 1 (the steps still all run).
set -uo pipefail
out=${1:?usage: gpu-check.sh OUTDIR}
bin=${NBENCH_BIN:-$(cd "$(dirname "$0")" && pwd)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
status=0
step() { printf '\n==== %s (%ds)\n' "$*" "$SECONDS"; }
run() { # run LIMIT LOG CMD...: time-limited, output to LOG and the terminal tail
  local limit=$1 log=$2
  shift 2
  timeout --signal=INT --kill-after=15 "$limit" "$@" >"$log" 2>&1
  local rc=$?
  tail -n 25 "$log"
  if [ $rc -ne 0 ]; then
    echo "FAILED (exit $rc): $*"
    status=1
  fi
  return 0
}
for f in nbench-cuda cuda.test; do
  [ -x "$bin/$f" ] || { echo "missing $bin/$f (build it with ci/build-gpu-bundle.sh)"; exit 2; }
done
cd "$out"

step "device"
if command -v nvidia-smi >/dev/null; then nvidia-smi >nvidia-smi.txt 2>&1; head -15 nvidia-smi.txt; fi

step "device bandwidth and host transfers"
NBENCH_CUDA_BW_OUT="$out/bandwidth.json" run 45 bandwidth.log \
  "$bin/cuda.test" -test.v -test.run 'TestKernelsKnown|TestTensors|TestDeviceBandwidth'

step "conformance: every cuda kernel on its quick and test shapes"
run 120 conformance.log "$bin/cuda.test" -test.v -test.run TestConformance -test.timeout 110s

# The kernels the cuda backend has (a full run skips the others quickly,
# but still fills their inputs on the host).
kernels=$("$bin/nbench-cuda" list 2>/dev/null | awk '$2 ~ /^\[.*cuda/ {printf "%s%s", sep, $1; sep="|"}')
echo "cuda kernels: $kernels"

step "quick shapes on cuda and go"
run 90 quick.log "$bin/nbench-cuda" run --backend=cuda,go --quick --no-progress -o quick.json

# Full shapes one suite at a time (results are written when a run ends, so
# a run cut by its limit loses only its own suite).
for s in norms:50 attention:30 qmatmul:30 nms:45 losses:25; do
  suite=${s%%:*} limit=${s##*:}
  step "full shapes on cuda: $suite"
  run "$limit" "full-$suite.log" "$bin/nbench-cuda" run --backend=cuda --suite="$suite" --kernel="^(${kernels:-.*})\$" \
    --count=5 --benchtime=50ms --no-progress -o "full-$suite.json"
done

step "summary"
{
  echo "device: $(grep -m1 -o 'NVIDIA [A-Z0-9 ]*[A-Z0-9]' nvidia-smi.txt 2>/dev/null || echo unknown)"
  grep -h 'device copy' bandwidth.log || true
  grep -E '^(--- FAIL|FAIL|ok|PASS)' conformance.log | head -20 || true
  grep -h 'passed,' quick.log full-*.log || true
  if command -v python3 >/dev/null && [ -s bandwidth.json ]; then
    python3 - <<'PY'
import glob, json
bw = json.load(open("bandwidth.json"))["device_copy_gbps"]
print(f"\nmemory-bound kernels (norms, losses): % of the measured device copy bandwidth ({bw:.0f} GB/s)")
for f in sorted(glob.glob("full-*.json")):
    for r in json.load(open(f))["results"]:
        if r.get("suite") in ("norms", "losses") and r.get("gb_per_s"):
            print(f"  {r['kernel']:21} {r['shape']:52} {r['median_sec']*1e6:9.1f} us {r['gb_per_s']:7.0f} GB/s {100*r['gb_per_s']/bw:5.1f}%  {r['verdict']}")
PY
  fi
} >summary.txt 2>&1
cat summary.txt
exit $status
