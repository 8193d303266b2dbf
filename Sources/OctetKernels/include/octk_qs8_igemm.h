// int8 convolution as an indirect GEMM on packed weights (no im2col copy): the fast path of
// Conv2D (any kernel, stride, padding, dilation, groups) and, with one tap, of 1×1 convs and
// fully-connected layers. Every kernel here equals octk_qs8_conv_nhwc__reference bit for bit
// whenever the spec's int32 accumulation guarantee holds (Σ (x − z_in)·w + bias fits int32).
//
// Data path of the "32c4" kernels (x86 VNNI: vpdpbusd multiplies unsigned by signed bytes):
//   acc[o] = Σ_k (x[k] ^ 0x80)·w[o][k]          x ^ 0x80 = x + 128 as an unsigned byte
//          = Σ_k (x[k] − z_in)·w[o][k] + (128 + z_in)·Σ_k w[o][k]
// so the packed bias is bias[o] − (128 + z_in)·Σ_k w[o][k], and a padding tap reads a row of
// z_in bytes (x − z_in = 0). Output: clamp(z_out + requant(acc + bias', M0[o], shift[o]), lo, hi).
#ifndef OCTK_QS8_IGEMM_H
#define OCTK_QS8_IGEMM_H
#include <stddef.h>
#include <stdint.h>

#include "octk_f32.h"
#include "octk_qs8.h"

#ifdef __cplusplus
extern "C" {
#endif

/// A requantization shift clamped to [−31, 30], the range every packed kernel supports (the
/// reference treats shifts beyond it the same way).
static inline int32_t octk_qs8_clamp_shift(int32_t s) { return s > 30 ? 30 : (s < -31 ? -31 : s); }

/// A packed conv's bias for output channel o: bias − (offset + z_in)·Σ w, where offset is what
/// the kernel adds to every input byte (128 for VNNI's x ^ 0x80, 0 for signed products), wrapped
/// to int32 the way the kernels' int32 sums wrap (the spec guarantees the true total fits).
static inline int32_t octk_qs8_folded_bias(const octk_qs8_requant* q, int o, int64_t weight_sum, int32_t offset) {
  const int64_t folded = (q->bias ? q->bias[o] : 0) - (int64_t)(offset + q->input_zero_point) * weight_sum;
  return (int32_t)(uint32_t)(uint64_t)folded;
}

/// Channels per packed output block and input channels per packed step of the 32c4 layout.
#define OCTK_QS8_32C4_NR 32
#define OCTK_QS8_32C4_KR 4

/// Conv weights and per-channel parameters packed for one kernel path (its entry's conv_pack).
/// All pointers point into one caller-owned, 64-byte aligned block of conv_packed_bytes() bytes.
/// The layouts below are the 32c4 ones; other paths keep the fields' meaning (weights in the
/// path's own order, parameters per output channel, padded to the path's channel block).
typedef struct {
  int groups, taps;   // taps = kernel_h · kernel_w
  int cg, cg4;        // input channels per group, rounded up to a multiple of 4
  int og, blocks;     // output channels per group, ceil(og / NR) for the path's NR
  int channels;       // input channels (all groups)
  const int8_t* weights;      // [groups][blocks][taps][cg4 / 4][32][4]; channels ≥ og and k ≥ cg hold 0
  const int32_t* bias;        // [groups][blocks][32]: bias − (128 + z_in)·Σ w (0 past og)
  const int32_t* multiplier;  // [groups][blocks][32]
  const int32_t* shift;       // [groups][blocks][32], clamped to [−31, 30]
  const int8_t* zero;         // [channels + 64] bytes of z_in: the row padding taps read
} octk_qs8_conv_packed;

/// Bytes a path's packed form needs (a multiple of 64), and its packing: reference-layout
/// weights w [groups·og][kernel_h][kernel_w][cg] and q's bias, multiplier and shift into
/// `storage` (64-byte aligned, conv_packed_bytes bytes), described in *out.
typedef size_t (*octk_qs8_conv_packed_bytes_fn)(int groups, int taps, int cg, int og);
typedef void (*octk_qs8_conv_pack_fn)(const int8_t* w, const octk_qs8_requant* q, int groups, int taps, int cg, int og,
                                      void* storage, octk_qs8_conv_packed* out);

/// The 32c4 layout (x86 VNNI and the scalar twin).
size_t octk_qs8_conv_packed_bytes_32c4(int groups, int taps, int cg, int og);

void octk_qs8_conv_pack_32c4(const int8_t* w, const octk_qs8_requant* q, int groups, int taps, int cg, int og,
                             void* storage, octk_qs8_conv_packed* out);

/// Indirection buffer of a conv window: ind[p·taps + ky·kernel_w + kx] = address of input pixel
/// (iy, ix) of x [in_h][in_w][channels] (its channel 0) for output pixel p = oy·out_w + ox,
/// or `zero` when the tap falls in the padding. ind has out_h·out_w·kernel_h·kernel_w entries.
void octk_qs8_conv_indirection(const int8_t* x, int channels, const octk_window* win, const int8_t* zero,
                               const int8_t** ind);

/// Output pixels [pixel_begin, pixel_end) of an indirect conv: y[p][g·og + o] for every group g
/// and o < og, row stride out_channels = groups·og. Reads 4-byte groups of input channels, so up
/// to 3 bytes past a pixel's last group may be read (never used): the 16 bytes after the input
/// tensor must be readable and written by no thread during the call (the arena plan's read slack).
typedef void (*octk_qs8_igemm_fn)(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                  size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// 6 pixels × 32 channels per tile, vpdpbusd zmm. Needs AVX512F + AVX512BW + AVX512VNNI.
void octk_qs8_igemm_6x32c4__avx512vnni(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                       size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// Portable C twin of the packed path (same packing, same data path), for CPUs without a
/// SIMD kernel and as the packing's own check.
void octk_qs8_igemm_1x32c4__scalar(const octk_qs8_conv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                   size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

// ---- depthwise conv (channel multiplier 1) on packed weights ------------------------------
//
// acc[c] = Σ_t x[t][c]·w[t][c] + bias'[c] with bias' = bias − z_in·Σ_t w[t][c]; padding taps read
// a row of z_in bytes. Channels in blocks of 16 (int32 lanes); weights pre-widened to int32.

#define OCTK_QS8_DW_NR 16

typedef struct {
  int channels, taps, blocks;  // blocks = ceil(channels / 16)
  const void* weights;         // 16c: int32 [blocks][taps][16], 0 past channels (other paths: their own layout)
  const int32_t* bias;         // [blocks][16]: bias − z_in·Σ_t w
  const int32_t* multiplier;   // [blocks][16]
  const int32_t* shift;        // [blocks][16], clamped to [−31, 30]
  const int8_t* zero;          // [channels + 64] bytes of z_in
} octk_qs8_dwconv_packed;

/// Bytes and packing of a path's depthwise form: reference-layout weights
/// w [kernel_h][kernel_w][channels] (multiplier 1) and q's parameters into `storage`.
typedef size_t (*octk_qs8_dwconv_packed_bytes_fn)(int channels, int taps);
typedef void (*octk_qs8_dwconv_pack_fn)(const int8_t* w, const octk_qs8_requant* q, int channels, int taps,
                                        void* storage, octk_qs8_dwconv_packed* out);

/// The 16c layout: weights [blocks][taps][16] widened to int32 (the scalar twin) or, as
/// 16c_i16, to int16 (NEON), 0 past channels; bias − z_in·Σ_t w.
size_t octk_qs8_dwconv_packed_bytes_16c(int channels, int taps);
void octk_qs8_dwconv_pack_16c(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                              octk_qs8_dwconv_packed* out);
size_t octk_qs8_dwconv_packed_bytes_16c_i16(int channels, int taps);
void octk_qs8_dwconv_pack_16c_i16(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                                  octk_qs8_dwconv_packed* out);

/// Output pixels [pixel_begin, pixel_end) of a depthwise conv (multiplier 1) through an
/// indirection buffer from octk_qs8_conv_indirection. Reads 16-byte channel groups, so up to
/// 15 bytes past a pixel's last channel may be read (never used): the 16 bytes after the input
/// tensor must be readable and written by no thread during the call (the arena plan's read slack).
typedef void (*octk_qs8_dwconv_fn)(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                   size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

/// The 64c4 layout (int8 weights in groups of 4 taps; x86 VNNI): see igemm/qs8_dwconv_pack.c.
size_t octk_qs8_dwconv_packed_bytes_64c4(int channels, int taps);
void octk_qs8_dwconv_pack_64c4(const int8_t* w, const octk_qs8_requant* q, int channels, int taps, void* storage,
                               octk_qs8_dwconv_packed* out);

/// 64 channels per step, 4 taps per vpdpbusd. Reads whole 64-byte rows with masked loads (no
/// byte past a pixel's last channel). Needs AVX512F + AVX512BW + AVX512VNNI.
void octk_qs8_dwconv_64c4__avx512vnni(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                      size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);
void octk_qs8_dwconv_16c__scalar(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                 size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y);

// ---- elementwise ---------------------------------------------------------------------------

/// Add of two same-shape contiguous tensors, exactly octk_qs8_add_strided__reference over
/// `count` elements (rank 1, unit strides).
typedef void (*octk_qs8_add_fn)(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);

void octk_qs8_add__avx512(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);
/// Table lookups for the two input requantizations (needs AVX512VBMI as well).
void octk_qs8_add_lut__avx512vbmi(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);
/// octk_qs8_add_lut__avx512vbmi where the CPU has VBMI, else octk_qs8_add__avx512.
void octk_qs8_add__avx512_auto(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);
void octk_qs8_add__scalar(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);

// ---- jobs for octk_pool_run: one op's kernel call over a range of output pixels ------------

typedef struct {
  octk_qs8_igemm_fn fn;
  const octk_qs8_conv_packed* packed;
  const int8_t* const* ind;
  int32_t output_zero_point, lo, hi;
  int8_t* y;
} octk_qs8_igemm_job;

typedef struct {
  octk_qs8_dwconv_fn fn;
  const octk_qs8_dwconv_packed* packed;
  const int8_t* const* ind;
  int32_t output_zero_point, lo, hi;
  int8_t* y;
} octk_qs8_dwconv_job;

typedef struct {
  void (*fn)(size_t count, const int8_t* a, const int8_t* b, int8_t* y, const octk_qs8_add_params* p);
  const int8_t* a;
  const int8_t* b;
  int8_t* y;
  const octk_qs8_add_params* params;
} octk_qs8_add_job;

typedef struct {
  void (*fn)(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y);
  const float* x;
  float scale;
  int32_t zero_point;
  int8_t* y;
} octk_qs8_quantize_job;

/// octk_s8_transpose_2d of one image, split by columns (the output's rows).
typedef struct {
  size_t rows, cols;
  const int8_t* x;
  int8_t* y;
} octk_s8_transpose_job;

/// octk_task_fn adapters: run the job's kernel on pixels (elements, for add and quantize;
/// columns, for transpose) [begin, end).
void octk_qs8_quantize_job_run(void* job, size_t begin, size_t end);
void octk_s8_transpose_job_run(void* job, size_t begin, size_t end);
void octk_qs8_igemm_job_run(void* job, size_t begin, size_t end);
void octk_qs8_dwconv_job_run(void* job, size_t begin, size_t end);
void octk_qs8_add_job_run(void* job, size_t begin, size_t end);

/// Pools, exactly the reference max, average and global average pools.
void octk_qs8_maxpool_nhwc__avx512(const int8_t* x, int channels, const octk_window* win, int8_t* y);
void octk_qs8_avgpool_nhwc__avx512(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                                   int32_t zero_point, int8_t* y);
void octk_qs8_global_avgpool_nhwc__avx512(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                                          int32_t output_zero_point, int32_t multiplier, int32_t shift, int8_t* y);

/// f32 → int8 quantization, exactly octk_qs8_quantize_f32__reference.
typedef void (*octk_qs8_quantize_f32_fn)(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y);

void octk_qs8_quantize_f32__avx512(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y);

/// Pixels [begin, end) of a 3-channel f32 image x [3][plane] (NCHW) quantized exactly as
/// octk_qs8_quantize_f32__reference into both nchw [3][plane] and nhwc [plane][3].
typedef void (*octk_qs8_quantize_f32_nchw3_fn)(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                               int32_t zero_point, int8_t* nchw, int8_t* nhwc);
/// Needs AVX512VBMI (vpermb) besides the avx512vnni path's features.
void octk_qs8_quantize_f32_nchw3__avx512vbmi(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                             int32_t zero_point, int8_t* nchw, int8_t* nhwc);
/// Planes through octk_qs8_quantize_f32__avx512, then a byte interleave.
void octk_qs8_quantize_f32_nchw3__avx512(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                         int32_t zero_point, int8_t* nchw, int8_t* nhwc);
/// The VBMI kernel where the CPU has it, else octk_qs8_quantize_f32_nchw3__avx512.
void octk_qs8_quantize_f32_nchw3__avx512_auto(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                              int32_t zero_point, int8_t* nchw, int8_t* nhwc);

typedef struct {
  octk_qs8_quantize_f32_nchw3_fn fn;
  const float* x;
  size_t plane;
  float scale;
  int32_t zero_point;
  int8_t* nchw;
  int8_t* nhwc;
} octk_qs8_quantize_nchw3_job;
/// octk_task_fn adapter: pixels [begin, end).
void octk_qs8_quantize_nchw3_job_run(void* job, size_t begin, size_t end);

/// One entry of the kernel registry: dispatch, tests and benchmarks read this table.
typedef struct {
  const char* path;   // kernel path name, as OCTET_KERNELS spells it: "avx512vnni", "scalar", …
  const char* name;   // the kernel's full name
  uint32_t required;  // OCTK_CPU_* bits it needs
  int mr;             // output pixels per conv tile: the thread pool's split granule
  octk_qs8_conv_packed_bytes_fn conv_packed_bytes;
  octk_qs8_conv_pack_fn conv_pack;  // weights are packed once, at load, for the path's kernel
  octk_qs8_igemm_fn fn;
  octk_qs8_dwconv_packed_bytes_fn dw_packed_bytes;
  octk_qs8_dwconv_pack_fn dw_pack;
  octk_qs8_dwconv_fn dwconv;  // the path's depthwise kernel (multiplier 1)
  octk_qs8_add_fn add;        // the path's contiguous add
  octk_qs8_quantize_f32_fn quantize;  // the path's f32 → int8 quantization
  // Optional (NULL: the runtime runs the separate reference-twin ops instead).
  octk_qs8_quantize_f32_nchw3_fn quantize_nchw3;  // quantize + NCHW → NHWC of a 3-channel image
  void (*maxpool)(const int8_t* x, int channels, const octk_window* win, int8_t* y);  // as ..._reference
  void (*avgpool)(const int8_t* x, int channels, const octk_window* win, int count_include_pad, int32_t zero_point,
                  int8_t* y);
  void (*global_avgpool)(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                         int32_t output_zero_point, int32_t multiplier, int32_t shift, int8_t* y);
} octk_qs8_igemm_entry;

/// Kernel paths (indirect-GEMM conv + depthwise kernels), fastest first; the portable "scalar" twin is last and runs anywhere.
extern const octk_qs8_igemm_entry octk_qs8_igemm_registry[];
extern const int octk_qs8_igemm_registry_count;
/// Entry i of the registry (0 ≤ i < octk_qs8_igemm_registry_count).
const octk_qs8_igemm_entry* octk_qs8_igemm_registry_entry(int i);

/// The entry for `path` (NULL or "auto": the first one this CPU supports), or NULL when the
/// path is unknown or needs features this CPU lacks.
const octk_qs8_igemm_entry* octk_qs8_igemm_select(const char* path);

#ifdef __cplusplus
}
#endif
#endif
