// Norm kernels of nbench (KERNELS.md section 1): the row norms (one block
// per row, the row kept in registers for an exact two-pass reduction when it
// fits, else a three-pass loop over global memory), SELU, the per-channel
// affine inference norms (a fold kernel then one elementwise pass) and
// BatchNorm training (chunked two-pass statistics, a fixed-order Chan merge,
// then the elementwise pass), and the other training norms built on the same
// chunked statistics (PRepBN, PowerNorm, Unified Norm, EvoNorm B0/S0).
// Every launch is deterministic.
#include "common.cuh"

// Row-norm modes. Each computes a per-row center mu and inverse scale r,
// then y = ((x - mu) * r * g + b) * scale, with g = 1 and b = 0 when null
// and, for parameter period G > 1, g and b offset by (row % G) * C (PowerNorm
// runs GroupScaling as rows of one group each).
#define MODE_LN 0    // mu = mean, r = 1/sqrt(var + eps)
#define MODE_RMS 1   // mu = 0, r = 1/sqrt(mean(x^2) + eps)
#define MODE_CRMS 2  // mu = 0, r = 1/sqrt((sum x^2 + (sum x)^2)/(C+1) + eps)

struct RowArgs {
  const float* x;
  float* y;
  const float* g;
  const float* b;
  int C;
  float eps, scale;
  int period;
};

__device__ __forceinline__ float row_out(float v, float mu, float r, float g, float b, float scale) {
  return ((v - mu) * r * g + b) * scale;
}

// rownorm_vec keeps the row in registers: NV float4 per thread, C % 4 == 0
// and C/4 <= NV * blockDim.x.
template <int MODE, int NV>
__device__ __forceinline__ void rownorm_vec(const RowArgs a) {
  __shared__ float sh[32];
  const i64 row = blockIdx.x;
  const int C = a.C, C4 = C >> 2;
  const float4* xr = reinterpret_cast<const float4*>(a.x + row * C);
  float4 v[NV];
  float s = 0.f, q = 0.f;
#pragma unroll
  for (int k = 0; k < NV; k++) {
    const int i = threadIdx.x + k * blockDim.x;
    v[k] = i < C4 ? xr[i] : make_float4(0.f, 0.f, 0.f, 0.f);
    s += (v[k].x + v[k].y) + (v[k].z + v[k].w);
    q += (v[k].x * v[k].x + v[k].y * v[k].y) + (v[k].z * v[k].z + v[k].w * v[k].w);
  }
  float mu = 0.f, r;
  if (MODE == MODE_LN) {
    mu = block_sum(s, sh) / (float)C;
    float d2 = 0.f;
#pragma unroll
    for (int k = 0; k < NV; k++) {
      const int i = threadIdx.x + k * blockDim.x;
      if (i < C4) {
        const float dx = v[k].x - mu, dy = v[k].y - mu, dz = v[k].z - mu, dw = v[k].w - mu;
        d2 += (dx * dx + dy * dy) + (dz * dz + dw * dw);
      }
    }
    r = 1.f / sqrtf(block_sum(d2, sh) / (float)C + a.eps);
  } else if (MODE == MODE_RMS) {
    r = 1.f / sqrtf(block_sum(q, sh) / (float)C + a.eps);
  } else {
    const float S = block_sum(s, sh);
    const float Q = block_sum(q, sh);
    r = 1.f / sqrtf((Q + S * S) / (float)(C + 1) + a.eps);
  }
  const int off = a.period > 1 ? (int)(row % a.period) * C : 0;
  const float4* g4 = a.g ? reinterpret_cast<const float4*>(a.g + off) : nullptr;
  const float4* b4 = a.b ? reinterpret_cast<const float4*>(a.b + off) : nullptr;
  float4* yr = reinterpret_cast<float4*>(a.y + row * C);
#pragma unroll
  for (int k = 0; k < NV; k++) {
    const int i = threadIdx.x + k * blockDim.x;
    if (i < C4) {
      const float4 g = g4 ? g4[i] : make_float4(1.f, 1.f, 1.f, 1.f);
      const float4 b = b4 ? b4[i] : make_float4(0.f, 0.f, 0.f, 0.f);
      float4 o;
      o.x = row_out(v[k].x, mu, r, g.x, b.x, a.scale);
      o.y = row_out(v[k].y, mu, r, g.y, b.y, a.scale);
      o.z = row_out(v[k].z, mu, r, g.z, b.z, a.scale);
      o.w = row_out(v[k].w, mu, r, g.w, b.w, a.scale);
      yr[i] = o;
    }
  }
}

// rownorm_loop handles any C: statistics in passes over global memory (the
// row is re-read from cache), then the output pass.
template <int MODE>
__device__ __forceinline__ void rownorm_loop(const RowArgs a) {
  __shared__ float sh[32];
  const i64 row = blockIdx.x;
  const int C = a.C;
  const float* xr = a.x + row * C;
  float s = 0.f, q = 0.f;
  for (int i = threadIdx.x; i < C; i += blockDim.x) {
    const float v = xr[i];
    s += v;
    q += v * v;
  }
  float mu = 0.f, r;
  if (MODE == MODE_LN) {
    mu = block_sum(s, sh) / (float)C;
    float d2 = 0.f;
    for (int i = threadIdx.x; i < C; i += blockDim.x) {
      const float d = xr[i] - mu;
      d2 += d * d;
    }
    r = 1.f / sqrtf(block_sum(d2, sh) / (float)C + a.eps);
  } else if (MODE == MODE_RMS) {
    r = 1.f / sqrtf(block_sum(q, sh) / (float)C + a.eps);
  } else {
    const float S = block_sum(s, sh);
    const float Q = block_sum(q, sh);
    r = 1.f / sqrtf((Q + S * S) / (float)(C + 1) + a.eps);
  }
  const int off = a.period > 1 ? (int)(row % a.period) * C : 0;
  float* yr = a.y + row * C;
  for (int i = threadIdx.x; i < C; i += blockDim.x) {
    const float g = a.g ? a.g[off + i] : 1.f;
    const float b = a.b ? a.b[off + i] : 0.f;
    yr[i] = row_out(xr[i], mu, r, g, b, a.scale);
  }
}

// Entry points: grid = rows, params (x, y, g, b, C, eps, scale, period).
#define ROW_ARGS const float *x, float *y, const float *g, const float *b, int C, float eps, float scale, int period
#define ROW_PACK RowArgs{x, y, g, b, C, eps, scale, period}
#define ROW_VEC(name, MODE, NV) \
  extern "C" __global__ void __launch_bounds__(1024) name(ROW_ARGS) { rownorm_vec<MODE, NV>(ROW_PACK); }
#define ROW_LOOP(name, MODE) \
  extern "C" __global__ void __launch_bounds__(1024) name(ROW_ARGS) { rownorm_loop<MODE>(ROW_PACK); }

ROW_VEC(rownorm_ln_v1, MODE_LN, 1)
ROW_VEC(rownorm_ln_v2, MODE_LN, 2)
ROW_VEC(rownorm_ln_v4, MODE_LN, 4)
ROW_VEC(rownorm_ln_v8, MODE_LN, 8)
ROW_LOOP(rownorm_ln_s, MODE_LN)
ROW_VEC(rownorm_rms_v1, MODE_RMS, 1)
ROW_VEC(rownorm_rms_v2, MODE_RMS, 2)
ROW_VEC(rownorm_rms_v4, MODE_RMS, 4)
ROW_VEC(rownorm_rms_v8, MODE_RMS, 8)
ROW_LOOP(rownorm_rms_s, MODE_RMS)
ROW_VEC(rownorm_crms_v1, MODE_CRMS, 1)
ROW_VEC(rownorm_crms_v2, MODE_CRMS, 2)
ROW_VEC(rownorm_crms_v4, MODE_CRMS, 4)
ROW_VEC(rownorm_crms_v8, MODE_CRMS, 8)
ROW_LOOP(rownorm_crms_s, MODE_CRMS)

// ---- SELU ----

__device__ __forceinline__ float selu1(float x) {
  const float lam = 1.0507009873554805f, lamAlpha = 1.7580993408473766f;
  return x > 0.f ? lam * x : lamAlpha * expm1f(x);
}

extern "C" __global__ void selu_v(const float4* __restrict__ x, float4* __restrict__ y, i64 n4) {
  for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n4; i += (i64)gridDim.x * blockDim.x) {
    const float4 v = x[i];
    y[i] = make_float4(selu1(v.x), selu1(v.y), selu1(v.z), selu1(v.w));
  }
}

extern "C" __global__ void selu_s(const float* __restrict__ x, float* __restrict__ y, i64 n) {
  for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) y[i] = selu1(x[i]);
}

// ---- per-channel affine: y = (x - m_c) * a_c + b_c (m null: 0) ----
// Thread t < T handles elements t, t+T, ... where T is a multiple of the
// number of channel units U (float4 vectors or scalars), so its channel
// t % U is fixed and its parameters stay in registers (no per-element
// division).

extern "C" __global__ void chan_affine_v(const float4* __restrict__ x, float4* __restrict__ y, const float* __restrict__ m,
                                         const float* __restrict__ a, const float* __restrict__ b, i64 n4, int U, int T) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= T) return;
  const int c = t % U;
  const float4 av = reinterpret_cast<const float4*>(a)[c];
  const float4 bv = reinterpret_cast<const float4*>(b)[c];
  const float4 mv = m ? reinterpret_cast<const float4*>(m)[c] : make_float4(0.f, 0.f, 0.f, 0.f);
  for (i64 i = t; i < n4; i += T) {
    const float4 v = x[i];
    y[i] = make_float4((v.x - mv.x) * av.x + bv.x, (v.y - mv.y) * av.y + bv.y, (v.z - mv.z) * av.z + bv.z,
                       (v.w - mv.w) * av.w + bv.w);
  }
}

extern "C" __global__ void chan_affine_s(const float* __restrict__ x, float* __restrict__ y, const float* __restrict__ m,
                                         const float* __restrict__ a, const float* __restrict__ b, i64 n, int U, int T) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= T) return;
  const int c = t % U;
  const float av = a[c], bv = b[c], mv = m ? m[c] : 0.f;
  for (i64 i = t; i < n; i += T) y[i] = (x[i] - mv) * av + bv;
}

// bn_fold: a = gamma/sqrt(rv + eps) + alpha, b = beta - rm * gamma/sqrt(rv + eps)
// (BatchNorm inference, alpha = 0; RepBN folded, KERNELS.md 1.8).
extern "C" __global__ void bn_fold(const float* __restrict__ gamma, const float* __restrict__ beta, const float* __restrict__ rm,
                                   const float* __restrict__ rv, int C, float eps, float alpha, float* __restrict__ a,
                                   float* __restrict__ b) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  const float s = gamma[c] * (1.f / sqrtf(rv[c] + eps));
  b[c] = beta[c] - rm[c] * s;
  a[c] = s + alpha;
}

// scale_fold: a = w / sqrt(v + eps) (Unified Norm's and PowerNorm's
// per-channel scale; their shift is the bias itself).
extern "C" __global__ void scale_fold(const float* __restrict__ w, const float* __restrict__ v, int C, float eps,
                                      float* __restrict__ a) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  a[c] = w[c] * (1.f / sqrtf(v[c] + eps));
}

// ---- BatchNorm training statistics ----
// bn_partial: block (32, 8) covers 32 channels and the rows of one chunk;
// it writes the chunk's per-channel mean and M2 (two passes, the second
// from cache). grid = (ceil(C/32), chunks, segments): segment z covers
// rows [z*M, (z+1)*M) (EvoNorm: one per image) and writes its chunks'
// partials at z*chunks*C.
extern "C" __global__ void __launch_bounds__(256) bn_partial(const float* __restrict__ x, int M, int C, int chunkRows,
                                                             float* __restrict__ pmean, float* __restrict__ pm2) {
  __shared__ float red[8][33];
  x += (i64)blockIdx.z * M * C;
  pmean += (i64)blockIdx.z * gridDim.y * C;
  pm2 += (i64)blockIdx.z * gridDim.y * C;
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int c = blockIdx.x * 32 + tx;
  const int r0 = blockIdx.y * chunkRows, r1 = min(M, r0 + chunkRows);
  const float n = (float)(r1 - r0);
  float s = 0.f;
  if (c < C)
    for (int r = r0 + ty; r < r1; r += 8) s += x[(i64)r * C + c];
  red[ty][tx] = s;
  __syncthreads();
  if (ty == 0) {
    float t = red[0][tx];
#pragma unroll
    for (int k = 1; k < 8; k++) t += red[k][tx];
    red[0][tx] = t / n;
  }
  __syncthreads();
  const float mean = red[0][tx];
  __syncthreads();
  float q = 0.f;
  if (c < C)
    for (int r = r0 + ty; r < r1; r += 8) {
      const float d = x[(i64)r * C + c] - mean;
      q += d * d;
    }
  red[ty][tx] = q;
  __syncthreads();
  if (ty == 0 && c < C) {
    float t = red[0][tx];
#pragma unroll
    for (int k = 1; k < 8; k++) t += red[k][tx];
    pmean[(i64)blockIdx.y * C + c] = mean;
    pm2[(i64)blockIdx.y * C + c] = t;
  }
}

// chan_merge merges (nb, mb, Mb) into (na, ma, Ma) (Chan et al.).
__device__ __forceinline__ void chan_merge(float& na, float& ma, float& Ma, float nb, float mb, float Mb) {
  if (nb == 0.f) return;
  if (na == 0.f) {
    na = nb, ma = mb, Ma = Mb;
    return;
  }
  const float n = na + nb, d = mb - ma, f = nb / n;
  ma += d * f;
  Ma += Mb + d * d * (na * f);
  na = n;
}

// merge_chunks merges channel c's chunk partials (pm2 null: means only)
// in a fixed order: lane ty takes chunks ty, ty+8, ..., then a fixed tree
// over the 8 lanes leaves the result in sm[0][tx], s2[0][tx] (after a
// barrier). Called by every thread of a (32, 8) block.
__device__ __forceinline__ void merge_chunks(const float* __restrict__ pmean, const float* __restrict__ pm2, int M, int C,
                                             int chunks, int chunkRows, int c, float (*sn)[33], float (*sm)[33],
                                             float (*s2)[33]) {
  const int tx = threadIdx.x, ty = threadIdx.y;
  float n = 0.f, m = 0.f, m2 = 0.f;
  if (c < C)
    for (int k = ty; k < chunks; k += 8) {
      const float nk = (float)(min(M, (k + 1) * chunkRows) - k * chunkRows);
      chan_merge(n, m, m2, nk, pmean[(i64)k * C + c], pm2 ? pm2[(i64)k * C + c] : 0.f);
    }
  sn[ty][tx] = n, sm[ty][tx] = m, s2[ty][tx] = m2;
  for (int step = 4; step > 0; step >>= 1) {
    __syncthreads();
    if (ty < step) {
      float na = sn[ty][tx], ma = sm[ty][tx], Ma = s2[ty][tx];
      chan_merge(na, ma, Ma, sn[ty + step][tx], sm[ty + step][tx], s2[ty + step][tx]);
      sn[ty][tx] = na, sm[ty][tx] = ma, s2[ty][tx] = Ma;
    }
  }
  __syncthreads();
}

// bn_final merges the chunks of each channel in a fixed order
// (merge_chunks) and writes mu, a = gamma/sqrt(var + eps) and the new running state. M = 0
// copies the state. grid = ceil(C/32), block (32, 8).
extern "C" __global__ void __launch_bounds__(256) bn_final(const float* __restrict__ pmean, const float* __restrict__ pm2, int M,
                                                           int C, int chunks, int chunkRows, const float* __restrict__ gamma,
                                                           const float* __restrict__ rm, const float* __restrict__ rv, float eps,
                                                           float mom, float* __restrict__ mu, float* __restrict__ a,
                                                           float* __restrict__ newMean, float* __restrict__ newVar) {
  __shared__ float sn[8][33], sm[8][33], s2[8][33];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int c = blockIdx.x * 32 + tx;
  merge_chunks(pmean, pm2, M, C, chunks, chunkRows, c, sn, sm, s2);
  if (ty != 0 || c >= C) return;
  if (M == 0) {
    newMean[c] = rm[c];
    newVar[c] = rv[c];
    return;
  }
  const float fm = (float)M, mean = sm[0][tx], var = s2[0][tx] / fm;
  mu[c] = mean;
  a[c] = gamma[c] * (1.f / sqrtf(var + eps));
  newMean[c] = (1.f - mom) * rm[c] + mom * mean;
  newVar[c] = (1.f - mom) * rv[c] + mom * var * (fm / (float)(M - 1));
}

// ---- shared statistics of the training norms ----

// chunk_merge merges the chunk partials of each segment (blockIdx.y) in
// bn_final's fixed order into out_mean/out_m2 [segments, C]; pm2 null merges
// means only. Segments hold M rows in chunks of chunkRows. grid =
// (ceil(C/32), segments), block (32, 8).
extern "C" __global__ void __launch_bounds__(256) chunk_merge(const float* __restrict__ pmean, const float* __restrict__ pm2,
                                                              int M, int C, int chunks, int chunkRows,
                                                              float* __restrict__ outMean, float* __restrict__ outM2) {
  __shared__ float sn[8][33], sm[8][33], s2[8][33];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int c = blockIdx.x * 32 + tx;
  const i64 base = (i64)blockIdx.y * chunks * C;
  merge_chunks(pmean + base, pm2 ? pm2 + base : nullptr, M, C, chunks, chunkRows, c, sn, sm, s2);
  if (ty != 0 || c >= C) return;
  outMean[(i64)blockIdx.y * C + c] = sm[0][tx];
  if (outM2) outM2[(i64)blockIdx.y * C + c] = s2[0][tx];
}

// sq_partial writes each chunk's per-channel mean of (x * s)^2, s the
// per-(row, group) scale s[r*G + c/cg] (null: 1). grid = (ceil(C/32),
// chunks), block (32, 8).
extern "C" __global__ void __launch_bounds__(256) sq_partial(const float* __restrict__ x, const float* __restrict__ s, int G, int cg,
                                                             int M, int C, int chunkRows, float* __restrict__ pmean) {
  __shared__ float red[8][33];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int c = blockIdx.x * 32 + tx;
  const int r0 = blockIdx.y * chunkRows, r1 = min(M, r0 + chunkRows);
  const int g = c < C ? c / cg : 0;
  float q = 0.f;
  if (c < C)
    for (int r = r0 + ty; r < r1; r += 8) {
      const float t = s ? x[(i64)r * C + c] * s[(i64)r * G + g] : x[(i64)r * C + c];
      q += t * t;
    }
  red[ty][tx] = q;
  __syncthreads();
  if (ty == 0 && c < C) {
    float t = red[0][tx];
#pragma unroll
    for (int k = 1; k < 8; k++) t += red[k][tx];
    pmean[(i64)blockIdx.y * C + c] = t / (float)(r1 - r0);
  }
}

// copy_f32: dst = src over n values (state passed through unchanged).
extern "C" __global__ void copy_f32(const float* __restrict__ src, float* __restrict__ dst, i64 n) {
  for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) dst[i] = src[i];
}

// ---- PRepBN training ----

// prepbn_out: one block per row; the row's LayerNorm statistics (two
// passes), then y = lam*(LN(x)*lg + lb) + (1-lam)*((x-mu)*a + bb + alpha*x),
// mu and a from BatchNorm's batch statistics.
extern "C" __global__ void __launch_bounds__(1024) prepbn_out(const float* __restrict__ x, float* __restrict__ y, int C, float lnEps,
                                                              float lam, float alpha, const float* __restrict__ lg,
                                                              const float* __restrict__ lb, const float* __restrict__ mu,
                                                              const float* __restrict__ a, const float* __restrict__ bb) {
  __shared__ float sh[32];
  const float* xr = x + (i64)blockIdx.x * C;
  float* yr = y + (i64)blockIdx.x * C;
  float s = 0.f;
  for (int i = threadIdx.x; i < C; i += blockDim.x) s += xr[i];
  const float rmu = block_sum(s, sh) / (float)C;
  float d2 = 0.f;
  for (int i = threadIdx.x; i < C; i += blockDim.x) {
    const float d = xr[i] - rmu;
    d2 += d * d;
  }
  const float rstd = 1.f / sqrtf(block_sum(d2, sh) / (float)C + lnEps);
  const float om = 1.f - lam, alphaS = om * alpha;
  for (int i = threadIdx.x; i < C; i += blockDim.x) {
    const float v = xr[i];
    yr[i] = (v - rmu) * rstd * (lam * lg[i]) + (v - mu[i]) * (om * a[i]) + v * alphaS + (lam * lb[i] + om * bb[i]);
  }
}

// ---- PowerNorm training ----

// group_scale: s[i] = rsqrt(mean(x_i^2) + 1e-5) for each group i of cg
// consecutive values (GroupScaling1D). One block per group.
extern "C" __global__ void __launch_bounds__(1024) group_scale(const float* __restrict__ x, int cg, float eps, float* __restrict__ s) {
  __shared__ float sh[32];
  const float* xr = x + (i64)blockIdx.x * cg;
  float q = 0.f;
  for (int i = threadIdx.x; i < cg; i += blockDim.x) q += xr[i] * xr[i];
  q = block_sum(q, sh);
  if (threadIdx.x == 0) s[blockIdx.x] = 1.f / sqrtf(q / (float)cg + eps);
}

// pn_final: per channel, k = w*rsqrt(norm + eps) (norm = the batch quadratic
// mean v up to warmup, else the old phi) and the new phi.
extern "C" __global__ void pn_final(const float* __restrict__ v, const float* __restrict__ w, const float* __restrict__ phi, int C,
                                    float eps, float afwd, int iter, int warm, float* __restrict__ k, float* __restrict__ newPhi) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  const float vj = v[c], it = (float)iter;
  const float norm = iter <= warm ? vj : phi[c];
  k[c] = w[c] * (1.f / sqrtf(norm + eps));
  float p = phi[c];
  if (iter < warm) p = p * (it - 1.f) / it + vj / it;
  newPhi[c] = afwd * p + (1.f - afwd) * vj;
}

// pn_out: y = x * s[r, group] * k + b over M*C values.
extern "C" __global__ void pn_out(const float* __restrict__ x, float* __restrict__ y, const float* __restrict__ s,
                                  const float* __restrict__ k, const float* __restrict__ b, int C, int cg, i64 n) {
  const int G = C / cg;
  for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
    const i64 r = i / C;
    const int c = (int)(i - r * C);
    y[i] = x[i] * s[r * G + c / cg] * k[c] + b[c];
  }
}

// ---- Unified Norm training ----

// un_final (one block): new_buf = buf with slot it%W set to the batch
// quadratic mean x2 (or, when the outlier filtration triggers, the running
// var), the variance (x2 or the window's geometric mean), k = w*rsqrt(var +
// eps) and the new running var. M = 0 copies the state.
extern "C" __global__ void __launch_bounds__(1024) un_final(const float* __restrict__ x2, const float* __restrict__ w,
                                                            const float* __restrict__ buf, const float* __restrict__ rv, int M, int C,
                                                            int W, int warm, int iter, int filter, float eps, float mom,
                                                            float* __restrict__ k, float* __restrict__ newBuf,
                                                            float* __restrict__ newRV) {
  __shared__ float sh[32];
  __shared__ int shi[32];
  const int slot = iter % W;
  const i64 n = (i64)W * C;
  for (i64 i = threadIdx.x; i < n; i += blockDim.x) newBuf[i] = (M > 0 && i / C == slot) ? x2[i % C] : buf[i];
  if (M == 0) {
    for (int c = threadIdx.x; c < C; c += blockDim.x) newRV[c] = rv[c];
    return;
  }
  // Each thread owns channels c, c+blockDim..; only the filtration's
  // threshold needs the whole buffer.
  int trig = 0;
  if (filter && iter >= warm) {
    float s = 0.f;
    for (i64 i = threadIdx.x; i < n; i += blockDim.x) s += sqrtf(buf[i]);
    const float mean = block_sum(s, sh) / (float)n;
    float q = 0.f;
    for (i64 i = threadIdx.x; i < n; i += blockDim.x) {
      const float d = sqrtf(buf[i]) - mean;
      q += d * d;
    }
    const float thr = block_sum(q, sh) / (float)(n - 1) * (float)W;
    int t = 0;
    for (int c = threadIdx.x; c < C; c += blockDim.x) {
      float l = 0.f, am = 0.f;
      for (int j = 0; j < W; j++) {
        const float b = j == slot ? x2[c] : buf[(i64)j * C + c];
        l += (float)log((double)b);
        am += b;
      }
      const float g = (float)exp((double)(l / (float)W));
      if (am / (float)W - g > thr) t = 1;
    }
    trig = block_sum(t, shi) > 0;
  }
  const bool geo = !(iter <= W || iter < warm || trig || W <= 1);
  for (int c = threadIdx.x; c < C; c += blockDim.x) {
    float v = x2[c];
    if (trig) newBuf[(i64)slot * C + c] = rv[c];
    if (geo) {
      float l = 0.f;
      for (int j = 0; j < W; j++) l += (float)log((double)(j == slot ? x2[c] : buf[(i64)j * C + c]));
      v = (float)exp((double)(l / (float)W));
    }
    k[c] = w[c] * (1.f / sqrtf(v + eps));
    newRV[c] = mom * rv[c] + (1.f - mom) * v;
  }
}

// ---- EvoNorm ----

// evo_b0_final: per channel the batch std sb = sqrt(var + eps) (training:
// the batch variance m2/count, with the new running var; inference: rv).
extern "C" __global__ void evo_b0_final(const float* __restrict__ m2, const float* __restrict__ rv, int C, float count, float eps,
                                        float decay, int training, float* __restrict__ sb, float* __restrict__ newRV) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  if (!training) {
    sb[c] = sqrtf(rv[c] + eps);
    return;
  }
  const float v = m2[c] / count;
  newRV[c] = rv[c] - (rv[c] - v) * (1.f - decay);
  sb[c] = sqrtf(v + eps);
}

// evo_b0_out: y = x / max(sb, v*x + sw) * g + b with the instance std sw =
// sqrt(m2_inst/HW + eps) of the row's image (max propagates NaN).
extern "C" __global__ void evo_b0_out(const float* __restrict__ x, float* __restrict__ y, const float* __restrict__ sb,
                                      const float* __restrict__ im2, const float* __restrict__ v, const float* __restrict__ g,
                                      const float* __restrict__ b, int HW, int C, float eps, i64 n) {
  const float inv = 1.f / (float)HW;
  for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
    const i64 r = i / C;
    const int c = (int)(i - r * C);
    const float sw = sqrtf(im2[(r / HW) * C + c] * inv + eps);
    const float xv = x[i];
    y[i] = xv / nan_max(sb[c], v[c] * xv + sw) * g[c] + b[c];
  }
}

// evo_s0_group: per (image, group) thread, the group's variance from its
// channels' instance statistics (equal counts HW), then k = g*rsqrt(var +
// eps) for the group's channels.
extern "C" __global__ void evo_s0_group(const float* __restrict__ mean, const float* __restrict__ m2, const float* __restrict__ g,
                                        int N, int C, int cg, int HW, float eps, float* __restrict__ k) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  const int G = C / cg;
  if (t >= N * G) return;
  const i64 off = (i64)(t / G) * C + (i64)(t % G) * cg;
  const int c0 = (t % G) * cg;
  float s = 0.f;
  for (int j = 0; j < cg; j++) s += mean[off + j];
  const float gm = s / (float)cg, hw = (float)HW;
  float q = 0.f;
  for (int j = 0; j < cg; j++) {
    const float d = mean[off + j] - gm;
    q += m2[off + j] + hw * d * d;
  }
  const float rs = 1.f / sqrtf(q / (hw * (float)cg) + eps);
  for (int j = 0; j < cg; j++) k[off + j] = g[c0 + j] * rs;
}

__device__ __forceinline__ float sigmoidf_(float t) {
  const float e = expf(-fabsf(t));
  return (t < 0.f ? e : 1.f) / (1.f + e);
}

// evo_s0_out: y = x * sigmoid(v*x) * k[image, c] + b.
extern "C" __global__ void evo_s0_out(const float* __restrict__ x, float* __restrict__ y, const float* __restrict__ k,
                                      const float* __restrict__ v, const float* __restrict__ b, int HW, int C, i64 n) {
  for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
    const i64 r = i / C;
    const int c = (int)(i - r * C);
    const float xv = x[i];
    y[i] = xv * sigmoidf_(v[c] * xv) * k[(r / HW) * C + c] + b[c];
  }
}

// affine_param: y = x*g + b with per-channel tensors (EvoNorm without the
// nonlinearity).
extern "C" __global__ void affine_param(const float* __restrict__ x, float* __restrict__ y, const float* __restrict__ g,
                                        const float* __restrict__ b, int C, i64 n) {
  for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
    const int c = (int)(i % C);
    y[i] = x[i] * g[c] + b[c];
  }
}
