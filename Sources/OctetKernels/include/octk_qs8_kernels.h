// The int8 kernels an interpreter runs: one config per op family for one kernel path, chosen
// once for this CPU (octk_config.h).
#ifndef OCTK_QS8_KERNELS_H
#define OCTK_QS8_KERNELS_H
#include "octk_config.h"
#include "octk_qs8_add.h"
#include "octk_qs8_conv.h"
#include "octk_qs8_dwconv.h"
#include "octk_qs8_pooling.h"
#include "octk_qs8_quantize.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const char* path;                          // "avx512vnni", …, "scalar", "reference"
  const octk_qs8_conv_config* conv;          // for any int8 weights; NULL: the reference conv / FC, unpacked
  const octk_qs8_dwconv_config* dwconv;      // NULL: the reference depthwise, unpacked
  const octk_qs8_add_config* add;            // never NULL
  const octk_qs8_pooling_config* pooling;    // never NULL
  const octk_qs8_quantize_config* quantize;  // never NULL
} octk_qs8_kernels;

/// The int8 paths, fastest first: "avx512vnni", "avx2" (x86); "i8mm", "dotprod", "neon"
/// (aarch64); "scalar" (the packed layouts in portable C, for tests: not chosen automatically);
/// "reference" (the spec's kernels, unpacked).
extern const octk_kernel_path octk_qs8_paths[];
extern const int octk_qs8_path_count;
/// Path i (0 ≤ i < octk_qs8_path_count).
const octk_kernel_path* octk_qs8_path(int i);

#define OCTK_SELECT_OK 0
#define OCTK_SELECT_UNKNOWN (-1)
#define OCTK_SELECT_UNSUPPORTED (-2)

/// Fills *out for `path` (NULL, "" or "auto": the first automatic path this CPU runs).
/// Returns OCTK_SELECT_OK, or OCTK_SELECT_UNKNOWN / OCTK_SELECT_UNSUPPORTED (the CPU lacks its features).
int octk_qs8_kernels_select(const char* path, octk_qs8_kernels* out);

/// The conv kernel of k's path for an op whose weights all have |w| ≤ max_abs_weight (0…128,
/// measured from the op's weight bytes): the path's first row this CPU runs whose max_weight
/// covers it (a 7-bit kernel before the general one), else k->conv. NULL when k->conv is (the
/// reference path).
const octk_qs8_conv_config* octk_qs8_kernels_conv_for_weights(const octk_qs8_kernels* k, int max_abs_weight);

#ifdef __cplusplus
}
#endif
#endif
