// Persistent worker pool (octk_pool.h). A job is published by bumping `generation` under the
// mutex; workers spin on it (acquire loads, for up to OCTK_POOL_SPIN_NS), then wait on `wake`.
// A job is cut into ranges, a contiguous run of them owned by each thread (the caller is
// thread 0): every thread runs its own ranges in order, then takes the untaken ranges of the
// other threads (one atomic counter per owner), so a thread on a slower or busier core simply
// runs fewer of them while balanced threads keep the same part of every op (and its data in
// their caches). Each worker then decrements `pending`; the caller spins until it reaches zero.
// Jobs never overlap: octk_pool_run returns only after every range ran.
#define _GNU_SOURCE
#include "octk_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// Ranges per thread of a job: enough that a core running 25 % slower than the others costs the
// job little, few enough that a range stays long next to its call overhead.
#define OCTK_POOL_RANGES_PER_THREAD 4

// How long an idle worker keeps spinning before it sleeps: longer than the gap between two
// ops and between back-to-back invokes, short enough not to burn a core when the model idles.
#define OCTK_POOL_SPIN_NS 2000000

struct octk_pool {
  int threads;
  pthread_t* workers;  // threads − 1
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  atomic_ulong generation;
  atomic_int pending;
  atomic_int stop;
  atomic_size_t* next;  // [threads]: each owner's next untaken range
  // The current job (written before `generation` is bumped).
  octk_task_fn fn;
  void* context;
  size_t count, chunk, ranges, owned;  // items per range, ranges, ranges per owner
};

typedef struct {
  octk_pool* pool;
  int index;
} worker_arg;

/// Thread `index` runs its own ranges of the current job, then the others' untaken ones.
static void run_ranges(octk_pool* p, int index) {
  for (int k = 0; k < p->threads; ++k) {
    const int owner = (index + k) % p->threads;
    const size_t first = (size_t)owner * p->owned;
    for (;;) {
      const size_t i = first + atomic_fetch_add_explicit(&p->next[owner], 1, memory_order_relaxed);
      if (i >= first + p->owned || i >= p->ranges) break;
      const size_t begin = i * p->chunk, end = begin + p->chunk < p->count ? begin + p->chunk : p->count;
      p->fn(p->context, begin, end);
    }
  }
}

static void* worker_main(void* arg) {
  worker_arg* w = arg;
  octk_pool* p = w->pool;
  const int index = w->index;
  free(w);
  unsigned long seen = 0;
  for (;;) {
    unsigned long g = atomic_load_explicit(&p->generation, memory_order_acquire);
    const int64_t spin_until = now_ns() + OCTK_POOL_SPIN_NS;
    for (unsigned spin = 1; g == seen; ++spin) {
      if (atomic_load_explicit(&p->stop, memory_order_relaxed)) return NULL;
      if ((spin & 1023) == 0 && now_ns() > spin_until) break;
      g = atomic_load_explicit(&p->generation, memory_order_acquire);
    }
    if (g == seen) {
      pthread_mutex_lock(&p->mutex);
      while ((g = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen &&
             !atomic_load_explicit(&p->stop, memory_order_relaxed)) {
        pthread_cond_wait(&p->wake, &p->mutex);
      }
      pthread_mutex_unlock(&p->mutex);
    }
    if (atomic_load_explicit(&p->stop, memory_order_relaxed)) return NULL;
    seen = g;
    run_ranges(p, index);
    atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel);
  }
}

octk_pool* octk_pool_create(int threads) {
  if (threads < 1) threads = 1;
  octk_pool* p = calloc(1, sizeof *p);
  if (p == NULL) return NULL;
  p->threads = threads;
  pthread_mutex_init(&p->mutex, NULL);
  pthread_cond_init(&p->wake, NULL);
  atomic_init(&p->generation, 0);
  atomic_init(&p->pending, 0);
  atomic_init(&p->stop, 0);
  p->next = malloc(sizeof(atomic_size_t) * (size_t)threads);
  if (p->next == NULL) {
    octk_pool_destroy(p);
    return NULL;
  }
  for (int t = 0; t < threads; ++t) atomic_init(&p->next[t], 0);
  if (threads > 1) {
    p->workers = calloc((size_t)threads - 1, sizeof(pthread_t));
    if (p->workers == NULL) {
      octk_pool_destroy(p);
      return NULL;
    }
    for (int i = 1; i < threads; ++i) {
      worker_arg* arg = malloc(sizeof *arg);
      if (arg == NULL) {
        p->threads = i;
        octk_pool_destroy(p);
        return NULL;
      }
      arg->pool = p;
      arg->index = i;
      if (pthread_create(&p->workers[i - 1], NULL, worker_main, arg) != 0) {
        free(arg);
        p->threads = i;  // only workers 1 … i−1 exist
        octk_pool_destroy(p);
        return NULL;
      }
    }
  }
  return p;
}

void octk_pool_destroy(octk_pool* p) {
  if (p == NULL) return;
  pthread_mutex_lock(&p->mutex);
  atomic_store(&p->stop, 1);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mutex);
  for (int i = 1; i < p->threads && p->workers != NULL; ++i) pthread_join(p->workers[i - 1], NULL);
  free(p->workers);
  free(p->next);
  pthread_cond_destroy(&p->wake);
  pthread_mutex_destroy(&p->mutex);
  free(p);
}

int octk_pool_threads(const octk_pool* p) { return p == NULL ? 1 : p->threads; }

void octk_pool_run(octk_pool* p, octk_task_fn fn, void* context, size_t count, size_t grain) {
  if (count == 0) return;
  if (grain == 0) grain = 1;
  if (p == NULL || p->threads == 1 || count <= grain) {
    fn(context, 0, count);
    return;
  }
  // Ranges of whole grains, as even as possible, up to OCTK_POOL_RANGES_PER_THREAD per thread.
  const size_t grains = (count + grain - 1) / grain, most = (size_t)p->threads * OCTK_POOL_RANGES_PER_THREAD;
  const size_t per = (grains + most - 1) / most;
  p->fn = fn;
  p->context = context;
  p->count = count;
  p->chunk = per * grain;
  p->ranges = (count + p->chunk - 1) / p->chunk;
  p->owned = (p->ranges + (size_t)p->threads - 1) / (size_t)p->threads;
  for (int t = 0; t < p->threads; ++t) atomic_store_explicit(&p->next[t], 0, memory_order_relaxed);
  atomic_store_explicit(&p->pending, p->threads - 1, memory_order_relaxed);
  pthread_mutex_lock(&p->mutex);
  atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mutex);
  run_ranges(p, 0);
  while (atomic_load_explicit(&p->pending, memory_order_acquire) != 0) sched_yield();
}
