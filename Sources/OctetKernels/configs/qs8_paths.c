// The int8 kernel paths and the selection of one config per op family (octk_qs8_kernels.h).
#include <string.h>

#include "octk_cpu.h"
#include "octk_qs8_kernels.h"

const octk_kernel_path octk_qs8_paths[] = {
#if defined(__x86_64__)
    {"avx512vnni", OCTK_CPU_X86_AVX512VNNI_SET, 1},
    {"avxvnni", OCTK_CPU_X86_AVX2 | OCTK_CPU_X86_AVXVNNI, 1},
    {"avx2", OCTK_CPU_X86_AVX2, 1},
#endif
#if defined(__aarch64__)
    {"i8mm", OCTK_CPU_ARM_NEON | OCTK_CPU_ARM_I8MM, 1},
    {"dotprod", OCTK_CPU_ARM_NEON | OCTK_CPU_ARM_DOTPROD, 1},
    {"neon", OCTK_CPU_ARM_NEON, 1},
#endif
    // The packed layouts in portable C: as fast as the reference, so never chosen automatically.
    {"scalar", 0, 0},
    {"reference", 0, 1},
};
const int octk_qs8_path_count = (int)(sizeof octk_qs8_paths / sizeof octk_qs8_paths[0]);

const octk_kernel_path* octk_qs8_path(int i) { return &octk_qs8_paths[i]; }

#define FIND(family, path, features) \
  octk_config_find(octk_##family##_configs, octk_##family##_config_count, sizeof octk_##family##_configs[0], path, features)

/// The first conv row of `path` this CPU runs whose max_weight is at least max_abs_weight.
static const octk_qs8_conv_config* conv_find(const char* path, uint32_t features, int max_abs_weight) {
  for (size_t i = 0; i < octk_qs8_conv_config_count; ++i) {
    const octk_qs8_conv_config* c = &octk_qs8_conv_configs[i];
    if (c->key.path && strcmp(c->key.path, path) == 0 && octk_config_runs(&c->key, features) &&
        max_abs_weight <= c->max_weight)
      return c;
  }
  return NULL;
}

const octk_qs8_conv_config* octk_qs8_kernels_conv_for_weights(const octk_qs8_kernels* k, int max_abs_weight) {
  if (!k->conv) return NULL;
  const octk_qs8_conv_config* c = conv_find(k->path, octk_cpu_features(), max_abs_weight);
  return c ? c : k->conv;
}

int octk_qs8_kernels_select(const char* path, octk_qs8_kernels* out) {
  const uint32_t features = octk_cpu_features();
  const int any = path == NULL || path[0] == 0 || strcmp(path, "auto") == 0;
  const octk_kernel_path* chosen = NULL;
  for (int i = 0; i < octk_qs8_path_count && !chosen; ++i) {
    const octk_kernel_path* p = &octk_qs8_paths[i];
    if (any ? !p->automatic : strcmp(path, p->path) != 0) continue;
    if ((features & p->required) == p->required) chosen = p;
    else if (!any) return OCTK_SELECT_UNSUPPORTED;
  }
  if (!chosen) return OCTK_SELECT_UNKNOWN;
  out->path = chosen->path;
  out->conv = conv_find(chosen->path, features, OCTK_QS8_WEIGHTS_ANY);
  out->dwconv = FIND(qs8_dwconv, chosen->path, features);
  out->add = FIND(qs8_add, chosen->path, features);
  out->pooling = FIND(qs8_pooling, chosen->path, features);
  out->quantize = FIND(qs8_quantize, chosen->path, features);
  return OCTK_SELECT_OK;
}
