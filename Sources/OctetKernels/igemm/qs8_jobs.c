// Pool adapters: a prepared op (kernel + arguments) run over a range of output pixels.
#include "octk_qs8_igemm.h"

void octk_qs8_igemm_job_run(void* job, size_t begin, size_t end) {
  const octk_qs8_igemm_job* j = job;
  j->fn(j->packed, j->ind, begin, end, j->output_zero_point, j->lo, j->hi, j->y);
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

// Columns [begin, end) of x [rows][cols] → rows [begin, end) of y [cols][rows].
void octk_s8_transpose_job_run(void* job, size_t begin, size_t end) {
  const octk_s8_transpose_job* j = job;
  for (size_t c0 = begin; c0 < end; c0 += 64) {
    const size_t width = end - c0 < 64 ? end - c0 : 64;
    for (size_t r0 = 0; r0 < j->rows; r0 += 64) {
      const size_t height = j->rows - r0 < 64 ? j->rows - r0 : 64;
      for (size_t c = c0; c < c0 + width; ++c)
        for (size_t r = r0; r < r0 + height; ++r) j->y[c * j->rows + r] = j->x[r * j->cols + c];
    }
  }
}

void octk_qs8_quantize_nchw3_job_run(void* job, size_t begin, size_t end) {
  const octk_qs8_quantize_nchw3_job* j = job;
  j->fn(j->x, j->plane, begin, end, j->scale, j->zero_point, j->nchw, j->nhwc);
}
