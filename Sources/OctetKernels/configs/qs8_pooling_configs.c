// Pool kernels (octk_qs8_pooling.h), fastest first per path; the reference row last.
#include "octk_cpu.h"
#include "octk_qs8_pooling.h"
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "octk_qs8_avx512.h"
#endif
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#endif

#define NEON_POOLS(path) \
  {{path, OCTK_CPU_ARM_NEON}, "octk_qs8_*pool_nhwc__neon", octk_qs8_maxpool_nhwc__neon, octk_qs8_avgpool_nhwc__neon, \
   octk_qs8_global_avgpool_nhwc__neon}

const octk_qs8_pooling_config octk_qs8_pooling_configs[] = {
#if defined(__x86_64__)
    {{"avx512vnni", OCTK_CPU_X86_AVX512VNNI_SET}, "octk_qs8_*pool_nhwc__avx512", octk_qs8_maxpool_nhwc__avx512,
     octk_qs8_avgpool_nhwc__avx512, octk_qs8_global_avgpool_nhwc__avx512},
    {{"avxvnni", OCTK_CPU_X86_AVX2}, "octk_qs8_*pool_nhwc__avx2", octk_qs8_maxpool_nhwc__avx2, octk_qs8_avgpool_nhwc__avx2,
     octk_qs8_global_avgpool_nhwc__avx2},
    {{"avx2", OCTK_CPU_X86_AVX2}, "octk_qs8_*pool_nhwc__avx2", octk_qs8_maxpool_nhwc__avx2, octk_qs8_avgpool_nhwc__avx2,
     octk_qs8_global_avgpool_nhwc__avx2},
#endif
#if defined(__aarch64__)
    NEON_POOLS("i8mm"),
    NEON_POOLS("dotprod"),
    NEON_POOLS("neon"),
#endif
    {{NULL, 0}, "octk_qs8_*pool_nhwc__reference", octk_qs8_maxpool_nhwc__reference, octk_qs8_avgpool_nhwc__reference,
     octk_qs8_global_avgpool_nhwc__reference},
};
const size_t octk_qs8_pooling_config_count = sizeof octk_qs8_pooling_configs / sizeof octk_qs8_pooling_configs[0];
