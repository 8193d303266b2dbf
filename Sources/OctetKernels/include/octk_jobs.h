// Jobs for octk_pool_run: one prepared op (its kernel and arguments) run over a range of output
// pixels (elements, for add and quantize; columns, for transpose). Made once at prepare.
#ifndef OCTK_JOBS_H
#define OCTK_JOBS_H
#include <stddef.h>
#include <stdint.h>

#include "octk_qs8_add.h"
#include "octk_qs8_conv.h"
#include "octk_qs8_dwconv.h"
#include "octk_qs8_quantize.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  octk_qs8_igemm_fn fn;
  const octk_qs8_conv_packed* packed;
  const int8_t* const* ind;
  int32_t output_zero_point, lo, hi;
  int8_t* y;
} octk_qs8_igemm_job;

/// The same conv split by output-channel blocks instead of pixels (weight-heavy layers: each
/// thread streams only its blocks' weights): a task is blocks [begin, end) over every pixel.
typedef struct {
  octk_qs8_igemm_fn fn;
  const octk_qs8_conv_packed* packed;  // one group, a layout without header
  const octk_qs8_conv_layout* layout;
  const int8_t* const* ind;
  size_t pixels;
  int32_t output_zero_point, lo, hi;
  int8_t* y;
} octk_qs8_igemm_channels_job;

typedef struct {
  octk_qs8_dwconv_fn fn;
  const octk_qs8_dwconv_packed* packed;
  const int8_t* const* ind;
  int32_t output_zero_point, lo, hi;
  int8_t* y;
} octk_qs8_dwconv_job;

typedef struct {
  octk_qs8_add_fn fn;
  const int8_t* a;
  const int8_t* b;
  int8_t* y;
  const octk_qs8_add_params* params;
} octk_qs8_add_job;

typedef struct {
  octk_qs8_quantize_f32_fn fn;
  const float* x;
  float scale;
  int32_t zero_point;
  int8_t* y;
} octk_qs8_quantize_job;

typedef struct {
  octk_qs8_quantize_f32_nchw3_fn fn;
  const float* x;
  size_t plane;
  float scale;
  int32_t zero_point;
  int8_t* nchw;
  int8_t* nhwc;
} octk_qs8_quantize_nchw3_job;

/// octk_s8_transpose_2d of one image, split by columns (the output's rows).
typedef struct {
  size_t rows, cols;
  const int8_t* x;
  int8_t* y;
} octk_s8_transpose_job;

/// octk_s8_flip_sign of `count` bytes, split by bytes (x == y: in place).
typedef struct {
  const int8_t* x;
  int8_t* y;
} octk_s8_flip_job;

/// octk_task_fn adapters: run the job's kernel on [begin, end).
void octk_qs8_igemm_job_run(void* job, size_t begin, size_t end);
void octk_qs8_igemm_channels_job_run(void* job, size_t begin, size_t end);
void octk_qs8_dwconv_job_run(void* job, size_t begin, size_t end);
void octk_qs8_add_job_run(void* job, size_t begin, size_t end);
void octk_qs8_quantize_job_run(void* job, size_t begin, size_t end);
void octk_qs8_quantize_nchw3_job_run(void* job, size_t begin, size_t end);
void octk_s8_transpose_job_run(void* job, size_t begin, size_t end);
void octk_s8_flip_job_run(void* job, size_t begin, size_t end);

#ifdef __cplusplus
}
#endif
#endif
