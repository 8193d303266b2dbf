// Path selection and pool drivers of the fast fp32 kernels (octk_f32_fast.h).
#include <string.h>

#include "octk_cpu.h"
#include "octk_f32_fast.h"

const octk_f32_fast_path* octk_f32_fast_select(const char* name) {
  const uint32_t cpu = octk_cpu_features();
  for (size_t i = 0; i < octk_f32_fast_path_count; ++i) {
    const octk_f32_fast_path* p = &octk_f32_fast_paths[i];
    if (name == NULL || strcmp(name, p->key.path) == 0) {
      if (octk_config_runs(&p->key, cpu)) return p;
      if (name != NULL) return NULL;
    }
  }
  return NULL;
}

// Weights of the blocks one pass over the pixels visits: about half of a 1 MB L2.
#define L2_WEIGHT_BYTES (512u * 1024u)

typedef struct {
  octk_f32_igemm_fn fn;
  const octk_f32_conv_packed* p;
  const float* const* ind;
  size_t pixels, blocks, chunk;  // blocks of all groups; blocks per pass over the pixels
  float lo, hi;
  float* y;
} igemm_job;

static void igemm_pixels(void* context, size_t begin, size_t end) {
  const igemm_job* j = context;
  for (size_t b0 = 0; b0 < j->blocks; b0 += j->chunk) {
    const size_t b1 = b0 + j->chunk < j->blocks ? b0 + j->chunk : j->blocks;
    j->fn(j->p, j->ind, begin, end, b0, b1, j->lo, j->hi, j->y);
  }
}

static void igemm_blocks(void* context, size_t begin, size_t end) {
  const igemm_job* j = context;
  for (size_t b0 = begin; b0 < end; b0 += j->chunk) {
    const size_t b1 = b0 + j->chunk < end ? b0 + j->chunk : end;
    j->fn(j->p, j->ind, 0, j->pixels, b0, b1, j->lo, j->hi, j->y);
  }
}

void octk_f32_igemm_run(octk_pool* pool, const octk_f32_fast_path* path, const octk_f32_conv_packed* p,
                        const float* const* ind, size_t pixels, float lo, float hi, float* y) {
  const size_t block_bytes = (size_t)p->taps * p->cg * p->nr * sizeof(float);
  igemm_job j = {path->igemm, p, ind, pixels, (size_t)p->groups * p->blocks, 1, lo, hi, y};
  j.chunk = block_bytes >= L2_WEIGHT_BYTES ? 1 : L2_WEIGHT_BYTES / block_bytes;
  const size_t threads = (size_t)octk_pool_threads(pool);
  if (threads <= 1) {
    igemm_pixels(&j, 0, pixels);
    return;
  }
  // Per thread, a pixel split reads all weights and 1/threads of the input rows; a block split
  // the reverse. Few pixels (under two tiles per thread) also favour the block split.
  const size_t weights = j.blocks * block_bytes / sizeof(float);
  const size_t inputs = pixels * (size_t)p->taps * p->cg * p->groups;
  const int by_blocks = j.blocks >= threads && (weights > inputs || pixels < 2 * threads * (size_t)path->mr);
  if (by_blocks) {
    if (j.chunk * threads > j.blocks) j.chunk = (j.blocks + threads - 1) / threads;
    octk_pool_run(pool, igemm_blocks, &j, j.blocks, 1);
  } else {
    octk_pool_run(pool, igemm_pixels, &j, pixels, (size_t)path->mr);
  }
}

typedef struct {
  octk_f32_dwconv_fn fn;
  const octk_f32_dwconv_packed* p;
  const float* const* ind;
  float lo, hi;
  float* y;
} dwconv_job;

static void dwconv_pixels(void* context, size_t begin, size_t end) {
  const dwconv_job* j = context;
  j->fn(j->p, j->ind, begin, end, j->lo, j->hi, j->y);
}

void octk_f32_dwconv_run(octk_pool* pool, const octk_f32_fast_path* path, const octk_f32_dwconv_packed* p,
                         const float* const* ind, size_t pixels, float lo, float hi, float* y) {
  dwconv_job j = {path->dwconv, p, ind, lo, hi, y};
  octk_pool_run(pool, dwconv_pixels, &j, pixels, 4);
}

typedef struct {
  octk_f32_maxpool_fn fn;
  const float* const* ind;
  int taps, channels;
  float* y;
} maxpool_job;

static void maxpool_pixels(void* context, size_t begin, size_t end) {
  const maxpool_job* j = context;
  j->fn(j->ind, j->taps, j->channels, begin, end, j->y);
}

void octk_f32_maxpool_run(octk_pool* pool, const octk_f32_fast_path* path, const float* const* ind, int taps,
                          int channels, size_t pixels, float* y) {
  maxpool_job j = {path->maxpool, ind, taps, channels, y};
  octk_pool_run(pool, maxpool_pixels, &j, pixels, 4);
}

typedef struct {
  octk_f32_binary_fn fn;
  octk_binary_op op;
  const float *a, *b;
  float* y;
  float lo, hi;
} binary_job;

static void binary_range(void* context, size_t begin, size_t end) {
  const binary_job* j = context;
  j->fn(j->op, end - begin, j->a + begin, j->b + begin, j->y + begin, j->lo, j->hi);
}

void octk_f32_binary_run(octk_pool* pool, const octk_f32_fast_path* path, octk_binary_op op, size_t n, const float* a,
                         const float* b, float* y, float lo, float hi) {
  binary_job j = {path->binary, op, a, b, y, lo, hi};
  // Small tensors stay on the calling thread (a pool round trip costs a few microseconds).
  octk_pool_run(n < 16384 ? NULL : pool, binary_range, &j, n, 16);
}
