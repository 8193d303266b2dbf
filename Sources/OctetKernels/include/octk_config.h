// Kernel configs: for each op family (conv, depthwise, add, pooling, quantize; the float path's
// conv/depthwise/pool/binary), a table of rows, each naming the kernel path it belongs to and
// the CPU features it needs, fastest first. A family's config for a path is the first row of
// that path whose features this CPU has — so a path can hold variants (the VBMI quantize before the
// plain AVX-512 one) — else the family's reference row (path NULL), if it has one. Conv rows
// also name the weight range they are exact for; an op gets the first row covering its weights
// (octk_qs8_conv.h). CPU features
// are read once, here; no kernel queries them. Dispatch, tests and benchmarks read the tables.
#ifndef OCTK_CONFIG_H
#define OCTK_CONFIG_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The head of every config row.
typedef struct {
  const char* path;   // kernel path, as OCTET_KERNELS spells it ("avx512vnni", …); NULL: the reference row (any path)
  uint32_t required;  // OCTK_CPU_* bits the row's kernels need
} octk_config_key;

/// The first of `count` rows (each `stride` bytes, starting with an octk_config_key) whose path
/// is `path` and whose required features are in `features`; else the first reference row; else NULL.
const void* octk_config_find(const void* rows, size_t count, size_t stride, const char* path, uint32_t features);

/// Whether a row's kernels can run on a CPU with `features`.
static inline int octk_config_runs(const octk_config_key* k, uint32_t features) {
  return (features & k->required) == k->required;
}

/// A kernel path: a name OCTET_KERNELS / OCTET_FLOAT_KERNELS accept and the CPU features it
/// needs (those of its conv kernel).
typedef struct {
  const char* path;
  uint32_t required;
  int automatic;  // whether automatic selection may pick it (fastest first)
} octk_kernel_path;

#ifdef __cplusplus
}
#endif
#endif
