#ifndef OCTK_CPU_H
#define OCTK_CPU_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// CPU features relevant to kernel dispatch (bit flags).
enum {
  OCTK_CPU_X86_AVX2 = 1u << 0,
  OCTK_CPU_X86_FMA = 1u << 1,
  OCTK_CPU_X86_AVX512F = 1u << 2,
  OCTK_CPU_X86_AVX512BW = 1u << 3,
  OCTK_CPU_X86_AVX512VNNI = 1u << 4,
  OCTK_CPU_X86_AVXVNNI = 1u << 5,
  OCTK_CPU_X86_AVX512VL = 1u << 6,
  OCTK_CPU_X86_AVX512VBMI = 1u << 7,
  OCTK_CPU_ARM_NEON = 1u << 8,
  OCTK_CPU_ARM_DOTPROD = 1u << 9,
  OCTK_CPU_ARM_I8MM = 1u << 10,
};

/// What the "avx512vnni" kernels need.
#define OCTK_CPU_X86_AVX512VNNI_SET \
  (OCTK_CPU_X86_AVX512F | OCTK_CPU_X86_AVX512BW | OCTK_CPU_X86_AVX512VL | OCTK_CPU_X86_AVX512VNNI)

/// Features of the CPU this process runs on, detected once at run time.
uint32_t octk_cpu_features(void);

#ifdef __cplusplus
}
#endif
#endif
