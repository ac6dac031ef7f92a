// CPU emulation of the CUDA C subset the nbench kernels use, for checking
// kernel logic on machines without a GPU (see emu/README.md). Each CUDA
// thread of a block is a fiber (ucontext) on one OS thread; __syncthreads
// and warp shuffles are cooperative barriers; blocks run one after another,
// so a function-level `static` is the block's shared memory. Timing means
// nothing here, and a race the GPU would expose may not show.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __restrict__ __restrict
#define __shared__ static

using std::isinf;
using std::isnan;

struct emu_dim3 {
  unsigned x, y, z;
};
struct float4 {
  float x, y, z, w;
};
struct int4 {
  int x, y, z, w;
};
struct uint4 {
  unsigned x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

// The current fiber's coordinates.
struct EmuThread;
extern EmuThread* emu_cur;
extern emu_dim3 emu_block_idx, emu_block_dim, emu_grid_dim;
const emu_dim3& emu_thread_idx();
#define threadIdx (emu_thread_idx())
#define blockIdx (emu_block_idx)
#define blockDim (emu_block_dim)
#define gridDim (emu_grid_dim)

void __syncthreads();
void emu_warp_exchange(uint64_t v, uint64_t* all);  // all[32] = every lane's v

template <class A, class B>
inline auto min(A a, B b) -> typename std::common_type<A, B>::type {
  return a < b ? a : b;
}
template <class A, class B>
inline auto max(A a, B b) -> typename std::common_type<A, B>::type {
  return a > b ? a : b;
}

int emu_lane();

template <class T>
inline uint64_t emu_bits(T v) {
  uint64_t u = 0;
  std::memcpy(&u, &v, sizeof(T));
  return u;
}
template <class T>
inline T emu_from(uint64_t u) {
  T v;
  std::memcpy(&v, &u, sizeof(T));
  return v;
}
template <class T>
inline T __shfl_xor_sync(unsigned, T v, int m) {
  uint64_t all[32];
  emu_warp_exchange(emu_bits(v), all);
  return emu_from<T>(all[(emu_lane() ^ m) & 31]);
}
template <class T>
inline T __shfl_sync(unsigned, T v, int src) {
  uint64_t all[32];
  emu_warp_exchange(emu_bits(v), all);
  return emu_from<T>(all[src & 31]);
}
template <class T>
inline T __shfl_up_sync(unsigned, T v, int d) {
  uint64_t all[32];
  emu_warp_exchange(emu_bits(v), all);
  const int s = emu_lane() - d;
  return s < 0 ? v : emu_from<T>(all[s]);
}

inline float __int_as_float(int i) { return emu_from<float>((uint32_t)i); }
inline unsigned __float_as_uint(float f) { return (unsigned)emu_bits(f); }
inline double __longlong_as_double(long long i) { return emu_from<double>((uint64_t)i); }
inline int __float2int_rn(float f) {
  if (f != f) return 0;
  float r = std::nearbyint(f);  // default rounding: to nearest even
  if (r >= 2147483648.f) return 2147483647;
  if (r < -2147483648.f) return (-2147483647 - 1);
  return (int)r;
}
inline float __expf(float x) { return expf(x); }
inline int __dp4a(int a, int b, int c) {
  for (int i = 0; i < 4; i++) c += (int)(signed char)(a >> (8 * i)) * (int)(signed char)(b >> (8 * i));
  return c;
}

// Grid-wide synchronization primitives. Fibers switch only at barriers and
// pauses, so plain memory operations are atomic here; an atomic counts as
// progress for the deadlock check, a spin pause yields to the other fibers.
void emu_spin_pause();
void emu_progress();
template <class T>
inline T atomicAdd(T* p, T v) {
  const T o = *p;
  *p = o + v;
  emu_progress();
  return o;
}
template <class T>
inline T atomicMin(T* p, T v) {
  const T o = *p;
  if (v < o) *p = v;
  emu_progress();
  return o;
}
inline void __threadfence() {}
inline void __nanosleep(unsigned) { emu_spin_pause(); }
template <class T>
inline T __ldcg(const T* p) {
  return *p;
}

// Kernel registry: each emulated .cu registers its entry points.
typedef std::function<void(void**)> EmuInvoker;
struct EmuReg {
  EmuReg(const char* name, EmuInvoker f);
};
template <class... A, size_t... I>
inline void emu_call(void (*f)(A...), void** p, std::index_sequence<I...>) {
  f(*reinterpret_cast<typename std::remove_reference<A>::type*>(p[I])...);
}
template <class... A>
inline EmuInvoker emu_invoker(void (*f)(A...)) {
  return [f](void** p) { emu_call(f, p, std::index_sequence_for<A...>{}); };
}
// Dynamic shared memory of the current launch.
extern void* emu_dyn_smem;
