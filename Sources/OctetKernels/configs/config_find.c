// The config walk every family shares (octk_config.h).
#include <string.h>

#include "octk_config.h"

const void* octk_config_find(const void* rows, size_t count, size_t stride, const char* path, uint32_t features) {
  const char* base = rows;
  for (size_t i = 0; i < count; ++i) {
    const octk_config_key* k = (const octk_config_key*)(base + i * stride);
    if (k->path && path && strcmp(k->path, path) == 0 && octk_config_runs(k, features)) return k;
  }
  for (size_t i = 0; i < count; ++i) {
    const octk_config_key* k = (const octk_config_key*)(base + i * stride);
    if (k->path == NULL && octk_config_runs(k, features)) return k;
  }
  return NULL;
}
