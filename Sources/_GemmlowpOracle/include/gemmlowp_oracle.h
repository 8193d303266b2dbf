// gemmlowp's fixed-point primitives (Debian libgemmlowp-dev), exported to Swift tests as the
// requantization oracle of DESIGN.md section 2.
#ifndef GEMMLOWP_ORACLE_H
#define GEMMLOWP_ORACLE_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
/// gemmlowp::SaturatingRoundingDoublingHighMul(a, b).
int32_t gemmlowp_oracle_srdhm(int32_t a, int32_t b);
/// gemmlowp::RoundingDivideByPOT(x, exponent), 0 <= exponent <= 31.
int32_t gemmlowp_oracle_rdbpot(int32_t x, int exponent);
#ifdef __cplusplus
}
#endif
#endif
