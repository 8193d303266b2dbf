// Shared by every int8 weight packer: the folded bias and how a packer reads reference-layout
// weights.
#ifndef OCTK_QS8_PACKING_H
#define OCTK_QS8_PACKING_H
#include <stddef.h>
#include <stdint.h>

#include "octk_qs8.h"

#ifdef __cplusplus
extern "C" {
#endif

/// A packed conv's bias for output channel o: bias − (offset + z_in)·Σ w, where offset is what
/// the kernel adds to every input byte (128 for VNNI's x ^ 0x80, 0 for signed products), wrapped
/// to int32 the way the kernels' int32 sums wrap (the spec guarantees the true total fits).
static inline int32_t octk_qs8_folded_bias(const octk_qs8_requant* q, int o, int64_t weight_sum, int32_t offset) {
  const int64_t folded = (q->bias ? q->bias[o] : 0) - (int64_t)(offset + q->input_zero_point) * weight_sum;
  return (int32_t)(uint32_t)(uint64_t)folded;
}

/// 1 when some of the n weights is −128 (the one int8 value outside the spec's [−127, 127]).
static inline int octk_qs8_any_weight_is_min(const int8_t* w, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (w[i] == -128) return 1;
  return 0;
}

/// Weights as a packer reads them: element (output channel o, tap t, input channel k of the
/// group) at data[o·o_stride + t·tap_stride + k·k_stride]. A conv's [O][kH][kW][C/g] is
/// (taps·cg, cg, 1); a fully-connected [N][K] is (K, 0, 1); a depthwise conv's [kH][kW][C·m]
/// seen as C groups of one input channel is (1, C·m, 0) — the lowering's layout, read in place.
typedef struct {
  const int8_t* data;
  ptrdiff_t o_stride, tap_stride, k_stride;
} octk_qs8_weights;

static inline int8_t octk_qs8_weight(const octk_qs8_weights* w, int o, int t, int k) {
  return w->data[(ptrdiff_t)o * w->o_stride + (ptrdiff_t)t * w->tap_stride + (ptrdiff_t)k * w->k_stride];
}

#ifdef __cplusplus
}
#endif
#endif
