// Quantized matmul kernels of nbench (KERNELS.md 3.1, 3.2).
//
// quant_i8: per-row symmetric int8 (block per row: absmax, then RNE codes
// with __float2int_rn). gemm_w8a8: exact int32 accumulation with __dp4a
// (signed x signed, so no zero-point correction), a 64x64 tile per block
// for M > 8 and a warp per output column for the GEMV shapes. gemm_w4g:
// dequantize-on-the-fly, a warp per output column (GEMV) or 64x64 tiles in
// fp32 (GEMM).
#include "common.cuh"

typedef signed char i8;
typedef unsigned char u8;

// quant_i8: s = max|x|/127 (1 when 0), q = clamp(rne(x/s), -127, 127).
// grid = rows, block 256.
extern "C" __global__ void __launch_bounds__(256) quant_i8(const float* __restrict__ x, i8* __restrict__ q, float* __restrict__ s,
                                                           int K) {
  __shared__ float sh[32];
  const i64 row = blockIdx.x;
  const float* xr = x + row * K;
  float amax = 0.f;
  for (int k = threadIdx.x; k < K; k += blockDim.x) amax = fmaxf(amax, fabsf(xr[k]));
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

// gemm_w4g_tile: block (16,16), a 64x64 tile of Y, K in steps of 32 with
// X and the dequantized W staged k-major in shared memory (pitch 65:
// conflict-free stores). grid (ceil(N/64), ceil(M/64)).
extern "C" __global__ void __launch_bounds__(256) gemm_w4g_tile(const float* __restrict__ X, const u8* __restrict__ Qp,
                                                                const float* __restrict__ S, const u8* __restrict__ Z,
                                                                const float* __restrict__ bias, float* __restrict__ Y, int M,
                                                                int N, int K, int G) {
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
      Ws[kk][r] = n < N && k < K ? w4_weight(Qp, S, Z, n, k, K, G) : 0.f;
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
