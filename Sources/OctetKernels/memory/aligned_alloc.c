#define _POSIX_C_SOURCE 200112L
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "octk_memory.h"

size_t octk_physical_memory(void) {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? (size_t)pages * (size_t)page : SIZE_MAX;
}

void* octk_aligned_alloc(size_t alignment, size_t bytes) {
  void* p = NULL;
  if (bytes == 0) bytes = 1;
  // With overcommit, a block larger than the machine's memory may be granted and the process
  // killed when it is touched: refuse it here instead.
  if (bytes > octk_physical_memory()) return NULL;
  return posix_memalign(&p, alignment, bytes) == 0 ? p : NULL;
}

void octk_aligned_free(void* p) { free(p); }
