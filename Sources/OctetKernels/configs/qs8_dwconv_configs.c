// Depthwise kernels (octk_qs8_dwconv.h), fastest first per path. A new ISA kernel is one line here.
#include "octk_cpu.h"
#include "octk_qs8_dwconv.h"
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "octk_qs8_avx512.h"
#endif
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#endif

#define NEON_16C(path, features)                                                                            \
  {{path, features}, "octk_qs8_dwconv_16c__neon_mul8", octk_qs8_dwconv_16c__neon_mul8, octk_qs8_dwconv_packed_bytes_16c_i8, \
   octk_qs8_dwconv_pack_16c_i8}

const octk_qs8_dwconv_config octk_qs8_dwconv_configs[] = {
#if defined(__x86_64__)
    {{"avx512vnni", OCTK_CPU_X86_AVX512VNNI_SET}, "octk_qs8_dwconv_64c4__avx512vnni", octk_qs8_dwconv_64c4__avx512vnni,
     octk_qs8_dwconv_packed_bytes_64c4, octk_qs8_dwconv_pack_64c4},
    {{"avxvnni", OCTK_CPU_X86_AVX2}, "octk_qs8_dwconv_16c2__avx2", octk_qs8_dwconv_16c2__avx2, octk_qs8_dwconv_packed_bytes_16c2s16,
     octk_qs8_dwconv_pack_16c2s16},
    {{"avx2", OCTK_CPU_X86_AVX2}, "octk_qs8_dwconv_16c2__avx2", octk_qs8_dwconv_16c2__avx2, octk_qs8_dwconv_packed_bytes_16c2s16,
     octk_qs8_dwconv_pack_16c2s16},
#endif
#if defined(__aarch64__)
    NEON_16C("i8mm", OCTK_CPU_ARM_NEON),
    NEON_16C("dotprod", OCTK_CPU_ARM_NEON),
    NEON_16C("neon", OCTK_CPU_ARM_NEON),
#endif
    {{"scalar", 0}, "octk_qs8_dwconv_16c__scalar", octk_qs8_dwconv_16c__scalar, octk_qs8_dwconv_packed_bytes_16c,
     octk_qs8_dwconv_pack_16c},
};
const size_t octk_qs8_dwconv_config_count = sizeof octk_qs8_dwconv_configs / sizeof octk_qs8_dwconv_configs[0];
