// The operating-system calls of the Swift runtime: file mapping and writing, the environment,
// a clock, benchmark markers. OctetRuntime imports neither Glibc nor Foundation, so the same
// sources also build as Embedded Swift (aarch64 / x86_64 static binaries, tools/arm/build.sh).
#ifndef OCTK_PLATFORM_H
#define OCTK_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  OCTK_FILE_OK = 0,
  OCTK_FILE_OPEN,         // open(2) or fstat(2) failed: see *error_number
  OCTK_FILE_NOT_REGULAR,  // a directory, device, pipe, …
  OCTK_FILE_EMPTY,        // zero bytes (nothing to map)
  OCTK_FILE_MAP,          // mmap(2) failed: see *error_number
  OCTK_FILE_WRITE,        // creating, writing or renaming failed: see *error_number
} octk_file_status;

/// Maps the whole regular file `path` read-only (MAP_PRIVATE). On OCTK_FILE_OK, *data and *size
/// hold the mapping (undo with octk_file_unmap); else *error_number is errno (0 when none).
octk_file_status octk_file_map(const char* path, const void** data, size_t* size, int* error_number);
void octk_file_unmap(const void* data, size_t size);

/// Writes `count` files as one step: each is written to a temporary file beside it
/// (".<name>.tmp-<pid>"), and only when all are complete are they renamed into place. On failure
/// no new file and no temporary file is left; *failed is the index of the file at fault and
/// *error_number its errno.
octk_file_status octk_files_write(size_t count, const char* const* paths, const void* const* data,
                                  const size_t* sizes, size_t* failed, int* error_number);

/// strerror(error_number) copied into `buffer` (thread-safe; always NUL-terminated).
void octk_error_text(int error_number, char* buffer, size_t capacity);

/// getenv(name), or NULL.
const char* octk_getenv(const char* name);

/// CLOCK_MONOTONIC in nanoseconds.
int64_t octk_clock_ns(void);

/// A harmless failing syscall, lseek(-1, 0xC7E70000 + which, SEEK_SET) (EBADF), that an
/// instruction-counting qemu plugin takes as a marker: 1 before a timed invoke, 2 after it.
void octk_bench_marker(unsigned which);

/// Writes `text` to standard error / standard output (no newline added) and flushes it.
void octk_write_stderr(const char* text);
void octk_write_stdout(const char* text);

#ifdef __cplusplus
}
#endif
#endif
