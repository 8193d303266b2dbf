// Registry of the kernel paths (indirect-GEMM conv + depthwise kernels) and their run-time selection.
#include <string.h>

#include "octk_cpu.h"
#include "octk_qs8_igemm.h"
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#endif
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#endif

const octk_qs8_igemm_entry octk_qs8_igemm_registry[] = {
#if defined(__x86_64__)
    {"avx512vnni", "octk_qs8_igemm_6x32c4__avx512vnni", OCTK_CPU_X86_AVX512F | OCTK_CPU_X86_AVX512BW | OCTK_CPU_X86_AVX512VL |
                        OCTK_CPU_X86_AVX512VNNI,
     6, octk_qs8_conv_packed_bytes_32c4, octk_qs8_conv_pack_32c4, octk_qs8_igemm_6x32c4__avx512vnni,
     octk_qs8_dwconv_packed_bytes_64c4, octk_qs8_dwconv_pack_64c4, octk_qs8_dwconv_64c4__avx512vnni, octk_qs8_add__avx512_auto,
     octk_qs8_quantize_f32__avx512, octk_qs8_quantize_f32_nchw3__avx512_auto,
     octk_qs8_maxpool_nhwc__avx512, octk_qs8_avgpool_nhwc__avx512, octk_qs8_global_avgpool_nhwc__avx512},
    {"avx2", "octk_qs8_igemm_2x16c4__avx2", OCTK_CPU_X86_AVX2, 2, octk_qs8_conv_packed_bytes_16c4s16,
     octk_qs8_conv_pack_16c4s16, octk_qs8_igemm_2x16c4__avx2, octk_qs8_dwconv_packed_bytes_16c2s16,
     octk_qs8_dwconv_pack_16c2s16, octk_qs8_dwconv_16c2__avx2, octk_qs8_add__avx2, octk_qs8_quantize_f32__avx2},
#endif
#if defined(__aarch64__)
    {"i8mm", "octk_qs8_igemm_4x16c8__neoni8mm", OCTK_CPU_ARM_NEON | OCTK_CPU_ARM_I8MM, 4,
     octk_qs8_conv_packed_bytes_16c8, octk_qs8_conv_pack_16c8, octk_qs8_igemm_4x16c8__neoni8mm,
     octk_qs8_dwconv_packed_bytes_16c_i16, octk_qs8_dwconv_pack_16c_i16, octk_qs8_dwconv_16c__neon, octk_qs8_add__neon,
     octk_qs8_quantize_f32__neon},
    {"dotprod", "octk_qs8_igemm_4x16c4__neondot", OCTK_CPU_ARM_NEON | OCTK_CPU_ARM_DOTPROD, 4,
     octk_qs8_conv_packed_bytes_16c4, octk_qs8_conv_pack_16c4, octk_qs8_igemm_4x16c4__neondot,
     octk_qs8_dwconv_packed_bytes_16c_i16, octk_qs8_dwconv_pack_16c_i16, octk_qs8_dwconv_16c__neon, octk_qs8_add__neon,
     octk_qs8_quantize_f32__neon},
    {"neon", "octk_qs8_igemm_2x8c16__neon_mlal", OCTK_CPU_ARM_NEON, 2, octk_qs8_conv_packed_bytes_8c16,
     octk_qs8_conv_pack_8c16, octk_qs8_igemm_2x8c16__neon_mlal, octk_qs8_dwconv_packed_bytes_16c_i16,
     octk_qs8_dwconv_pack_16c_i16, octk_qs8_dwconv_16c__neon, octk_qs8_add__neon, octk_qs8_quantize_f32__neon},
#endif
    {"scalar", "octk_qs8_igemm_1x32c4__scalar", 0, 1, octk_qs8_conv_packed_bytes_32c4, octk_qs8_conv_pack_32c4,
     octk_qs8_igemm_1x32c4__scalar, octk_qs8_dwconv_packed_bytes_16c, octk_qs8_dwconv_pack_16c,
     octk_qs8_dwconv_16c__scalar, octk_qs8_add__scalar, octk_qs8_quantize_f32__reference},
};
const int octk_qs8_igemm_registry_count = (int)(sizeof octk_qs8_igemm_registry / sizeof octk_qs8_igemm_registry[0]);

const octk_qs8_igemm_entry* octk_qs8_igemm_registry_entry(int i) { return &octk_qs8_igemm_registry[i]; }

const octk_qs8_igemm_entry* octk_qs8_igemm_select(const char* path) {
  const uint32_t features = octk_cpu_features();
  const int any = path == NULL || path[0] == 0 || strcmp(path, "auto") == 0;
  for (int i = 0; i < octk_qs8_igemm_registry_count; ++i) {
    const octk_qs8_igemm_entry* e = &octk_qs8_igemm_registry[i];
    if (!any && strcmp(path, e->path) != 0) continue;
    if ((features & e->required) == e->required) return e;
    if (!any) return NULL;
  }
  return NULL;
}
