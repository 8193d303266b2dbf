// Portable twin of the 16c depthwise kernels: same packing and data path, sums wrapping in
// uint32 as the SIMD kernels' int32 lanes do.
#include "octk_qs8_dwconv.h"

void octk_qs8_dwconv_16c__scalar(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                 size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y) {
  for (size_t px = pixel_begin; px < pixel_end; ++px) {
    for (int c = 0; c < p->channels; ++c) {
      const int b = c / OCTK_QS8_DW_NR, lane = c % OCTK_QS8_DW_NR;
      uint32_t acc = (uint32_t)p->bias[c];
      for (int t = 0; t < p->taps; ++t) {
        acc += (uint32_t)((int32_t)ind[px * p->taps + t][c] * ((const int32_t*)p->weights)[((size_t)b * p->taps + t) * OCTK_QS8_DW_NR + lane]);
      }
      y[px * p->channels + c] = (int8_t)octk_requantize((int32_t)acc, p->scale[c], output_zero_point, lo, hi);
    }
  }
}
