// Contiguous add kernels (octk_qs8_add.h), fastest first per path; the reference row last.
#include "octk_cpu.h"
#include "octk_qs8_add.h"
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "octk_qs8_avx512.h"
#endif
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#endif

const octk_qs8_add_config octk_qs8_add_configs[] = {
#if defined(__x86_64__)
    {{"avx512vnni", OCTK_CPU_X86_AVX512VNNI_SET}, "octk_qs8_add__avx512", octk_qs8_add__avx512},
    {{"avxvnni", OCTK_CPU_X86_AVX2}, "octk_qs8_add__avx2", octk_qs8_add__avx2},
    {{"avx2", OCTK_CPU_X86_AVX2}, "octk_qs8_add__avx2", octk_qs8_add__avx2},
#endif
#if defined(__aarch64__)
    {{"i8mm", OCTK_CPU_ARM_NEON}, "octk_qs8_add__neon", octk_qs8_add__neon},
    {{"dotprod", OCTK_CPU_ARM_NEON}, "octk_qs8_add__neon", octk_qs8_add__neon},
    {{"neon", OCTK_CPU_ARM_NEON}, "octk_qs8_add__neon", octk_qs8_add__neon},
#endif
    {{NULL, 0}, "octk_qs8_add__scalar", octk_qs8_add__scalar},
};
const size_t octk_qs8_add_config_count = sizeof octk_qs8_add_configs / sizeof octk_qs8_add_configs[0];
