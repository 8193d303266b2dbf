// int8 depthwise conv (channel multiplier 1) on packed weights, through an indirection buffer
// (octk_qs8_conv_indirection). acc[c] = Σ_t x[t][c]·w[t][c] + bias'[c] with bias' = bias −
// (offset + z_in)·Σ_t w[t][c] (offset as in octk_qs8_conv.h); padding taps read a row of z_in
// bytes. Weights arrive as the lowering lays them out, [kernel_h][kernel_w][channels].
#ifndef OCTK_QS8_DWCONV_H
#define OCTK_QS8_DWCONV_H
#include <stddef.h>
#include <stdint.h>

#include "octk_config.h"
#include "octk_qs8.h"
#include "octk_qs8_packing.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Channels per block of the 16c layouts.
#define OCTK_QS8_DW_NR 16

typedef struct {
  int channels, taps, blocks;  // blocks of the layout's channel count
  const void* weights;         // the layout's weights
  const int32_t* bias;         // bias' per channel (the layout's order)
  const float* scale;          // per channel (the layout's order)
  const int8_t* zero;          // [channels + 64] bytes of z_in
  int weights_above_127;       // 1 when some weight is −128 (16c_i8: tap pairs may not sum in int16)
} octk_qs8_dwconv_packed;

/// Bytes and packing of a layout: weights w [taps][channels] and q's parameters into `storage`.
typedef size_t (*octk_qs8_dwconv_packed_bytes_fn)(int channels, int taps);
typedef void (*octk_qs8_dwconv_pack_fn)(const int8_t* w, const octk_qs8_requant* q, int channels, int taps,
                                        void* storage, octk_qs8_dwconv_packed* out);

/// 16c: weights [blocks][taps][16] widened to int32 (the scalar twin), 0 past channels;
/// bias − z_in·Σ_t w and scale per channel.
size_t octk_qs8_dwconv_packed_bytes_16c(int channels, int taps);
void octk_qs8_dwconv_pack_16c(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                              octk_qs8_dwconv_packed* out);
/// 16c_i8: the same order with int8 weights (NEON SMULL/SMLAL .8h on tap pairs).
size_t octk_qs8_dwconv_packed_bytes_16c_i8(int channels, int taps);
void octk_qs8_dwconv_pack_16c_i8(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                                 octk_qs8_dwconv_packed* out);
/// 64c4: int8 weights in groups of 4 taps for vpdpbusd (see packing/qs8_dwconv_pack.c).
size_t octk_qs8_dwconv_packed_bytes_64c4(int channels, int taps);
void octk_qs8_dwconv_pack_64c4(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                               octk_qs8_dwconv_packed* out);

/// Output pixels [pixel_begin, pixel_end). Reads 16-byte channel groups, so up to 15 bytes past
/// a pixel's last channel may be read (never used): the 16 bytes after the input tensor must be
/// readable and written by no thread during the call (the arena plan's read slack).
typedef void (*octk_qs8_dwconv_fn)(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                   size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

void octk_qs8_dwconv_16c__scalar(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                 size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// A depthwise kernel and its packing.
typedef struct {
  octk_config_key key;
  const char* name;
  octk_qs8_dwconv_fn fn;
  octk_qs8_dwconv_packed_bytes_fn packed_bytes;
  octk_qs8_dwconv_pack_fn pack;
} octk_qs8_dwconv_config;

/// Every depthwise kernel. No reference row: without one, octk_qs8_dwconv_nhwc__reference runs unpacked.
extern const octk_qs8_dwconv_config octk_qs8_dwconv_configs[];
extern const size_t octk_qs8_dwconv_config_count;

#ifdef __cplusplus
}
#endif
#endif
