// Allocation that reports failure instead of trapping: the runtime sizes its buffers from a
// model file it does not trust, so an impossible size must become an error, not a crash.
#ifndef OCTK_MEMORY_H
#define OCTK_MEMORY_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// `bytes` (≥ 1) bytes aligned to `alignment` (a power of two, multiple of sizeof(void*)), or
/// NULL when the system cannot provide them or they exceed the machine's physical memory.
/// Free with octk_aligned_free.
void* octk_aligned_alloc(size_t alignment, size_t bytes);
void octk_aligned_free(void* p);
/// Bytes of physical memory (SIZE_MAX when unknown).
size_t octk_physical_memory(void);

#ifdef __cplusplus
}
#endif
#endif
