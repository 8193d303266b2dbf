// fp32 softmax along a strided axis (the float fallback of Softmax).
#include <math.h>

#include "octk_qs8.h"

// For each row r < rows, over the `length` elements at starts[r] + i·stride (i < length; stride
// may be negative or, for length 1, anything): m = max_i x_i, S = Σ_i exp(x_i − m) in double,
// y_i = (float)(exp(x_i − m) / S) with every exp in double. Only the row's own elements are
// written; x and y may be the same buffer. Non-finite rows follow IEEE arithmetic: a NaN
// anywhere, a +∞ (∞ − ∞) or an all −∞ row gives NaN in that row's outputs.
void octk_f32_softmax_strided(const float* x, float* y, const ptrdiff_t* starts, size_t rows, size_t length,
                              ptrdiff_t stride) {
  if (length == 0) return;
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + starts[r];
    float* yr = y + starts[r];
    double m = xr[0];
    int has_nan = isnan(m);
    for (size_t i = 1; i < length; ++i) {
      const double v = xr[(ptrdiff_t)i * stride];
      if (isnan(v)) has_nan = 1;
      else if (v > m || isnan(m)) m = v;
    }
    double sum = 0.0;
    for (size_t i = 0; i < length; ++i) sum += exp((double)xr[(ptrdiff_t)i * stride] - m);
    if (has_nan) sum = NAN;
    for (size_t i = 0; i < length; ++i) {
      const double e = exp((double)xr[(ptrdiff_t)i * stride] - m);
      yr[(ptrdiff_t)i * stride] = (float)(e / sum);
    }
  }
}
