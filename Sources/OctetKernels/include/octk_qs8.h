// int8 reference kernels: these ARE the quantization spec of DESIGN.md §2. Every fast kernel
// must equal its reference twin bit for bit. Activations are int8 NHWC with per-tensor
// (scale, zero point); weights int8 symmetric per output channel; bias int32.
//
// Requantization is binary32 (DESIGN.md §2): octk_requantize(acc, scale, z, lo, hi) below.
#ifndef OCTK_QS8_H
#define OCTK_QS8_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "octk_f32.h"
#include "octk_fp.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The largest requantization scale a file may hold: acc·scale stays finite for every int32 acc
/// (and every Add term for |a − z| ≤ 255), so no step can produce ∞ or NaN.
#define OCTK_REQUANT_SCALE_MAX 4294967296.0f  // 2^32

/// round_half_even(f) for |f| ≤ 2^22 by the magic-number form of DESIGN.md §2: adding
/// 1.5·2^23 leaves the integer in the low mantissa bits (binary32 rounds the sum to nearest even).
static inline int32_t octk_round_half_even_small(float f) {
  const float m = f + 12582912.0f;
  int32_t bits;
  memcpy(&bits, &m, sizeof bits);
  return bits - 0x4B400000;
}

/// The requantization of DESIGN.md §2 in binary32, no fused multiply-add:
///   f = (float)acc · scale;  f = min(max(f, lo − z), hi − z);  q = round_half_even(f) + z.
/// scale in [0, OCTK_REQUANT_SCALE_MAX]; lo ≤ hi and z in [−128, 127] (so |f| ≤ 255 after the clamp).
static inline int32_t octk_requantize(int32_t acc, float scale, int32_t zero_point, int32_t lo, int32_t hi) {
  float f = (float)acc * scale;
  const float flo = (float)(lo - zero_point), fhi = (float)(hi - zero_point);
  f = f < flo ? flo : f;
  f = f > fhi ? fhi : f;
  return octk_round_half_even_small(f) + zero_point;
}

/// Per-output-channel requantization parameters of conv/FC.
typedef struct {
  const int32_t* bias;  // [out_channels]
  const float* scale;   // [out_channels]: s_in·s_w[o] / s_out, rounded once to binary32
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t lo, hi;  // clamp in output units (fused activation), inside [−128, 127], lo ≤ hi
} octk_qs8_requant;

/// Conv: y[n][oy][ox][o] = clamp(z_out + requant(Σ_{ky,kx,ci} (x[iy][ix][g·cg+ci] − z_in)·w[o][ky][kx][ci] + bias[o]))
/// with g = o / (out_channels/groups); taps in the padding contribute 0 (x = z_in). One image.
/// x [in_h][in_w][channels], w [out_channels][kernel_h][kernel_w][channels/groups].
void octk_qs8_conv_nhwc__reference(const int8_t* x, int channels, int groups, const int8_t* w, int out_channels,
                                   const octk_window* win, const octk_qs8_requant* q, int8_t* y);

/// Depthwise conv with channel multiplier m: output channel c·m+j reads input channel c.
/// w [kernel_h][kernel_w][channels·m]. One image.
void octk_qs8_dwconv_nhwc__reference(const int8_t* x, int channels, int multiplier, const int8_t* w,
                                     const octk_window* win, const octk_qs8_requant* q, int8_t* y);

/// Fully connected: y[r][n] = clamp(z_out + requant(Σ_k (x[r][k] − z_in)·w[n][k] + bias[n])). w [out][k].
void octk_qs8_fully_connected__reference(const int8_t* x, size_t rows, size_t k, const int8_t* w, size_t out,
                                         const octk_qs8_requant* q, int8_t* y);

/// Max pool (same quantization in and out; padding never wins). One image.
void octk_qs8_maxpool_nhwc__reference(const int8_t* x, int channels, const octk_window* win, int8_t* y);

/// Average pool (same quantization in and out): y = clamp(z + round_half_away(Σ (x − z) / count), −128, 127)
/// over the taps inside the input; count as the f32 kernel: taps in the input, or with
/// count_include_pad the taps inside the padded extent (clipped at in + pad_end), whose padding
/// holds real 0 (= z) and so adds nothing to Σ (x − z). An empty window gives z. One image.
void octk_qs8_avgpool_nhwc__reference(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                                      int32_t zero_point, int8_t* y);

/// Global average pool: y[c] = octk_requantize(Σ_p x[p][c] − pixels·z_in, scale, z_out, −128, 127)
/// with scale = s_in/(s_out·pixels).
void octk_qs8_global_avgpool_nhwc__reference(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                                             int32_t output_zero_point, float scale, int8_t* y);

/// Add in binary32 (no fused multiply-add), the one spec of every ISA:
///   f = (float)(a − z_a)·a_scale + (float)(b − z_b)·b_scale   (two products, then their sum)
///   y = round_half_even(min(max(f, lo − z_out), hi − z_out)) + z_out
/// with a_scale = s_a/s_out, b_scale = s_b/s_out in [0, OCTK_REQUANT_SCALE_MAX].
/// Operands are strided over `shape[rank]` (stride 0 = broadcast); y is strided too.
typedef struct {
  int32_t a_zero_point, b_zero_point, output_zero_point;
  float a_scale, b_scale;
  int32_t lo, hi;
} octk_qs8_add_params;

/// One element of the Add above.
static inline int8_t octk_qs8_add_one(int32_t a, int32_t b, const octk_qs8_add_params* p) {
  const float fa = (float)(a - p->a_zero_point) * p->a_scale;
  const float fb = (float)(b - p->b_zero_point) * p->b_scale;
  float f = fa + fb;
  const float flo = (float)(p->lo - p->output_zero_point), fhi = (float)(p->hi - p->output_zero_point);
  f = f < flo ? flo : f;
  f = f > fhi ? fhi : f;
  return (int8_t)(octk_round_half_even_small(f) + p->output_zero_point);
}
void octk_qs8_add_strided__reference(int rank, const ptrdiff_t* shape, const int8_t* a, const ptrdiff_t* a_strides,
                                     const int8_t* b, const ptrdiff_t* b_strides, int8_t* y, const ptrdiff_t* y_strides,
                                     const octk_qs8_add_params* p);

/// Mul: y = octk_requantize((a − z_a)·(b − z_b), scale, z_out, lo, hi) with scale = s_a·s_b/s_out,
/// strided like add.
typedef struct {
  int32_t a_zero_point, b_zero_point, output_zero_point;
  float scale;
  int32_t lo, hi;
} octk_qs8_mul_params;
void octk_qs8_mul_strided__reference(int rank, const ptrdiff_t* shape, const int8_t* a, const ptrdiff_t* a_strides,
                                     const int8_t* b, const ptrdiff_t* b_strides, int8_t* y, const ptrdiff_t* y_strides,
                                     const octk_qs8_mul_params* p);

/// y[i] = table[x[i] + 128].
void octk_qs8_lookup__reference(const int8_t* x, size_t count, const int8_t* table, int8_t* y);

/// y[n][c][r] = x[n][r][c] for n < batches, r < rows, c < cols: the transposes that move one
/// group of axes past another (NCHW ↔ NHWC), in cache-sized tiles.
void octk_s8_transpose_2d(size_t batches, size_t rows, size_t cols, const int8_t* x, int8_t* y);
/// Columns [begin, end) of one such transpose: y[c][r] = x[r][c] for begin ≤ c < end.
void octk_s8_transpose_columns(size_t rows, size_t cols, const int8_t* x, int8_t* y, size_t begin, size_t end);

/// y[i] = x[i] ^ 0x80 for i < count: int8 ↔ offset-binary uint8 (x + 128), its own inverse;
/// y may equal x (in place). The conv kernels with input_offset 128 read inputs flipped so.
void octk_s8_flip_sign(size_t count, const int8_t* x, int8_t* y);

/// Strided copy of int8 elements (transpose, slice, concat, pad interior), like octk_f32_strided_copy.
void octk_s8_strided_copy(int rank, const ptrdiff_t* shape, const int8_t* src, const ptrdiff_t* src_strides,
                          int8_t* dst, const ptrdiff_t* dst_strides);

/// Nearest resize: y[oy][ox][c] = x[rows[oy]][cols[ox]][c]. One image.
void octk_s8_resize_nearest_nhwc(const int8_t* x, int in_w, int channels, int out_h, int out_w,
                                 const int32_t* rows, const int32_t* cols, int8_t* y);

/// Quantize: y = clamp(round_half_away(x / scale) + z, −128, 127) (f32 in). NaN → z.
void octk_qs8_quantize_f32__reference(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y);
/// uint8 → int8 through requantization: y = octk_requantize(u − z_in, scale, z_out, −128, 127).
void octk_qs8_quantize_u8__reference(const uint8_t* x, size_t count, int32_t input_zero_point, int32_t output_zero_point,
                                     float scale, int8_t* y);
/// Dequantize: y = scale·(x − z) in f32.
void octk_qs8_dequantize__reference(const int8_t* x, size_t count, float scale, int32_t zero_point, float* y);
/// int8 → int8 requantization: y = octk_requantize(x − z_in, scale, z_out, −128, 127).
void octk_qs8_requantize__reference(const int8_t* x, size_t count, int32_t input_zero_point, int32_t output_zero_point,
                                    float scale, int8_t* y);

/// Softmax along a strided axis: for each of `rows` start offsets, `length` elements `stride` apart
/// (max subtraction, sum in double). Float fallback kernel.
void octk_f32_softmax_strided(const float* x, float* y, const ptrdiff_t* starts, size_t rows, size_t length, ptrdiff_t stride);

#ifdef __cplusplus
}
#endif
#endif
