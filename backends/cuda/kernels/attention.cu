// Attention kernels of nbench (KERNELS.md section 2), fp32 throughout.
//
// softmax attention: a block takes 16 query rows of one head (4 warps of 4
// rows) and streams the keys in tiles of 32 through shared memory; lane j
// of a warp scores key j of the tile for its 4 rows, the warp keeps each
// row's running max and sum (online softmax) and accumulates O with lane e
// owning output columns e, e+32, ... (NU of them, a template parameter).
//
// simplified linear attention: the sequence is cut into chunks of 32 rows.
// sla_chunk_kv writes each chunk's Kr^T V and sum Kr; sla_scan turns them
// into exclusive prefixes (causal) or a total (non-causal), sequentially
// over chunks, so the result does not depend on scheduling; sla_out adds
// the intra-chunk causal part and the depthwise conv.
#include "common.cuh"

extern __shared__ float dyn_smem[];

#define ATT_BR 16  // query rows per block
#define ATT_RPW 4  // query rows per warp
#define ATT_BC 32  // keys per tile

// att_pitch is the row pitch of the key tile: odd, so that lanes reading
// the same column of 32 different keys hit 32 different banks.
__device__ __forceinline__ int att_pitch(int D) { return D | 1; }

template <int NU>
__device__ __forceinline__ void attn_fwd(const float* __restrict__ Q, const float* __restrict__ K, const float* __restrict__ V,
                                         float* __restrict__ O, int L, int S, int D, int Dv, float scale, int causal) {
  const int Dp = att_pitch(D);
  float* Qs = dyn_smem;                 // [BR][D]
  float* Ks = Qs + ATT_BR * D;      // [BC][Dp]
  float* Vs = Ks + ATT_BC * Dp;     // [BC][Dv]
  const i64 bh = blockIdx.y;
  const int i0 = blockIdx.x * ATT_BR;
  const float* q = Q + bh * L * D;
  const float* k = K + bh * S * D;
  const float* v = V + bh * S * Dv;
  float* o = O + bh * L * Dv;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;

  for (int idx = tid; idx < ATT_BR * D; idx += blockDim.x) {
    const int r = idx / D;
    Qs[idx] = i0 + r < L ? q[(i64)i0 * D + idx] : 0.f;
  }
  float m[ATT_RPW], l[ATT_RPW], acc[ATT_RPW][NU];
#pragma unroll
  for (int r = 0; r < ATT_RPW; r++) {
    m[r] = -INFINITY;
    l[r] = 0.f;
#pragma unroll
    for (int u = 0; u < NU; u++) acc[r][u] = 0.f;
  }
  const int kend = causal ? min(S, i0 + ATT_BR) : S;
  for (int j0 = 0; j0 < kend; j0 += ATT_BC) {
    __syncthreads();  // the previous tile is consumed (and Qs is visible)
    const int jn = min(ATT_BC, S - j0);
    for (int idx = tid; idx < ATT_BC * D; idx += blockDim.x) {
      const int r = idx / D, d = idx - r * D;
      Ks[r * Dp + d] = r < jn ? k[(i64)j0 * D + idx] : 0.f;
    }
    for (int idx = tid; idx < ATT_BC * Dv; idx += blockDim.x) {
      const int r = idx / Dv;
      Vs[idx] = r < jn ? v[(i64)j0 * Dv + idx] : 0.f;
    }
    __syncthreads();

    float sc[ATT_RPW];
#pragma unroll
    for (int r = 0; r < ATT_RPW; r++) sc[r] = 0.f;
    const float* kr = Ks + lane * Dp;
    const float* qw = Qs + warp * ATT_RPW * D;
    for (int d = 0; d < D; d++) {
      const float kv = kr[d];
#pragma unroll
      for (int r = 0; r < ATT_RPW; r++) sc[r] = fmaf(qw[r * D + d], kv, sc[r]);
    }
    float p[ATT_RPW];
#pragma unroll
    for (int r = 0; r < ATT_RPW; r++) {
      const int i = i0 + warp * ATT_RPW + r;
      const int j = j0 + lane;
      const bool valid = lane < jn && (!causal || j <= i);
      const float s = valid ? sc[r] * scale : -INFINITY;
      const float mnew = nan_max(m[r], warp_nan_max(s));
      float alpha, pr;
      if (mnew == -INFINITY) {  // every score so far is -Inf (or masked): nothing to rescale
        alpha = 1.f;
        pr = 0.f;
      } else {
        alpha = expf(m[r] - mnew);
        pr = valid ? expf(s - mnew) : 0.f;
      }
      l[r] = l[r] * alpha + warp_sum(pr);
#pragma unroll
      for (int u = 0; u < NU; u++) acc[r][u] *= alpha;
      m[r] = mnew;
      p[r] = pr;
    }
    // O += P V over the keys of the tile (masked keys are skipped, so a
    // non-finite V there cannot reach a row that does not see it).
    for (int jj = 0; jj < jn; jj++) {
      const float* vr = Vs + jj * Dv;
#pragma unroll
      for (int r = 0; r < ATT_RPW; r++) {
        const float pj = __shfl_sync(FULL_MASK, p[r], jj);
        if (causal && j0 + jj > i0 + warp * ATT_RPW + r) continue;  // uniform over the warp
#pragma unroll
        for (int u = 0; u < NU; u++) {
          const int e = lane + 32 * u;
          if (e < Dv) acc[r][u] = fmaf(pj, vr[e], acc[r][u]);
        }
      }
    }
  }
#pragma unroll
  for (int r = 0; r < ATT_RPW; r++) {
    const int i = i0 + warp * ATT_RPW + r;
    if (i < L) {
#pragma unroll
      for (int u = 0; u < NU; u++) {
        const int e = lane + 32 * u;
        if (e < Dv) o[(i64)i * Dv + e] = acc[r][u] / l[r];
      }
    }
  }
}

// Entry points: block 128 threads, grid (ceil(L/16), B*H), dynamic shared
// memory 4*(16*D + 32*(D|1) + 32*Dv) bytes; NU = ceil(Dv/32) rounded up to 1, 2, 4 or 8.
#define ATT_ENTRY(name, NU)                                                                                             \
  extern "C" __global__ void __launch_bounds__(128) name(const float* Q, const float* K, const float* V, float* O, int L, \
                                                         int S, int D, int Dv, float scale, int causal) {               \
    attn_fwd<NU>(Q, K, V, O, L, S, D, Dv, scale, causal);                                                              \
  }
ATT_ENTRY(attn_fwd_u1, 1)
ATT_ENTRY(attn_fwd_u2, 2)
ATT_ENTRY(attn_fwd_u4, 4)
ATT_ENTRY(attn_fwd_u8, 8)

// ---- simplified linear attention ----

#define SLA_CH 32     // rows per chunk
#define SLA_EPS 1e-6f // added to Qr_i . ks

__device__ __forceinline__ float relu(float x) { return x < 0.f ? 0.f : x; }  // keeps NaN, as the reference

// sla_load_kr loads Kr = relu(K + Pk) of rows [n0, n0+CH) of head bh
// (zeros past L) into kr [CH][D].
__device__ __forceinline__ void sla_load_kr(float* kr, const float* __restrict__ K, const float* __restrict__ Pk, i64 bh, int H,
                                            int L, int D, int n0) {
  const int h = (int)(bh % H);
  for (int idx = threadIdx.x; idx < SLA_CH * D; idx += blockDim.x) {
    const int r = idx / D, d = idx - r * D, n = n0 + r;
    float x = 0.f;
    if (n < L) {
      x = K[(bh * L + n) * D + d];
      if (Pk) x += Pk[((i64)n * H + h) * D + d];
      x = relu(x);
    }
    kr[idx] = x;
  }
}

__device__ __forceinline__ void sla_load_rows(float* dst, const float* __restrict__ src, i64 bh, int L, int W, int n0) {
  for (int idx = threadIdx.x; idx < SLA_CH * W; idx += blockDim.x) {
    const int r = idx / W, n = n0 + r;
    dst[idx] = n < L ? src[(bh * L + n0) * W + idx] : 0.f;
  }
}

// sla_chunk_kv: W[bh][c] = (Kr_c^T V_c [D][Dv], sum_r Kr_c [D]) for chunk c.
// grid (chunks, B*H), block 256, dynamic shared memory 4*CH*(D+Dv).
extern "C" __global__ void __launch_bounds__(256) sla_chunk_kv(const float* __restrict__ K, const float* __restrict__ V,
                                                               const float* __restrict__ Pk, int H, int L, int D, int Dv,
                                                               float* __restrict__ W) {
  float* kr = dyn_smem;            // [CH][D]
  float* vc = kr + SLA_CH * D;  // [CH][Dv]
  const i64 bh = blockIdx.y;
  const int c = blockIdx.x, n0 = c * SLA_CH;
  sla_load_kr(kr, K, Pk, bh, H, L, D, n0);
  sla_load_rows(vc, V, bh, L, Dv, n0);
  __syncthreads();
  const int E = D * Dv + D;
  float* out = W + (bh * gridDim.x + c) * (i64)E;
  const int rows = min(SLA_CH, L - n0);
  for (int idx = threadIdx.x; idx < E; idx += blockDim.x) {
    float acc = 0.f;
    if (idx < D * Dv) {
      const int d = idx / Dv, e = idx - d * Dv;
      for (int r = 0; r < rows; r++) acc = fmaf(kr[r * D + d], vc[r * Dv + e], acc);
    } else {
      const int d = idx - D * Dv;
      for (int r = 0; r < rows; r++) acc += kr[r * D + d];
    }
    out[idx] = acc;
  }
}

// sla_scan: per head and entry, over the chunks in order: causal makes
// each chunk's entry the sum of the chunks before it; non-causal puts the
// total in chunk 0. grid (ceil(E/256), B*H), block 256.
extern "C" __global__ void __launch_bounds__(256) sla_scan(float* __restrict__ W, int chunks, int E, int causal) {
  const int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= E) return;
  float* w = W + (i64)blockIdx.y * chunks * E + idx;
  float run = 0.f;
  for (int c = 0; c < chunks; c++) {
    const float t = w[(i64)c * E];
    if (causal) w[(i64)c * E] = run;
    run += t;
  }
  if (!causal) w[0] = run;
}

// sla_dwc is the depthwise conv of V at token n, column e of one head:
// 5x5 on the GH x GW grid (conv2d), 5 taps n-2..n+2, or causal taps n-4..n.
__device__ __forceinline__ float sla_dwc(const float* __restrict__ v, const float* __restrict__ Wd, const float* __restrict__ Bd,
                                         int L, int Dv, int n, int e, int conv2d, int causal, int GH, int GW) {
  float acc = Bd[e];
  if (conv2d) {
    const int r = n / GW, col = n - r * GW;
    for (int u = -2; u <= 2; u++) {
      const int rr = r + u;
      if (rr < 0 || rr >= GH) continue;
      for (int w = -2; w <= 2; w++) {
        const int cc = col + w;
        if (cc < 0 || cc >= GW) continue;
        acc = fmaf(Wd[e * 25 + (u + 2) * 5 + (w + 2)], v[(i64)(rr * GW + cc) * Dv + e], acc);
      }
    }
  } else {
    const int first = causal ? n - 4 : n - 2;
    for (int t = 0; t < 5; t++) {
      const int mm = first + t;
      if (mm >= 0 && mm < L) acc = fmaf(Wd[e * 5 + t], v[(i64)mm * Dv + e], acc);
    }
  }
  return acc;
}

// sla_out: O for the rows of chunk c. With S = the state of the chunk
// (prefix of earlier chunks, or the total), for row i:
//   num[e] = Qr_i . S_kv[:, e] + sum_{j in chunk, j <= i} (Qr_i . Kr_j) V_j[e]   (the sum: causal only)
//   den    = Qr_i . S_ks      + sum_{j in chunk, j <= i} (Qr_i . Kr_j)
//   O_i[e] = DWC(V)_i[e] + num[e] / (den + 1e-6).
// grid (chunks, B*H), block 256, dynamic shared memory
// 4*(CH*D + CH + causal*(CH*D + CH*Dv + CH*(CH+1))).
extern "C" __global__ void __launch_bounds__(256) sla_out(const float* __restrict__ Q, const float* __restrict__ K,
                                                          const float* __restrict__ V, const float* __restrict__ Pk,
                                                          const float* __restrict__ Wd, const float* __restrict__ Bd,
                                                          const float* __restrict__ W, float* __restrict__ O, int H, int L,
                                                          int D, int Dv, int causal, int conv2d, int GH, int GW) {
  float* qr = dyn_smem;               // [CH][D]
  float* den = qr + SLA_CH * D;    // [CH]
  float* kr = den + SLA_CH;        // [CH][D]      (causal)
  float* vc = kr + SLA_CH * D;     // [CH][Dv]     (causal)
  float* A = vc + SLA_CH * Dv;     // [CH][CH+1]   (causal)
  const i64 bh = blockIdx.y;
  const int c = blockIdx.x, n0 = c * SLA_CH;
  const int rows = min(SLA_CH, L - n0);
  const int E = D * Dv + D;
  const float* st = W + (bh * gridDim.x + (causal ? c : 0)) * (i64)E;
  const float* sks = st + D * Dv;

  for (int idx = threadIdx.x; idx < SLA_CH * D; idx += blockDim.x) {
    const int r = idx / D;
    qr[idx] = r < rows ? relu(Q[(bh * L + n0) * D + idx]) : 0.f;
  }
  if (causal) {
    sla_load_kr(kr, K, Pk, bh, H, L, D, n0);
    sla_load_rows(vc, V, bh, L, Dv, n0);
  }
  __syncthreads();
  if (causal) {
    for (int idx = threadIdx.x; idx < SLA_CH * SLA_CH; idx += blockDim.x) {
      const int i = idx / SLA_CH, j = idx - i * SLA_CH;
      float a = 0.f;
      if (j <= i && i < rows)
        for (int d = 0; d < D; d++) a = fmaf(qr[i * D + d], kr[j * D + d], a);
      A[i * (SLA_CH + 1) + j] = a;
    }
    __syncthreads();
  }
  for (int i = threadIdx.x; i < SLA_CH; i += blockDim.x) {
    float s = 0.f;
    for (int d = 0; d < D; d++) s = fmaf(qr[i * D + d], sks[d], s);
    if (causal)
      for (int j = 0; j <= i; j++) s += A[i * (SLA_CH + 1) + j];
    den[i] = s;
  }
  __syncthreads();
  const float* vh = V + bh * L * Dv;
  float* oh = O + bh * L * Dv;
  for (int idx = threadIdx.x; idx < rows * Dv; idx += blockDim.x) {
    const int i = idx / Dv, e = idx - i * Dv;
    float num = 0.f;
    for (int d = 0; d < D; d++) num = fmaf(qr[i * D + d], st[d * Dv + e], num);
    if (causal)
      for (int j = 0; j <= i; j++) num = fmaf(A[i * (SLA_CH + 1) + j], vc[j * Dv + e], num);
    const int n = n0 + i;
    oh[(i64)n * Dv + e] = sla_dwc(vh, Wd, Bd, L, Dv, n, e, conv2d, causal, GH, GW) + num / (den[i] + SLA_EPS);
  }
}
