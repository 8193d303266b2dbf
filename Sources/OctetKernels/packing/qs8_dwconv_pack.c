// Packing of depthwise conv weights: 16c (int32 or int8 weights) and 64c4 (octk_qs8_dwconv.h).
#include <string.h>

#include "octk_qs8_dwconv.h"

static size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

// ---- 16c: weights as int32 (x86 scalar twin) or int8 (NEON) -----------------------------------------

static size_t bytes_16c(int channels, int taps, size_t weight_size) {
  const size_t blocks = ((size_t)channels + OCTK_QS8_DW_NR - 1) / OCTK_QS8_DW_NR;
  const size_t weights = blocks * (size_t)taps * OCTK_QS8_DW_NR * weight_size;
  const size_t params = blocks * OCTK_QS8_DW_NR * sizeof(int32_t);
  return round_up(weights, 64) + 2 * round_up(params, 64) + round_up((size_t)channels + 64, 64);
}

/// Weights [blocks][taps][16] as int32 or int8 (0 past channels); bias − z_in·Σ_t w and scale
/// per channel in blocks of 16.
static void pack_16c(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, size_t weight_size,
                     void* storage, octk_qs8_dwconv_packed* out) {
  const int blocks = (channels + OCTK_QS8_DW_NR - 1) / OCTK_QS8_DW_NR;
  const size_t wbytes = round_up((size_t)blocks * taps * OCTK_QS8_DW_NR * weight_size, 64);
  const size_t pbytes = round_up((size_t)blocks * OCTK_QS8_DW_NR * sizeof(int32_t), 64);
  uint8_t* base = storage;
  memset(base, 0, bytes_16c(channels, taps, weight_size));
  int32_t* bias = (int32_t*)(base + wbytes);
  float* scale = (float*)(base + wbytes + pbytes);
  int8_t* zero = (int8_t*)(base + wbytes + 2 * pbytes);
  for (int c = 0; c < channels; ++c) {
    const int b = c / OCTK_QS8_DW_NR, lane = c % OCTK_QS8_DW_NR;
    int64_t sum = 0;
    for (int t = 0; t < taps; ++t) {
      const int8_t v = w[(size_t)t * channels + c];
      const size_t at = ((size_t)b * taps + t) * OCTK_QS8_DW_NR + lane;
      if (weight_size == sizeof(int32_t)) ((int32_t*)base)[at] = v;
      else ((int8_t*)base)[at] = v;
      sum += v;
    }
    bias[c] = octk_qs8_folded_bias(q, c, sum, 0);
    scale[c] = q->scale[c];
  }
  memset(zero, (int)(int8_t)q->input_zero_point, (size_t)channels + 64);
  out->channels = channels;
  out->taps = taps;
  out->blocks = blocks;
  out->weights = base;
  out->bias = bias;
  out->scale = scale;
  out->zero = zero;
  out->weights_above_127 = octk_qs8_any_weight_is_min(w, (size_t)channels * taps);
}

size_t octk_qs8_dwconv_packed_bytes_16c(int channels, int taps) { return bytes_16c(channels, taps, sizeof(int32_t)); }

void octk_qs8_dwconv_pack_16c(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                              octk_qs8_dwconv_packed* out) {
  pack_16c(w, q, channels, taps, sizeof(int32_t), storage, out);
}

size_t octk_qs8_dwconv_packed_bytes_16c_i8(int channels, int taps) { return bytes_16c(channels, taps, sizeof(int8_t)); }

void octk_qs8_dwconv_pack_16c_i8(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                                 octk_qs8_dwconv_packed* out) {
  pack_16c(w, q, channels, taps, sizeof(int8_t), storage, out);
}

// ---- 64c4: int8 weights in groups of 4 taps for vpdpbusd ---------------------------------
//
// Block b holds channels 64b … 64b+63. Within a block the kernel's four int32 vectors Q0…Q3
// hold, in 128-bit lane L and dword i of Q_j, channel 16L + 4j + i (the order byte and word
// unpacks of 4 tap rows produce, and signed packs undo). Per tap group g (taps 4g … 4g+3;
// with 9 taps, a 3×3 window's column: taps g, g+3, g+6 and a zero fourth):
// weights [blocks][groups][j][L][i][4 taps] as int8; bias/scale [blocks][j][L][i].
// The bias folds in −(128 + z_in)·Σ_t w: the kernel multiplies x ^ 0x80 = x + 128 (unsigned).
// When the last block has at most 32 channels, its lanes 2–3 repeat lanes 0–1 so that the
// kernel can run two pixels per step there (one in each 256-bit half).

static int dw64_slot(int c) { return (c / 16) * 4 + (c % 16) / 4 * 16 + c % 4; }  // lane index in [j][L][i]

static size_t dw64_weight_bytes(int channels, int taps) {
  const size_t blocks = ((size_t)channels + 63) / 64, groups = ((size_t)taps + 3) / 4;
  return round_up(blocks * groups * 256, 64);
}

size_t octk_qs8_dwconv_packed_bytes_64c4(int channels, int taps) {
  const size_t blocks = ((size_t)channels + 63) / 64;
  return dw64_weight_bytes(channels, taps) + 2 * blocks * 64 * sizeof(int32_t) + round_up((size_t)channels + 64, 64);
}

void octk_qs8_dwconv_pack_64c4(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                               octk_qs8_dwconv_packed* out) {
  const int blocks = (channels + 63) / 64, groups = (taps + 3) / 4;
  const size_t wbytes = dw64_weight_bytes(channels, taps), pbytes = (size_t)blocks * 64 * sizeof(int32_t);
  uint8_t* base = storage;
  memset(base, 0, octk_qs8_dwconv_packed_bytes_64c4(channels, taps));
  int8_t* pw = (int8_t*)base;
  int32_t* bias = (int32_t*)(base + wbytes);
  float* scale = (float*)(base + wbytes + pbytes);
  int8_t* zero = (int8_t*)(base + wbytes + 2 * pbytes);
  const int narrow_tail = channels - 64 * (blocks - 1) <= 32;  // the last block runs two pixels per step
  for (int c = 0; c < channels; ++c) {
    const int b = c / 64, copies = narrow_tail && b == blocks - 1 ? 2 : 1;
    for (int copy = 0; copy < copies; ++copy) {
      const int slot = dw64_slot(c % 64) + copy * 8;  // copy 1: lane L + 2
      int64_t sum = 0;
      for (int t = 0; t < taps; ++t) {
        const int8_t v = w[(size_t)t * channels + c];
        const int group = taps == 9 ? t % 3 : t / 4, at = taps == 9 ? t / 3 : t % 4;
        pw[(((size_t)b * groups + group) * 64 + slot) * 4 + at] = v;
        sum += v;
      }
      bias[b * 64 + slot] = octk_qs8_folded_bias(q, c, sum, 128);
      scale[b * 64 + slot] = q->scale[c];
    }
  }
  memset(zero, (int)(int8_t)q->input_zero_point, (size_t)channels + 64);
  out->channels = channels;
  out->taps = taps;
  out->blocks = blocks;
  out->weights = pw;
  out->bias = bias;
  out->scale = scale;
  out->zero = zero;
  out->weights_above_127 = octk_qs8_any_weight_is_min(w, (size_t)channels * taps);
}
