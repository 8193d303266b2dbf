#include "octk_cpu.h"

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#endif

static uint32_t detect(void) {
  uint32_t f = 0;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) f |= OCTK_CPU_X86_AVX2;
  if (__builtin_cpu_supports("fma")) f |= OCTK_CPU_X86_FMA;
  if (__builtin_cpu_supports("avx512f")) f |= OCTK_CPU_X86_AVX512F;
  if (__builtin_cpu_supports("avx512bw")) f |= OCTK_CPU_X86_AVX512BW;
  if (__builtin_cpu_supports("avx512vnni")) f |= OCTK_CPU_X86_AVX512VNNI;
  if (__builtin_cpu_supports("avxvnni")) f |= OCTK_CPU_X86_AVXVNNI;
  if (__builtin_cpu_supports("avx512vl")) f |= OCTK_CPU_X86_AVX512VL;
  if (__builtin_cpu_supports("avx512vbmi")) f |= OCTK_CPU_X86_AVX512VBMI;
#elif defined(__aarch64__) && defined(__linux__)
  unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
  if (hw & HWCAP_ASIMD) f |= OCTK_CPU_ARM_NEON;
  if (hw & HWCAP_ASIMDDP) f |= OCTK_CPU_ARM_DOTPROD;
  if (hw2 & HWCAP2_I8MM) f |= OCTK_CPU_ARM_I8MM;
#endif
  return f;
}

uint32_t octk_cpu_features(void) {
  // Bit 31 marks "detected"; racing first calls store the same value.
  static uint32_t cached = 0;
  uint32_t f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (!(f & 0x80000000u)) {
    f = detect() | 0x80000000u;
    __atomic_store_n(&cached, f, __ATOMIC_RELAXED);
  }
  return f & 0x7fffffffu;
}
