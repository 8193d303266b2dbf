// fp32 reference kernels of the float path. Tensors are NHWC unless a kernel says otherwise;
// batch is handled by the caller. `lo`/`hi` are the fused activation clamp (±INFINITY for
// none). Strides are in elements and may be 0 (broadcast) or negative (reversed slices).
#ifndef OCTK_F32_H
#define OCTK_F32_H
#include <stddef.h>
#include <stdint.h>

#include "octk_fp.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Maximum tensor rank of the strided kernels.
#define OCTK_MAX_RANK 8

/// dst[i] = src[i] over an N-D index space `shape[rank]`; each side addressed by its strides.
void octk_f32_strided_copy(int rank, const ptrdiff_t* shape, const float* src, const ptrdiff_t* src_strides,
                           float* dst, const ptrdiff_t* dst_strides);

/// OCTK_BINARY_PRELU: a ≥ 0 ? a : a·b (b is the slope).
typedef enum { OCTK_BINARY_ADD = 0, OCTK_BINARY_SUB = 1, OCTK_BINARY_MUL = 2, OCTK_BINARY_DIV = 3, OCTK_BINARY_PRELU = 4 } octk_binary_op;

/// out = clamp(a op b, lo, hi) elementwise over `shape`, every operand strided (0 = broadcast).
void octk_f32_binary_strided(octk_binary_op op, int rank, const ptrdiff_t* shape,
                             const float* a, const ptrdiff_t* a_strides,
                             const float* b, const ptrdiff_t* b_strides,
                             float* out, const ptrdiff_t* out_strides, float lo, float hi);

/// c[m][n] = Σ_k a[m·lda + k]·b[k·ldb + n] (row-major, overwrites c; float accumulation in k order).
/// The runtime's float fallbacks use it (the converter's float path uses OpenBLAS).
void octk_f32_gemm__reference(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb,
                              float* c, size_t ldc);

/// 2-D window geometry shared by conv, transposed conv and pooling.
typedef struct {
  int in_h, in_w, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int pad_top, pad_left, pad_bottom, pad_right, out_h, out_w;
} octk_window;

/// im2col for one group: cols[out_h*out_w][kernel_h*kernel_w*group_channels], column order
/// (ky, kx, c); taps in the padding are 0. Reads channels [c0, c0+group_channels) of x[in_h][in_w][channels].
void octk_f32_im2col_nhwc(const float* x, int channels, int c0, int group_channels, const octk_window* w, float* cols);

/// Transposed-conv scatter for one group: out[y][x][o0+o] += cols[iy*in_w+ix][(ky*kernel_w+kx)*group_out+o]
/// where y = iy*stride_h − pad_top + ky*dilation_h (likewise x); positions outside out are dropped.
void octk_f32_col2im_add_nhwc(const float* cols, int group_out, const octk_window* w, float* out, int out_channels, int o0);

/// Depthwise conv with channel multiplier m: out channel c*m+j reads input channel c.
/// weights[ky][kx][channels*m], bias[channels*m] or NULL.
void octk_f32_dwconv_nhwc(const float* x, int channels, int multiplier, const float* weights, const float* bias,
                          const octk_window* w, float lo, float hi, float* out);

/// out[r*ld + c] = clamp(out[r*ld + c] + bias[c], lo, hi) for r < rows, c < cols (bias may be NULL).
void octk_f32_bias_act(float* out, size_t rows, size_t cols, size_t ld, const float* bias, float lo, float hi);

/// Max pool; padding never wins (it is −∞).
void octk_f32_maxpool_nhwc(const float* x, int channels, const octk_window* w, float* out);

/// Average pool. count_include_pad: divisor = taps inside the padded input (clipped at
/// in+pad_end); else divisor = taps inside the input.
void octk_f32_avgpool_nhwc(const float* x, int channels, const octk_window* w, int count_include_pad, float* out);

/// Global average (is_max = 0) or max (is_max = 1) over `pixels` rows of x[pixels][channels].
void octk_f32_global_pool_nhwc(const float* x, size_t pixels, int channels, int is_max, float* out);

/// Separable 2-D interpolation: out[y][x][c] = Σ over the 2×2 taps (y0/y1 with weight 1−wy/wy,
/// x0/x1 with 1−wx/wx) of x[in_h][in_w][channels]. Nearest neighbour: y0 = y1, wy = 0.
void octk_f32_resize_nhwc(const float* x, int in_w, int channels, int out_h, int out_w,
                          const int32_t* y0, const int32_t* y1, const float* wy,
                          const int32_t* x0, const int32_t* x1, const float* wx, float* out);

/// Local response normalization across channels (ONNX LRN) of x[pixels][channels]:
/// y = x / (bias + alpha/size · Σ x²)^beta, the sum over channels [c − ⌊(size−1)/2⌋,
/// c + ⌈(size−1)/2⌉] inside [0, channels). Computed in double, rounded once; x and y distinct.
void octk_f32_lrn_nhwc(const float* x, size_t pixels, int channels, int size, float alpha, float beta, float bias,
                       float* y);

/// Calibration statistics of x[0..n): smallest and largest value (±∞ for n = 0; unspecified
/// when a NaN is present), count of ±0, and whether any value is ±∞ or NaN.
void octk_f32_range_stats(const float* x, size_t n, float* lo, float* hi, size_t* zeros, int* nonfinite);

#ifdef __cplusplus
}
#endif
#endif
