// octk_f32_gemm__reference against a double-precision triple loop, with leading dimensions
// larger than the row lengths (sub-matrices) and every small size.
#include <string.h>
#include "harness.h"
#include "octk_f32.h"

static void one_gemm(tk_ctx* t, size_t m, size_t n, size_t k) {
  tk_rng* r = tk_rand(t);
  const size_t lda = k + (size_t)tk_rng_int(r, 0, 3), ldb = n + (size_t)tk_rng_int(r, 0, 3), ldc = n + (size_t)tk_rng_int(r, 0, 3);
  tk_describe(t, "m %zu n %zu k %zu lda %zu ldb %zu ldc %zu", m, n, k, lda, ldb, ldc);
  float* a = tk_alloc_f32(t, m * lda);
  float* b = tk_alloc_f32(t, k * ldb);
  float* c = tk_alloc_f32(t, m * ldc);
  tk_fill(r, a, m * lda, -2.0f, 2.0f);
  tk_fill(r, b, k * ldb, -2.0f, 2.0f);
  tk_fill(r, c, m * ldc, 100.0f, 200.0f);
  double* want = tk_alloc_f64(t, m * ldc);
  double* scale = tk_alloc_f64(t, m * ldc);
  for (size_t i = 0; i < m * ldc; ++i) { want[i] = c[i]; scale[i] = 1.0; }
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      double sum = 0.0, mag = 0.0;
      for (size_t p = 0; p < k; ++p) {
        sum += (double)a[i * lda + p] * b[p * ldb + j];
        mag += (double)(a[i * lda + p] < 0 ? -a[i * lda + p] : a[i * lda + p]) * (b[p * ldb + j] < 0 ? -b[p * ldb + j] : b[p * ldb + j]);
      }
      want[i * ldc + j] = sum;
      scale[i * ldc + j] = mag;
    }
  octk_f32_gemm__reference(m, n, k, a, lda, b, ldb, c, ldc);
  tk_end(t, tk_compare(t, "c", c, want, scale, m * ldc, 1e-5, 1e-6, tk_layout_flat(m * ldc)));
}

static void case_gemm(tk_ctx* t) {
  for (size_t m = 1; m <= 5; ++m)
    for (size_t n = 1; n <= 9; n += 2)
      for (size_t k = 1; k <= 17; k += 4) one_gemm(t, m, n, k);
  for (int i = 0; i < 20; ++i) {
    tk_rng* r = tk_rand(t);
    one_gemm(t, (size_t)tk_rng_int(r, 1, 40), (size_t)tk_rng_int(r, 1, 70), (size_t)tk_rng_int(r, 1, 90));
  }
}

static const tk_case kGemmCases[] = {{"f32.gemm", case_gemm, 0}};

TK_REGISTER(kGemmCases)
