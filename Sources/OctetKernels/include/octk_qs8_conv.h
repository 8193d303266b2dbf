// int8 convolution as an indirect GEMM on packed weights (no im2col copy): the fast path of
// Conv2D (any kernel, stride, padding, dilation, groups) and, with one tap, of 1×1 convs and
// fully-connected layers; a depthwise conv with multiplier m > 1 is C groups of one input and
// m output channels. Every kernel equals octk_qs8_conv_nhwc__reference bit for bit whenever
// the spec's int32 accumulation guarantee holds (Σ (x − z_in)·w + bias fits int32).
//
// Data path: acc[o] = Σ_k (x[k] + offset)·w[o][k] + bias'[o] with bias' = bias − (offset + z_in)·Σ_k w[o][k],
// so acc = Σ_k (x[k] − z_in)·w[o][k] + bias. offset is the layout's input_offset: 0 for signed ×
// signed products; 128 for the x86 kernels that multiply unsigned input bytes by signed weights
// (vpdpbusd, vpmaddubsw): they read offset-binary inputs u = x ^ 0x80 = x + 128, which the
// caller makes once per op (octk_s8_flip_sign, in place or into a copy) instead of every kernel
// flipping each byte it broadcasts. A padding tap reads a row of z_in + offset bytes (the packed
// zero row), so x − z_in = 0 there.
// Output: octk_requantize(acc, scale[o], z_out, lo, hi) (binary32, octk_qs8.h).
#ifndef OCTK_QS8_CONV_H
#define OCTK_QS8_CONV_H
#include <stddef.h>
#include <stdint.h>

#include "octk_config.h"
#include "octk_f32.h"
#include "octk_qs8.h"
#include "octk_qs8_packing.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Conv weights and per-channel parameters packed for one layout. All pointers point into one
/// caller-owned, 64-byte aligned block of octk_qs8_conv_packed_bytes() bytes.
typedef struct {
  int groups, taps;   // taps = kernel_h · kernel_w
  int cg, cg4;        // input channels per group, and rounded up to a multiple of 4
  int og, blocks;     // output channels per group, ceil(og / nr)
  int channels;       // input channels (all groups)
  int out_stride;     // output bytes per pixel: groups · og (a channel view keeps its parent's)
  const int8_t* weights;      // the layout's header (if any), then [groups][blocks][taps][layout order], 0 past og and cg
  const int32_t* bias;        // [groups][blocks][nr]: bias' (0 past og)
  const float* scale;         // [groups][blocks][nr] (0 past og)
  const int8_t* zero;         // [channels + 64] bytes of z_in: the row padding taps read
} octk_qs8_conv_packed;

/// How a kernel wants its weights: blocks of `nr` output channels; per tap, the group's input
/// channels rounded up to `kr` (zero weights past cg), element (n, k) of a tap at `offset`.
typedef struct octk_qs8_conv_layout {
  const char* name;      // "32c4", "16c4s16", …
  int nr, kr;
  int weight_bytes;      // 1: int8 weights; 2: sign-extended int16 weights
  int32_t input_offset;  // 0: the kernel reads x; 128: it reads u = x ^ 0x80 (x + 128), flipped by the caller; folded into the bias
  size_t header_bytes;   // bytes before the weights (a flags word for the ARM kernels)
  /// Element index of (channel n < nr, input channel k < kpad) inside one tap of one block.
  size_t (*offset)(const struct octk_qs8_conv_layout* l, int n, int k, int kpad);
  /// Non-zero: this flag is set in the header's int32 word 0 when some channel has −128 at both k
  /// and k + 8 of a 16-byte k chunk (the 8c16 kernel's int16 pair sums could then overflow).
  int32_t pair_overflow_flag;
} octk_qs8_conv_layout;

/// 32c4: [taps][cg4 / 4][32][4] per block (x86 VNNI and its scalar twin; input offset 128: flipped inputs).
#define OCTK_QS8_32C4_NR 32
#define OCTK_QS8_32C4_KR 4
extern const octk_qs8_conv_layout octk_qs8_conv_layout_32c4;
extern const octk_qs8_conv_layout octk_qs8_conv_layout_16c4s16;  // x86 AVX2 (int16, vpmaddwd order)
extern const octk_qs8_conv_layout octk_qs8_conv_layout_16c4u8;   // x86 AVX-VNNI, AVX2 7-bit (input offset 128: flipped inputs)
extern const octk_qs8_conv_layout octk_qs8_conv_layout_16c4;     // ARM SDOT
extern const octk_qs8_conv_layout octk_qs8_conv_layout_16c8;     // ARM SMMLA
extern const octk_qs8_conv_layout octk_qs8_conv_layout_8c16;     // ARM SMULL/SMLAL

/// Bytes octk_qs8_conv_pack writes (a multiple of 64).
size_t octk_qs8_conv_packed_bytes(const octk_qs8_conv_layout* l, int groups, int taps, int cg, int og);

/// Packs weights w (groups·og output channels, taps, cg input channels per group) and q's bias
/// and scale into `storage` (64-byte aligned, octk_qs8_conv_packed_bytes bytes),
/// described in *out. The one packer of every layout.
void octk_qs8_conv_pack(const octk_qs8_conv_layout* l, const octk_qs8_weights* w, const octk_qs8_requant* q, int groups,
                        int taps, int cg, int og, void* storage, octk_qs8_conv_packed* out);

/// Output-channel blocks [block_begin, block_end) of a one-group packed conv as a packed conv
/// of its own (the same memory): its kernels write channels block_begin·nr … of each output
/// row, at y + block_begin·nr. Only for layouts without a header (x86 and scalar).
void octk_qs8_conv_packed_channel_view(const octk_qs8_conv_packed* p, const octk_qs8_conv_layout* l, int block_begin,
                                       int block_end, octk_qs8_conv_packed* view);

/// Indirection buffer of a conv window: ind[p·taps + ky·kernel_w + kx] = address of input pixel
/// (iy, ix) of x [in_h][in_w][channels] (its channel 0) for output pixel p = oy·out_w + ox,
/// or `zero` when the tap falls in the padding. ind has out_h·out_w·kernel_h·kernel_w entries.
void octk_qs8_conv_indirection(const int8_t* x, int channels, const octk_window* win, const int8_t* zero,
                               const int8_t** ind);

/// Output pixels [pixel_begin, pixel_end) of an indirect conv: y[p][g·og + o] for every group g
/// and o < og, row stride p->out_stride (groups·og). `ind` points at inputs as the layout's
/// input_offset says (flipped to offset binary for 128). Reads groups of input channels, so up to 3
/// bytes past a pixel's last group may be read (never used): the 16 bytes after the input
/// tensor must be readable and written by no thread during the call (the arena plan's read slack).
typedef void (*octk_qs8_igemm_fn)(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                  size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// Portable C twin of the 32c4 kernels (same packing, same data path), as the packing's own check.
void octk_qs8_igemm_1x32c4__scalar(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                   size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// max_weight of a kernel exact for every int8 weight (−128 included), and of one exact only
/// for 7-bit weights, |w| ≤ 63 (int16 pair sums of u8 × s8 products: 2·255·63 < 2^15).
#define OCTK_QS8_WEIGHTS_ANY 128
#define OCTK_QS8_WEIGHTS_7BIT 63

/// A conv kernel and the layout it reads.
typedef struct {
  octk_config_key key;
  const char* name;  // the kernel's full name
  octk_qs8_igemm_fn igemm;
  int mr;            // output pixels per tile: the thread pool's split granule
  const octk_qs8_conv_layout* layout;
  /// The kernel equals the reference only when every weight w of the op has |w| ≤ max_weight:
  /// OCTK_QS8_WEIGHTS_ANY or OCTK_QS8_WEIGHTS_7BIT. Selection compares it with the op's largest
  /// |w| measured from the weight bytes (octk_qs8_kernels_conv_for_weights).
  int max_weight;
} octk_qs8_conv_config;

/// Every conv kernel, fastest first per path. Each path has one row with max_weight
/// OCTK_QS8_WEIGHTS_ANY (octk_qs8_kernels.conv); rows for narrower weights come before it. No
/// reference row: a path without one (the "reference" path) runs octk_qs8_conv_nhwc__reference,
/// unpacked.
extern const octk_qs8_conv_config octk_qs8_conv_configs[];
extern const size_t octk_qs8_conv_config_count;

#ifdef __cplusplus
}
#endif
#endif
