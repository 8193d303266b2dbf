// Packing of depthwise conv weights for the NEON kernel (octk_qs8_arm.h, layout 16c_i16):
// weights pre-widened to int16 [blocks][taps][16] (0 past channels), so a tap is one SMLAL
// per 4 channels; bias − z_in·Σ_t w, multiplier and shift per channel in blocks of 16.
#if defined(__aarch64__)
#include <string.h>

#include "octk_qs8_arm.h"

static size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

size_t octk_qs8_dwconv_packed_bytes_16c_i16(int channels, int taps) {
  const size_t blocks = ((size_t)channels + OCTK_QS8_DW_NR - 1) / OCTK_QS8_DW_NR;
  const size_t weights = blocks * (size_t)taps * OCTK_QS8_DW_NR * sizeof(int16_t);
  const size_t params = blocks * OCTK_QS8_DW_NR * sizeof(int32_t);
  return round_up(weights, 64) + 3 * round_up(params, 64) + round_up((size_t)channels + 64, 64);
}

void octk_qs8_dwconv_pack_16c_i16(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                                  octk_qs8_dwconv_packed* out) {
  const int blocks = (channels + OCTK_QS8_DW_NR - 1) / OCTK_QS8_DW_NR;
  const size_t wbytes = round_up((size_t)blocks * taps * OCTK_QS8_DW_NR * sizeof(int16_t), 64);
  const size_t pbytes = round_up((size_t)blocks * OCTK_QS8_DW_NR * sizeof(int32_t), 64);
  uint8_t* base = storage;
  memset(base, 0, octk_qs8_dwconv_packed_bytes_16c_i16(channels, taps));
  int16_t* pw = (int16_t*)base;
  int32_t* bias = (int32_t*)(base + wbytes);
  int32_t* mult = (int32_t*)(base + wbytes + pbytes);
  int32_t* shift = (int32_t*)(base + wbytes + 2 * pbytes);
  int8_t* zero = (int8_t*)(base + wbytes + 3 * pbytes);
  for (int c = 0; c < channels; ++c) {
    const int b = c / OCTK_QS8_DW_NR, lane = c % OCTK_QS8_DW_NR;
    int64_t sum = 0;
    for (int t = 0; t < taps; ++t) {
      const int8_t v = w[(size_t)t * channels + c];
      pw[((size_t)b * taps + t) * OCTK_QS8_DW_NR + lane] = v;
      sum += v;
    }
    // Wrapped to int32 as the kernel's sums wrap (the spec guarantees the total fits).
    bias[c] = (int32_t)(uint32_t)(uint64_t)((q->bias ? q->bias[c] : 0) - (int64_t)q->input_zero_point * sum);
    mult[c] = q->multiplier[c];
    shift[c] = q->shift[c] > 30 ? 30 : (q->shift[c] < -31 ? -31 : q->shift[c]);
  }
  memset(zero, (int)(int8_t)q->input_zero_point, (size_t)channels + 64);
  out->channels = channels;
  out->taps = taps;
  out->blocks = blocks;
  out->weights = pw;
  out->bias = bias;
  out->multiplier = mult;
  out->shift = shift;
  out->zero = zero;
}
#endif
