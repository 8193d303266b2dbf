// Quantize kernels (octk_qs8_quantize.h), fastest first per path; the reference row last.
#include "octk_cpu.h"
#include "octk_qs8_quantize.h"
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "octk_qs8_avx512.h"
#endif
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#endif

const octk_qs8_quantize_config octk_qs8_quantize_configs[] = {
#if defined(__x86_64__)
    {{"avx512vnni", OCTK_CPU_X86_AVX512VNNI_SET | OCTK_CPU_X86_AVX512VBMI}, "octk_qs8_quantize_f32__avx512",
     octk_qs8_quantize_f32__avx512, octk_qs8_quantize_f32_nchw3__avx512vbmi, octk_qs8_dequantize__avx512},
    {{"avx512vnni", OCTK_CPU_X86_AVX512VNNI_SET}, "octk_qs8_quantize_f32__avx512", octk_qs8_quantize_f32__avx512,
     octk_qs8_quantize_f32_nchw3__avx512, octk_qs8_dequantize__avx512},
    {{"avxvnni", OCTK_CPU_X86_AVX2}, "octk_qs8_quantize_f32__avx2", octk_qs8_quantize_f32__avx2, NULL, octk_qs8_dequantize__avx2},
    {{"avx2", OCTK_CPU_X86_AVX2}, "octk_qs8_quantize_f32__avx2", octk_qs8_quantize_f32__avx2, NULL, octk_qs8_dequantize__avx2},
#endif
#if defined(__aarch64__)
    {{"i8mm", OCTK_CPU_ARM_NEON}, "octk_qs8_quantize_f32__neon", octk_qs8_quantize_f32__neon, octk_qs8_quantize_f32_nchw3__neon, octk_qs8_dequantize__neon},
    {{"dotprod", OCTK_CPU_ARM_NEON}, "octk_qs8_quantize_f32__neon", octk_qs8_quantize_f32__neon, octk_qs8_quantize_f32_nchw3__neon, octk_qs8_dequantize__neon},
    {{"neon", OCTK_CPU_ARM_NEON}, "octk_qs8_quantize_f32__neon", octk_qs8_quantize_f32__neon, octk_qs8_quantize_f32_nchw3__neon, octk_qs8_dequantize__neon},
#endif
    {{NULL, 0}, "octk_qs8_quantize_f32__reference", octk_qs8_quantize_f32__reference, NULL, octk_qs8_dequantize__reference},
};
const size_t octk_qs8_quantize_config_count = sizeof octk_qs8_quantize_configs / sizeof octk_qs8_quantize_configs[0];
