// Portable helpers of the SIMD pool kernels (x86/qs8_pool__avx2.c, arm/qs8_pool__neon.c): the
// int16 run length, the inside taps of a window as a rectangle, and exact-length tail loads.
#ifndef OCTK_POOL_TAPS_H
#define OCTK_POOL_TAPS_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "octk_f32.h"

/// Values summed in one int16 lane before it is widened into int32: 256·(−128) = −32768 and
/// 256·127 = 32512 still fit.
enum { kRun = 256 };

/// The taps k ∈ [0, kernel) of one window axis whose coordinate start + k·dilation lies in
/// [0, limit), as [*begin, *end) (begin = end when there are none). dilation ≥ 1.
static inline void axis_taps(int start, int kernel, int dilation, int limit, int* begin, int* end) {
  int b = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
  int e = limit - 1 - start;  // largest offset k·dilation that stays inside
  e = e < 0 ? 0 : e / dilation + 1;
  if (e > kernel) e = kernel;
  if (b > e) b = e;
  *begin = b;
  *end = e;
}

/// The inside taps of output pixel (oy, ox): rows × cols taps, the first at `first` (channel 0),
/// the next column col_step bytes on, the next row row_step bytes on.
typedef struct {
  const int8_t* first;
  size_t row_step, col_step;
  int rows, cols;
} pool_taps;

static inline pool_taps inside_taps(const int8_t* x, int channels, const octk_window* w, int oy, int ox) {
  const int iy0 = oy * w->stride_h - w->pad_top, ix0 = ox * w->stride_w - w->pad_left;
  int ky0, ky1, kx0, kx1;
  axis_taps(iy0, w->kernel_h, w->dilation_h, w->in_h, &ky0, &ky1);
  axis_taps(ix0, w->kernel_w, w->dilation_w, w->in_w, &kx0, &kx1);
  pool_taps t = {x, (size_t)w->dilation_h * w->in_w * channels, (size_t)w->dilation_w * channels, ky1 - ky0, kx1 - kx0};
  if (t.rows > 0 && t.cols > 0)
    t.first = x + ((size_t)(iy0 + ky0 * w->dilation_h) * w->in_w + (size_t)(ix0 + kx0 * w->dilation_w)) * channels;
  else
    t.rows = t.cols = 0;
  return t;
}

/// Bytes [0, n) of p, 0 ≤ n ≤ 8, as the low bytes of a little-endian word (the rest 0): read as
/// pieces of 8 or 4, 2, 1 bytes, nothing past p + n.
static inline uint64_t load_u64_prefix(const int8_t* p, int n) {
  uint64_t v = 0;
  if (n == 8) {
    memcpy(&v, p, 8);
    return v;
  }
  int off = 0;
  if (n & 4) {
    uint32_t t;
    memcpy(&t, p, 4);
    v = t;
    off = 4;
  }
  if (n & 2) {
    uint16_t t;
    memcpy(&t, p + off, 2);
    v |= (uint64_t)t << (8 * off);
    off += 2;
  }
  if (n & 1) v |= (uint64_t)(uint8_t)p[off] << (8 * off);
  return v;
}

#endif
