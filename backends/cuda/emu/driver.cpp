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
//
// A launch runs in waves: one block at a time for ordinary launches (so a
// kernel's static __shared__ arrays, which are C++ statics here, are the
// block's own), all blocks at once for cooperative launches, whose blocks
// may wait for each other (grid barriers); a cooperative kernel must keep
// its shared memory in the dynamic buffer, which each block has its own.

struct EmuBlock {
  emu_dim3 idx;
  int nlive, bar_arrived, bar_gen;
  int w_live[32], w_arrived[32], w_gen[32];
  uint64_t w_slot[2][32][32];
  unsigned char w_phase[32][32];
  std::vector<unsigned char> dyn;
};

// Fiber switch: on x86-64 a minimal one (callee-saved registers and the
// stack pointer; ucontext's swapcontext also saves the signal mask, a
// system call per switch, which made fiber-heavy kernels crawl).
#if defined(__x86_64__)
extern "C" void emu_switch(void** from_sp, void* to_sp);
asm(R"(
.text
.globl emu_switch
.type emu_switch,@function
emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
.size emu_switch, .-emu_switch
.section .note.GNU-stack,"",@progbits
.text
)");
struct EmuCtx {
  void* sp;
};
#else
struct EmuCtx {
  ucontext_t uc;
};
#endif

struct EmuThread {
  EmuCtx ctx;
  emu_dim3 tid;
  int lane, warp;
  bool done;
  char* stack;
  EmuBlock* blk;
  const int* wait;  // the barrier generation it waits on, or null
  int wait_gen;
};

EmuThread* emu_cur;
emu_dim3 emu_block_idx, emu_block_dim, emu_grid_dim;
void* emu_dyn_smem;

static const size_t kStack = 256 << 10;
static const int kSMs = 8;
static std::vector<EmuThread> threads_;
static EmuCtx sched_;
static long events_;
static const EmuInvoker* cur_inv_;
static void** cur_params_;
static const char* cur_name_;

const emu_dim3& emu_thread_idx() { return emu_cur->tid; }
int emu_lane() { return emu_cur->lane; }

#if defined(__x86_64__)
static void ctx_switch(EmuCtx* from, EmuCtx* to) { emu_switch(&from->sp, to->sp); }
#else
static void ctx_switch(EmuCtx* from, EmuCtx* to) { swapcontext(&from->uc, &to->uc); }
#endif

static void yield() { ctx_switch(&emu_cur->ctx, &sched_); }

void emu_spin_pause() { yield(); }
void emu_progress() { events_++; }

void __syncthreads() {
  EmuBlock* k = emu_cur->blk;
  const int g = k->bar_gen;
  if (++k->bar_arrived == k->nlive) {
    k->bar_arrived = 0;
    k->bar_gen++;
    events_++;
    return;
  }
  while (k->bar_gen == g) {
    emu_cur->wait = &k->bar_gen, emu_cur->wait_gen = g;
    yield();
  }
}

static void warp_barrier(EmuBlock* k, int w) {
  const int g = k->w_gen[w];
  if (++k->w_arrived[w] == k->w_live[w]) {
    k->w_arrived[w] = 0;
    k->w_gen[w]++;
    events_++;
    return;
  }
  while (k->w_gen[w] == g) {
    emu_cur->wait = &k->w_gen[w], emu_cur->wait_gen = g;
    yield();
  }
}

// emu_warp_exchange: one barrier per exchange, the slots double-buffered:
// a lane writes phase p's slot again only two exchanges later, after the
// next barrier, which every lane reaches only once it has read phase p.
void emu_warp_exchange(uint64_t v, uint64_t* all) {
  EmuBlock* k = emu_cur->blk;
  const int w = emu_cur->warp, p = k->w_phase[w][emu_cur->lane];
  k->w_phase[w][emu_cur->lane] ^= 1;
  k->w_slot[p][w][emu_cur->lane] = v;
  warp_barrier(k, w);
  std::memcpy(all, k->w_slot[p][w], sizeof(k->w_slot[p][w]));
}

static void trampoline() {
  (*cur_inv_)(cur_params_);
  emu_cur->done = true;
  ctx_switch(&emu_cur->ctx, &sched_);
  abort();  // a finished fiber is never resumed
}

// fiber_init makes t start in trampoline on its own stack.
static void fiber_init(EmuThread& t) {
#if defined(__x86_64__)
  uintptr_t top = ((uintptr_t)t.stack + kStack) & ~(uintptr_t)15;
  void** sp = (void**)top;
  *--sp = nullptr;                    // alignment: trampoline starts as if called
  *--sp = (void*)&trampoline;         // emu_switch's ret goes here
  for (int i = 0; i < 6; i++) *--sp = nullptr;  // rbp rbx r12-r15
  t.ctx.sp = sp;
#else
  getcontext(&t.ctx.uc);
  t.ctx.uc.uc_stack.ss_sp = t.stack;
  t.ctx.uc.uc_stack.ss_size = kStack;
  t.ctx.uc.uc_link = &sched_.uc;
  makecontext(&t.ctx.uc, trampoline, 0);
#endif
}

// run_wave runs blocks (each of per threads) to completion as fibers.
static void run_wave(std::vector<EmuBlock>& blocks, int per) {
  const int n = (int)blocks.size() * per;
  if ((int)threads_.size() < n) {
    size_t old = threads_.size();
    threads_.resize(n);
    for (size_t i = old; i < threads_.size(); i++) threads_[i].stack = (char*)malloc(kStack);
  }
  int live = n;
  for (size_t bi = 0; bi < blocks.size(); bi++) {
    EmuBlock& k = blocks[bi];
    k.nlive = per;
    k.bar_arrived = 0;
    for (int w = 0; w < 32; w++) k.w_live[w] = 0, k.w_arrived[w] = 0;
    std::memset(k.w_phase, 0, sizeof k.w_phase);
    for (int i = 0; i < per; i++) {
      EmuThread& t = threads_[bi * per + i];
      t.tid = emu_dim3{i % emu_block_dim.x, (i / emu_block_dim.x) % emu_block_dim.y, i / (emu_block_dim.x * emu_block_dim.y)};
      t.lane = i % 32;
      t.warp = i / 32;
      t.done = false;
      t.blk = &k;
      k.w_live[t.warp]++;
      t.wait = nullptr;
      fiber_init(t);
    }
  }
  while (live > 0) {
    const long before = events_;
    for (int i = 0; i < n; i++) {
      EmuThread& t = threads_[i];
      if (t.done) continue;
      EmuBlock& k = *t.blk;
      emu_cur = &t;
      emu_block_idx = k.idx;
      emu_dyn_smem = k.dyn.data();
      // A fiber waiting at a barrier whose generation has not moved would
      // only yield again.
      if (t.wait && *t.wait == t.wait_gen) continue;
      t.wait = nullptr;
      ctx_switch(&sched_, &t.ctx);
      if (t.done) {
        events_++;
        live--;
        k.nlive--;
        k.w_live[t.warp]--;
        if (k.bar_arrived > 0 && k.bar_arrived == k.nlive) k.bar_arrived = 0, k.bar_gen++;
        if (k.w_arrived[t.warp] > 0 && k.w_arrived[t.warp] == k.w_live[t.warp]) k.w_arrived[t.warp] = 0, k.w_gen[t.warp]++;
      }
    }
    if (events_ == before && live > 0) {
      fprintf(stderr, "cuda-emu: deadlock in %s: threads wait at barriers that cannot complete\n", cur_name_);
      abort();
    }
  }
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
    // 8, not an H100's 132: grids sized by the SM count (cooperative
    // ones above all) stay small enough to emulate.
    case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *v = kSMs; break;
    case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: *v = 1980000; break;
    case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: *v = 2619000; break;
    case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: *v = 5120; break;
    case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: *v = 50 << 20; break;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *v = 227 << 10; break;
    case CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH: *v = 1; break;
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
static CUresult launch(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned smem,
                       void** params, void** extra, bool coop) {
  Func* fn = (Func*)f;
  const char* why = nullptr;
  if (extra) why = "extra launch parameters are not emulated";
  // A cooperative grid must be resident at once: at most one block per
  // multiprocessor is what the backend relies on.
  if (coop && (size_t)gx * gy * gz > kSMs) why = "cooperative grid larger than one block per multiprocessor";
  if (bx * by * bz == 0 || bx * by * bz > 1024 || bx > 1024 || by > 1024 || bz > 64) why = "block size";
  if (gx == 0 || gy == 0 || gz == 0 || gy > 65535 || gz > 65535 || gx > 2147483647u) why = "grid size";
  if ((int)smem > fn->maxDyn) why = "dynamic shared memory above the function's limit (48 KiB without opt-in)";
  if ((bx * by * bz) % 32 != 0) why = "block size not a multiple of 32 (the emulated warps need full warps)";
  if (why) {
    fprintf(stderr, "cuda-emu: launch of %s grid (%u,%u,%u) block (%u,%u,%u) smem %u: %s\n", fn->name.c_str(), gx, gy, gz, bx, by,
            bz, smem, why);
    return CUDA_ERROR_INVALID_VALUE;
  }
  cur_inv_ = &fn->inv;
  cur_params_ = params;
  cur_name_ = fn->name.c_str();
  emu_grid_dim = emu_dim3{gx, gy, gz};
  emu_block_dim = emu_dim3{bx, by, bz};
  // Dynamic shared memory starts as 0xFF bytes, as device memory does.
  const size_t dyn = smem + 16;
  if (coop) {
    std::vector<EmuBlock> blocks((size_t)gx * gy * gz);
    size_t i = 0;
    for (unsigned z = 0; z < gz; z++)
      for (unsigned y = 0; y < gy; y++)
        for (unsigned x = 0; x < gx; x++, i++) blocks[i].idx = emu_dim3{x, y, z}, blocks[i].dyn.assign(dyn, 0xFF);
    run_wave(blocks, (int)(bx * by * bz));
    return CUDA_SUCCESS;
  }
  std::vector<EmuBlock> one(1);
  for (unsigned z = 0; z < gz; z++)
    for (unsigned y = 0; y < gy; y++)
      for (unsigned x = 0; x < gx; x++) {
        one[0].idx = emu_dim3{x, y, z};
        one[0].dyn.assign(dyn, 0xFF);
        run_wave(one, (int)(bx * by * bz));
      }
  return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned smem, CUstream, void** params, void** extra) {
  return launch(f, gx, gy, gz, bx, by, bz, smem, params, extra, false);
}
CUresult cuLaunchCooperativeKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                                   unsigned smem, CUstream, void** params) {
  return launch(f, gx, gy, gz, bx, by, bz, smem, params, nullptr, true);
}
}  // extern "C"
