// Loss kernels of nbench (KERNELS.md section 5). Per-element terms and
// per-sample sums accumulate in float64; each block (or warp, for short
// samples) writes one partial, and loss_final sums the partials in a fixed
// order in one block: no atomics, the same bits on every run.
#include "common.cuh"

#define LOSS_MSE 0
#define LOSS_HUBER 1
#define LOSS_PSEUDO_HUBER 2
#define LOSS_CAUCHY 3
#define LOSS_MSE_MASKED 4

// loss_flat: partial[block] = sum of the elementwise term over a
// grid-stride share of the n elements (mse, huber).
extern "C" __global__ void __launch_bounds__(256) loss_flat(const float* __restrict__ p, const float* __restrict__ t, i64 n,
                                                            int kind, float delta, double* __restrict__ partial) {
  __shared__ double sh[32];
  const double dl = delta;
  double acc = 0.0;
  for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
    const double d = (double)p[i] - (double)t[i];
    if (kind == LOSS_HUBER) {
      const double r = fabs(d);
      acc += r < dl ? 0.5 * r * r : dl * (r - 0.5 * dl);
    } else {
      acc += d * d;
    }
  }
  acc = block_sum(acc, sh);
  if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

// sample_loss turns a sample's sum of squares s into its loss term.
__device__ __forceinline__ double sample_loss(int kind, double s, double c, int D, double w) {
  switch (kind) {
    case LOSS_PSEUDO_HUBER:
      return isinf(s) ? s : s / (sqrt(s + c * c) + c);
    case LOSS_CAUCHY:
      return log1p(s / (2.0 * c * c));
    default:  // LOSS_MSE_MASKED
      return w * s / (double)D;
  }
}

// loss_rows: l[i] = the loss term of sample i (pseudo_huber, cauchy,
// mse_masked). TPS threads per sample: 32 (a warp, 8 samples per block of
// 256) or 256 (the block). A masked-out sample is not read at all.
template <int TPS>
__device__ __forceinline__ void loss_rows(const float* __restrict__ p, const float* __restrict__ t, int N, int D, int kind,
                                          float c, const unsigned char* __restrict__ mask, const float* __restrict__ w,
                                          double* __restrict__ l) {
  __shared__ double sh[32];
  const int per = 256 / TPS;
  const int sample = blockIdx.x * per + threadIdx.x / TPS;
  const int lane = threadIdx.x % TPS;
  const bool live = sample < N && !(kind == LOSS_MSE_MASKED && mask[sample] == 0);
  double acc = 0.0;
  if (live) {
    const float* ps = p + (i64)sample * D;
    const float* ts = t + (i64)sample * D;
    for (int k = lane; k < D; k += TPS) {
      const double d = (double)ps[k] - (double)ts[k];
      acc += d * d;
    }
  }
  acc = TPS == 32 ? warp_sum(acc) : block_sum(acc, sh);
  if (lane == 0 && sample < N) {
    double v = 0.0;
    if (live) v = sample_loss(kind, acc, (double)c, D, w ? (double)w[sample] : 1.0);
    l[sample] = v;
  }
}

extern "C" __global__ void __launch_bounds__(256) loss_rows_w(const float* p, const float* t, int N, int D, int kind, float c,
                                                              const unsigned char* mask, const float* w, double* l) {
  loss_rows<32>(p, t, N, D, kind, c, mask, w, l);
}

extern "C" __global__ void __launch_bounds__(256) loss_rows_b(const float* p, const float* t, int N, int D, int kind, float c,
                                                              const unsigned char* mask, const float* w, double* l) {
  loss_rows<256>(p, t, N, D, kind, c, mask, w, l);
}

// ce_rows: l[i] = logsumexp(z_i) - z_i[t_i] and cnt[i] = 1 for a valid
// row; 0, 0 for an ignored one (never read); NaN, 1 for a target out of
// range (no read outside the row). The log-sum-exp is online per thread
// (running max m and sum s of exp(z - m)), merged across threads; the
// loss is (m - z_t) + log(s) in float64, which keeps its digits when the
// logits are large (z ~ 1e4). A +Inf logit gives NaN.
template <int TPS>
__device__ __forceinline__ void ce_rows(const float* __restrict__ z, const int* __restrict__ tg, int N, int V, int ignore,
                                        double* __restrict__ l, double* __restrict__ cnt) {
  __shared__ float shm[8], shs[8];
  const int per = 256 / TPS;
  const int row = blockIdx.x * per + threadIdx.x / TPS;
  const int lane = threadIdx.x % TPS;
  const int ti = row < N ? tg[row] : ignore;
  const bool valid = row < N && ti != ignore && ti >= 0 && ti < V;
  float m = -INFINITY, s = 0.f;
  if (valid) {
    const float* zr = z + (i64)row * V;
    for (int k = lane; k < V; k += TPS) {
      const float x = zr[k];
      if (x > m) {
        s = s * __expf(m - x) + 1.f;
        m = x;
      } else if (x == x && m != -INFINITY) {
        s += __expf(x - m);
      } else if (x != x) {
        s = x;  // NaN
      }
    }
  }
  // Merge (m, s) pairs: a butterfly in the warp, then (TPS = 256) the 8 warps in order.
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const float m2 = __shfl_xor_sync(FULL_MASK, m, o), s2 = __shfl_xor_sync(FULL_MASK, s, o);
    const float mm = fmaxf(m, m2);
    s = mm == -INFINITY ? s + s2 : s * __expf(m - mm) + s2 * __expf(m2 - mm);
    m = mm;
  }
  if (TPS == 256) {
    const int w = threadIdx.x >> 5;
    if ((threadIdx.x & 31) == 0) shm[w] = m, shs[w] = s;
    __syncthreads();
    m = shm[0], s = shs[0];
    for (int k = 1; k < 8; k++) {
      const float m2 = shm[k], s2 = shs[k], mm = fmaxf(m, m2);
      s = mm == -INFINITY ? s + s2 : s * __expf(m - mm) + s2 * __expf(m2 - mm);
      m = mm;
    }
  }
  if (lane == 0 && row < N) {
    double v = 0.0, c = 0.0;
    if (ti != ignore) {
      c = 1.0;
      if (!valid) {
        v = __longlong_as_double(0x7ff8000000000000ll);
      } else if (m == INFINITY) {
        v = __longlong_as_double(0x7ff8000000000000ll);
      } else {
        v = ((double)m - (double)z[(i64)row * V + ti]) + log((double)s);
      }
    }
    l[row] = v;
    cnt[row] = c;
  }
}

extern "C" __global__ void __launch_bounds__(256) ce_rows_w(const float* z, const int* tg, int N, int V, int ignore, double* l,
                                                            double* cnt) {
  ce_rows<32>(z, tg, N, V, ignore, l, cnt);
}

extern "C" __global__ void __launch_bounds__(256) ce_rows_b(const float* z, const int* tg, int N, int V, int ignore, double* l,
                                                            double* cnt) {
  ce_rows<256>(z, tg, N, V, ignore, l, cnt);
}

// loss_final (one block of 256): out = sum(part) / sum(cnt) when cnt is
// given, else sum(part) / denom. Thread k sums entries k, k+256, ... in
// order, then the block sums in a fixed tree. No partials (N = 0) gives
// 0/0 = NaN, the mean of nothing.
extern "C" __global__ void __launch_bounds__(256) loss_final(const double* __restrict__ part, int n, const double* __restrict__ cnt,
                                                             double denom, float* __restrict__ out) {
  __shared__ double sh[32];
  double s = 0.0, c = 0.0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    s += part[i];
    if (cnt) c += cnt[i];
  }
  s = block_sum(s, sh);
  if (cnt) denom = block_sum(c, sh);
  if (threadIdx.x == 0) out[0] = (float)(s / denom);
}
