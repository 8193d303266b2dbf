// OS calls of the Swift runtime (octk_platform.h): POSIX only.
#define _POSIX_C_SOURCE 200809L
#include "octk_platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

octk_file_status octk_file_map(const char* path, const void** data, size_t* size, int* error_number) {
  *data = NULL;
  *size = 0;
  *error_number = 0;
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error_number = errno;
    return OCTK_FILE_OPEN;
  }
  struct stat info;
  octk_file_status status = OCTK_FILE_OK;
  if (fstat(fd, &info) != 0) {
    *error_number = errno;
    status = OCTK_FILE_OPEN;
  } else if (!S_ISREG(info.st_mode)) {
    status = OCTK_FILE_NOT_REGULAR;
  } else if (info.st_size <= 0) {
    status = OCTK_FILE_EMPTY;
  } else {
    void* p = mmap(NULL, (size_t)info.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      *error_number = errno;
      status = OCTK_FILE_MAP;
    } else {
      *data = p;
      *size = (size_t)info.st_size;
    }
  }
  close(fd);
  return status;
}

void octk_file_unmap(const void* data, size_t size) {
  if (data != NULL) munmap((void*)data, size);
}

// ".<name>.tmp-<pid>" beside `path` (NULL when it does not fit).
static char* temporary_path(const char* path) {
  const char* slash = strrchr(path, '/');
  const size_t dir = slash == NULL ? 0 : (size_t)(slash - path) + 1;
  const size_t n = strlen(path) + 32;
  char* t = malloc(n);
  if (t == NULL) return NULL;
  snprintf(t, n, "%.*s.%s.tmp-%ld", (int)dir, path, path + dir, (long)getpid());
  return t;
}

static int write_whole(const char* path, const void* data, size_t size) {
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  const char* p = data;
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = n < 0 ? errno : EIO;
      close(fd);
      return e;
    }
    p += n;
    size -= (size_t)n;
  }
  return close(fd) == 0 ? 0 : errno;
}

octk_file_status octk_files_write(size_t count, const char* const* paths, const void* const* data,
                                  const size_t* sizes, size_t* failed, int* error_number) {
  *failed = 0;
  *error_number = 0;
  char** temps = calloc(count == 0 ? 1 : count, sizeof(char*));
  if (temps == NULL) {
    *error_number = ENOMEM;
    return OCTK_FILE_WRITE;
  }
  octk_file_status status = OCTK_FILE_OK;
  size_t staged = 0;
  for (; staged < count; ++staged) {
    temps[staged] = temporary_path(paths[staged]);
    const int e = temps[staged] == NULL ? ENOMEM : write_whole(temps[staged], data[staged], sizes[staged]);
    if (e != 0) {
      if (temps[staged] != NULL) unlink(temps[staged]);
      free(temps[staged]);
      *failed = staged;
      *error_number = e;
      status = OCTK_FILE_WRITE;
      break;
    }
  }
  size_t renamed = 0;
  if (status == OCTK_FILE_OK) {
    for (; renamed < count; ++renamed) {
      if (rename(temps[renamed], paths[renamed]) != 0) {
        *failed = renamed;
        *error_number = errno;
        status = OCTK_FILE_WRITE;
        break;
      }
    }
  }
  if (status != OCTK_FILE_OK) {
    for (size_t i = 0; i < renamed; ++i) unlink(paths[i]);
    for (size_t i = renamed; i < staged; ++i) unlink(temps[i]);
  }
  for (size_t i = 0; i < staged; ++i) free(temps[i]);
  free(temps);
  return status;
}

void octk_error_text(int error_number, char* buffer, size_t capacity) {
  if (capacity == 0) return;
  if (strerror_r(error_number, buffer, capacity) != 0) snprintf(buffer, capacity, "error %d", error_number);
  buffer[capacity - 1] = '\0';
}

const char* octk_getenv(const char* name) { return getenv(name); }

int64_t octk_clock_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void octk_bench_marker(unsigned which) { (void)lseek(-1, (off_t)(0xC7E70000u + which), SEEK_SET); }

void octk_write_stderr(const char* text) {
  fputs(text, stderr);
  fflush(stderr);
}

void octk_write_stdout(const char* text) {
  fputs(text, stdout);
  fflush(stdout);
}
