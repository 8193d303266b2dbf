// The worker pool (threads/pool.c): every item of a job runs exactly once, in ranges that
// are whole grains, for any thread count; jobs run back to back reuse the same workers; a
// thread that is held up has its ranges taken by the others.
#define _POSIX_C_SOURCE 199309L
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

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

// Stealing: 64 items, grain 1, 2 threads → 8 ranges of 8, the caller owning items 0–31. The
// caller's own ranges wait (up to 2 s) until another thread has run one of the caller's ranges.
typedef struct {
  pthread_t caller;
  atomic_int hits[64];
  atomic_int stolen;
} steal_job;

static void held_up_caller(void* context, size_t begin, size_t end) {
  steal_job* j = context;
  const int on_caller = pthread_equal(pthread_self(), j->caller);
  if (!on_caller && begin < 32) atomic_store(&j->stolen, 1);
  for (size_t i = begin; i < end; ++i) atomic_fetch_add(&j->hits[i], 1);
  const struct timespec pause = {0, 100000};
  for (int waited = 0; on_caller && begin < 32 && !atomic_load(&j->stolen) && waited < 20000; ++waited)
    nanosleep(&pause, NULL);
}

static void case_pool_steals(tk_ctx* t) {
  octk_pool* pool = octk_pool_create(2);
  for (int k = 0; k < 5; ++k) {
    tk_describe(t, "round %d: the caller's ranges wait for a steal", k);
    steal_job job;
    job.caller = pthread_self();
    for (int i = 0; i < 64; ++i) atomic_init(&job.hits[i], 0);
    atomic_init(&job.stolen, 0);
    octk_pool_run(pool, held_up_caller, &job, 64, 1);
    int ok = atomic_load(&job.stolen) || tk_fail(t, "no other thread ran a range the held-up caller owns");
    for (int i = 0; i < 64 && ok; ++i)
      if (atomic_load(&job.hits[i]) != 1) ok = tk_fail(t, "item %d ran %d times", i, atomic_load(&job.hits[i]));
    tk_end(t, ok);
  }
  octk_pool_destroy(pool);
}

static const tk_case kPoolCases[] = {
    {"pool", case_pool, 0},
    {"pool.steals", case_pool_steals, 0},
};
TK_REGISTER(kPoolCases)
