// Contiguous int8 add, 16 elements per step, exactly octk_qs8_add_one (octk_qs8.h) per element:
//   fa = SCVTF(a − z_a)·a_scale, fb = SCVTF(b − z_b)·b_scale    (two FMUL: each rounded once)
//   f  = fa + fb                                                (one FADD: never FMLA/FMA)
//   y  = FCVTNS(min(max(f, lo − z_out), hi − z_out)) + z_out    (qs8_requant_neon.h)
// a − z_a is exact in int32 (SXTL to int16, SSUBL by z_a as int16): zero points outside int16,
// which the spec excludes, take the scalar form instead. The products are pinned in registers
// (an empty asm) before the add, so no compiler can contract them into a fused multiply-add
// even under -ffp-contract=fast. The tail (count mod 16) goes through a local buffer: exactly
// `count` bytes are read and written (y may alias a or b).
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#include "qs8_requant_neon.h"

typedef struct {
  int16x8_t za, zb;
  float32x4_t sa, sb;
  octk_neon_out out;
} add_consts;

/// round_half_even(clamp(f)) of 4 lanes (z_out not yet added) from da = a − z_a, db = b − z_b.
static inline int32x4_t add4(int32x4_t da, int32x4_t db, const add_consts* k) {
  float32x4_t fa = vmulq_f32(vcvtq_f32_s32(da), k->sa), fb = vmulq_f32(vcvtq_f32_s32(db), k->sb);
  __asm__("" : "+w"(fa), "+w"(fb));  // no contraction of the products into the add
  return octk_neon_round_f32(vaddq_f32(fa, fb), &k->out);
}

static inline int8x16_t add16(int8x16_t a, int8x16_t b, const add_consts* k) {
  const int16x8_t al = vmovl_s8(vget_low_s8(a)), ah = vmovl_high_s8(a);
  const int16x8_t bl = vmovl_s8(vget_low_s8(b)), bh = vmovl_high_s8(b);
  const int16x4_t za = vget_low_s16(k->za), zb = vget_low_s16(k->zb);
  const int32x4_t q0 = add4(vsubl_s16(vget_low_s16(al), za), vsubl_s16(vget_low_s16(bl), zb), k);
  const int32x4_t q1 = add4(vsubl_high_s16(al, k->za), vsubl_high_s16(bl, k->zb), k);
  const int32x4_t q2 = add4(vsubl_s16(vget_low_s16(ah), za), vsubl_s16(vget_low_s16(bh), zb), k);
  const int32x4_t q3 = add4(vsubl_high_s16(ah, k->za), vsubl_high_s16(bh, k->zb), k);
  return octk_neon_out_s8x16(q0, q1, q2, q3, &k->out);
}

void octk_qs8_add__neon(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p) {
  if (p->a_zero_point < INT16_MIN || p->a_zero_point > INT16_MAX || p->b_zero_point < INT16_MIN ||
      p->b_zero_point > INT16_MAX) {
    for (size_t i = 0; i < count; ++i) y[i] = octk_qs8_add_one(a[i], b[i], p);
    return;
  }
  add_consts k;
  k.za = vdupq_n_s16((int16_t)p->a_zero_point);
  k.zb = vdupq_n_s16((int16_t)p->b_zero_point);
  k.sa = vdupq_n_f32(p->a_scale);
  k.sb = vdupq_n_f32(p->b_scale);
  k.out = octk_neon_out_make(p->output_zero_point, p->lo, p->hi);
  size_t i = 0;
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
