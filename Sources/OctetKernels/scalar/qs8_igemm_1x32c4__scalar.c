// Portable twin of the 32c4 indirect-GEMM kernels: one pixel at a time, the packed weights and
// the flipped inputs (u = x ^ 0x80) read exactly as the SIMD kernels read them, int32 sums
// wrapping as theirs do (formed in uint32: signed overflow would be undefined in C).
#include "octk_qs8_conv.h"

void octk_qs8_igemm_1x32c4__scalar(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                   size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y) {
  const size_t out_channels = (size_t)p->out_stride;
  for (size_t px = pixel_begin; px < pixel_end; ++px) {
    for (int g = 0; g < p->groups; ++g) {
      for (int b = 0; b < p->blocks; ++b) {
        const size_t pb = (size_t)g * p->blocks + b;
        const int8_t* w = p->weights + pb * (size_t)p->taps * p->cg4 * OCTK_QS8_32C4_NR;
        uint32_t acc[OCTK_QS8_32C4_NR] = {0};
        for (int t = 0; t < p->taps; ++t) {
          const int8_t* a = ind[px * p->taps + t] + (size_t)g * p->cg;
          for (int c = 0; c < p->cg4; c += OCTK_QS8_32C4_KR) {
            for (int n = 0; n < OCTK_QS8_32C4_NR; ++n) {
              for (int k = 0; k < OCTK_QS8_32C4_KR; ++k) {
                // Bytes past cg belong to another group or pixel (or the slack): their weight is 0.
                const uint32_t xu = (uint8_t)a[c + k];  // flipped by the caller: x + 128
                acc[n] += xu * (uint32_t)(int32_t)w[n * 4 + k];
              }
            }
            w += OCTK_QS8_32C4_NR * OCTK_QS8_32C4_KR;
          }
        }
        for (int n = 0; n < OCTK_QS8_32C4_NR; ++n) {
          const int j = b * OCTK_QS8_32C4_NR + n;
          if (j >= p->og) break;
          const int32_t sum = (int32_t)(acc[n] + (uint32_t)p->bias[pb * OCTK_QS8_32C4_NR + n]);
          y[px * out_channels + (size_t)g * p->og + j] =
              (int8_t)octk_requantize(sum, p->scale[pb * OCTK_QS8_32C4_NR + n], output_zero_point, lo, hi);
        }
      }
    }
  }
}
