// Norm kernels of nbench (KERNELS.md section 1): the row norms (one block
// per row, the row kept in registers for an exact two-pass reduction when it
// fits, else a three-pass loop over global memory), SELU, the per-channel
// affine inference norms (a fold kernel then one elementwise pass) and
// BatchNorm training (chunked two-pass statistics, a fixed-order Chan merge,
// then the elementwise pass). Every launch is deterministic.
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
// from cache). grid = (ceil(C/32), chunks).
extern "C" __global__ void __launch_bounds__(256) bn_partial(const float* __restrict__ x, int M, int C, int chunkRows,
                                                             float* __restrict__ pmean, float* __restrict__ pm2) {
  __shared__ float red[8][33];
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

// bn_final merges the chunks of each channel in a fixed order (lane ty
// takes chunks ty, ty+8, ..., then a fixed tree over the 8 lanes) and
// writes mu, a = gamma/sqrt(var + eps) and the new running state. M = 0
// copies the state. grid = ceil(C/32), block (32, 8).
extern "C" __global__ void __launch_bounds__(256) bn_final(const float* __restrict__ pmean, const float* __restrict__ pm2, int M,
                                                           int C, int chunks, int chunkRows, const float* __restrict__ gamma,
                                                           const float* __restrict__ rm, const float* __restrict__ rv, float eps,
                                                           float mom, float* __restrict__ mu, float* __restrict__ a,
                                                           float* __restrict__ newMean, float* __restrict__ newVar) {
  __shared__ float sn[8][33], sm[8][33], s2[8][33];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int c = blockIdx.x * 32 + tx;
  float n = 0.f, m = 0.f, m2 = 0.f;
  if (c < C)
    for (int k = ty; k < chunks; k += 8) {
      const float nk = (float)(min(M, (k + 1) * chunkRows) - k * chunkRows);
      chan_merge(n, m, m2, nk, pmean[(i64)k * C + c], pm2[(i64)k * C + c]);
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
