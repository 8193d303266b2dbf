// A persistent worker pool for splitting one op's output over threads. Created once (with the
// interpreter); octk_pool_run allocates nothing. The calling thread takes part, so a pool of
// N threads starts N − 1 workers. Workers spin briefly for the next job (ops follow each other
// within microseconds), then sleep on a condition variable.
#ifndef OCTK_POOL_H
#define OCTK_POOL_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct octk_pool octk_pool;

/// Runs items [begin, end) of a job.
typedef void (*octk_task_fn)(void* context, size_t begin, size_t end);

/// A pool of `threads` ≥ 1 threads (the caller included). NULL when a thread cannot be started.
octk_pool* octk_pool_create(int threads);
void octk_pool_destroy(octk_pool* pool);
int octk_pool_threads(const octk_pool* pool);

/// Splits [0, count) into contiguous ranges, each a multiple of `grain` items (except the last),
/// up to 4 per thread; the threads (the caller included) take them first come, first served,
/// so which thread runs which range varies. Runs `fn` on every range and returns when all are
/// done. With one thread, or when count ≤ grain, fn runs once on the caller. pool may be NULL
/// (= 1 thread).
void octk_pool_run(octk_pool* pool, octk_task_fn fn, void* context, size_t count, size_t grain);

#ifdef __cplusplus
}
#endif
#endif
