// Portable contiguous add: the reference over a rank-1 view.
#include "octk_qs8_add.h"

void octk_qs8_add__scalar(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p) {
  const ptrdiff_t shape[1] = {(ptrdiff_t)count}, unit[1] = {1};
  octk_qs8_add_strided__reference(1, shape, a, unit, b, unit, y, unit, p);
}
