// Pool adapters: a prepared op (kernel + arguments) run over a range of output pixels.
#include "octk_jobs.h"

void octk_qs8_igemm_job_run(void* job, size_t begin, size_t end) {
  const octk_qs8_igemm_job* j = job;
  j->fn(j->packed, j->ind, begin, end, j->output_zero_point, j->lo, j->hi, j->y);
}

void octk_qs8_igemm_channels_job_run(void* job, size_t begin, size_t end) {
  const octk_qs8_igemm_channels_job* j = job;
  octk_qs8_conv_packed view;
  octk_qs8_conv_packed_channel_view(j->packed, j->layout, (int)begin, (int)end, &view);
  j->fn(&view, j->ind, 0, j->pixels, j->output_zero_point, j->lo, j->hi, j->y + begin * (size_t)j->layout->nr);
}

void octk_qs8_dwconv_job_run(void* job, size_t begin, size_t end) {
  const octk_qs8_dwconv_job* j = job;
  j->fn(j->packed, j->ind, begin, end, j->output_zero_point, j->lo, j->hi, j->y);
}

void octk_qs8_add_job_run(void* job, size_t begin, size_t end) {
  const octk_qs8_add_job* j = job;
  j->fn(end - begin, j->a + begin, j->b + begin, j->y + begin, j->params);
}

void octk_qs8_quantize_job_run(void* job, size_t begin, size_t end) {
  const octk_qs8_quantize_job* j = job;
  j->fn(j->x + begin, end - begin, j->scale, j->zero_point, j->y + begin);
}

void octk_qs8_quantize_nchw3_job_run(void* job, size_t begin, size_t end) {
  const octk_qs8_quantize_nchw3_job* j = job;
  j->fn(j->x, j->plane, begin, end, j->scale, j->zero_point, j->nchw, j->nhwc);
}

void octk_s8_transpose_job_run(void* job, size_t begin, size_t end) {
  const octk_s8_transpose_job* j = job;
  octk_s8_transpose_columns(j->rows, j->cols, j->x, j->y, begin, end);
}

void octk_s8_flip_job_run(void* job, size_t begin, size_t end) {
  const octk_s8_flip_job* j = job;
  octk_s8_flip_sign(end - begin, j->x + begin, j->y + begin);
}
