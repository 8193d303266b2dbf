// ARM (aarch64) int8 kernel paths of the configs (octk_qs8_kernels.h): "i8mm" (SMMLA), "dotprod"
// (SDOT) and "neon" (SMULL/SMLAL + SADALP, Cortex-A72 class). Each conv kernel has its own
// packing; depthwise, add, quantize and pools are plain NEON, shared by the three paths.
//
// Data path (signed × signed, no +128 shift as on x86 VNNI):
//   acc[o] = Σ_k x[k]·w[o][k] + bias'[o],   bias' = bias − z_in·Σ_k w[o][k]
//          = Σ_k (x[k] − z_in)·w[o][k] + bias   (padding taps read z_in bytes: they add 0)
// Int32 sums wrap (the spec's int32 guarantee excludes wrapping of the true total), then the
// binary32 requantization of DESIGN.md §2 (octk_requantize), no fused multiply-add:
//   y[o] = FCVTNS(min(max(SCVTF(acc[o])·scale[o], lo − z_out), hi − z_out)) + z_out
// (FCVTNS rounds half to even), so the result equals octk_qs8_conv_nhwc__reference bit for bit.
// Depthwise and global average pool requantize the same way; Add forms its two products with
// separate FMULs and sums them with one FADD before the clamp (octk_qs8_add_one).
//
// Packed conv weights (conv_packed.weights) of the ARM layouts: a 64-byte header (int32 flags,
// see OCTK_ARM_PACK_*), then [groups][blocks][taps][k steps][NR channels][KR bytes] with k
// padded (zero weights) as the layout says; bias (int32) and scale (float) are [groups][blocks][NR].
// The kernels read at most 3 bytes past a pixel's channels (the x86 contract), depthwise at
// most 15; add and quantize read and write exactly `count` elements.
#ifndef OCTK_QS8_ARM_H
#define OCTK_QS8_ARM_H
#include "octk_qs8_add.h"
#include "octk_qs8_conv.h"
#include "octk_qs8_dwconv.h"
#include "octk_qs8_pooling.h"
#include "octk_qs8_quantize.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes of the header in front of the ARM-packed conv weights.
#define OCTK_ARM_PACK_HEADER 64
/// Header flag (int32 word 0): some 16-byte k chunk of the 8c16 layout holds −128 at both k
/// and k + 8 of one channel, so a pair of products may reach 2^15 (the "neon" kernel then
/// widens each product on its own; the spec's weights, in [−127, 127], never set it).
#define OCTK_ARM_PACK_PAIR_OVERFLOW 1

/// Their layouts (octk_qs8_conv.h, packing/qs8_conv_layouts.c): 16c4 (SDOT): 16 output channels
/// per block, k steps of 4; 16c8 (SMMLA): k steps of 8, a step being 8 channel pairs × 2
/// channels × 8 bytes; 8c16 (SMULL/SMLAL): 8 channels per block, cg rounded up to 8, in chunks
/// of 16 bytes per channel ([8][16]) and, when the rounded count is 8 mod 16, a last [8][8].

/// 4 pixels × 16 channels, SMMLA on 2-pixel × 2-channel blocks (16c8). Needs NEON + I8MM.
void octk_qs8_igemm_4x16c8__neoni8mm(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                     size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);
/// 4 pixels × 16 channels, SDOT by lane (16c4). Needs NEON + DOTPROD.
void octk_qs8_igemm_4x16c4__neondot(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                    size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);
/// 2 pixels × 8 channels, SMULL + SMLAL int16 pair sums into SADALP int32 (8c16). NEON only.
void octk_qs8_igemm_2x8c16__neon_mlal(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                      size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// Depthwise (multiplier 1), 16 channels per step, SMULL/SMLAL int8 × int8 on tap pairs summed
/// in int16, SADDW into int32 (16c_i8 packing); pixels outside, channel blocks inside.
void octk_qs8_dwconv_16c__neon_mul8(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                    size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// Pools, exactly the reference max, average and global average pools (16 channels per step);
/// they read and write nothing outside the pixels' channels. The average pool needs the
/// verifier's window (count ≤ 2^20), the global one its pixels < 2^23 (no int32 saturation).
void octk_qs8_maxpool_nhwc__neon(const int8_t* x, int channels, const octk_window* win, int8_t* y);
void octk_qs8_avgpool_nhwc__neon(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                                 int32_t zero_point, int8_t* y);
void octk_qs8_global_avgpool_nhwc__neon(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                                        int32_t output_zero_point, float scale, int8_t* y);

void octk_qs8_add__neon(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);
void octk_qs8_quantize_f32__neon(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y);
/// octk_qs8_quantize_f32_nchw3_fn: 16 pixels per step, ST3 into NHWC.
void octk_qs8_quantize_f32_nchw3__neon(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                       int32_t zero_point, int8_t* nchw, int8_t* nhwc);
void octk_qs8_dequantize__neon(const int8_t* x, size_t count, float scale, int32_t zero_point, float* y);

#ifdef __cplusplus
}
#endif
#endif
