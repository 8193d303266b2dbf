// Checkers of the fp32 kernels declared in octk_f32.h, parameterised by the kernel function
// so that an ISA-specific twin (x86/, arm/) with the same signature is tested by the same
// randomized sweep: a test_<isa>_f32.c file registers a case with the feature bits it needs
// and calls e.g. tk_check_f32_dwconv(t, octk_f32_dwconv_nhwc_avx2).
#ifndef TK_F32_CHECKS_H
#define TK_F32_CHECKS_H

#include "harness.h"

typedef void (*tk_f32_strided_copy_fn)(int rank, const ptrdiff_t* shape, const float* src,
                                       const ptrdiff_t* src_strides, float* dst, const ptrdiff_t* dst_strides);
typedef void (*tk_f32_binary_fn)(octk_binary_op op, int rank, const ptrdiff_t* shape, const float* a,
                                 const ptrdiff_t* a_strides, const float* b, const ptrdiff_t* b_strides, float* out,
                                 const ptrdiff_t* out_strides, float lo, float hi);
typedef void (*tk_f32_bias_act_fn)(float* out, size_t rows, size_t cols, size_t ld, const float* bias, float lo,
                                   float hi);
typedef void (*tk_f32_im2col_fn)(const float* x, int channels, int c0, int group_channels, const octk_window* w,
                                 float* cols);
typedef void (*tk_f32_col2im_fn)(const float* cols, int group_out, const octk_window* w, float* out,
                                 int out_channels, int o0);
typedef void (*tk_f32_dwconv_fn)(const float* x, int channels, int multiplier, const float* weights,
                                 const float* bias, const octk_window* w, float lo, float hi, float* out);
typedef void (*tk_f32_maxpool_fn)(const float* x, int channels, const octk_window* w, float* out);
typedef void (*tk_f32_avgpool_fn)(const float* x, int channels, const octk_window* w, int count_include_pad,
                                  float* out);
typedef void (*tk_f32_global_pool_fn)(const float* x, size_t pixels, int channels, int is_max, float* out);
typedef void (*tk_f32_resize_fn)(const float* x, int in_w, int channels, int out_h, int out_w, const int32_t* y0,
                                 const int32_t* y1, const float* wy, const int32_t* x0, const int32_t* x1,
                                 const float* wx, float* out);

// test_f32_strided.c
void tk_check_f32_strided_copy(tk_ctx* t, tk_f32_strided_copy_fn fn);
void tk_check_f32_binary(tk_ctx* t, tk_f32_binary_fn fn, octk_binary_op op);
void tk_check_f32_bias_act(tk_ctx* t, tk_f32_bias_act_fn fn);
// test_f32_conv.c
void tk_check_f32_im2col(tk_ctx* t, tk_f32_im2col_fn fn);
void tk_check_f32_col2im(tk_ctx* t, tk_f32_col2im_fn fn);
void tk_check_f32_dwconv(tk_ctx* t, tk_f32_dwconv_fn fn);
// test_f32_pool.c
void tk_check_f32_maxpool(tk_ctx* t, tk_f32_maxpool_fn fn);
void tk_check_f32_avgpool(tk_ctx* t, tk_f32_avgpool_fn fn, int count_include_pad);
void tk_check_f32_global_pool(tk_ctx* t, tk_f32_global_pool_fn fn, int is_max);
// test_f32_resize.c
void tk_check_f32_resize(tk_ctx* t, tk_f32_resize_fn fn);

#endif
