// Test-only malloc interposer: counts heap allocations made by the calling thread while
// counting is on. Linking this target into a test binary replaces malloc process-wide
// (forwarding to glibc's __libc_* entry points).
#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
/// Starts counting allocations on this thread (resets the count).
void malloc_counter_start(void);
/// Stops counting on this thread and returns the number of allocations seen.
uint64_t malloc_counter_stop(void);
/// True when the interposer is active (glibc build, no allocator-replacing sanitizer).
int malloc_counter_available(void);
/// The sanitizer this target was built with that owns malloc ("address", "thread", …), so the
/// interposer is compiled out; NULL in normal builds.
const char* malloc_counter_sanitizer(void);
#ifdef __cplusplus
}
#endif
#endif
