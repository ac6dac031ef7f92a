#!/bin/sh
# Builds the CPU emulation of the CUDA driver and kernels into DIR
# (default /tmp/nbench-cuda-emu): DIR/libcuda.so.1, which a cuda-tagged
# binary picks up with LD_LIBRARY_PATH=DIR. Needs g++ and cuda.h.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kern="$here/../kernels"
ptx="$here/../ptx"
out=${1:-/tmp/nbench-cuda-emu}
mkdir -p "$out"
for f in norms losses attention qmatmul nms peak; do
	{
		echo '#include "emu.h"'
		# Dynamic shared memory becomes a pointer to the launch's buffer.
		sed -E 's/^extern __shared__ ([a-z0-9_]+) ([a-z_]+)\[\];/#define \2 ((\1*)emu_dyn_smem)/' "$kern/$f.cu"
		grep -o '^.visible .entry [a-z0-9_]*' "$ptx/$f.ptx" | awk '{print "static EmuReg emu_reg_" $3 "(\"" $3 "\", emu_invoker(&" $3 "));"}'
	} >"$out/$f.cpp"
done
${CXX:-g++} -std=c++17 -O2 -g -fPIC -shared -w -I"$here" -I"$kern" -o "$out/libcuda.so.1" \
	"$here/driver.cpp" "$here/stubs.cpp" "$out/norms.cpp" "$out/losses.cpp" "$out/attention.cpp" "$out/qmatmul.cpp" "$out/nms.cpp" "$out/peak.cpp"
ln -sf libcuda.so.1 "$out/libcuda.so"
# The mma.m16n8k32 model must agree with a plain integer GEMM before any
# kernel runs on it.
${CXX:-g++} -std=c++17 -O1 -I"$here" -I"$kern" -o "$out/mma_test" "$here/mma_test.cpp"
"$out/mma_test" >&2
echo "$out/libcuda.so.1"
