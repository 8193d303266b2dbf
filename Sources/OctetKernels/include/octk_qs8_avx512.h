// The x86 AVX-512 kernels (path "avx512vnni"): each bit-exact with its reference twin under the
// contracts of its family header. x86-64 only; each names the features it needs.
#ifndef OCTK_QS8_AVX512_H
#define OCTK_QS8_AVX512_H
#include "octk_qs8_add.h"
#include "octk_qs8_conv.h"
#include "octk_qs8_dwconv.h"
#include "octk_qs8_pooling.h"
#include "octk_qs8_quantize.h"

#ifdef __cplusplus
extern "C" {
#endif

/// 6 pixels × 32 channels per tile, vpdpbusd zmm (32c4). Needs AVX512F + AVX512BW + AVX512VL + AVX512VNNI.
void octk_qs8_igemm_6x32c4__avx512vnni(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                       size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// Depthwise, 64 channels per step, 4 taps per vpdpbusd (64c4). Reads whole 64-byte rows with
/// masked loads (no byte past a pixel's last channel). Needs AVX512F + AVX512BW + AVX512VL + AVX512VNNI.
void octk_qs8_dwconv_64c4__avx512vnni(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                      size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// Contiguous add, exactly octk_qs8_add__scalar; reads and writes nothing past count.
void octk_qs8_add__avx512(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);

void octk_qs8_maxpool_nhwc__avx512(const int8_t* x, int channels, const octk_window* win, int8_t* y);
void octk_qs8_avgpool_nhwc__avx512(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                                   int32_t zero_point, int8_t* y);
void octk_qs8_global_avgpool_nhwc__avx512(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                                          int32_t output_zero_point, float scale, int8_t* y);

void octk_qs8_quantize_f32__avx512(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y);
void octk_qs8_dequantize__avx512(const int8_t* x, size_t count, float scale, int32_t zero_point, float* y);
/// Needs AVX512VBMI (vpermb) besides AVX512F + AVX512BW.
void octk_qs8_quantize_f32_nchw3__avx512vbmi(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                             int32_t zero_point, int8_t* nchw, int8_t* nhwc);
/// Planes through octk_qs8_quantize_f32__avx512, then a byte interleave.
void octk_qs8_quantize_f32_nchw3__avx512(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                         int32_t zero_point, int8_t* nchw, int8_t* nhwc);

#ifdef __cplusplus
}
#endif
#endif
