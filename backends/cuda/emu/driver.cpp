// A CPU stand-in for libcuda.so.1 (the CUDA driver API subset the cuda
// backend uses through gorgonia.org/cu), running the kernels of
// kernels/*.cu compiled as C++ with emu.h. Device memory is host memory
// with guard pages after (and before) every allocation and filled with
// 0xFF bytes (NaN floats) so that out-of-bounds accesses fault and
// unwritten outputs show. Launch checks the limits a GPU enforces (block
// size, grid y/z, dynamic shared memory above 48 KiB without opt-in).
#include <cuda.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "emu.h"
#include "mma_model.h"

// ---- fibers ----

struct EmuThread {
  ucontext_t ctx;
  emu_dim3 tid;
  int lane, warp;
  bool done;
  char* stack;
};

EmuThread* emu_cur;
emu_dim3 emu_block_idx, emu_block_dim, emu_grid_dim;
void* emu_dyn_smem;

static const size_t kStack = 256 << 10;
static std::vector<EmuThread> threads_;
static ucontext_t sched_;
static int nlive_, bar_arrived_, bar_gen_;
static int w_live_[32], w_arrived_[32], w_gen_[32];
static uint64_t w_slot_[32][32];
static long events_;
static const EmuInvoker* cur_inv_;
static void** cur_params_;
static const char* cur_name_;

const emu_dim3& emu_thread_idx() { return emu_cur->tid; }
int emu_lane() { return emu_cur->lane; }

static void yield() { swapcontext(&emu_cur->ctx, &sched_); }

void __syncthreads() {
  const int g = bar_gen_;
  if (++bar_arrived_ == nlive_) {
    bar_arrived_ = 0;
    bar_gen_++;
    events_++;
    return;
  }
  while (bar_gen_ == g) yield();
}

static void warp_barrier(int w) {
  const int g = w_gen_[w];
  if (++w_arrived_[w] == w_live_[w]) {
    w_arrived_[w] = 0;
    w_gen_[w]++;
    events_++;
    return;
  }
  while (w_gen_[w] == g) yield();
}

void emu_warp_exchange(uint64_t v, uint64_t* all) {
  const int w = emu_cur->warp;
  w_slot_[w][emu_cur->lane] = v;
  warp_barrier(w);
  std::memcpy(all, w_slot_[w], sizeof(w_slot_[w]));
  warp_barrier(w);
}

// The warp's mma.m16n8k32 s8: every lane hands in its fragments, and the
// model (mma_model.h) gives each lane its accumulators.
void emu_mma_s8_16832(int d[4], const unsigned a[4], const unsigned b[2]) {
  uint64_t x[32];
  uint32_t fa[32][4], fb[32][2];
  for (int h = 0; h < 2; h++) {
    emu_warp_exchange((uint64_t)a[2 * h] | (uint64_t)a[2 * h + 1] << 32, x);
    for (int l = 0; l < 32; l++) fa[l][2 * h] = (uint32_t)x[l], fa[l][2 * h + 1] = (uint32_t)(x[l] >> 32);
  }
  emu_warp_exchange((uint64_t)b[0] | (uint64_t)b[1] << 32, x);
  for (int l = 0; l < 32; l++) fb[l][0] = (uint32_t)x[l], fb[l][1] = (uint32_t)(x[l] >> 32);
  const int32_t c[4] = {d[0], d[1], d[2], d[3]};
  mma_model_lane(fa, fb, emu_lane(), c, d);
}

static void trampoline() {
  (*cur_inv_)(cur_params_);
  emu_cur->done = true;
  swapcontext(&emu_cur->ctx, &sched_);
}

static void run_block(int n) {
  if ((int)threads_.size() < n) {
    size_t old = threads_.size();
    threads_.resize(n);
    for (size_t i = old; i < threads_.size(); i++) threads_[i].stack = (char*)malloc(kStack);
  }
  nlive_ = n;
  bar_arrived_ = 0;
  for (int w = 0; w < 32; w++) w_live_[w] = 0, w_arrived_[w] = 0;
  for (int i = 0; i < n; i++) {
    EmuThread& t = threads_[i];
    t.tid = emu_dim3{i % emu_block_dim.x, (i / emu_block_dim.x) % emu_block_dim.y, i / (emu_block_dim.x * emu_block_dim.y)};
    t.lane = i % 32;
    t.warp = i / 32;
    t.done = false;
    w_live_[t.warp]++;
    getcontext(&t.ctx);
    t.ctx.uc_stack.ss_sp = t.stack;
    t.ctx.uc_stack.ss_size = kStack;
    t.ctx.uc_link = &sched_;
    makecontext(&t.ctx, trampoline, 0);
  }
  while (nlive_ > 0) {
    const long before = events_;
    for (int i = 0; i < n; i++) {
      EmuThread& t = threads_[i];
      if (t.done) continue;
      emu_cur = &t;
      swapcontext(&sched_, &t.ctx);
      if (t.done) {
        events_++;
        nlive_--;
        w_live_[t.warp]--;
        if (bar_arrived_ > 0 && bar_arrived_ == nlive_) bar_arrived_ = 0, bar_gen_++;
        if (w_arrived_[t.warp] > 0 && w_arrived_[t.warp] == w_live_[t.warp]) w_arrived_[t.warp] = 0, w_gen_[t.warp]++;
      }
    }
    if (events_ == before && nlive_ > 0) {
      fprintf(stderr, "cuda-emu: deadlock in %s (block %u,%u,%u): threads wait at barriers that cannot complete\n", cur_name_,
              emu_block_idx.x, emu_block_idx.y, emu_block_idx.z);
      abort();
    }
  }
}

// ---- registry ----

struct Func {
  std::string name;
  EmuInvoker inv;
  int maxDyn = 48 << 10;
};

static std::map<std::string, Func*>& registry() {
  static std::map<std::string, Func*> r;
  return r;
}

EmuReg::EmuReg(const char* name, EmuInvoker f) { registry()[name] = new Func{name, f}; }

// ---- memory ----

struct Alloc {
  char* base;
  size_t total, size;
};
static std::map<uintptr_t, Alloc> allocs_;
static const size_t kPage = 4096;

static bool in_alloc(uintptr_t p, size_t n) {
  auto it = allocs_.upper_bound(p);
  if (it == allocs_.begin()) return false;
  --it;
  return p >= it->first && p + n <= it->first + it->second.size;
}

static CUresult check_range(const char* op, CUdeviceptr p, size_t n) {
  if (n == 0 || in_alloc((uintptr_t)p, n)) return CUDA_SUCCESS;
  fprintf(stderr, "cuda-emu: %s of %zu bytes at 0x%llx is outside every allocation\n", op, n, (unsigned long long)p);
  return CUDA_ERROR_INVALID_VALUE;
}

// ---- driver API ----

extern "C" {

CUresult cuInit(unsigned int) {
  static bool said;
  if (!said) fprintf(stderr, "cuda-emu: CUDA driver emulated on the CPU (timings are meaningless)\n");
  said = true;
  return CUDA_SUCCESS;
}
CUresult cuDriverGetVersion(int* v) {
  *v = 12040;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetCount(int* n) {
  *n = 1;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGet(CUdevice* d, int ordinal) {
  if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
  *d = 0;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetName(char* name, int len, CUdevice) {
  snprintf(name, len, "NBENCH CPU EMULATED GPU");
  return CUDA_SUCCESS;
}
CUresult cuDeviceTotalMem(size_t* b, CUdevice) {
  *b = (size_t)80 << 30;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetAttribute(int* v, CUdevice_attribute a, CUdevice) {
  switch (a) {
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *v = 9; break;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *v = 0; break;
    case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *v = 132; break;
    case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: *v = 1980000; break;
    case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: *v = 2619000; break;
    case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: *v = 5120; break;
    case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: *v = 50 << 20; break;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *v = 227 << 10; break;
    default: *v = 0;
  }
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRetain(CUcontext* c, CUdevice) {
  *c = (CUcontext)0x1;
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRelease(CUdevice) { return CUDA_SUCCESS; }
CUresult cuCtxSetCurrent(CUcontext) { return CUDA_SUCCESS; }
CUresult cuCtxGetCurrent(CUcontext* c) {
  *c = (CUcontext)0x1;
  return CUDA_SUCCESS;
}
CUresult cuCtxSynchronize(void) { return CUDA_SUCCESS; }
CUresult cuStreamCreate(CUstream* s, unsigned int) {
  *s = (CUstream)0x2;
  return CUDA_SUCCESS;
}
CUresult cuStreamDestroy(CUstream) { return CUDA_SUCCESS; }
CUresult cuStreamSynchronize(CUstream) { return CUDA_SUCCESS; }
CUresult cuEventCreate(CUevent* e, unsigned int) {
  *e = (CUevent) new double(0);
  return CUDA_SUCCESS;
}
CUresult cuEventDestroy(CUevent e) {
  delete (double*)e;
  return CUDA_SUCCESS;
}
CUresult cuEventRecord(CUevent e, CUstream) {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  *(double*)e = ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
  return CUDA_SUCCESS;
}
CUresult cuEventSynchronize(CUevent) { return CUDA_SUCCESS; }
CUresult cuEventElapsedTime(float* ms, CUevent a, CUevent b) {
  *ms = (float)(*(double*)b - *(double*)a);
  if (*ms <= 0) *ms = 1e-3f;
  return CUDA_SUCCESS;
}

CUresult cuMemAlloc(CUdeviceptr* p, size_t n) {
  if (n == 0) return CUDA_ERROR_INVALID_VALUE;
  const size_t body = (n + 15) / 16 * 16;
  const size_t total = (body + kPage - 1) / kPage * kPage + 2 * kPage;
  char* base = (char*)mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return CUDA_ERROR_OUT_OF_MEMORY;
  mprotect(base, kPage, PROT_NONE);
  mprotect(base + total - kPage, kPage, PROT_NONE);
  char* q = base + total - kPage - body;
  std::memset(q, 0xFF, body);
  allocs_[(uintptr_t)q] = Alloc{base, total, n};
  *p = (CUdeviceptr)q;
  return CUDA_SUCCESS;
}
CUresult cuMemFree(CUdeviceptr p) {
  auto it = allocs_.find((uintptr_t)p);
  if (it == allocs_.end()) {
    fprintf(stderr, "cuda-emu: free of 0x%llx, not an allocation\n", (unsigned long long)p);
    return CUDA_ERROR_INVALID_VALUE;
  }
  munmap(it->second.base, it->second.total);
  allocs_.erase(it);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyHtoD(CUdeviceptr d, const void* h, size_t n) {
  if (CUresult r = check_range("copy to device", d, n)) return r;
  std::memcpy((void*)d, h, n);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyDtoH(void* h, CUdeviceptr d, size_t n) {
  if (CUresult r = check_range("copy from device", d, n)) return r;
  std::memcpy(h, (void*)d, n);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyDtoDAsync(CUdeviceptr d, CUdeviceptr s, size_t n, CUstream) {
  if (CUresult r = check_range("copy within device (dst)", d, n)) return r;
  if (CUresult r = check_range("copy within device (src)", s, n)) return r;
  std::memmove((void*)d, (void*)s, n);
  return CUDA_SUCCESS;
}
CUresult cuMemsetD32Async(CUdeviceptr d, unsigned int v, size_t n, CUstream) {
  if (CUresult r = check_range("memset32", d, 4 * n)) return r;
  for (size_t i = 0; i < n; i++) ((unsigned*)d)[i] = v;
  return CUDA_SUCCESS;
}
CUresult cuMemsetD8Async(CUdeviceptr d, unsigned char v, size_t n, CUstream) {
  if (CUresult r = check_range("memset8", d, n)) return r;
  std::memset((void*)d, v, n);
  return CUDA_SUCCESS;
}

struct Module {
  std::string ptx;
};
CUresult cuModuleLoadData(CUmodule* m, const void* image) {
  const char* s = (const char*)image;
  if (!strstr(s, ".version") || !strstr(s, ".target")) return CUDA_ERROR_INVALID_IMAGE;
  *m = (CUmodule) new Module{s};
  return CUDA_SUCCESS;
}
CUresult cuModuleUnload(CUmodule m) {
  delete (Module*)m;
  return CUDA_SUCCESS;
}
CUresult cuModuleGetFunction(CUfunction* f, CUmodule m, const char* name) {
  const std::string entry = std::string(".entry ") + name + "(";
  if (((Module*)m)->ptx.find(entry) == std::string::npos) {
    fprintf(stderr, "cuda-emu: the module's PTX has no entry %s\n", name);
    return CUDA_ERROR_NOT_FOUND;
  }
  auto it = registry().find(name);
  if (it == registry().end()) {
    fprintf(stderr, "cuda-emu: no emulated kernel %s\n", name);
    return CUDA_ERROR_NOT_FOUND;
  }
  *f = (CUfunction)it->second;
  return CUDA_SUCCESS;
}
CUresult cuFuncSetAttribute(CUfunction f, CUfunction_attribute a, int v) {
  if (a != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES) return CUDA_ERROR_NOT_SUPPORTED;
  if (v > 227 << 10) return CUDA_ERROR_INVALID_VALUE;
  ((Func*)f)->maxDyn = v;
  return CUDA_SUCCESS;
}
CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned smem, CUstream, void** params, void** extra) {
  Func* fn = (Func*)f;
  const char* why = nullptr;
  if (extra) why = "extra launch parameters are not emulated";
  if (bx * by * bz == 0 || bx * by * bz > 1024 || bx > 1024 || by > 1024 || bz > 64) why = "block size";
  if (gx == 0 || gy == 0 || gz == 0 || gy > 65535 || gz > 65535 || gx > 2147483647u) why = "grid size";
  if ((int)smem > fn->maxDyn) why = "dynamic shared memory above the function's limit (48 KiB without opt-in)";
  if ((bx * by * bz) % 32 != 0) why = "block size not a multiple of 32 (the emulated warps need full warps)";
  if (why) {
    fprintf(stderr, "cuda-emu: launch of %s grid (%u,%u,%u) block (%u,%u,%u) smem %u: %s\n", fn->name.c_str(), gx, gy, gz, bx, by,
            bz, smem, why);
    return CUDA_ERROR_INVALID_VALUE;
  }
  std::vector<unsigned char> dyn(smem + 16, 0xFF);
  emu_dyn_smem = dyn.data();
  cur_inv_ = &fn->inv;
  cur_params_ = params;
  cur_name_ = fn->name.c_str();
  emu_grid_dim = emu_dim3{gx, gy, gz};
  emu_block_dim = emu_dim3{bx, by, bz};
  for (unsigned z = 0; z < gz; z++)
    for (unsigned y = 0; y < gy; y++)
      for (unsigned x = 0; x < gx; x++) {
        emu_block_idx = emu_dim3{x, y, z};
        run_block((int)(bx * by * bz));
      }
  return CUDA_SUCCESS;
}

}  // extern "C"
