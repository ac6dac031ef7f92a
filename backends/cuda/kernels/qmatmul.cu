// Quantized matmul kernels of nbench (KERNELS.md 3.1, 3.2).
//
// quant_i8: per-row symmetric int8 (block per row: absmax, then RNE codes
// with __float2int_rn). gemm_w8a8: exact int32 accumulation with __dp4a
// (signed x signed, so no zero-point correction), a 64x64 tile per block
// for M > 8 and a warp per output column for the GEMV shapes. gemm_w4g:
// dequantize-on-the-fly, a warp per output column (GEMV) or 64x64 tiles in
// fp32 (GEMM).
#include "common.cuh"
#include "mma.cuh"

typedef signed char i8;
typedef unsigned char u8;

// quant_i8: s = max|x|/127 (1 when 0), q = clamp(rne(x/s), -127, 127).
// grid = rows, block 256. A row with NaN or Inf is an input error: its
// index goes to *bad (atomicMin, so the first such row; *bad starts at
// INT_MAX), and its codes are unspecified.
extern "C" __global__ void __launch_bounds__(256) quant_i8(const float* __restrict__ x, i8* __restrict__ q, float* __restrict__ s,
                                                           int K, int* __restrict__ bad) {
  __shared__ float sh[32];
  const i64 row = blockIdx.x;
  const float* xr = x + row * K;
  float amax = 0.f;
  for (int k = threadIdx.x; k < K; k += blockDim.x) {
    const float v = xr[k];
    if (isnan(v) || isinf(v)) atomicMin(bad, (int)row);
    amax = fmaxf(amax, fabsf(v));
  }
  amax = block_max(amax, sh);
  const float sc = amax == 0.f ? 1.f : amax / 127.f;
  i8* qr = q + row * K;
  for (int k = threadIdx.x; k < K; k += blockDim.x) {
    const int v = __float2int_rn(xr[k] / sc);
    qr[k] = (i8)max(-127, min(127, v));
  }
  if (threadIdx.x == 0) s[row] = sc;
}

// w8a8_out writes Y = f32(acc) * f32(sx*sw) + bias (and the raw acc).
__device__ __forceinline__ void w8a8_out(int acc, int m, int n, int N, const float* __restrict__ sx, const float* __restrict__ sw,
                                         const float* __restrict__ bias, float* __restrict__ Y, int* __restrict__ Acc) {
  const float s = sx[m] * sw[n];
  Y[(i64)m * N + n] = (float)acc * s + (bias ? bias[n] : 0.f);
  if (Acc) Acc[(i64)m * N + n] = acc;
}

// load_i8x4 returns bytes k..k+3 of row (zero past K) as one int32
// (little endian, the layout __dp4a expects). aligned: K % 4 == 0.
__device__ __forceinline__ int load_i8x4(const i8* __restrict__ row, int k, int K, int aligned) {
  if (aligned && k + 4 <= K) return *reinterpret_cast<const int*>(row + k);
  unsigned w = 0;
#pragma unroll
  for (int b = 0; b < 4; b++)
    if (k + b < K) w |= (unsigned)(u8)row[k + b] << (8 * b);
  return (int)w;
}

// gemm_w8a8_tile: block (16,16) computes a 64x64 tile of Y with 4x4 per
// thread; K advances 64 bytes (16 int32 words) at a time through shared
// memory (row pitch 17 words: conflict-free). grid (ceil(N/64), ceil(M/64)).
extern "C" __global__ void __launch_bounds__(256) gemm_w8a8_tile(const i8* __restrict__ Xq, const float* __restrict__ sx,
                                                                 const i8* __restrict__ Wq, const float* __restrict__ sw,
                                                                 const float* __restrict__ bias, float* __restrict__ Y,
                                                                 int* __restrict__ Acc, int M, int N, int K, int aligned) {
  __shared__ int Xs[64][17], Ws[64][17];
  const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
  const int m0 = blockIdx.y * 64, n0 = blockIdx.x * 64;
  int acc[4][4];
#pragma unroll
  for (int i = 0; i < 4; i++)
#pragma unroll
    for (int j = 0; j < 4; j++) acc[i][j] = 0;
  for (int k0 = 0; k0 < K; k0 += 64) {
#pragma unroll
    for (int t = 0; t < 4; t++) {
      const int idx = tid + 256 * t, r = idx >> 4, w = idx & 15, k = k0 + 4 * w;
      const int m = m0 + r, n = n0 + r;
      Xs[r][w] = m < M ? load_i8x4(Xq + (i64)m * K, k, K, aligned) : 0;
      Ws[r][w] = n < N ? load_i8x4(Wq + (i64)n * K, k, K, aligned) : 0;
    }
    __syncthreads();
#pragma unroll
    for (int w = 0; w < 16; w++) {
      int a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; i++) a[i] = Xs[ty + 16 * i][w];
#pragma unroll
      for (int j = 0; j < 4; j++) b[j] = Ws[tx + 16 * j][w];
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = __dp4a(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; i++)
#pragma unroll
    for (int j = 0; j < 4; j++) {
      const int m = m0 + ty + 16 * i, n = n0 + tx + 16 * j;
      if (m < M && n < N) w8a8_out(acc[i][j], m, n, N, sx, sw, bias, Y, Acc);
    }
}

// gemm_w8a8_mma: the int8 tensor-core GEMM (sm_80+). Block of 4 warps
// (2x2) computes a 64x64 tile of Y, each warp 32x32 as 2x4 mma.m16n8k32
// tiles; K advances 64 bytes (two mma k steps) at a time through shared
// memory as packed words, row pitch 20 words (the fragment loads of a warp
// hit 32 distinct banks). grid (ceil(N/64), ceil(M/64)), block 128.
#define MMA_PITCH 20
extern "C" __global__ void __launch_bounds__(128) gemm_w8a8_mma(const i8* __restrict__ Xq, const float* __restrict__ sx,
                                                                const i8* __restrict__ Wq, const float* __restrict__ sw,
                                                                const float* __restrict__ bias, float* __restrict__ Y,
                                                                int* __restrict__ Acc, int M, int N, int K, int aligned) {
  __shared__ int Xs[64 * MMA_PITCH], Ws[64 * MMA_PITCH];
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int wm = (warp >> 1) * 32, wn = (warp & 1) * 32;
  const int m0 = blockIdx.y * 64, n0 = blockIdx.x * 64;
  int acc[2][4][4];
#pragma unroll
  for (int i = 0; i < 2; i++)
#pragma unroll
    for (int j = 0; j < 4; j++)
#pragma unroll
      for (int e = 0; e < 4; e++) acc[i][j][e] = 0;
  for (int k0 = 0; k0 < K; k0 += 64) {
#pragma unroll
    for (int t = 0; t < 8; t++) {
      const int idx = tid + 128 * t, r = idx >> 4, w = idx & 15, k = k0 + 4 * w;
      const int m = m0 + r, n = n0 + r;
      Xs[r * MMA_PITCH + w] = m < M ? load_i8x4(Xq + (i64)m * K, k, K, aligned) : 0;
      Ws[r * MMA_PITCH + w] = n < N ? load_i8x4(Wq + (i64)n * K, k, K, aligned) : 0;
    }
    __syncthreads();
#pragma unroll
    for (int ks = 0; ks < 2; ks++) {
      unsigned a[2][4], b[4][2];
#pragma unroll
      for (int i = 0; i < 2; i++) mma_frag_a(Xs, MMA_PITCH, wm + 16 * i, 8 * ks, lane, a[i]);
#pragma unroll
      for (int j = 0; j < 4; j++) mma_frag_b(Ws, MMA_PITCH, wn + 8 * j, 8 * ks, lane, b[j]);
#pragma unroll
      for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) mma_s8_16832(acc[i][j], a[i], b[j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 2; i++)
#pragma unroll
    for (int j = 0; j < 4; j++)
#pragma unroll
      for (int e = 0; e < 4; e++) {
        const int m = m0 + wm + 16 * i + mma_acc_row(lane, e), n = n0 + wn + 8 * j + mma_acc_col(lane, e);
        if (m < M && n < N) w8a8_out(acc[i][j][e], m, n, N, sx, sw, bias, Y, Acc);
      }
}

#define GEMV_MAXM 8

// gemv_w8a8: M <= 8 rows of X; a warp per output column n (8 per block of
// 256), lanes striding over K in 16-byte words (vec: K % 16 == 0) or bytes.
extern "C" __global__ void __launch_bounds__(256) gemv_w8a8(const i8* __restrict__ Xq, const float* __restrict__ sx,
                                                            const i8* __restrict__ Wq, const float* __restrict__ sw,
                                                            const float* __restrict__ bias, float* __restrict__ Y,
                                                            int* __restrict__ Acc, int M, int N, int K, int vec) {
  const int n = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  if (n >= N) return;  // whole warps only; no block barrier follows
  int acc[GEMV_MAXM];
#pragma unroll
  for (int m = 0; m < GEMV_MAXM; m++) acc[m] = 0;
  const i8* wr = Wq + (i64)n * K;
  if (vec) {
    const int K16 = K >> 4;
    const int4* w4 = reinterpret_cast<const int4*>(wr);
    for (int c = lane; c < K16; c += 32) {
      const int4 w = w4[c];
#pragma unroll
      for (int m = 0; m < GEMV_MAXM; m++)
        if (m < M) {
          const int4 x = reinterpret_cast<const int4*>(Xq + (i64)m * K)[c];
          acc[m] = __dp4a(x.x, w.x, __dp4a(x.y, w.y, __dp4a(x.z, w.z, __dp4a(x.w, w.w, acc[m]))));
        }
    }
  } else {
    for (int k = lane; k < K; k += 32) {
      const int w = wr[k];
#pragma unroll
      for (int m = 0; m < GEMV_MAXM; m++)
        if (m < M) acc[m] += (int)Xq[(i64)m * K + k] * w;
    }
  }
#pragma unroll
  for (int m = 0; m < GEMV_MAXM; m++)
    if (m < M) {
      const int a = warp_sum(acc[m]);
      if (lane == 0) w8a8_out(a, m, n, N, sx, sw, bias, Y, Acc);
    }
}

// ---- 4-bit group-wise weights: Y = bias + sum_k X[m,k] * S[n,g]*(q[n,k] - Z[n,g]) ----

__device__ __forceinline__ float w4_weight(const u8* __restrict__ Qp, const float* __restrict__ S, const u8* __restrict__ Z, int n,
                                           int k, int K, int G) {
  const u8 byte = Qp[(i64)n * (K >> 1) + (k >> 1)];
  const int q = (k & 1) ? byte >> 4 : byte & 15;
  const i64 g = (i64)n * (K / G) + k / G;
  return S[g] * (float)(q - (int)Z[g]);
}

// gemv_w4g: M <= 8; a warp per output column. fast (K % 32 == 0 and
// G % 32 == 0): lane chunks of 16 bytes = 32 codes of one group, summed as
// sum x*(q - z) then scaled once by s; otherwise one code at a time.
extern "C" __global__ void __launch_bounds__(256) gemv_w4g(const float* __restrict__ X, const u8* __restrict__ Qp,
                                                           const float* __restrict__ S, const u8* __restrict__ Z,
                                                           const float* __restrict__ bias, float* __restrict__ Y, int M, int N,
                                                           int K, int G, int fast) {
  const int n = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  if (n >= N) return;
  float acc[GEMV_MAXM];
#pragma unroll
  for (int m = 0; m < GEMV_MAXM; m++) acc[m] = 0.f;
  if (fast) {
    const int chunks = K >> 5, NG = K / G;
    const uint4* qrow = reinterpret_cast<const uint4*>(Qp + (i64)n * (K >> 1));
    for (int c = lane; c < chunks; c += 32) {
      const uint4 qw = qrow[c];
      const unsigned words[4] = {qw.x, qw.y, qw.z, qw.w};
      const int k0 = c << 5;
      const i64 g = (i64)n * NG + k0 / G;
      const float s = S[g], z = (float)Z[g];
      float wv[32];
#pragma unroll
      for (int t = 0; t < 4; t++)
#pragma unroll
        for (int j = 0; j < 8; j++) wv[8 * t + j] = (float)((words[t] >> (4 * j)) & 15u) - z;
#pragma unroll
      for (int m = 0; m < GEMV_MAXM; m++)
        if (m < M) {
          const float4* xp = reinterpret_cast<const float4*>(X + (i64)m * K + k0);
          float part = 0.f;
#pragma unroll
          for (int t = 0; t < 8; t++) {
            const float4 xv = xp[t];
            part = fmaf(xv.x, wv[4 * t], part);
            part = fmaf(xv.y, wv[4 * t + 1], part);
            part = fmaf(xv.z, wv[4 * t + 2], part);
            part = fmaf(xv.w, wv[4 * t + 3], part);
          }
          acc[m] = fmaf(s, part, acc[m]);
        }
    }
  } else {
    for (int k = lane; k < K; k += 32) {
      const float w = w4_weight(Qp, S, Z, n, k, K, G);
#pragma unroll
      for (int m = 0; m < GEMV_MAXM; m++)
        if (m < M) acc[m] = fmaf(X[(i64)m * K + k], w, acc[m]);
    }
  }
#pragma unroll
  for (int m = 0; m < GEMV_MAXM; m++)
    if (m < M) {
      const float a = warp_sum(acc[m]);
      if (lane == 0) Y[(i64)m * N + n] = a + (bias ? bias[n] : 0.f);
    }
}

// tile_gemm: Y = X W^T + bias for a 64x64 tile per block (16,16), K in
// steps of 32 with X and W (w(n, k), dequantized on the fly) staged k-major
// in shared memory (pitch 65: conflict-free stores). grid (ceil(N/64),
// ceil(M/64)). Shared by every float GEMM here, whatever the weight format.
template <class W>
__device__ __forceinline__ void tile_gemm(const float* __restrict__ X, const W& w, const float* __restrict__ bias,
                                          float* __restrict__ Y, int M, int N, int K) {
  __shared__ float Xs[32][65], Ws[32][65];
  const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
  const int m0 = blockIdx.y * 64, n0 = blockIdx.x * 64;
  float acc[4][4];
#pragma unroll
  for (int i = 0; i < 4; i++)
#pragma unroll
    for (int j = 0; j < 4; j++) acc[i][j] = 0.f;
  for (int k0 = 0; k0 < K; k0 += 32) {
#pragma unroll
    for (int t = 0; t < 8; t++) {
      const int idx = tid + 256 * t, r = idx >> 5, kk = idx & 31, k = k0 + kk;
      const int m = m0 + r, n = n0 + r;
      Xs[kk][r] = m < M && k < K ? X[(i64)m * K + k] : 0.f;
      Ws[kk][r] = n < N && k < K ? w(n, k) : 0.f;
    }
    __syncthreads();
#pragma unroll 8
    for (int kk = 0; kk < 32; kk++) {
      float a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; i++) a[i] = Xs[kk][ty + 16 * i];
#pragma unroll
      for (int j = 0; j < 4; j++) b[j] = Ws[kk][tx + 16 * j];
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; i++)
#pragma unroll
    for (int j = 0; j < 4; j++) {
      const int m = m0 + ty + 16 * i, n = n0 + tx + 16 * j;
      if (m < M && n < N) Y[(i64)m * N + n] = acc[i][j] + (bias ? bias[n] : 0.f);
    }
}

// gemv_cols: M <= 8 rows of X; a warp per output column (8 per block of
// 256), lanes striding over K with w(n, k) dequantized on the fly.
template <class W>
__device__ __forceinline__ void gemv_cols(const float* __restrict__ X, const W& w, const float* __restrict__ bias,
                                          float* __restrict__ Y, int M, int N, int K) {
  const int n = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  if (n >= N) return;  // whole warps only; no block barrier follows
  float acc[GEMV_MAXM];
#pragma unroll
  for (int m = 0; m < GEMV_MAXM; m++) acc[m] = 0.f;
  for (int k = lane; k < K; k += 32) {
    const float wv = w(n, k);
#pragma unroll
    for (int m = 0; m < GEMV_MAXM; m++)
      if (m < M) acc[m] = fmaf(X[(i64)m * K + k], wv, acc[m]);
  }
#pragma unroll
  for (int m = 0; m < GEMV_MAXM; m++)
    if (m < M) {
      const float a = warp_sum(acc[m]);
      if (lane == 0) Y[(i64)m * N + n] = a + (bias ? bias[n] : 0.f);
    }
}

// Weight formats, w(n, k) for W [N,K].
struct WeightW4Z {  // gemm_w4g: packed nibbles, u8 zero point
  const u8* Qp;
  const float* S;
  const u8* Z;
  int K, G;
  __device__ __forceinline__ float operator()(int n, int k) const { return w4_weight(Qp, S, Z, n, k, K, G); }
};
struct WeightF32 {  // plain float32
  const float* W;
  int K;
  __device__ __forceinline__ float operator()(int n, int k) const { return W[(i64)n * K + k]; }
};
// WeightWQ: layerwise_wq's formats by bit width: 8 symmetric per channel
// (i8, w = s*q); 4 and 2 Quanto affine (packed low bits first, f32 shift:
// w = q*s - shift); 3 GPTQ-style (a byte per code, u8 zero: w = s*(q - z)).
struct WeightWQ {
  const u8* Q;
  const float* S;
  const void* Z;
  int K, G, bits;
  __device__ __forceinline__ float operator()(int n, int k) const {
    const i64 g = (i64)n * (K / G) + k / G;
    switch (bits) {
      case 8: return S[n] * (float)((const i8*)Q)[(i64)n * K + k];
      case 4: {
        const u8 b = Q[(i64)n * (K >> 1) + (k >> 1)];
        return (float)((k & 1) ? b >> 4 : b & 15) * S[g] - ((const float*)Z)[g];
      }
      case 2: {
        const u8 b = Q[(i64)n * (K >> 2) + (k >> 2)];
        return (float)((b >> (2 * (k & 3))) & 3) * S[g] - ((const float*)Z)[g];
      }
      default: return S[g] * (float)((int)Q[(i64)n * K + k] - (int)((const u8*)Z)[g]);
    }
  }
};

extern "C" __global__ void __launch_bounds__(256) gemm_w4g_tile(const float* __restrict__ X, const u8* __restrict__ Qp,
                                                                const float* __restrict__ S, const u8* __restrict__ Z,
                                                                const float* __restrict__ bias, float* __restrict__ Y, int M,
                                                                int N, int K, int G) {
  tile_gemm(X, WeightW4Z{Qp, S, Z, K, G}, bias, Y, M, N, K);
}

// sgemm_tile / sgemv: float32 Y = X W^T + bias (repquant_ln_linear, gemm_f32).
extern "C" __global__ void __launch_bounds__(256) sgemm_tile(const float* __restrict__ X, const float* __restrict__ W,
                                                             const float* __restrict__ bias, float* __restrict__ Y, int M, int N,
                                                             int K) {
  tile_gemm(X, WeightF32{W, K}, bias, Y, M, N, K);
}
extern "C" __global__ void __launch_bounds__(256) sgemv(const float* __restrict__ X, const float* __restrict__ W,
                                                        const float* __restrict__ bias, float* __restrict__ Y, int M, int N, int K) {
  gemv_cols(X, WeightF32{W, K}, bias, Y, M, N, K);
}

// wq_gemm_tile / wq_gemv: one layer of layerwise_wq.
extern "C" __global__ void __launch_bounds__(256) wq_gemm_tile(const float* __restrict__ X, const u8* __restrict__ Q,
                                                               const float* __restrict__ S, const void* __restrict__ Z,
                                                               const float* __restrict__ bias, float* __restrict__ Y, int M,
                                                               int N, int K, int G, int bits) {
  tile_gemm(X, WeightWQ{Q, S, Z, K, G, bits}, bias, Y, M, N, K);
}
extern "C" __global__ void __launch_bounds__(256) wq_gemv(const float* __restrict__ X, const u8* __restrict__ Q,
                                                          const float* __restrict__ S, const void* __restrict__ Z,
                                                          const float* __restrict__ bias, float* __restrict__ Y, int M, int N,
                                                          int K, int G, int bits) {
  gemv_cols(X, WeightWQ{Q, S, Z, K, G, bits}, bias, Y, M, N, K);
}

// ---- quantize_w4g (KERNELS.md 3.2): a warp per group of G, 8 per block ----

// quant_w4g: lo = min(0, min w), hi = max(0, max w) (both 0: -1, 1);
// asymmetric s = max(hi-lo, 1e-5)/15, z = clamp(rne(-lo/s), 0, 15);
// symmetric s = max(-lo, hi, 1e-5)/7, z = 8; q = clamp(rne(w/s) + z, 0, 15).
// A group with NaN or Inf gets s = NaN (its codes are left unwritten) and
// its row (group / ng) goes to *badRow: an input error.
extern "C" __global__ void __launch_bounds__(256) quant_w4g(const float* __restrict__ W, u8* __restrict__ Qp, float* __restrict__ S,
                                                            u8* __restrict__ Z, int groups, int G, int sym, int ng,
                                                            int* __restrict__ badRow) {
  const int gi = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  if (gi >= groups) return;  // whole warps only
  const float* w = W + (i64)gi * G;
  float lo = 0.f, hi = 0.f;
  int bad = 0;
  for (int k = lane; k < G; k += 32) {
    const float v = w[k];
    bad |= isnan(v) || isinf(v);
    lo = fminf(lo, v);
    hi = fmaxf(hi, v);
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    lo = fminf(lo, __shfl_xor_sync(FULL_MASK, lo, o));
    hi = fmaxf(hi, __shfl_xor_sync(FULL_MASK, hi, o));
    bad |= __shfl_xor_sync(FULL_MASK, bad, o);
  }
  if (bad) {  // an input error: the row goes to *badRow (first such row)
    if (lane == 0) S[gi] = __int_as_float(0x7fc00000), Z[gi] = 0, atomicMin(badRow, gi / ng);
    return;
  }
  float s;
  int z;
  if (sym) {
    s = fmaxf(fmaxf(-lo, hi), 1e-5f) / 7.f;
    z = 8;
  } else {
    if (lo == 0.f && hi == 0.f) lo = -1.f, hi = 1.f;
    s = fmaxf(hi - lo, 1e-5f) / 15.f;
    z = max(0, min(15, __float2int_rn(-lo / s)));
  }
  if (lane == 0) S[gi] = s, Z[gi] = (u8)z;
  u8* q = Qp + (i64)gi * (G >> 1);
  for (int j = lane; j < (G >> 1); j += 32) {
    const int c0 = max(0, min(15, __float2int_rn(w[2 * j] / s) + z));
    const int c1 = max(0, min(15, __float2int_rn(w[2 * j + 1] / s) + z));
    q[j] = (u8)(c0 | (c1 << 4));
  }
}

// ---- RepQuant (KERNELS.md 3.4) ----

// rq_ln_quant: a block per row: LN with the reparameterized affine (mean
// and variance accumulated in float64), the per-tensor code
// q = clamp(rne(x'/dt) + zt, 0, qmax) (to Q when set) and x^ = (q-zt)*dt
// into Xh, the GEMM's input. x'/dt is clamped first to where the code
// clamps anyway, which keeps it in __float2int_rn's range.
extern "C" __global__ void __launch_bounds__(256) rq_ln_quant(const float* __restrict__ X, const float* __restrict__ gamma,
                                                              const float* __restrict__ beta, float* __restrict__ Xh,
                                                              u8* __restrict__ Q, int C, float eps, float dt, int zt, int qmax) {
  __shared__ double sh[32];
  const i64 row = blockIdx.x;
  const float* x = X + row * C;
  double s = 0.0;
  for (int c = threadIdx.x; c < C; c += blockDim.x) s += x[c];
  const float mu = (float)(block_sum(s, sh) / C);
  double d2 = 0.0;
  for (int c = threadIdx.x; c < C; c += blockDim.x) {
    const float d = x[c] - mu;
    d2 += (double)d * d;
  }
  const float var = (float)(block_sum(d2, sh) / C);
  const float rstd = (float)(1.0 / sqrt((double)(var + eps)));
  const float tlo = (float)(-zt - 1), thi = (float)(qmax - zt + 1);
  for (int c = threadIdx.x; c < C; c += blockDim.x) {
    float t = ((x[c] - mu) * rstd * gamma[c] + beta[c]) / dt;
    t = fminf(fmaxf(t, tlo), thi);
    const int code = max(0, min(qmax, __float2int_rn(t) + zt));
    if (Q) Q[row * C + c] = (u8)code;
    Xh[row * C + c] = (float)(code - zt) * dt;
  }
}

// rq_softmax_pv: shift-based P@V, a warp per output row (8 per block),
// lanes over Dv. Code q (< drop = 2^bits) of key j weighs V row j by
// 2^(F-k): k = q (log2) or k = ceil(q/2) with odd q also summed into the
// odd term (logsqrt2). Integer path (bits <= 4): exact int64 sums,
// O = scaleF*(A_all + (sqrt2-1)*A_odd) with scaleF = s*sV*2^-F, and A_all,
// A_odd written where given. Float path (bits > 4): float64 sums of
// Vi*2^-k (times sqrt2 for odd codes in logsqrt2), O = s*sV*sum.
extern "C" __global__ void __launch_bounds__(256) rq_softmax_pv(const u8* __restrict__ Pq, const i8* __restrict__ Vi,
                                                                float* __restrict__ O, int* __restrict__ Aall,
                                                                int* __restrict__ Aodd, int rows, int L, int S, int Dv, int drop,
                                                                int F, int sqrt2mode, int intPath, double scale, double scaleF) {
  const int row = blockIdx.x * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  if (row >= rows) return;
  const u8* q = Pq + (i64)row * S;
  const i8* v = Vi + (i64)(row / L) * S * Dv;
  for (int d = lane; d < Dv; d += 32) {
    const i64 o = (i64)row * Dv + d;
    if (intPath) {
      long long ev = 0, od = 0;
      for (int j = 0; j < S; j++) {
        const int c = q[j];
        if (c >= drop) continue;
        const long long t = (long long)v[(i64)j * Dv + d];
        if (sqrt2mode) {
          const long long term = t * (1ll << (F - (c + 1) / 2));
          if (c & 1)
            od += term;
          else
            ev += term;
        } else {
          ev += t * (1ll << (F - c));
        }
      }
      const long long a = ev + od;
      O[o] = (float)(scaleF * ((double)a + (1.4142135623730951 - 1.0) * (double)od));
      if (Aall) Aall[o] = (int)a;
      if (Aodd) Aodd[o] = (int)od;
    } else {
      double acc = 0.0;
      for (int j = 0; j < S; j++) {
        const int c = q[j];
        if (c >= drop) continue;
        const int k = sqrt2mode ? (c + 1) / 2 : c;
        const double f = sqrt2mode && (c & 1) ? 1.4142135623730951 : 1.0;
        acc += (double)v[(i64)j * Dv + d] * ldexp(f, -k);
      }
      O[o] = (float)(scale * acc);
    }
  }
}
