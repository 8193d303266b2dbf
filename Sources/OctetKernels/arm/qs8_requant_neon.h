// NEON form of octk_requantize (octk_qs8.h, DESIGN.md §2) for 4 int32 lanes, bit-exact, plus
// the tail loads/stores shared by the ARM kernels. Internal header: include only from aarch64
// code (plain NEON, no attribute). Per lane, in binary32, no fused multiply-add:
//
//   f = SCVTF(acc)                      (float)acc, round to nearest even (FPCR default)
//   f = FMUL(f, scale[c])               one rounding, as the reference's (float)acc * scale
//   f = FMIN(FMAX(f, lo − z), hi − z)   the reference's two compares (no NaN can occur)
//   q = FCVTNS(f)                       round half to even; |f| ≤ 255, so no saturation
//   y = q + z, narrowed to int8
//
// q + z lies in [lo, hi] ⊂ [−128, 127], so the narrowings (int32 → int16 → int8, UZP1 of the
// low halves) and the int16 add may all wrap: the result modulo 2^8 is the result.
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

/// Output constants of one requantization: the float clamp bounds lo − z, hi − z and z.
typedef struct {
  float32x4_t lo, hi;
  int16x8_t z;
} octk_neon_out;

/// lo ≤ hi inside [−128, 127] and z in [−128, 127] (the reference's contract).
static inline octk_neon_out octk_neon_out_make(int32_t z, int32_t lo, int32_t hi) {
  octk_neon_out o;
  o.lo = vdupq_n_f32((float)(lo - z));
  o.hi = vdupq_n_f32((float)(hi - z));
  o.z = vdupq_n_s16((int16_t)z);
  return o;
}

/// Clamp and round of 4 lanes of f: round_half_even(min(max(f, lo − z), hi − z)), z not added.
static inline int32x4_t octk_neon_round_f32(float32x4_t f, const octk_neon_out* o) {
  return vcvtnq_s32_f32(vminq_f32(vmaxq_f32(f, o->lo), o->hi));
}

/// octk_requantize(acc, scale, z, lo, hi) − z per lane.
static inline int32x4_t octk_neon_requant(int32x4_t acc, float32x4_t scale, const octk_neon_out* o) {
  return octk_neon_round_f32(vmulq_f32(vcvtq_f32_s32(acc), scale), o);
}

/// The low 16 bits of a's lanes, then b's (UZP1: one instruction for XTN + XTN2).
static inline int16x8_t octk_neon_low16(int32x4_t a, int32x4_t b) {
  return vuzp1q_s16(vreinterpretq_s16_s32(a), vreinterpretq_s16_s32(b));
}

/// q + z of 16 rounded lanes as bytes (see the file comment: wrapping is exact here).
static inline int8x16_t octk_neon_out_s8x16(int32x4_t q0, int32x4_t q1, int32x4_t q2, int32x4_t q3,
                                            const octk_neon_out* o) {
  const int16x8_t v01 = vaddq_s16(octk_neon_low16(q0, q1), o->z), v23 = vaddq_s16(octk_neon_low16(q2, q3), o->z);
  return vuzp1q_s8(vreinterpretq_s8_s16(v01), vreinterpretq_s8_s16(v23));
}

/// The same requantization with the clamp moved after the conversion, as XNNPACK's fp32 NEONv8
/// epilogue: q = FCVTNS(FMUL(SCVTF(acc), scale)), narrowed with saturation to int16 (SQXTN),
/// + z saturating (SQADD), narrowed with saturation to int8, then SMAX lo, SMIN hi. Equal to
/// octk_requantize: rounding is monotone and keeps the integer bounds lo − z, hi − z, so
/// clamping before or after it gives the same integer; every saturation is monotone and the
/// identity on [lo − z, hi − z] ⊂ int16 (then on [lo, hi] ⊂ int8), so a value it changes lies
/// beyond the same bound and the final clamp maps it to that bound either way.
typedef struct {
  int16x8_t z;
  int8x16_t lo, hi;
} octk_neon_out_sat;

static inline octk_neon_out_sat octk_neon_out_sat_make(int32_t z, int32_t lo, int32_t hi) {
  octk_neon_out_sat o;
  o.z = vdupq_n_s16((int16_t)z);
  o.lo = vdupq_n_s8((int8_t)lo);
  o.hi = vdupq_n_s8((int8_t)hi);
  return o;
}

/// round_half_even(acc · scale) of 8 lanes, saturated to int16, + z saturating.
static inline int16x8_t octk_neon_sat_s16x8(int32x4_t a, int32x4_t b, float32x4_t sa, float32x4_t sb,
                                            const octk_neon_out_sat* o) {
  const int32x4_t qa = vcvtnq_s32_f32(vmulq_f32(vcvtq_f32_s32(a), sa)), qb = vcvtnq_s32_f32(vmulq_f32(vcvtq_f32_s32(b), sb));
  return vqaddq_s16(vqmovn_high_s32(vqmovn_s32(qa), qb), o->z);
}

/// 16 accumulators (bias included) of channels with scales s[0..3] → int8, clamped to [lo, hi].
static inline int8x16_t octk_neon_requant_sat_s8x16(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3,
                                                    const float32x4_t s[4], const octk_neon_out_sat* o) {
  const int16x8_t v01 = octk_neon_sat_s16x8(a0, a1, s[0], s[1], o), v23 = octk_neon_sat_s16x8(a2, a3, s[2], s[3], o);
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
