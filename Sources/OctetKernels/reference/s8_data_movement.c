// int8 data movement: strided copy (transpose, slice, concat, pad interior), nearest resize and
// the sign flip to offset binary. Copies move values bit for bit; the flip only toggles bit 7.
#include <string.h>

#include "octk_qs8.h"

// Columns [begin, end) of x [rows][cols] → rows [begin, end) of y [cols][rows], in 64 × 64 tiles.
void octk_s8_transpose_columns(size_t rows, size_t cols, const int8_t* x, int8_t* y, size_t begin, size_t end) {
  for (size_t c0 = begin; c0 < end; c0 += 64) {
    const size_t width = end - c0 < 64 ? end - c0 : 64;
    for (size_t r0 = 0; r0 < rows; r0 += 64) {
      const size_t height = rows - r0 < 64 ? rows - r0 : 64;
      for (size_t c = c0; c < c0 + width; ++c)
        for (size_t r = r0; r < r0 + height; ++r) y[c * rows + r] = x[r * cols + c];
    }
  }
}

void octk_s8_transpose_2d(size_t batches, size_t rows, size_t cols, const int8_t* x, int8_t* y) {
  for (size_t n = 0; n < batches; ++n) octk_s8_transpose_columns(rows, cols, x + n * rows * cols, y + n * rows * cols, 0, cols);
}

// 64 bytes per step as four 16-byte vectors (GCC/clang vector extension: SSE2 on any x86-64,
// NEON on aarch64), then bytes. x == y is fine: each step loads before it stores.
typedef uint8_t octk_u8x16 __attribute__((vector_size(16)));

void octk_s8_flip_sign(size_t count, const int8_t* x, int8_t* y) {
  const octk_u8x16 sign = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
  size_t i = 0;
  for (; i + 64 <= count; i += 64) {
    octk_u8x16 v[4];
    memcpy(v, x + i, 64);
    v[0] ^= sign;
    v[1] ^= sign;
    v[2] ^= sign;
    v[3] ^= sign;
    memcpy(y + i, v, 64);
  }
  for (; i + 16 <= count; i += 16) {
    octk_u8x16 v;
    memcpy(&v, x + i, 16);
    v ^= sign;
    memcpy(y + i, &v, 16);
  }
  for (; i < count; ++i) y[i] = (int8_t)(x[i] ^ 0x80);
}

// dst[dst offset of i] = src[src offset of i] for every index i of the N-D space shape[rank]
// (row-major, last axis fastest), each side addressed by its own strides in elements (0 =
// broadcast on the source, negative = reversed). rank 0 copies one element; a zero-sized axis
// copies nothing. Source and destination must not overlap (except identical layouts).
void octk_s8_strided_copy(int rank, const ptrdiff_t* shape, const int8_t* src, const ptrdiff_t* src_strides,
                          int8_t* dst, const ptrdiff_t* dst_strides) {
  if (rank <= 0) {
    dst[0] = src[0];
    return;
  }
  for (int d = 0; d < rank; ++d)
    if (shape[d] <= 0) return;
  ptrdiff_t idx[OCTK_MAX_RANK] = {0};
  const int last = rank - 1;
  const ptrdiff_t n = shape[last], ss = src_strides[last], ds = dst_strides[last];
  ptrdiff_t so = 0, dof = 0;  // offsets of the current row (all outer indices)
  for (;;) {
    const int8_t* s = src + so;
    int8_t* t = dst + dof;
    if (ss == 1 && ds == 1) {
      memmove(t, s, (size_t)n);  // rows of channels: the library's copy, not a byte loop
    } else {
      for (ptrdiff_t i = 0; i < n; ++i) t[i * ds] = s[i * ss];
    }
    int d = last - 1;
    for (; d >= 0; --d) {
      so += src_strides[d];
      dof += dst_strides[d];
      if (++idx[d] < shape[d]) break;
      so -= src_strides[d] * shape[d];
      dof -= dst_strides[d] * shape[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

// Nearest resize (NHWC, one image): y[oy][ox][c] = x[rows[oy]][cols[ox]][c] for oy < out_h,
// ox < out_w, c < channels; x has rows of in_w pixels; rows/cols are precomputed source indices
// (the converter applies the coordinate transformation and rounding mode).
void octk_s8_resize_nearest_nhwc(const int8_t* x, int in_w, int channels, int out_h, int out_w,
                                 const int32_t* rows, const int32_t* cols, int8_t* y) {
  for (int oy = 0; oy < out_h; ++oy) {
    const int8_t* row = x + (size_t)rows[oy] * (size_t)in_w * (size_t)channels;
    for (int ox = 0; ox < out_w; ++ox) {
      const int8_t* src = row + (size_t)cols[ox] * (size_t)channels;
      int8_t* dst = y + ((size_t)oy * out_w + ox) * (size_t)channels;
      memcpy(dst, src, (size_t)channels);
    }
  }
}
