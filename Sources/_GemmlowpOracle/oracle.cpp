#include "gemmlowp_oracle.h"

#include <cstdint>
#include <tuple>
#include <vector>

#include <gemmlowp/public/gemmlowp.h>

extern "C" void gemmlowp_oracle_gemm_s8_s32(const int8_t* lhs, int rows, int depth, const int8_t* rhs, int cols,
                                            int32_t lhs_zero_point, int32_t* out) {
  // gemmlowp multiplies uint8 matrices with int32 offsets: (l + lhs_offset)·(r + rhs_offset).
  // Bytes biased by 128 with offsets −128 − z and −128 give (x − z)·w exactly.
  std::vector<std::uint8_t> l(static_cast<size_t>(rows) * depth), r(static_cast<size_t>(cols) * depth);
  for (size_t i = 0; i < l.size(); ++i) l[i] = static_cast<std::uint8_t>(lhs[i] + 128);
  for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<std::uint8_t>(rhs[i] + 128);
  gemmlowp::MatrixMap<const std::uint8_t, gemmlowp::MapOrder::RowMajor> lm(l.data(), rows, depth);
  gemmlowp::MatrixMap<const std::uint8_t, gemmlowp::MapOrder::ColMajor> rm(r.data(), depth, cols);
  gemmlowp::MatrixMap<std::int32_t, gemmlowp::MapOrder::RowMajor> om(out, rows, cols);
  gemmlowp::GemmContext context;
  context.set_max_num_threads(1);
  const std::tuple<> int32_output;
  gemmlowp::GemmWithOutputPipeline<std::uint8_t, std::int32_t, gemmlowp::DefaultL8R8BitDepthParams>(
      &context, lm, rm, &om, -128 - lhs_zero_point, -128, int32_output);
}
