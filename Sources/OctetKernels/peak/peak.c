// Roofline microbenchmark (see octk_peak.h). Each burst runs `iters` iterations of
// PEAK_CHAINS independent accumulator chains on register operands, so the loop is bound by
// the instruction's throughput, not its latency or memory. The inputs pass through an empty
// asm statement so the compiler cannot fold the arithmetic away.
#define _POSIX_C_SOURCE 199309L
#include "octk_peak.h"

#include <stddef.h>
#include <time.h>

#include "octk_cpu.h"

#define PEAK_CHAINS 12

// Applies OP(k) for k = 0 … PEAK_CHAINS−1.
#define PEAK_UNROLL(OP) OP(0) OP(1) OP(2) OP(3) OP(4) OP(5) OP(6) OP(7) OP(8) OP(9) OP(10) OP(11)

// Makes the compiler treat the operands as changed before every step, so it can neither hoist
// loop-invariant products out of the loop nor share one product between chains (emits no
// instruction).
#if defined(__aarch64__)
#define PEAK_OPAQUE(a, b) __asm__ volatile("" : "+w"(a), "+w"(b))
#else
#define PEAK_OPAQUE(a, b) __asm__ volatile("" : "+v"(a), "+v"(b))
#endif

typedef uint64_t (*peak_burst)(int64_t iters, int32_t* sink);

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx512f,avx512bw,avx512vnni"))) static uint64_t burst_s8_avx512vnni(int64_t iters, int32_t* sink) {
  __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(1);
  __asm__ volatile("" : "+v"(a), "+v"(b));
  __m512i c[PEAK_CHAINS];
  for (int k = 0; k < PEAK_CHAINS; ++k) c[k] = _mm512_setzero_si512();
  for (int64_t i = 0; i < iters; ++i) {
#define STEP(k) PEAK_OPAQUE(a, b); c[k] = _mm512_dpbusd_epi32(c[k], a, b);
    PEAK_UNROLL(STEP)
#undef STEP
  }
  for (int k = 1; k < PEAK_CHAINS; ++k) c[0] = _mm512_add_epi32(c[0], c[k]);
  *sink = _mm512_reduce_add_epi32(c[0]);
  return (uint64_t)iters * PEAK_CHAINS * 64;
}

__attribute__((target("avx2,avxvnni"))) static uint64_t burst_s8_avxvnni(int64_t iters, int32_t* sink) {
  __m256i a = _mm256_set1_epi8(1), b = _mm256_set1_epi8(1);
  __asm__ volatile("" : "+v"(a), "+v"(b));
  __m256i c[PEAK_CHAINS];
  for (int k = 0; k < PEAK_CHAINS; ++k) c[k] = _mm256_setzero_si256();
  for (int64_t i = 0; i < iters; ++i) {
#define STEP(k) PEAK_OPAQUE(a, b); c[k] = _mm256_dpbusd_avx_epi32(c[k], a, b);
    PEAK_UNROLL(STEP)
#undef STEP
  }
  for (int k = 1; k < PEAK_CHAINS; ++k) c[0] = _mm256_add_epi32(c[0], c[k]);
  *sink = _mm256_extract_epi32(c[0], 0);
  return (uint64_t)iters * PEAK_CHAINS * 32;
}

// u8·s8 pairs summed to int16 (vpmaddubsw), pairs of int16 to int32 (vpmaddwd with ones),
// accumulated (vpaddd): XNNPACK's and ORT's AVX2 int8 inner loop.
__attribute__((target("avx2"))) static uint64_t burst_s8_avx2(int64_t iters, int32_t* sink) {
  __m256i a = _mm256_set1_epi8(1), b = _mm256_set1_epi8(1), ones = _mm256_set1_epi16(1);
  __asm__ volatile("" : "+v"(a), "+v"(b), "+v"(ones));
  __m256i c[PEAK_CHAINS];
  for (int k = 0; k < PEAK_CHAINS; ++k) c[k] = _mm256_setzero_si256();
  for (int64_t i = 0; i < iters; ++i) {
#define STEP(k) PEAK_OPAQUE(a, b); c[k] = _mm256_add_epi32(c[k], _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), ones));
    PEAK_UNROLL(STEP)
#undef STEP
  }
  for (int k = 1; k < PEAK_CHAINS; ++k) c[0] = _mm256_add_epi32(c[0], c[k]);
  *sink = _mm256_extract_epi32(c[0], 0);
  return (uint64_t)iters * PEAK_CHAINS * 32;
}

__attribute__((target("avx512f"))) static uint64_t burst_f32_avx512(int64_t iters, int32_t* sink) {
  __m512 a = _mm512_set1_ps(1e-6f), b = _mm512_set1_ps(1e-6f);
  __asm__ volatile("" : "+v"(a), "+v"(b));
  __m512 c[PEAK_CHAINS];
  for (int k = 0; k < PEAK_CHAINS; ++k) c[k] = _mm512_setzero_ps();
  for (int64_t i = 0; i < iters; ++i) {
#define STEP(k) PEAK_OPAQUE(a, b); c[k] = _mm512_fmadd_ps(a, b, c[k]);
    PEAK_UNROLL(STEP)
#undef STEP
  }
  for (int k = 1; k < PEAK_CHAINS; ++k) c[0] = _mm512_add_ps(c[0], c[k]);
  *sink = (int32_t)_mm512_reduce_add_ps(c[0]);
  return (uint64_t)iters * PEAK_CHAINS * 16;
}

__attribute__((target("avx2,fma"))) static uint64_t burst_f32_fma(int64_t iters, int32_t* sink) {
  __m256 a = _mm256_set1_ps(1e-6f), b = _mm256_set1_ps(1e-6f);
  __asm__ volatile("" : "+v"(a), "+v"(b));
  __m256 c[PEAK_CHAINS];
  for (int k = 0; k < PEAK_CHAINS; ++k) c[k] = _mm256_setzero_ps();
  for (int64_t i = 0; i < iters; ++i) {
#define STEP(k) PEAK_OPAQUE(a, b); c[k] = _mm256_fmadd_ps(a, b, c[k]);
    PEAK_UNROLL(STEP)
#undef STEP
  }
  for (int k = 1; k < PEAK_CHAINS; ++k) c[0] = _mm256_add_ps(c[0], c[k]);
  *sink = (int32_t)_mm256_cvtss_f32(c[0]);
  return (uint64_t)iters * PEAK_CHAINS * 8;
}
#endif

#if defined(__aarch64__)
#include <arm_neon.h>

__attribute__((target("arch=armv8.6-a+i8mm"))) static uint64_t burst_s8_neon_i8mm(int64_t iters, int32_t* sink) {
  int8x16_t a = vdupq_n_s8(1), b = vdupq_n_s8(1);
  __asm__ volatile("" : "+w"(a), "+w"(b));
  int32x4_t c[PEAK_CHAINS];
  for (int k = 0; k < PEAK_CHAINS; ++k) c[k] = vdupq_n_s32(0);
  for (int64_t i = 0; i < iters; ++i) {
#define STEP(k) PEAK_OPAQUE(a, b); c[k] = vmmlaq_s32(c[k], a, b);
    PEAK_UNROLL(STEP)
#undef STEP
  }
  for (int k = 1; k < PEAK_CHAINS; ++k) c[0] = vaddq_s32(c[0], c[k]);
  *sink = vgetq_lane_s32(c[0], 0);
  return (uint64_t)iters * PEAK_CHAINS * 32;
}

__attribute__((target("arch=armv8.2-a+dotprod"))) static uint64_t burst_s8_neon_dotprod(int64_t iters, int32_t* sink) {
  int8x16_t a = vdupq_n_s8(1), b = vdupq_n_s8(1);
  __asm__ volatile("" : "+w"(a), "+w"(b));
  int32x4_t c[PEAK_CHAINS];
  for (int k = 0; k < PEAK_CHAINS; ++k) c[k] = vdupq_n_s32(0);
  for (int64_t i = 0; i < iters; ++i) {
#define STEP(k) PEAK_OPAQUE(a, b); c[k] = vdotq_s32(c[k], a, b);
    PEAK_UNROLL(STEP)
#undef STEP
  }
  for (int k = 1; k < PEAK_CHAINS; ++k) c[0] = vaddq_s32(c[0], c[k]);
  *sink = vgetq_lane_s32(c[0], 0);
  return (uint64_t)iters * PEAK_CHAINS * 16;
}

// int8 products widened to int16 (smull + smlal2), pairwise-added into int32 (sadalp):
// the Cortex-A72 inner loop without a dot-product instruction.
static uint64_t burst_s8_neon(int64_t iters, int32_t* sink) {
  int8x16_t a = vdupq_n_s8(1), b = vdupq_n_s8(1);
  __asm__ volatile("" : "+w"(a), "+w"(b));
  int32x4_t c[PEAK_CHAINS];
  for (int k = 0; k < PEAK_CHAINS; ++k) c[k] = vdupq_n_s32(0);
  for (int64_t i = 0; i < iters; ++i) {
#define STEP(k) PEAK_OPAQUE(a, b); c[k] = vpadalq_s16(c[k], vmlal_high_s8(vmull_s8(vget_low_s8(a), vget_low_s8(b)), a, b));
    PEAK_UNROLL(STEP)
#undef STEP
  }
  for (int k = 1; k < PEAK_CHAINS; ++k) c[0] = vaddq_s32(c[0], c[k]);
  *sink = vgetq_lane_s32(c[0], 0);
  return (uint64_t)iters * PEAK_CHAINS * 16;
}

static uint64_t burst_f32_neon(int64_t iters, int32_t* sink) {
  float32x4_t a = vdupq_n_f32(1e-6f), b = vdupq_n_f32(1e-6f);
  __asm__ volatile("" : "+w"(a), "+w"(b));
  float32x4_t c[PEAK_CHAINS];
  for (int k = 0; k < PEAK_CHAINS; ++k) c[k] = vdupq_n_f32(0);
  for (int64_t i = 0; i < iters; ++i) {
#define STEP(k) PEAK_OPAQUE(a, b); c[k] = vfmaq_f32(c[k], a, b);
    PEAK_UNROLL(STEP)
#undef STEP
  }
  for (int k = 1; k < PEAK_CHAINS; ++k) c[0] = vaddq_f32(c[0], c[k]);
  *sink = (int32_t)vgetq_lane_f32(c[0], 0);
  return (uint64_t)iters * PEAK_CHAINS * 4;
}
#endif

static const char* const peak_names[OCTK_PEAK_COUNT] = {
    "s8 avx512vnni (vpdpbusd zmm)", "s8 avxvnni (vpdpbusd ymm)", "s8 avx2 (vpmaddubsw+vpmaddwd)",
    "f32 avx512f (vfmadd zmm)",     "f32 fma (vfmadd ymm)",      "s8 neon i8mm (smmla)",
    "s8 neon dotprod (sdot)",       "s8 neon (smlal+sadalp)",    "f32 neon (fmla)",
};

const char* octk_peak_name(octk_peak_kind kind) {
  return (unsigned)kind < OCTK_PEAK_COUNT ? peak_names[kind] : "unknown";
}

static peak_burst burst_for(octk_peak_kind kind) {
  const uint32_t f = octk_cpu_features();
  switch (kind) {
#if defined(__x86_64__) || defined(__i386__)
    case OCTK_PEAK_S8_AVX512VNNI:
      return (f & OCTK_CPU_X86_AVX512VNNI) && (f & OCTK_CPU_X86_AVX512BW) ? burst_s8_avx512vnni : NULL;
    case OCTK_PEAK_S8_AVXVNNI: return (f & OCTK_CPU_X86_AVXVNNI) ? burst_s8_avxvnni : NULL;
    case OCTK_PEAK_S8_AVX2: return (f & OCTK_CPU_X86_AVX2) ? burst_s8_avx2 : NULL;
    case OCTK_PEAK_F32_AVX512: return (f & OCTK_CPU_X86_AVX512F) ? burst_f32_avx512 : NULL;
    case OCTK_PEAK_F32_FMA: return (f & OCTK_CPU_X86_FMA) && (f & OCTK_CPU_X86_AVX2) ? burst_f32_fma : NULL;
#endif
#if defined(__aarch64__)
    case OCTK_PEAK_S8_NEON_I8MM: return (f & OCTK_CPU_ARM_I8MM) ? burst_s8_neon_i8mm : NULL;
    case OCTK_PEAK_S8_NEON_DOTPROD: return (f & OCTK_CPU_ARM_DOTPROD) ? burst_s8_neon_dotprod : NULL;
    case OCTK_PEAK_S8_NEON: return burst_s8_neon;
    case OCTK_PEAK_F32_NEON: return burst_f32_neon;
#endif
    default: return NULL;
  }
}

int octk_peak_supported(octk_peak_kind kind) { return burst_for(kind) != NULL; }

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

double octk_peak_macs_per_second(octk_peak_kind kind, int rounds, int64_t burst_ns) {
  const peak_burst burst = burst_for(kind);
  if (burst == NULL || rounds <= 0 || burst_ns <= 0) return 0;
  int32_t sink = 0;
  // Size the burst: grow until one call takes at least burst_ns / 4, then scale.
  int64_t iters = 64, elapsed = 0;
  for (;;) {
    const int64_t t0 = now_ns();
    burst(iters, &sink);
    elapsed = now_ns() - t0;
    if (elapsed >= burst_ns / 4 || iters > ((int64_t)1 << 40)) break;
    iters *= 2;
  }
  if (elapsed > 0) {
    const double scaled = (double)iters * (double)burst_ns / (double)elapsed;
    iters = scaled > (double)((int64_t)1 << 40) ? ((int64_t)1 << 40) : (int64_t)scaled;
  }
  if (iters < 1) iters = 1;
  double best = 0;
  for (int r = 0; r < rounds; ++r) {
    const int64_t t0 = now_ns();
    const uint64_t macs = burst(iters, &sink);
    const int64_t t = now_ns() - t0;
    if (t > 0 && (double)macs * 1e9 / (double)t > best) best = (double)macs * 1e9 / (double)t;
  }
  volatile int32_t keep = sink;
  (void)keep;
  return best;
}
