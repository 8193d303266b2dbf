// Roofline microbenchmark: the peak multiply-accumulate rate of one core for each dot-product
// instruction family, measured with short in-register bursts (independent accumulator chains,
// no memory traffic) and the best of many rounds, because long runs get preempted on shared VMs.
#ifndef OCTK_PEAK_H
#define OCTK_PEAK_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  OCTK_PEAK_S8_AVX512VNNI = 0,  // vpdpbusd zmm: 64 u8·s8 MACs per instruction
  OCTK_PEAK_S8_AVXVNNI,         // vpdpbusd ymm (VEX): 32
  OCTK_PEAK_S8_AVX2,            // vpmaddubsw + vpmaddwd + vpaddd ymm: 32 per triple
  OCTK_PEAK_F32_AVX512,         // vfmadd231ps zmm: 16
  OCTK_PEAK_F32_FMA,            // vfmadd231ps ymm: 8
  OCTK_PEAK_S8_NEON_I8MM,       // smmla: 32
  OCTK_PEAK_S8_NEON_DOTPROD,    // sdot (vector): 16
  OCTK_PEAK_S8_NEON,            // smlal + smlal2 (int8 → int16) + sadalp (→ int32): 16 per triple
  OCTK_PEAK_F32_NEON,           // fmla (vector): 4
  OCTK_PEAK_COUNT
} octk_peak_kind;

/// Short name, e.g. "s8 avx512vnni (vpdpbusd zmm)".
const char* octk_peak_name(octk_peak_kind kind);

/// True when this CPU (detected at run time) can run `kind`.
int octk_peak_supported(octk_peak_kind kind);

/// Multiply-accumulates per second on the calling thread: the best of `rounds` bursts of about
/// `burst_ns` nanoseconds each. 0 when `kind` is not supported here.
double octk_peak_macs_per_second(octk_peak_kind kind, int rounds, int64_t burst_ns);

#ifdef __cplusplus
}
#endif
#endif
