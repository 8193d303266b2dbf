#include "gemmlowp_oracle.h"
#include <gemmlowp/fixedpoint/fixedpoint.h>

extern "C" int32_t gemmlowp_oracle_srdhm(int32_t a, int32_t b) {
  return gemmlowp::SaturatingRoundingDoublingHighMul(a, b);
}

extern "C" int32_t gemmlowp_oracle_rdbpot(int32_t x, int exponent) {
  return gemmlowp::RoundingDivideByPOT(x, exponent);
}
