// int8 elementwise reference kernels: add, mul (strided, with broadcast), table lookup,
// quantize (f32 and uint8 in), dequantize, requantize.
//
// Every intermediate that could leave int32 is formed in int64 and saturated to int32 where
// the spec feeds it to octk_requantize (binary32, octk_qs8.h).
// Each elementwise kernel reads an element's operands before writing its output, so the
// output may alias an input with the same layout (in-place Add/Mul/Lookup/Requantize).
#include <math.h>

#include "octk_qs8.h"

static inline int32_t sat32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}

static inline int8_t clamp_s8(int64_t v, int32_t lo, int32_t hi) {
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  if (v < -128) v = -128;
  if (v > 127) v = 127;
  return (int8_t)v;
}

// Odometer over shape[rank] (row-major, last axis fastest) keeping the three element offsets.
// Calls body(i_a, i_b, i_y) once per element; rank 0 is one element at offset 0.
#define OCTK_S8_FOR_EACH3(rank, shape, as, bs, ys, body)                                   \
  do {                                                                                     \
    ptrdiff_t idx_[OCTK_MAX_RANK] = {0};                                                   \
    ptrdiff_t oa_ = 0, ob_ = 0, oy_ = 0;                                                   \
    int empty_ = 0;                                                                        \
    for (int d_ = 0; d_ < (rank); ++d_) empty_ |= (shape)[d_] <= 0;                        \
    if (!empty_) {                                                                         \
      for (;;) {                                                                           \
        body(oa_, ob_, oy_);                                                               \
        int d_ = (rank) - 1;                                                               \
        for (; d_ >= 0; --d_) {                                                            \
          oa_ += (as)[d_];                                                                 \
          ob_ += (bs)[d_];                                                                 \
          oy_ += (ys)[d_];                                                                 \
          if (++idx_[d_] < (shape)[d_]) break;                                             \
          oa_ -= (as)[d_] * (shape)[d_];                                                   \
          ob_ -= (bs)[d_] * (shape)[d_];                                                   \
          oy_ -= (ys)[d_] * (shape)[d_];                                                   \
          idx_[d_] = 0;                                                                    \
        }                                                                                  \
        if (d_ < 0) break;                                                                 \
      }                                                                                    \
    }                                                                                      \
  } while (0)

// Add, element by element over shape[rank] with strided operands (stride 0 = broadcast) and a
// strided output: octk_qs8_add_one (binary32, octk_qs8.h).
void octk_qs8_add_strided__reference(int rank, const ptrdiff_t* shape, const int8_t* a, const ptrdiff_t* a_strides,
                                     const int8_t* b, const ptrdiff_t* b_strides, int8_t* y, const ptrdiff_t* y_strides,
                                     const octk_qs8_add_params* p) {
#define OCTK_ADD_BODY(ia, ib, iy) y[iy] = octk_qs8_add_one(a[ia], b[ib], p)
  OCTK_S8_FOR_EACH3(rank, shape, a_strides, b_strides, y_strides, OCTK_ADD_BODY);
#undef OCTK_ADD_BODY
}

// Mul, element by element like add: y = octk_requantize((a − z_a)·(b − z_b), scale, z_out, lo, hi)
// (the product is exact: |a − z_a|, |b − z_b| ≤ 255 for zero points in [−128, 127]).
void octk_qs8_mul_strided__reference(int rank, const ptrdiff_t* shape, const int8_t* a, const ptrdiff_t* a_strides,
                                     const int8_t* b, const ptrdiff_t* b_strides, int8_t* y, const ptrdiff_t* y_strides,
                                     const octk_qs8_mul_params* p) {
#define OCTK_MUL_BODY(ia, ib, iy)                                                                  \
  do {                                                                                             \
    const int64_t prod = ((int64_t)a[ia] - p->a_zero_point) * ((int64_t)b[ib] - p->b_zero_point);  \
    y[iy] = (int8_t)octk_requantize(sat32(prod), p->scale, p->output_zero_point, p->lo, p->hi);    \
  } while (0)
  OCTK_S8_FOR_EACH3(rank, shape, a_strides, b_strides, y_strides, OCTK_MUL_BODY);
#undef OCTK_MUL_BODY
}

// Table lookup: y[i] = table[x[i] + 128] for i < count (table has 256 entries).
void octk_qs8_lookup__reference(const int8_t* x, size_t count, const int8_t* table, int8_t* y) {
  for (size_t i = 0; i < count; ++i) y[i] = table[(int)x[i] + 128];
}

// Quantize f32 → int8: y = clamp(round_half_away(x / scale) + z, −128, 127), where x / scale is
// the exact real quotient: it is computed in double, which cannot overflow for float operands
// and cannot move a non-tie quotient onto or across a half-integer in the range that survives
// the clamp, so round() of it rounds the exact quotient. NaN (including 0/0) → z; ±∞ clamp.
void octk_qs8_quantize_f32__reference(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y) {
  for (size_t i = 0; i < count; ++i) {
    const double v = (double)x[i] / (double)scale;
    int64_t qv;
    if (isnan(v)) qv = 0;
    else if (v > 1024.0) qv = 1024;  // clamps to 127 below for any zero point in [−128, 127]
    else if (v < -1024.0) qv = -1024;
    else qv = (int64_t)round(v);     // round(): half away from zero, exact
    y[i] = clamp_s8(qv + zero_point, -128, 127);
  }
}

// uint8 → int8: y = octk_requantize(sat32(u − z_in), scale, z_out, −128, 127).
void octk_qs8_quantize_u8__reference(const uint8_t* x, size_t count, int32_t input_zero_point, int32_t output_zero_point,
                                     float scale, int8_t* y) {
  for (size_t i = 0; i < count; ++i) {
    const int32_t d = sat32((int64_t)x[i] - input_zero_point);
    y[i] = (int8_t)octk_requantize(d, scale, output_zero_point, -128, 127);
  }
}

// Dequantize: y = scale · (float)(x − z), one correctly rounded f32 multiplication (x − z is
// exact in f32 for zero points within ±2^24 of the int8 range).
void octk_qs8_dequantize__reference(const int8_t* x, size_t count, float scale, int32_t zero_point, float* y) {
  for (size_t i = 0; i < count; ++i) y[i] = scale * (float)((int64_t)x[i] - zero_point);
}

// int8 → int8: y = octk_requantize(sat32(x − z_in), scale, z_out, −128, 127).
void octk_qs8_requantize__reference(const int8_t* x, size_t count, int32_t input_zero_point, int32_t output_zero_point,
                                    float scale, int8_t* y) {
  for (size_t i = 0; i < count; ++i) {
    const int32_t d = sat32((int64_t)x[i] - input_zero_point);
    y[i] = (int8_t)octk_requantize(d, scale, output_zero_point, -128, 127);
  }
}
