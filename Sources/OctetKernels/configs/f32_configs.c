// Fast fp32 paths of the float executor (octk_f32_fast.h), fastest first. A new ISA path is one row here.
#include "octk_cpu.h"
#include "octk_f32_fast.h"

const octk_f32_fast_path octk_f32_fast_paths[] = {
#if defined(__x86_64__)
    {{"avx512", OCTK_CPU_X86_AVX512F}, octk_f32_igemm_8x32__avx512, 8, 32, octk_f32_dwconv_16c__avx512,
     octk_f32_maxpool_16c__avx512, octk_f32_binary__avx512},
    {{"avx2", OCTK_CPU_X86_AVX2 | OCTK_CPU_X86_FMA}, octk_f32_igemm_6x16__avx2, 6, 16, octk_f32_dwconv_8c__avx2,
     octk_f32_maxpool_8c__avx2, octk_f32_binary__avx2},
#endif
    {{NULL, 0}, NULL, 0, 0, NULL, NULL, NULL},  // keeps the array non-empty; never selected (no kernels)
};
const size_t octk_f32_fast_path_count = sizeof octk_f32_fast_paths / sizeof octk_f32_fast_paths[0] - 1;

const octk_f32_fast_path* octk_f32_fast_path_at(int i) { return &octk_f32_fast_paths[i]; }
