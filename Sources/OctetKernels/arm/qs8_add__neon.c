// Contiguous int8 add, 32 elements per step, exactly octk_qs8_add_one (octk_qs8.h) per element:
//   fa = SCVTF(a − z_a)·a_scale, fb = SCVTF(b − z_b)·b_scale    (two FMUL: each rounded once)
//   f  = fa + fb                                                (one FADD: never FMLA/FMA)
//   y  = FCVTNS(min(max(f, lo − z_out), hi − z_out)) + z_out    (qs8_requant_neon.h)
// a − z_a is exact in int16 (SSUBL of the int8 bytes and z_a as int8), widened by SXTL: zero
// points outside int8, which the spec excludes, take the scalar form instead. The products are
// pinned in registers (an empty asm) before the add, so no compiler can contract them into a
// fused multiply-add even under -ffp-contract=fast. The clamp runs after the conversion, on
// the narrowed bytes (qs8_requant_neon.h: the same result). The tail (count mod 16) goes through
// a local buffer: exactly `count` bytes are read and written (y may alias a or b).
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#include "qs8_requant_neon.h"

typedef struct {
  int8x16_t za, zb;  // the zero points in every byte
  float32x4_t sa, sb;
  octk_neon_out out;
} add_consts;

/// fa + fb of 4 lanes from da = a − z_a, db = b − z_b, rounded to int32 (not yet clamped).
static inline int32x4_t add4(int16x4_t da, int16x4_t db, const add_consts* k) {
  float32x4_t fa = vmulq_f32(vcvtq_f32_s32(vmovl_s16(da)), k->sa), fb = vmulq_f32(vcvtq_f32_s32(vmovl_s16(db)), k->sb);
  __asm__("" : "+w"(fa), "+w"(fb));  // no contraction of the products into the add
  return vcvtnq_s32_f32(vaddq_f32(fa, fb));
}

static inline int16x8_t add8(int16x8_t da, int16x8_t db, const add_consts* k) {
  const int32x4_t q0 = add4(vget_low_s16(da), vget_low_s16(db), k), q1 = add4(vget_high_s16(da), vget_high_s16(db), k);
  return vqaddq_s16(vqmovn_high_s32(vqmovn_s32(q0), q1), k->out.z);
}

/// x[8..15] − z[8..15] as int16: one SSUBL2 (clang lowers vsubl_high_s8 of a splat to EXT + SSUBL).
static inline int16x8_t subl_high(int8x16_t x, int8x16_t z) {
#if defined(__clang__)
  int16x8_t d;
  __asm__("ssubl2 %0.8h, %1.16b, %2.16b" : "=w"(d) : "w"(x), "w"(z));
  return d;
#else
  return vsubl_high_s8(x, z);
#endif
}

static inline int8x16_t add16(int8x16_t a, int8x16_t b, const add_consts* k) {
  const int16x8_t lo = add8(vsubl_s8(vget_low_s8(a), vget_low_s8(k->za)), vsubl_s8(vget_low_s8(b), vget_low_s8(k->zb)), k);
  const int16x8_t hi = add8(subl_high(a, k->za), subl_high(b, k->zb), k);
  return vminq_s8(vmaxq_s8(vqmovn_high_s16(vqmovn_s16(lo), hi), k->out.lo), k->out.hi);
}

void octk_qs8_add__neon(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p) {
  if (p->a_zero_point < INT8_MIN || p->a_zero_point > INT8_MAX || p->b_zero_point < INT8_MIN ||
      p->b_zero_point > INT8_MAX) {
    for (size_t i = 0; i < count; ++i) y[i] = octk_qs8_add_one(a[i], b[i], p);
    return;
  }
  add_consts k;
  k.za = vdupq_n_s8((int8_t)p->a_zero_point);
  k.zb = vdupq_n_s8((int8_t)p->b_zero_point);
  k.sa = vdupq_n_f32(p->a_scale);
  k.sb = vdupq_n_f32(p->b_scale);
  k.out = octk_neon_out_make(p->output_zero_point, p->lo, p->hi);
  size_t i = 0;
  for (; i + 32 <= count; i += 32) {
    const int8x16_t a0 = vld1q_s8(a + i), a1 = vld1q_s8(a + i + 16), b0 = vld1q_s8(b + i), b1 = vld1q_s8(b + i + 16);
    vst1q_s8(y + i, add16(a0, b0, &k));
    vst1q_s8(y + i + 16, add16(a1, b1, &k));
  }
  for (; i + 16 <= count; i += 16) vst1q_s8(y + i, add16(vld1q_s8(a + i), vld1q_s8(b + i), &k));
  if (i < count) {
    int8_t ta[16] = {0}, tb[16] = {0}, ty[16];
    memcpy(ta, a + i, count - i);
    memcpy(tb, b + i, count - i);
    vst1q_s8(ty, add16(vld1q_s8(ta), vld1q_s8(tb), &k));
    memcpy(y + i, ty, count - i);
  }
}
#endif
