// NMS kernels of nbench (KERNELS.md 4.1, 4.2).
//
// Hard NMS runs entirely on the device in three launches: nms_rank sorts
// the candidates by (score descending, index ascending) with a counting
// rank (each key counts the keys below it: O(N^2) compares, like the IoU
// matrix itself); nms_mask computes the IoU bitmask of every pair in sorted
// order, N x ceil(N/64) words (upper triangle only), one 64-bit word per
// thread; nms_sweep is the sequential greedy pass in one block, 64 boxes
// at a time: thread 0 resolves a block of 64 from its diagonal words
// (staged in shared memory), then the block ORs the rows of the boxes it
// kept into the removed bitmap. For long lists nms_sweep_grid spreads that
// OR work over blocks of a cooperative launch (a grid barrier per chunk).
//
// Soft-NMS is sequential in its rounds: soft_nms runs them all in one
// cooperative launch whose blocks each own a slice of the candidates
// (argmax by block reduction and a grid barrier, then the decay of all
// candidates in parallel), in float64 like the reference.
#include "common.cuh"

extern __shared__ u64 dyn_words[];

// score_key orders candidates by score descending, then index ascending
// (-0 folded into +0); a non-candidate gets a key above every candidate's.
__device__ __forceinline__ u64 score_key(float s, int i, bool cand) {
  if (!cand) return 0xffffffff00000000ull | (unsigned)i;
  if (s == 0.f) s = 0.f;
  unsigned u = __float_as_uint(s);
  u = (u >> 31) ? ~u : (u | 0x80000000u);
  return ((u64)(~u) << 32) | (unsigned)i;
}

// nms_rank: order[rank] = i and sboxes[rank] = box i, where rank counts the
// keys below key i (a permutation: keys are distinct). Candidates are
// boxes with score >= thr (false for NaN). grid ceil(n/256), block 256.
extern "C" __global__ void __launch_bounds__(256) nms_rank(const float* __restrict__ scores, const float4* __restrict__ boxes,
                                                           int n, float thr, int* __restrict__ order, float4* __restrict__ sboxes,
                                                           int* __restrict__ ncand) {
  __shared__ u64 tile[256];
  __shared__ int sh[33];
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  const bool cand = i < n && scores[i] >= thr;
  const u64 key = i < n ? score_key(scores[i], i, cand) : ~0ull;
  int rank = 0;
  for (int t0 = 0; t0 < n; t0 += 256) {
    const int j = t0 + threadIdx.x;
    __syncthreads();
    tile[threadIdx.x] = j < n ? score_key(scores[j], j, scores[j] >= thr) : ~0ull;
    __syncthreads();
    const int jn = min(256, n - t0);
    for (int jj = 0; jj < jn; jj++) rank += tile[jj] < key;
  }
  if (i < n) {
    order[rank] = i;
    sboxes[rank] = boxes[i];
  }
  // Block 0 also counts the candidates for the sweep.
  if (blockIdx.x == 0) {
    int c = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) c += scores[j] >= thr;
    int total;
    block_scan(c, sh, &total);
    if (threadIdx.x == 0) *ncand = total;
  }
}

// iou_over reports whether boxes a and b overlap enough: IoU > t (>= t
// with geq), IoU = inter/union and 0 when union <= 0; a NaN coordinate
// gives a NaN IoU, which never suppresses.
__device__ __forceinline__ bool iou_over(float4 a, float4 b, float t, float one, int geq) {
  if (isnan(a.x) || isnan(a.y) || isnan(a.z) || isnan(a.w) || isnan(b.x) || isnan(b.y) || isnan(b.z) || isnan(b.w))
    return false;
  const float aa = fmaxf(0.f, a.z - a.x + one) * fmaxf(0.f, a.w - a.y + one);
  const float ab = fmaxf(0.f, b.z - b.x + one) * fmaxf(0.f, b.w - b.y + one);
  const float iw = fmaxf(0.f, fminf(a.z, b.z) - fmaxf(a.x, b.x) + one);
  const float ih = fmaxf(0.f, fminf(a.w, b.w) - fmaxf(a.y, b.y) + one);
  const float inter = iw * ih, uni = aa + ab - inter;
  const float iou = uni <= 0.f ? 0.f : inter / uni;
  return geq ? iou >= t : iou > t;
}

// nms_mask: word (i, cb) has bit jj set when sorted box i suppresses
// sorted box j = 64*cb + jj > i. grid (cols, cols), block 64; blocks below
// the diagonal exit.
extern "C" __global__ void __launch_bounds__(64) nms_mask(const float4* __restrict__ sb, int n, float t, float one, int geq,
                                                          u64* __restrict__ mask, int cols) {
  const int rb = blockIdx.y, cb = blockIdx.x;
  if (rb > cb) return;
  __shared__ float4 cbox[64];
  const int j = cb * 64 + threadIdx.x;
  if (j < n) cbox[threadIdx.x] = sb[j];
  __syncthreads();
  const int i = rb * 64 + threadIdx.x;
  if (i >= n) return;
  const float4 a = sb[i];
  const int jn = min(64, n - cb * 64);
  u64 word = 0;
  for (int jj = rb == cb ? threadIdx.x + 1 : 0; jj < jn; jj++)
    if (iou_over(a, cbox[jj], t, one, geq)) word |= 1ull << jj;
  mask[(i64)i * cols + cb] = word;
}

// resolve_chunk is the sequential step of the greedy sweep over the cnt
// boxes of a chunk of 64 starting at sorted position base: word holds the
// chunk's boxes removed by earlier chunks, diag[b] the boxes of the chunk
// that box b suppresses. Writes the kept positions to kidx; returns their
// number.
__device__ __forceinline__ int resolve_chunk(u64 word, const u64* diag, int base, int cnt, int* kidx) {
  int k = 0;
  for (int b = 0; b < cnt; b++)
    if (!((word >> b) & 1ull)) {
      kidx[k++] = base + b;
      word |= diag[b];
    }
  return k;
}

// greedy_sweep: the greedy pass over the m candidates in sorted order, by
// one block (removed: the block's cols words of shared memory), 64 boxes
// at a time: thread 0 resolves a chunk from its diagonal words, then the
// block ORs the mask rows of the boxes it kept into removed. emit(t, p, r)
// is called for the t-th box kept in the chunk, sorted position p, with
// r = the number kept before it; emit.words(p) bounds the mask words of
// row p that can hold bits (the others are not read). Returns the number
// kept.
template <class Emit>
__device__ __forceinline__ int greedy_sweep(const u64* __restrict__ mask, int m, int cols, u64* removed, Emit emit) {
  __shared__ u64 diag[64];
  __shared__ int kidx[64], klim[64];
  __shared__ int nk, start, total;
  for (int w = threadIdx.x; w < cols; w += blockDim.x) removed[w] = 0;
  if (threadIdx.x == 0) total = 0;
  __syncthreads();
  for (int c = 0; c * 64 < m; c++) {
    const int base = c * 64, cnt = min(64, m - base);
    if (threadIdx.x < cnt) diag[threadIdx.x] = mask[(i64)(base + threadIdx.x) * cols + c];
    __syncthreads();
    if (threadIdx.x == 0) {
      nk = resolve_chunk(removed[c], diag, base, cnt, kidx);
      start = total;
      total += nk;
    }
    __syncthreads();
    const int kept = nk;
    if (threadIdx.x < kept) {
      emit(threadIdx.x, kidx[threadIdx.x], start + threadIdx.x);
      klim[threadIdx.x] = emit.words(kidx[threadIdx.x]);
    }
    __syncthreads();
    for (int w = c + 1 + threadIdx.x; w < cols; w += blockDim.x) {
      u64 r = removed[w];
#pragma unroll 4
      for (int q = 0; q < kept; q++)
        if (w < klim[q]) r |= mask[(i64)kidx[q] * cols + w];
      removed[w] = r;
    }
    __syncthreads();
  }
  return total;
}

struct EmitKeep {  // nms: keep[r] = original index of sorted position p
  const int* order;
  int* keep;
  int cols;
  __device__ __forceinline__ void operator()(int, int p, int r) const { keep[r] = order[p]; }
  __device__ __forceinline__ int words(int) const { return cols; }
};

// nms_sweep: the greedy pass over the m = *ncand candidates (one block of
// 256; dynamic shared memory 8*cols bytes for the removed bitmap). Writes
// keep[0:count] (original indices) and count.
extern "C" __global__ void __launch_bounds__(256) nms_sweep(const u64* __restrict__ mask, const int* __restrict__ order,
                                                            const int* __restrict__ ncand, int cols, int* __restrict__ keep,
                                                            int* __restrict__ count) {
  const int total = greedy_sweep(mask, *ncand, cols, dyn_words, EmitKeep{order, keep, cols});
  if (threadIdx.x == 0) *count = total;
}

// nms_sweep_grid: the greedy pass as a cooperative launch of G blocks of
// 256, for long candidate lists: the removed bitmap lives in global memory
// (zeroed before the launch), block b owns its words [b*P, (b+1)*P) with
// P = ceil(cols/G). Per chunk of 64, every block resolves the chunk the same
// way from removed[c] and the diagonal words (block 0 writes the kept
// indices), each block ORs the kept boxes' mask rows into its own words,
// and a grid barrier publishes them for the next chunk. Shared memory is
// dynamic (SweepShared), as a cooperative kernel's must be.
struct SweepShared {
  u64 diag[64];
  int kidx[64];
  int nk;
};

extern "C" __global__ void __launch_bounds__(256) nms_sweep_grid(const u64* __restrict__ mask, const int* __restrict__ order,
                                                                 const int* __restrict__ ncand, int cols, u64* __restrict__ removed,
                                                                 unsigned* __restrict__ bar, int* __restrict__ keep,
                                                                 int* __restrict__ count) {
  SweepShared& sm = *reinterpret_cast<SweepShared*>(dyn_words);
  const int m = *ncand, G = gridDim.x, per = (cols + G - 1) / G;
  const int w0 = blockIdx.x * per, w1 = min(cols, w0 + per);
  int total = 0;
  for (int c = 0; c * 64 < m; c++) {
    const int base = c * 64, cnt = min(64, m - base);
    if (threadIdx.x < cnt) sm.diag[threadIdx.x] = mask[(i64)(base + threadIdx.x) * cols + c];
    __syncthreads();
    if (threadIdx.x == 0) sm.nk = resolve_chunk(__ldcg(removed + c), sm.diag, base, cnt, sm.kidx);
    __syncthreads();
    const int kept = sm.nk;
    if (blockIdx.x == 0 && threadIdx.x < kept) keep[total + threadIdx.x] = order[sm.kidx[threadIdx.x]];
    total += kept;
    for (int w = max(w0, c + 1) + threadIdx.x; w < w1; w += blockDim.x) {
      u64 r = removed[w];
      for (int q = 0; q < kept; q++) r |= mask[(i64)sm.kidx[q] * cols + w];
      removed[w] = r;
    }
    grid_sync(bar, (unsigned)(c + 1) * G);
  }
  if (blockIdx.x == 0 && threadIdx.x == 0) *count = total;
}

// ---- batched_nms (KERNELS.md 4.3): NMS per label within each image ----
//
// Per image (grid y or z = image): bnms_rank sorts the candidates (index <
// count, score not NaN) twice by counting ranks: by (label, score desc,
// index) for the sweep, in which each label is a contiguous run, and by
// (score desc, index) for the output. bnms_gend finds each position's
// label-group end; bnms_mask computes the IoU bitmask in label order with
// bits only between boxes of the same label (so one sweep is NMS per label),
// and only the words that reach into a row's group; bnms_sweep flags the
// kept boxes by their score rank, ORing only those words; bnms_emit writes
// them in score order.

// label_key orders labels as signed integers; a non-candidate sorts last.
__device__ __forceinline__ unsigned label_key(int label, bool cand) { return cand ? (unsigned)label ^ 0x80000000u : 0xffffffffu; }

// bnms_rank: per image b (grid (ceil(N/256), B), block 256), with c =
// min(max(counts[b], 0), N): lorder/lbox/llab[lrank] = index, box, label;
// lsrank[lrank] = the box's score rank; sorder[srank] = index; ncand[b].
extern "C" __global__ void __launch_bounds__(256) bnms_rank(const int* __restrict__ counts, const float* __restrict__ scores,
                                                            const float4* __restrict__ boxes, const int* __restrict__ labels, int N,
                                                            float4* __restrict__ lbox, int* __restrict__ llab,
                                                            int* __restrict__ lsrank, int* __restrict__ sorder,
                                                            int* __restrict__ ncand) {
  __shared__ u64 tk[256];
  __shared__ unsigned tl[256];
  __shared__ int sh[33];
  const int img = blockIdx.y;
  const i64 off = (i64)img * N;
  const int cnt = min(max(counts[img], 0), N);
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  const bool cand = i < cnt && !isnan(scores[off + i]);
  const u64 key = i < N ? score_key(cand ? scores[off + i] : 0.f, i, cand) : ~0ull;
  const unsigned lab = label_key(cand ? labels[off + i] : 0, cand);
  int lrank = 0, srank = 0;
  for (int t0 = 0; t0 < N; t0 += 256) {
    const int j = t0 + threadIdx.x;
    __syncthreads();
    const bool cj = j < cnt && !isnan(scores[off + j]);
    tk[threadIdx.x] = j < N ? score_key(cj ? scores[off + j] : 0.f, j, cj) : ~0ull;
    tl[threadIdx.x] = label_key(cj ? labels[off + j] : 0, cj);
    __syncthreads();
    const int jn = min(256, N - t0);
    for (int jj = 0; jj < jn; jj++) {
      const bool below = tk[jj] < key;
      srank += below;
      lrank += tl[jj] < lab || (tl[jj] == lab && below);
    }
  }
  if (i < N) {
    lbox[off + lrank] = boxes[off + i];
    llab[off + lrank] = cand ? labels[off + i] : 0;
    lsrank[off + lrank] = srank;
    sorder[off + srank] = i;
  }
  if (blockIdx.x == 0) {
    int c = 0;
    for (int j = threadIdx.x; j < cnt; j += blockDim.x) c += !isnan(scores[off + j]);
    int total;
    block_scan(c, sh, &total);
    if (threadIdx.x == 0) ncand[img] = total;
  }
}

// bnms_gend: gend[p] = the end (exclusive) of the label group of sorted
// position p < m, by binary search over the label-sorted labels. grid
// (ceil(N/256), B), block 256.
extern "C" __global__ void __launch_bounds__(256) bnms_gend(const int* __restrict__ llab, const int* __restrict__ ncand, int N,
                                                            int* __restrict__ gend) {
  const int img = blockIdx.y, p = blockIdx.x * blockDim.x + threadIdx.x, m = ncand[img];
  if (p >= m) return;
  const i64 off = (i64)img * N;
  const int lab = llab[off + p];
  int lo = p + 1, hi = m;  // first position in [p+1, m) with a larger label
  while (lo < hi) {
    const int mid = (lo + hi) >> 1;
    if (llab[off + mid] > lab)
      hi = mid;
    else
      lo = mid + 1;
  }
  gend[off + p] = lo;
}

// bnms_mask: nms_mask within image z, bits only between equal labels, for
// rows below the image's m candidates. A row's words at or past its label
// group's end are never read (EmitFlag.words), so a block whose rows' groups
// all end before its columns (gend is nondecreasing) writes nothing.
extern "C" __global__ void __launch_bounds__(64) bnms_mask(const float4* __restrict__ lbox, const int* __restrict__ llab,
                                                           const int* __restrict__ gend, const int* __restrict__ ncand, int N,
                                                           float t, u64* __restrict__ mask, int cols) {
  const int rb = blockIdx.y, cb = blockIdx.x, img = blockIdx.z;
  const int m = ncand[img];
  const i64 off = (i64)img * N;
  if (rb > cb || rb * 64 >= m || cb * 64 >= gend[off + min(rb * 64 + 63, m - 1)]) return;
  __shared__ float4 cbox[64];
  __shared__ int clab[64];
  const int j = cb * 64 + threadIdx.x;
  if (j < m) cbox[threadIdx.x] = lbox[off + j], clab[threadIdx.x] = llab[off + j];
  __syncthreads();
  const int i = rb * 64 + threadIdx.x;
  if (i >= m) return;
  const int jn = min(64, m - cb * 64);
  const float4 a = lbox[off + i];
  const int la = llab[off + i];
  u64 word = 0;
  for (int jj = rb == cb ? threadIdx.x + 1 : 0; jj < jn; jj++)
    if (clab[jj] == la && iou_over(a, cbox[jj], t, 0.f, 0)) word |= 1ull << jj;
  mask[(off + i) * cols + cb] = word;
}

struct EmitFlag {  // batched_nms: flag the kept box by its score rank
  const int* lsrank;
  unsigned char* flag;
  const int* gend;  // row p has bits only before its label group's end
  __device__ __forceinline__ void operator()(int, int p, int) const { flag[lsrank[p]] = 1; }
  __device__ __forceinline__ int words(int p) const { return (gend[p] + 63) >> 6; }
};

// bnms_sweep: one block of 256 per image (grid B, dynamic shared memory
// 8*cols bytes): clears the image's N flags, then sets flag[srank] of each
// kept box.
extern "C" __global__ void __launch_bounds__(256) bnms_sweep(const u64* __restrict__ mask, const int* __restrict__ ncand,
                                                             const int* __restrict__ lsrank, const int* __restrict__ gend, int N,
                                                             int cols, unsigned char* __restrict__ flag) {
  const int img = blockIdx.x;
  const i64 off = (i64)img * N;
  for (int p = threadIdx.x; p < N; p += blockDim.x) flag[off + p] = 0;
  __syncthreads();
  greedy_sweep(mask + off * cols, ncand[img], cols, dyn_words, EmitFlag{lsrank + off, flag + off, gend + off});
}

// bnms_emit: one block of 256 per image: keep = the flagged boxes'
// indices in score order, keep_count their number.
extern "C" __global__ void __launch_bounds__(256) bnms_emit(const unsigned char* __restrict__ flag, const int* __restrict__ sorder,
                                                            const int* __restrict__ ncand, int N, int* __restrict__ keep,
                                                            int* __restrict__ keepCount) {
  __shared__ int sh[33];
  const int img = blockIdx.x;
  const i64 off = (i64)img * N;
  const int m = ncand[img];
  int done = 0;
  for (int base = 0; base < m; base += blockDim.x) {
    const int p = base + threadIdx.x;
    const bool k = p < m && flag[off + p];
    int total;
    const int pos = block_scan(k ? 1 : 0, sh, &total);
    if (k) keep[off + done + pos] = sorder[off + p];
    done += total;
  }
  if (threadIdx.x == 0) keepCount[img] = done;
}

// ---- Soft-NMS ----

#define SOFT_T 256

struct Best {
  double s;
  int idx, pos;  // original index, list position (-1: none)
};

// better: higher score, ties to the lower original index.
__device__ __forceinline__ bool better(double s, int idx, const Best& b) {
  return b.pos < 0 || s > b.s || (s == b.s && idx < b.idx);
}

__device__ __forceinline__ Best pick(Best a, Best b) { return better(b.s, b.idx, a) && b.pos >= 0 ? b : a; }

// block_best reduces every thread's Best to the block's (the same in all
// threads): a butterfly in the warp (the score and the packed index and
// position, two shuffles a step), then the warps in order.
__device__ __forceinline__ Best block_best(Best v, Best* sh) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    Best w;
    w.s = __shfl_xor_sync(FULL_MASK, v.s, o);
    const u64 ip = __shfl_xor_sync(FULL_MASK, (u64)(unsigned)v.idx | (u64)(unsigned)v.pos << 32, o);
    w.idx = (int)(unsigned)ip;
    w.pos = (int)(unsigned)(ip >> 32);
    v = pick(v, w);
  }
  __syncthreads();
  if ((threadIdx.x & 31) == 0) sh[threadIdx.x >> 5] = v;
  __syncthreads();
  Best r = sh[0];
  for (int k = 1; k < (int)(blockDim.x >> 5); k++) r = pick(r, sh[k]);
  return r;
}

// soft_iou is the reference's IoU in float64; NaN when a box has a NaN
// coordinate.
__device__ __forceinline__ double soft_iou(float4 a, float4 b, double one) {
  if (isnan(a.x) || isnan(a.y) || isnan(a.z) || isnan(a.w) || isnan(b.x) || isnan(b.y) || isnan(b.z) || isnan(b.w))
    return __longlong_as_double(0x7ff8000000000000ll);
  const double ax1 = a.x, ay1 = a.y, ax2 = a.z, ay2 = a.w, bx1 = b.x, by1 = b.y, bx2 = b.z, by2 = b.w;
  const double aa = fmax(0.0, ax2 - ax1 + one) * fmax(0.0, ay2 - ay1 + one);
  const double ab = fmax(0.0, bx2 - bx1 + one) * fmax(0.0, by2 - by1 + one);
  const double inter = fmax(0.0, fmin(ax2, bx2) - fmax(ax1, bx1) + one) * fmax(0.0, fmin(ay2, by2) - fmax(ay1, by1) + one);
  const double uni = aa + ab - inter;
  return uni <= 0.0 ? 0.0 : inter / uni;
}

// soft_weight is the decay at IoU ov (method 0 hard, 1 linear, 2 gaussian).
__device__ __forceinline__ double soft_weight(double ov, int method, double sigma, double nt) {
  if (isnan(ov)) return 1.0;
  if (method == 2) return exp(-(ov * ov) / sigma);
  if (ov <= nt) return 1.0;
  return method == 1 ? 1.0 - ov : 0.0;
}

// Shared memory of soft_nms, in the dynamic buffer (a cooperative kernel
// keeps no static shared arrays: see emu/driver.cpp).
struct SoftShared {
  Best best[SOFT_T / 32];
  int scan[33];
  int newPos;
  int killed[2];  // candidates killed in the round, by round parity
};

// soft_nms: a cooperative grid of G blocks of SOFT_T threads (G at most
// one per multiprocessor); block b owns the candidates with original index
// in its slice [b*P, (b+1)*P), P = ceil(n/G), kept as a list in index order
// in its part of the two workspace lists (box float4, score double, index
// int; index -1 = dead), compacted when half of it is dead. Each round,
// every block publishes its best live candidate (slots of round parity:
// score, index, position), a grid barrier, and every block reduces the G
// slots in the same order to the same winner; block 0 records it, its
// owner kills it, and every block decays its own candidates by the winner's
// box and finds its next best. float64 like the reference.
extern "C" __global__ void __launch_bounds__(SOFT_T) soft_nms(const float4* __restrict__ boxes, const float* __restrict__ scores,
                                                              int n, int method, double sigma, double nt, double thr, double one,
                                                              float4* __restrict__ bx, double* __restrict__ sc,
                                                              int* __restrict__ ix, double* __restrict__ slotS, int* __restrict__ slotI,
                                                              unsigned* __restrict__ bar, int* __restrict__ keep,
                                                              float* __restrict__ kept, int* __restrict__ count) {
  SoftShared& sm = *reinterpret_cast<SoftShared*>(dyn_words);
  const int G = gridDim.x, per = (n + G - 1) / G, lo = min(n, (int)blockIdx.x * per), hi = min(n, lo + per);
  float4* bxA = bx + lo;
  float4* bxB = bx + n + lo;
  double* scA = sc + lo;
  double* scB = sc + n + lo;
  int* ixA = ix + lo;
  int* ixB = ix + n + lo;
  // Load the slice's candidates (score not NaN) in index order.
  int len = 0;
  for (int base = lo; base < hi; base += blockDim.x) {
    const int i = base + threadIdx.x;
    const bool live = i < hi && !isnan(scores[i]);
    int total;
    const int pos = block_scan(live ? 1 : 0, sm.scan, &total);
    if (live) {
      bxA[len + pos] = boxes[i];
      scA[len + pos] = (double)scores[i];
      ixA[len + pos] = i;
    }
    len += total;
  }
  __syncthreads();
  Best b = {0.0, 0, -1};
  for (int j = threadIdx.x; j < len; j += blockDim.x)
    if (better(scA[j], ixA[j], b)) b = Best{scA[j], ixA[j], j};
  if (threadIdx.x == 0) sm.killed[0] = sm.killed[1] = 0;
  b = block_best(b, sm.best);
  int round = 0, dead = 0;
  for (;;) {
    const int slot = (round & 1) * G;
    if (threadIdx.x == 0) {
      slotS[slot + blockIdx.x] = b.s;
      slotI[2 * (slot + blockIdx.x)] = b.idx;
      slotI[2 * (slot + blockIdx.x) + 1] = b.pos;
    }
    grid_sync(bar, (unsigned)(round + 1) * G);
    Best w = {0.0, 0, -1};
    int owner = -1;
    for (int k = 0; k < G; k++) {
      const Best c = {__ldcg(slotS + slot + k), __ldcg(slotI + 2 * (slot + k)), __ldcg(slotI + 2 * (slot + k) + 1)};
      if (c.pos >= 0 && better(c.s, c.idx, w)) w = c, owner = k;
    }
    if (w.pos < 0) break;
    if (blockIdx.x == 0 && threadIdx.x == 0) {
      keep[round] = w.idx;
      kept[round] = (float)w.s;
    }
    round++;
    const float4 sbox = boxes[w.idx];
    const int sel = owner == (int)blockIdx.x ? w.pos : -1;
    Best nb = {0.0, 0, -1};
    int killed = 0;
    for (int j = threadIdx.x; j < len; j += blockDim.x) {
      int id = ixA[j];
      if (id < 0) continue;
      if (j == sel) {
        ixA[j] = -1;
        killed++;
        continue;
      }
      const double wt = soft_weight(soft_iou(sbox, bxA[j], one), method, sigma, nt);
      // Hard suppression zeroes the score (an infinite one too, whose
      // product with 0 is NaN); a score a decay makes NaN (Inf x 0 at IoU 1)
      // is dropped, as NaN scores are.
      const double s = method == 0 && wt == 0.0 ? 0.0 : scA[j] * wt;
      scA[j] = s;
      if (!(s >= thr)) {
        ixA[j] = -1;
        killed++;
        continue;
      }
      if (better(s, id, nb)) nb = Best{s, id, j};
    }
    // The kill count goes to this round's counter; the other one, last
    // read before this round's grid barrier, is cleared for the next.
    if (killed) atomicAdd(&sm.killed[round & 1], killed);
    if (threadIdx.x == 0) sm.killed[(round + 1) & 1] = 0;
    b = block_best(nb, sm.best);
    dead += sm.killed[round & 1];
    if (2 * dead > len && b.pos >= 0) {
      // Compact the live entries (in order) into the other list.
      int nlen = 0;
      for (int base = 0; base < len; base += blockDim.x) {
        const int j = base + threadIdx.x;
        const bool live = j < len && ixA[j] >= 0;
        int total;
        const int pos = block_scan(live ? 1 : 0, sm.scan, &total);
        if (live) {
          bxB[nlen + pos] = bxA[j];
          scB[nlen + pos] = scA[j];
          ixB[nlen + pos] = ixA[j];
          if (j == b.pos) sm.newPos = nlen + pos;
        }
        nlen += total;
      }
      __syncthreads();
      b.pos = sm.newPos;
      len = nlen;
      dead = 0;
      float4* tb = bxA; bxA = bxB; bxB = tb;
      double* ts = scA; scA = scB; scB = ts;
      int* ti = ixA; ixA = ixB; ixB = ti;
    }
    __syncthreads();
  }
  if (blockIdx.x == 0 && threadIdx.x == 0) *count = round;
}
