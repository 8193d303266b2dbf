// One pass over a float tensor for calibration: extremes, exact zeros, non-finite values.
// Sixteen independent lanes (each lane a plain compare-and-select, so compilers vectorise it
// without reassociating anything), merged at the end; a tail runs lane 0's formula.
#include <string.h>

#include "octk_f32.h"

void octk_f32_range_stats(const float* x, size_t n, float* lo_out, float* hi_out, size_t* zeros_out, int* nonfinite_out) {
  float lo[16], hi[16];
  uint32_t exponent[16], zeros[16];
  for (int j = 0; j < 16; ++j) {
    lo[j] = __builtin_inff();
    hi[j] = -__builtin_inff();
    exponent[j] = 0;
    zeros[j] = 0;
  }
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (int j = 0; j < 16; ++j) {
      const float v = x[i + j];
      uint32_t b;
      memcpy(&b, &v, 4);
      lo[j] = v < lo[j] ? v : lo[j];
      hi[j] = v > hi[j] ? v : hi[j];
      const uint32_t e = b & 0x7F800000u;  // all ones exactly for ±∞ and NaN
      exponent[j] = e > exponent[j] ? e : exponent[j];
      zeros[j] += ((b & 0x7FFFFFFFu) - 1u) >> 31;  // 1 for ±0 only
    }
  }
  float l = __builtin_inff(), h = -__builtin_inff();
  uint32_t e = 0;
  size_t z = 0;
  for (int j = 0; j < 16; ++j) {
    l = lo[j] < l ? lo[j] : l;
    h = hi[j] > h ? hi[j] : h;
    e = exponent[j] > e ? exponent[j] : e;
    z += zeros[j];
  }
  for (; i < n; ++i) {
    const float v = x[i];
    uint32_t b;
    memcpy(&b, &v, 4);
    l = v < l ? v : l;
    h = v > h ? v : h;
    e = (b & 0x7F800000u) > e ? (b & 0x7F800000u) : e;
    z += ((b & 0x7FFFFFFFu) - 1u) >> 31;
  }
  *lo_out = l;
  *hi_out = h;
  *zeros_out = z;
  *nonfinite_out = e == 0x7F800000u;
}
