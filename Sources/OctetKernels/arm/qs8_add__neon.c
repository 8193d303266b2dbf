// Contiguous int8 add (TFLite's scheme, reference/qs8_elementwise.c), 16 elements per step in
// int32 lanes, exactly octk_qs8_add__scalar:
//   a' = sat32((a − z_a)·2^left), r = sat32(requant(a', Ma, sa) + requant(b', Mb, sb)),
//   y = clamp(z_out + requant(r, Mo, so), lo, hi).
// a − z_a is formed saturating (SQSUB) and the two saturating left shifts, by `left` and by
// requant's max(sa, 0), run as one SQSHL by their sum: sat(sat(v)·2^i) = sat(v·2^i) for i ≥ 0,
// so both steps are exact for any zero point. The tail (count mod 16) goes through a local
// buffer: exactly `count` bytes are read and written (y may alias a or b).
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#include "qs8_requant_neon.h"

typedef struct {
  int32x4_t za, zb, ma, mb, mo, left_a, left_b, left_o, nright_a, nright_b, nright_o;
  octk_neon_out out;
} add_consts;


static inline int32x4_t lane_sum(int32x4_t a, int32x4_t b, const add_consts* k) {
  const int32x4_t ra = octk_requant_lr_neon(vqsubq_s32(a, k->za), k->ma, k->left_a, k->nright_a);
  const int32x4_t rb = octk_requant_lr_neon(vqsubq_s32(b, k->zb), k->mb, k->left_b, k->nright_b);
  return octk_requant_lr_neon(vqaddq_s32(ra, rb), k->mo, k->left_o, k->nright_o);
}

static inline int8x16_t add16(int8x16_t a, int8x16_t b, const add_consts* k) {
  const int16x8_t al = vmovl_s8(vget_low_s8(a)), ah = vmovl_high_s8(a);
  const int16x8_t bl = vmovl_s8(vget_low_s8(b)), bh = vmovl_high_s8(b);
  const int32x4_t r0 = lane_sum(vmovl_s16(vget_low_s16(al)), vmovl_s16(vget_low_s16(bl)), k);
  const int32x4_t r1 = lane_sum(vmovl_high_s16(al), vmovl_high_s16(bl), k);
  const int32x4_t r2 = lane_sum(vmovl_s16(vget_low_s16(ah)), vmovl_s16(vget_low_s16(bh)), k);
  const int32x4_t r3 = lane_sum(vmovl_high_s16(ah), vmovl_high_s16(bh), k);
  return octk_neon_out_s8x16(r0, r1, r2, r3, &k->out);
}

void octk_qs8_add__neon(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p) {
  const int32_t ls = p->left_shift < 0 ? 0 : (p->left_shift > 30 ? 30 : p->left_shift);
  const int32_t sa = octk_qs8_clamp_shift(p->a_shift), sb = octk_qs8_clamp_shift(p->b_shift), so = octk_qs8_clamp_shift(p->output_shift);
  add_consts k;
  k.za = vdupq_n_s32(p->a_zero_point);
  k.zb = vdupq_n_s32(p->b_zero_point);
  k.ma = vdupq_n_s32(p->a_multiplier);
  k.mb = vdupq_n_s32(p->b_multiplier);
  k.mo = vdupq_n_s32(p->output_multiplier);
  k.left_a = vdupq_n_s32(ls + (sa > 0 ? sa : 0));  // ≤ 60: SQSHL saturates exactly
  k.left_b = vdupq_n_s32(ls + (sb > 0 ? sb : 0));
  k.left_o = vdupq_n_s32(so > 0 ? so : 0);
  k.nright_a = vdupq_n_s32(sa < 0 ? sa : 0);
  k.nright_b = vdupq_n_s32(sb < 0 ? sb : 0);
  k.nright_o = vdupq_n_s32(so < 0 ? so : 0);
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
