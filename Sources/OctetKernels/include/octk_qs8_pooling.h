// int8 pools: exactly the reference max, average and global average pools (octk_qs8.h).
#ifndef OCTK_QS8_POOLING_H
#define OCTK_QS8_POOLING_H
#include <stddef.h>
#include <stdint.h>

#include "octk_config.h"
#include "octk_qs8.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*octk_qs8_maxpool_fn)(const int8_t* x, int channels, const octk_window* win, int8_t* y);
typedef void (*octk_qs8_avgpool_fn)(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                                    int32_t zero_point, int8_t* y);
typedef void (*octk_qs8_global_avgpool_fn)(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                                           int32_t output_zero_point, float scale, int8_t* y);

typedef struct {
  octk_config_key key;
  const char* name;
  octk_qs8_maxpool_fn maxpool;
  octk_qs8_avgpool_fn avgpool;
  octk_qs8_global_avgpool_fn global_avgpool;
} octk_qs8_pooling_config;

/// Every pool kernel set, the reference row last.
extern const octk_qs8_pooling_config octk_qs8_pooling_configs[];
extern const size_t octk_qs8_pooling_config_count;

#ifdef __cplusplus
}
#endif
#endif
