// NEON form of octk_requantize (octk_qs8.h, DESIGN.md §2), bit-exact, plus the tail loads and
// stores shared by the ARM kernels. Internal header: include only from aarch64 code (plain
// NEON, no attribute). Per lane, in binary32, no fused multiply-add, the clamp moved after the
// conversion as in XNNPACK's fp32 NEONv8 epilogue:
//
//   f = SCVTF(acc)                       (float)acc, round to nearest even (FPCR default)
//   f = FMUL(f, scale[c])                one rounding, as the reference's (float)acc * scale
//   q = FCVTNS(f)                        round half to even (saturating at int32)
//   q = SQXTN(q) to int16, SQADD z       saturating
//   y = SMIN(SMAX(SQXTN(q) to int8, lo), hi)
//
// Equal to octk_requantize: rounding is monotone and keeps the integer bounds lo − z, hi − z,
// so clamping before or after it gives the same integer; every saturation is monotone and the
// identity on [lo − z, hi − z] ⊂ int16 (then on [lo, hi] ⊂ int8), so a value it changes lies
// beyond the same bound and the final clamp maps it to that bound either way.
#ifndef OCTK_QS8_REQUANT_NEON_H
#define OCTK_QS8_REQUANT_NEON_H
#if defined(__aarch64__)
#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

// Per-function ISA attributes (no global -march): GCC 12 spells the architecture, clang the feature.
#if defined(__clang__)
#define OCTK_NEONDOT_TARGET __attribute__((target("dotprod")))
#define OCTK_NEONI8MM_TARGET __attribute__((target("i8mm")))
#else
#define OCTK_NEONDOT_TARGET __attribute__((target("arch=armv8.2-a+dotprod")))
#define OCTK_NEONI8MM_TARGET __attribute__((target("arch=armv8.2-a+i8mm")))
#endif

/// Compiler barrier between the steps of an unrolled MAC loop: without it GCC 12 hoists every
/// weight load of a k chunk above the accumulations, runs out of the 32 vector registers and
/// spills accumulators. It only orders memory accesses; no register value goes through memory.
#define OCTK_NEON_BARRIER() __asm__("" ::: "memory")

/// Output constants of one requantization: z (int16 lanes) and the clamp bounds lo, hi (bytes).
typedef struct {
  int16x8_t z;
  int8x16_t lo, hi;
} octk_neon_out;

/// lo ≤ hi inside [−128, 127] and z in [−128, 127] (the reference's contract).
static inline octk_neon_out octk_neon_out_make(int32_t z, int32_t lo, int32_t hi) {
  octk_neon_out o;
  o.z = vdupq_n_s16((int16_t)z);
  o.lo = vdupq_n_s8((int8_t)lo);
  o.hi = vdupq_n_s8((int8_t)hi);
  return o;
}

/// round_half_even(acc · scale) of 8 lanes, saturated to int16, + z saturating.
static inline int16x8_t octk_neon_requant_s16x8(int32x4_t a, int32x4_t b, float32x4_t sa, float32x4_t sb,
                                                const octk_neon_out* o) {
  const int32x4_t qa = vcvtnq_s32_f32(vmulq_f32(vcvtq_f32_s32(a), sa)), qb = vcvtnq_s32_f32(vmulq_f32(vcvtq_f32_s32(b), sb));
  return vqaddq_s16(vqmovn_high_s32(vqmovn_s32(qa), qb), o->z);
}

/// 16 accumulators (bias included) of channels with scales s[0..3] → int8, clamped to [lo, hi].
static inline int8x16_t octk_neon_requant_s8x16(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3,
                                                const float32x4_t s[4], const octk_neon_out* o) {
  const int16x8_t v01 = octk_neon_requant_s16x8(a0, a1, s[0], s[1], o), v23 = octk_neon_requant_s16x8(a2, a3, s[2], s[3], o);
  return vminq_s8(vmaxq_s8(vqmovn_high_s16(vqmovn_s16(v01), v23), o->lo), o->hi);
}

/// Scales of 16 channels as 4 vectors (loaded once per tile: int8 stores may alias them).
static inline void octk_neon_scale16_load(const float* scale, float32x4_t s[4]) {
  for (int i = 0; i < 4; ++i) s[i] = vld1q_f32(scale + 4 * i);
}

/// Stores the first n bytes of v (all 16 when n ≥ 16).
static inline void octk_neon_store_s8x16(int8_t* dst, int8x16_t v, int n) {
  if (n >= 16) {
    vst1q_s8(dst, v);
  } else {
    int8_t tmp[16];
    vst1q_s8(tmp, v);
    memcpy(dst, tmp, (size_t)n);
  }
}

static inline void octk_neon_store_s8x8(int8_t* dst, int8x8_t v, int n) {
  if (n >= 8) {
    vst1_s8(dst, v);
  } else {
    int8_t tmp[8];
    vst1_s8(tmp, v);
    memcpy(dst, tmp, (size_t)n);
  }
}

/// src[0], src[1] (any alignment) in lanes 0, 1 and again in 2, 3.
static inline int32x4_t octk_neon_dup_s32x2(const int32_t* src) {
  int64_t v;
  memcpy(&v, src, 8);
  return vreinterpretq_s32_s64(vdupq_n_s64(v));
}

/// 4 bytes from src (any alignment), broadcast to every 32-bit lane.
static inline int8x16_t octk_neon_dup_s8x4(const int8_t* src) {
  int32_t w;
  memcpy(&w, src, 4);
  return vreinterpretq_s8_s32(vdupq_n_s32(w));
}

/// Bytes [0, n) of src, 1 ≤ n ≤ 16, read as whole 4-byte words (at most n + 3 bytes); the
/// words past n read as 0, the bytes of the last word past n are whatever src holds there.
static inline int8x16_t octk_neon_load_s8x16_words(const int8_t* src, int n) {
  int32x4_t v = vdupq_n_s32(0);
  int32_t w;
  memcpy(&w, src, 4);
  v = vsetq_lane_s32(w, v, 0);
  if (n > 4) {
    memcpy(&w, src + 4, 4);
    v = vsetq_lane_s32(w, v, 1);
  }
  if (n > 8) {
    memcpy(&w, src + 8, 4);
    v = vsetq_lane_s32(w, v, 2);
  }
  if (n > 12) {
    memcpy(&w, src + 12, 4);
    v = vsetq_lane_s32(w, v, 3);
  }
  return vreinterpretq_s8_s32(v);
}

/// 8 bytes of src when n ≥ 8, else bytes [0, n) as whole 4-byte words (at most n + 3 read).
static inline int8x8_t octk_neon_load_s8x8_words(const int8_t* src, int n) {
  if (n >= 8) return vld1_s8(src);
  return vget_low_s8(octk_neon_load_s8x16_words(src, n));
}
#endif  // __aarch64__
#endif
