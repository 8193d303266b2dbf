// The worker pool (threads/pool.c): every item of a job runs exactly once, in ranges that
// are whole grains, for any thread count; jobs run back to back reuse the same workers.
#include <stdatomic.h>
#include <string.h>

#include "harness.h"

typedef struct {
  atomic_int* hits;
  size_t grain, count;
  atomic_int bad_range;
} pool_job;

static void mark(void* context, size_t begin, size_t end) {
  pool_job* j = context;
  if (begin % j->grain != 0 || end > j->count || begin >= end) atomic_store(&j->bad_range, 1);
  for (size_t i = begin; i < end; ++i) atomic_fetch_add(&j->hits[i], 1);
}

static void case_pool(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  for (int threads = 1; threads <= 4; ++threads) {
    octk_pool* pool = octk_pool_create(threads);
    for (int k = 0; k < 200; ++k) {
      const size_t count = (size_t)tk_rng_int(r, 0, 300), grain = (size_t)tk_rng_int(r, 1, 12);
      tk_describe(t, "threads %d count %zu grain %zu", threads, count, grain);
      atomic_int* hits = tk_alloc(t, sizeof(atomic_int) * (count + 1));
      for (size_t i = 0; i < count; ++i) atomic_init(&hits[i], 0);
      pool_job job = {hits, grain, count, 0};
      octk_pool_run(pool, mark, &job, count, grain);
      int ok = pool != NULL && octk_pool_threads(pool) == threads;
      if (!ok) tk_fail(t, "pool not created with %d threads", threads);
      if (atomic_load(&job.bad_range)) ok = tk_fail(t, "a range was empty, past the end or not grain-aligned");
      for (size_t i = 0; i < count && ok; ++i)
        if (atomic_load(&hits[i]) != 1) ok = tk_fail(t, "item %zu ran %d times", i, atomic_load(&hits[i]));
      tk_end(t, ok);
    }
    octk_pool_destroy(pool);
  }
}

static const tk_case kPoolCases[] = {
    {"pool", case_pool, 0},
};
TK_REGISTER(kPoolCases)
