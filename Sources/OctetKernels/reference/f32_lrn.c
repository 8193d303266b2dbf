// fp32 local response normalization across channels (ONNX LRN; the float fallback of LRN).
#include <math.h>

#include "octk_f32.h"

// For every pixel p < pixels and channel c < channels of x[pixels][channels]:
//   S = Σ x[p][j]² over j in [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉] ∩ [0, channels),
//   y[p][c] = (float)(x / (bias + alpha/size · S)^beta)
// with the squares, S, the base and pow all in double and one rounding to float at the end.
// Each window is summed directly (no running sum), so the result does not depend on the
// order channels are visited. x and y must not overlap (y is written while x's row is still
// read). A base ≤ 0 or non-finite value follows IEEE pow / division (NaN or ±∞).
void octk_f32_lrn_nhwc(const float* x, size_t pixels, int channels, int size, float alpha, float beta, float bias,
                       float* y) {
  if (channels <= 0 || size <= 0) return;
  const int before = (size - 1) / 2, after = size - 1 - before;
  const double scale = (double)alpha / (double)size;
  for (size_t p = 0; p < pixels; ++p) {
    const float* row = x + p * (size_t)channels;
    float* out = y + p * (size_t)channels;
    for (int c = 0; c < channels; ++c) {
      const int lo = c - before < 0 ? 0 : c - before;
      const int hi = c + after >= channels ? channels - 1 : c + after;
      double sum = 0.0;
      for (int j = lo; j <= hi; ++j) sum += (double)row[j] * (double)row[j];
      out[c] = (float)((double)row[c] / pow((double)bias + scale * sum, (double)beta));
    }
  }
}
