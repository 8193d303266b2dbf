// int8 Add of two same-shape contiguous tensors (residual adds): exactly
// octk_qs8_add_strided__reference over `count` elements (rank 1, unit strides).
#ifndef OCTK_QS8_ADD_H
#define OCTK_QS8_ADD_H
#include <stddef.h>
#include <stdint.h>

#include "octk_config.h"
#include "octk_qs8.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Reads and writes exactly `count` elements.
typedef void (*octk_qs8_add_fn)(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);

/// The reference over a rank-1 view (the reference row).
void octk_qs8_add__scalar(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);

typedef struct {
  octk_config_key key;
  const char* name;
  octk_qs8_add_fn fn;
} octk_qs8_add_config;

/// Every contiguous add, the reference row last.
extern const octk_qs8_add_config octk_qs8_add_configs[];
extern const size_t octk_qs8_add_config_count;

#ifdef __cplusplus
}
#endif
#endif
