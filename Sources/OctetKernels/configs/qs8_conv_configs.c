// Conv kernels (octk_qs8_conv.h), fastest first per path. A new ISA kernel is one line here;
// the last column is the largest |w| the kernel is exact for (octk_qs8_conv_config.max_weight).
#include "octk_cpu.h"
#include "octk_qs8_conv.h"
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "octk_qs8_avx512.h"
#endif
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#endif

const octk_qs8_conv_config octk_qs8_conv_configs[] = {
#if defined(__x86_64__)
    {{"avx512vnni", OCTK_CPU_X86_AVX512VNNI_SET}, "octk_qs8_igemm_6x32c4__avx512vnni", octk_qs8_igemm_6x32c4__avx512vnni, 6, &octk_qs8_conv_layout_32c4, OCTK_QS8_WEIGHTS_ANY},
    {{"avxvnni", OCTK_CPU_X86_AVX2 | OCTK_CPU_X86_AVXVNNI}, "octk_qs8_igemm_4x16c4__avxvnni", octk_qs8_igemm_4x16c4__avxvnni, 4, &octk_qs8_conv_layout_16c4u8, OCTK_QS8_WEIGHTS_ANY},
    {{"avx2", OCTK_CPU_X86_AVX2}, "octk_qs8_igemm_4x16c4__avx2_madd7", octk_qs8_igemm_4x16c4__avx2_madd7, 4, &octk_qs8_conv_layout_16c4u8, OCTK_QS8_WEIGHTS_7BIT},
    {{"avx2", OCTK_CPU_X86_AVX2}, "octk_qs8_igemm_2x16c4__avx2", octk_qs8_igemm_2x16c4__avx2, 2, &octk_qs8_conv_layout_16c4s16, OCTK_QS8_WEIGHTS_ANY},
#endif
#if defined(__aarch64__)
    {{"i8mm", OCTK_CPU_ARM_NEON | OCTK_CPU_ARM_I8MM}, "octk_qs8_igemm_4x16c8__neoni8mm", octk_qs8_igemm_4x16c8__neoni8mm, 4, &octk_qs8_conv_layout_16c8, OCTK_QS8_WEIGHTS_ANY},
    {{"dotprod", OCTK_CPU_ARM_NEON | OCTK_CPU_ARM_DOTPROD}, "octk_qs8_igemm_4x16c4__neondot", octk_qs8_igemm_4x16c4__neondot, 4, &octk_qs8_conv_layout_16c4, OCTK_QS8_WEIGHTS_ANY},
    {{"neon", OCTK_CPU_ARM_NEON}, "octk_qs8_igemm_2x8c16__neon_mlal", octk_qs8_igemm_2x8c16__neon_mlal, 2, &octk_qs8_conv_layout_8c16, OCTK_QS8_WEIGHTS_ANY},
#endif
    {{"scalar", 0}, "octk_qs8_igemm_1x32c4__scalar", octk_qs8_igemm_1x32c4__scalar, 1, &octk_qs8_conv_layout_32c4, OCTK_QS8_WEIGHTS_ANY},
};
const size_t octk_qs8_conv_config_count = sizeof octk_qs8_conv_configs / sizeof octk_qs8_conv_configs[0];
