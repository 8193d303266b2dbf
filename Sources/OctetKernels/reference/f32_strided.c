#include "octk_f32.h"

// Iterates an N-D index space in row-major order, keeping one running offset per operand.
// Innermost axis is a plain loop so the compiler can vectorise unit-stride cases.
#define OCTK_FOR_EACH_OUTER(rank, shape, body)                                                  \
  do {                                                                                          \
    ptrdiff_t idx_[OCTK_MAX_RANK] = {0};                                                        \
    ptrdiff_t outer_ = 1;                                                                       \
    for (int d_ = 0; d_ < (rank) - 1; ++d_) outer_ *= (shape)[d_];                              \
    for (ptrdiff_t o_ = 0; o_ < outer_; ++o_) {                                                 \
      body;                                                                                     \
      for (int d_ = (rank) - 2; d_ >= 0; --d_) {                                                \
        if (++idx_[d_] < (shape)[d_]) break;                                                    \
        idx_[d_] = 0;                                                                           \
      }                                                                                         \
    }                                                                                           \
  } while (0)

static ptrdiff_t outer_offset(int rank, const ptrdiff_t* idx, const ptrdiff_t* strides) {
  ptrdiff_t off = 0;
  for (int d = 0; d < rank - 1; ++d) off += idx[d] * strides[d];
  return off;
}

void octk_f32_strided_copy(int rank, const ptrdiff_t* shape, const float* src, const ptrdiff_t* src_strides,
                           float* dst, const ptrdiff_t* dst_strides) {
  if (rank == 0) { dst[0] = src[0]; return; }
  for (int d = 0; d < rank; ++d) if (shape[d] == 0) return;
  const ptrdiff_t n = shape[rank - 1], ss = src_strides[rank - 1], ds = dst_strides[rank - 1];
  OCTK_FOR_EACH_OUTER(rank, shape, {
    const float* s = src + outer_offset(rank, idx_, src_strides);
    float* t = dst + outer_offset(rank, idx_, dst_strides);
    if (ss == 1 && ds == 1) {
      for (ptrdiff_t i = 0; i < n; ++i) t[i] = s[i];
    } else {
      for (ptrdiff_t i = 0; i < n; ++i) t[i * ds] = s[i * ss];
    }
  });
}

static inline float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

void octk_f32_binary_strided(octk_binary_op op, int rank, const ptrdiff_t* shape,
                             const float* a, const ptrdiff_t* a_strides,
                             const float* b, const ptrdiff_t* b_strides,
                             float* out, const ptrdiff_t* out_strides, float lo, float hi) {
  if (rank == 0) {
    ptrdiff_t one = 1, zero = 0;
    octk_f32_binary_strided(op, 1, &one, a, &zero, b, &zero, out, &zero, lo, hi);
    return;
  }
  for (int d = 0; d < rank; ++d) if (shape[d] == 0) return;
  const ptrdiff_t n = shape[rank - 1], as = a_strides[rank - 1], bs = b_strides[rank - 1], os = out_strides[rank - 1];
  OCTK_FOR_EACH_OUTER(rank, shape, {
    const float* pa = a + outer_offset(rank, idx_, a_strides);
    const float* pb = b + outer_offset(rank, idx_, b_strides);
    float* po = out + outer_offset(rank, idx_, out_strides);
    switch (op) {
      case OCTK_BINARY_ADD: for (ptrdiff_t i = 0; i < n; ++i) po[i * os] = clampf(pa[i * as] + pb[i * bs], lo, hi); break;
      case OCTK_BINARY_SUB: for (ptrdiff_t i = 0; i < n; ++i) po[i * os] = clampf(pa[i * as] - pb[i * bs], lo, hi); break;
      case OCTK_BINARY_MUL: for (ptrdiff_t i = 0; i < n; ++i) po[i * os] = clampf(pa[i * as] * pb[i * bs], lo, hi); break;
      case OCTK_BINARY_DIV: for (ptrdiff_t i = 0; i < n; ++i) po[i * os] = clampf(pa[i * as] / pb[i * bs], lo, hi); break;
      case OCTK_BINARY_PRELU:
        for (ptrdiff_t i = 0; i < n; ++i) {
          const float v = pa[i * as];
          po[i * os] = clampf(v >= 0.0f ? v : v * pb[i * bs], lo, hi);
        }
        break;
    }
  });
}

void octk_f32_bias_act(float* out, size_t rows, size_t cols, size_t ld, const float* bias, float lo, float hi) {
  for (size_t r = 0; r < rows; ++r) {
    float* row = out + r * ld;
    if (bias) {
      for (size_t c = 0; c < cols; ++c) row[c] = clampf(row[c] + bias[c], lo, hi);
    } else {
      for (size_t c = 0; c < cols; ++c) row[c] = clampf(row[c], lo, hi);
    }
  }
}

void octk_f32_gemm__reference(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb,
                              float* c, size_t ldc) {
  for (size_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    for (size_t j = 0; j < n; ++j) row[j] = 0.0f;
    for (size_t p = 0; p < k; ++p) {
      const float av = a[i * lda + p];
      const float* brow = b + p * ldb;
      for (size_t j = 0; j < n; ++j) row[j] += av * brow[j];
    }
  }
}
