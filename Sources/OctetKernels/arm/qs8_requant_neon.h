// NEON form of octk_requantize (reference/qs8_requantize.c) for 4 int32 lanes with per-lane
// multiplier and shift, bit-exact, plus the output step and tail loads/stores shared by the
// ARM kernels. Internal header: include only from aarch64 code (plain NEON, no attribute).
//
//   x = SQSHL(acc, left)           = sat32(acc · 2^left)                 left = max(shift, 0)
//   h = SQRDMULH(x, M0)            = min(floor((x·M0 + 2^30) / 2^31), INT32_MAX): gemmlowp's SRDHM
//   r = SRSHL(h − [h < 0 ∧ e > 0], −e)                                    e = max(−shift, 0)
// SRSHL by −e is floor((v + 2^(e−1)) / 2^e) formed without overflow: half up. With v = h − 1
// for negative h it is floor(h / 2^e) + [h mod 2^e > 2^(e−1)], i.e. gemmlowp's
// RoundingDivideByPOT (ties away from zero). h − 1 cannot wrap: |x·M0| ≤ 2^62 − 2^31 unless
// x = M0 = INT32_MIN (then h saturates to INT32_MAX), so h ≥ −2^31 + 1.
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

/// The requantization with the shift split in left (≥ 0, may exceed 31: SQSHL saturates any
/// nonzero value then, as sat32 of the exact product does) and neg_right = −e ∈ [−31, 0].
static inline int32x4_t octk_requant_lr_neon(int32x4_t acc, int32x4_t mult, int32x4_t left, int32x4_t neg_right) {
  const int32x4_t h = vqrdmulhq_s32(vqshlq_s32(acc, left), mult);
  // (h & neg_right) has its sign bit set iff h < 0 and e > 0; >> 31 makes it −1, added to h.
  return vrshlq_s32(vsraq_n_s32(h, vandq_s32(h, neg_right), 31), neg_right);
}

/// octk_requantize(acc, mult, shift) per lane, shift in [−31, 30].
static inline int32x4_t octk_requant_neon(int32x4_t acc, int32x4_t mult, int32x4_t shift) {
  const int32x4_t zero = vdupq_n_s32(0);
  return octk_requant_lr_neon(acc, mult, vmaxq_s32(shift, zero), vminq_s32(shift, zero));
}

/// Output step: clamp(z_out + r, lo, hi), then into int8. z_out + r saturates in int32 and the
/// narrowing saturates, which moves no result (the clamps are monotone and their bounds lie
/// inside int8 once lo and hi are clamped to it: clamp8(clamp(v, lo, hi)) =
/// clamp(clamp8(v), clamp8(lo), clamp8(hi)), also when lo > hi, where both give clamp8(hi)).
typedef struct {
  int32x4_t z;
  int8x16_t lo, hi;
} octk_neon_out;

static inline octk_neon_out octk_neon_out_make(int32_t z, int32_t lo, int32_t hi) {
  octk_neon_out o;
  o.z = vdupq_n_s32(z);
  o.lo = vdupq_n_s8((int8_t)(lo < -128 ? -128 : (lo > 127 ? 127 : lo)));
  o.hi = vdupq_n_s8((int8_t)(hi < -128 ? -128 : (hi > 127 ? 127 : hi)));
  return o;
}

/// sat16(z_out + r) of 8 lanes.
static inline int16x8_t octk_neon_out_s16(int32x4_t r0, int32x4_t r1, const octk_neon_out* o) {
  return vqmovn_high_s32(vqmovn_s32(vqaddq_s32(r0, o->z)), vqaddq_s32(r1, o->z));
}

static inline int8x16_t octk_neon_out_s8x16(int32x4_t r0, int32x4_t r1, int32x4_t r2, int32x4_t r3,
                                            const octk_neon_out* o) {
  const int8x16_t v = vqmovn_high_s16(vqmovn_s16(octk_neon_out_s16(r0, r1, o)), octk_neon_out_s16(r2, r3, o));
  return vminq_s8(vmaxq_s8(v, o->lo), o->hi);
}

static inline int8x8_t octk_neon_out_s8x8(int32x4_t r0, int32x4_t r1, const octk_neon_out* o) {
  const int8x8_t v = vqmovn_s16(octk_neon_out_s16(r0, r1, o));
  return vmin_s8(vmax_s8(v, vget_low_s8(o->lo)), vget_low_s8(o->hi));
}

/// 16 channels of accumulators + bias, requantized with their channels' parameters, as bytes.
static inline int8x16_t octk_neon_requant_s8x16(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3,
                                                const int32_t* bias, const int32_t* mult, const int32_t* shift,
                                                const octk_neon_out* o) {
#define OCTK_RQ(i) octk_requant_neon(vaddq_s32(a##i, vld1q_s32(bias + 4 * i)), vld1q_s32(mult + 4 * i), vld1q_s32(shift + 4 * i))
  return octk_neon_out_s8x16(OCTK_RQ(0), OCTK_RQ(1), OCTK_RQ(2), OCTK_RQ(3), o);
#undef OCTK_RQ
}

static inline int8x8_t octk_neon_requant_s8x8(int32x4_t a0, int32x4_t a1, const int32_t* bias, const int32_t* mult,
                                              const int32_t* shift, const octk_neon_out* o) {
  const int32x4_t r0 = octk_requant_neon(vaddq_s32(a0, vld1q_s32(bias)), vld1q_s32(mult), vld1q_s32(shift));
  const int32x4_t r1 = octk_requant_neon(vaddq_s32(a1, vld1q_s32(bias + 4)), vld1q_s32(mult + 4), vld1q_s32(shift + 4));
  return octk_neon_out_s8x8(r0, r1, o);
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
