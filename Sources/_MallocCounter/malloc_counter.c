#include "malloc_counter.h"
#include <stddef.h>

// AddressSanitizer, ThreadSanitizer and MemorySanitizer replace malloc themselves (and track
// every block): an interposer forwarding to glibc would take over from them and break them
// (a block from one allocator freed by the other). Under those sanitizers (swift test
// --sanitize address|thread) the interposer is compiled out; malloc_counter_sanitizer() names
// the reason, so the zero-allocation tests skip instead of failing.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MALLOC_COUNTER_SANITIZER "address"
#elif __has_feature(thread_sanitizer)
#define MALLOC_COUNTER_SANITIZER "thread"
#elif __has_feature(memory_sanitizer)
#define MALLOC_COUNTER_SANITIZER "memory"
#elif __has_feature(hwaddress_sanitizer)
#define MALLOC_COUNTER_SANITIZER "hwaddress"
#endif
#endif

#ifdef MALLOC_COUNTER_SANITIZER
const char* malloc_counter_sanitizer(void) { return MALLOC_COUNTER_SANITIZER; }
#else
const char* malloc_counter_sanitizer(void) { return NULL; }
#endif

#if defined(__linux__) && defined(__GLIBC__) && !defined(MALLOC_COUNTER_SANITIZER)
extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);
extern void __libc_free(void*);

static _Thread_local int counting = 0;
static _Thread_local uint64_t count = 0;

void* malloc(size_t n) { if (counting) ++count; return __libc_malloc(n); }
void* calloc(size_t a, size_t b) { if (counting) ++count; return __libc_calloc(a, b); }
void* realloc(void* p, size_t n) { if (counting) ++count; return __libc_realloc(p, n); }
void free(void* p) { __libc_free(p); }
int posix_memalign(void** out, size_t alignment, size_t n) {
  if (counting) ++count;
  void* p = __libc_memalign(alignment, n);
  if (!p) return 12;  // ENOMEM
  *out = p;
  return 0;
}
void* aligned_alloc(size_t alignment, size_t n) { if (counting) ++count; return __libc_memalign(alignment, n); }
void* memalign(size_t alignment, size_t n) { if (counting) ++count; return __libc_memalign(alignment, n); }

void malloc_counter_start(void) { count = 0; counting = 1; }
uint64_t malloc_counter_stop(void) { counting = 0; return count; }
int malloc_counter_available(void) { return 1; }
#else
void malloc_counter_start(void) {}
uint64_t malloc_counter_stop(void) { return 0; }
int malloc_counter_available(void) { return 0; }
#endif
