// f32 → int8 quantization, exactly octk_qs8_quantize_f32__reference, the fused quantize +
// NCHW → NHWC of a 3-channel image, and int8 → f32 dequantization, exactly
// octk_qs8_dequantize__reference.
#ifndef OCTK_QS8_QUANTIZE_H
#define OCTK_QS8_QUANTIZE_H
#include <stddef.h>
#include <stdint.h>

#include "octk_config.h"
#include "octk_qs8.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*octk_qs8_quantize_f32_fn)(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y);

/// Pixels [begin, end) of a 3-channel f32 image x [3][plane] (NCHW) quantized exactly as
/// octk_qs8_quantize_f32__reference into both nchw [3][plane] and nhwc [plane][3].
typedef void (*octk_qs8_quantize_f32_nchw3_fn)(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                               int32_t zero_point, int8_t* nchw, int8_t* nhwc);

/// y[i] = scale · (float)(x[i] − zero_point).
typedef void (*octk_qs8_dequantize_fn)(const int8_t* x, size_t count, float scale, int32_t zero_point, float* y);

typedef struct {
  octk_config_key key;
  const char* name;
  octk_qs8_quantize_f32_fn quantize;
  octk_qs8_quantize_f32_nchw3_fn quantize_nchw3;  // NULL: the runtime runs Quantize and Transpose apart
  octk_qs8_dequantize_fn dequantize;
} octk_qs8_quantize_config;

/// Every quantize kernel, the reference row last.
extern const octk_qs8_quantize_config octk_qs8_quantize_configs[];
extern const size_t octk_qs8_quantize_config_count;

#ifdef __cplusplus
}
#endif
#endif
