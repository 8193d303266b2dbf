// The x86 AVX2 kernel path (CPUs without AVX-512 VNNI): conv / FC as an indirect GEMM,
// depthwise conv, add, f32 quantization and pools, each bit-exact with its reference twin (the
// contracts of their family headers). The data path is sign-extended int16 × int16 → int32
// (vpmaddwd), which cannot saturate, so the packed biases fold only the input zero point:
// bias' = bias − z_in·Σ w. The conv of ops whose weights are all in [−63, 63] (7-bit models)
// multiplies unsigned activations by int8 weights instead (vpmaddubsw, 16c4u8 like AVX-VNNI).
// Each function needs AVX2 (OCTK_CPU_X86_AVX2); x86-64 only.
#ifndef OCTK_QS8_AVX2_H
#define OCTK_QS8_AVX2_H
#include "octk_qs8_add.h"
#include "octk_qs8_conv.h"
#include "octk_qs8_dwconv.h"
#include "octk_qs8_pooling.h"
#include "octk_qs8_quantize.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Output channels per packed block and input channels per packed step of the 16c4s16 layout
/// (octk_qs8_conv_layout_16c4s16: int16 weights [groups][blocks][taps][cg4 / 4][64], 0 for
/// channels ≥ og and k ≥ cg; the order inside a step: offset_16c4s16 in
/// packing/qs8_conv_layouts.c; bias' = bias − z_in·Σ w).
#define OCTK_QS8_16C4S16_NR 16
#define OCTK_QS8_16C4S16_KR 4

/// 4 pixels × 16 channels per tile, AVX-VNNI vpdpbusd ymm (16c4u8 layout). Needs AVX2 + AVXVNNI
/// (path "avxvnni": Intel client CPUs without AVX-512). Reads at most 3 bytes past a pixel's
/// last input channel.
void octk_qs8_igemm_4x16c4__avxvnni(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                    size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// 4 pixels × 16 channels per tile for weights in [−63, 63] only (7-bit): vpmaddubsw on x ^ 0x80
/// (int16 pair sums, exact as 2·255·63 < 2^15) then vpmaddwd with ones, the 16c4u8 layout of
/// the AVX-VNNI kernel and its bytes. A weight outside [−63, 63] may saturate: the config row's
/// max_weight (63) keeps such ops on octk_qs8_igemm_2x16c4__avx2. Reads at most 3 bytes past a
/// pixel's last input channel.
void octk_qs8_igemm_4x16c4__avx2_madd7(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                       size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// 2 pixels × 16 channels per tile, vpmaddwd ymm. Reads at most 3 bytes past a pixel's last
/// input channel.
void octk_qs8_igemm_2x16c4__avx2(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                 size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// The 16c2s16 depthwise layout: weights int16 [blocks][(taps + 1) / 2][32] (tap pairs, 0 past
/// the last tap and past channels) followed by each block's bias' and scales in the kernel's
/// lane order; bias' = bias − z_in·Σ_t w and scale [blocks][16] in channel order; the zero row
/// as in 16c. The packing itself needs AVX2.
size_t octk_qs8_dwconv_packed_bytes_16c2s16(int channels, int taps);
void octk_qs8_dwconv_pack_16c2s16(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                                  octk_qs8_dwconv_packed* out);

/// Depthwise conv (multiplier 1), 16 channels × 2 taps per step. Reads at most 15 bytes past a
/// pixel's last channel.
void octk_qs8_dwconv_16c2__avx2(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// Contiguous add, exactly octk_qs8_add__scalar; reads and writes nothing past count.
void octk_qs8_add__avx2(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);

/// Pools, exactly the reference max, average and global average pools (32 channels per step);
/// they read and write nothing outside the pixels' channels. The average pool needs the
/// verifier's window (count ≤ 2^20), the global one its pixels < 2^23 (no int32 saturation).
void octk_qs8_maxpool_nhwc__avx2(const int8_t* x, int channels, const octk_window* win, int8_t* y);
void octk_qs8_avgpool_nhwc__avx2(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                                 int32_t zero_point, int8_t* y);
void octk_qs8_global_avgpool_nhwc__avx2(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                                        int32_t output_zero_point, float scale, int8_t* y);

/// f32 → int8 quantization, exactly octk_qs8_quantize_f32__reference.
void octk_qs8_quantize_f32__avx2(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y);
void octk_qs8_dequantize__avx2(const int8_t* x, size_t count, float scale, int32_t zero_point, float* y);

#ifdef __cplusplus
}
#endif
#endif
