// gemmlowp's GEMM (Debian libgemmlowp-dev) with int32 output, exported to Swift tests as the
// oracle of the int32 accumulation of conv / fully connected (DESIGN.md §2).
#ifndef GEMMLOWP_ORACLE_H
#define GEMMLOWP_ORACLE_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
/// out[r][c] = Σ_k (lhs[r][k] − lhs_zero_point)·rhs[c][k] in int32: lhs [rows][depth], rhs
/// [cols][depth] (a weight matrix, one row per output channel), out [rows][cols].
void gemmlowp_oracle_gemm_s8_s32(const int8_t* lhs, int rows, int depth, const int8_t* rhs, int cols,
                                 int32_t lhs_zero_point, int32_t* out);
#ifdef __cplusplus
}
#endif
#endif
