// Cross-ISA determinism: one small int8 network (quantize → 3×3/2 conv → depthwise 3×3 →
// 1×1 conv → residual add → max pool → average pool → global average pool) run on every
// kernel path this CPU has, at 1 and 3 threads, hashed (FNV-1a 64 over every intermediate
// tensor). Every run must give kExpectedDigest — the same constant on x86 (native) and on
// aarch64 (qemu -cpu max, -cpu cortex-a72), so a path or an architecture whose bytes differ
// anywhere in the chain fails here. Inputs come from a fixed seed (not --seed), so the
// digest only changes when the spec'd arithmetic does; the failure message prints the new one.
//
// Requantization is binary32 (DESIGN.md §2): per-channel conv scales are ratios rounded once
// to binary32 (tk_qs8_scale, as the converter does); the Add's scales 3/4 and 9/16 and the
// global pool's 1/16 are dyadic, so exact ties x.5 occur and round half to even is pinned too.
// kExpectedDigest is the reference path's digest (the "reference" row of octk_qs8_paths, the
// spec's kernels), read from this case's failure message; the same network computed with the
// test oracles of test_qs8_requantize.c (naive convs through tk_ref_output, the Add through
// tk_ref_add) gives the same value, on x86-64 and aarch64 alike. 216 of the 1536 Add outputs
// and 1 of the 24 global-pool outputs are exact ties.
//
// The same network with 7-bit conv weights (|w| ≤ 63, `--weight-bits 7`) runs each path's conv
// kernel for such weights (octk_qs8_kernels_conv_for_weights: AVX2's vpmaddubsw kernel where it
// exists) and must give kExpectedDigest7 everywhere: a 7-bit model computes the same bytes on
// every ISA.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "octk_pool.h"
#include "octk_jobs.h"
#include "octk_qs8_kernels.h"

float tk_qs8_scale(double real);

static const uint64_t kExpectedDigest = 0x1ecf5e08fd0dd0cbULL;
static const uint64_t kExpectedDigest7 = 0xce3f5c21caaf5709ULL;

typedef struct {
  const octk_qs8_kernels* e;
  const octk_qs8_conv_config* conv;  // e's conv kernel for the weights' bound (NULL: reference)
  int weight_limit;                  // conv weights in [−limit, limit]: 127, or 63 (7-bit)
  octk_pool* pool;                   // NULL: one call over all pixels
  uint64_t digest;
} digest_run;

static void hash_bytes(digest_run* r, const void* p, size_t n) {
  const uint8_t* b = p;
  for (size_t i = 0; i < n; ++i) r->digest = (r->digest ^ b[i]) * 0x100000001b3ULL;
}

static octk_window window(int in, int kernel, int stride, int pad) {
  octk_window w = {in, in, kernel, kernel, stride, stride, 1, 1, pad, pad, pad, pad, 0, 0};
  w.out_h = w.out_w = (in + 2 * pad - kernel) / stride + 1;
  return w;
}

/// Per-channel parameters for sums of `taps` int8 products (fixed stream).
static octk_qs8_requant params(tk_rng* r, int oc, int taps, int32_t z_in, int32_t* bias, float* scale) {
  const double spread = sqrt((double)taps) * 74.0 * 73.0;
  for (int o = 0; o < oc; ++o) {
    scale[o] = tk_qs8_scale(64.0 / spread * tk_rng_float(r, 0.5f, 2.0f));
    bias[o] = tk_rng_int(r, -(int)spread, (int)spread);
  }
  octk_qs8_requant q = {bias, scale, z_in, tk_rng_int(r, -20, 20), -128, 127};
  return q;
}

static void conv(digest_run* r, const int8_t* x, int channels, const int8_t* w, int oc, const octk_window* win,
                 const octk_qs8_requant* q, int8_t* y) {
  if (!r->conv) {  // the reference path
    octk_qs8_conv_nhwc__reference(x, channels, 1, w, oc, win, q, y);
    return;
  }
  const int taps = win->kernel_h * win->kernel_w;
  const octk_qs8_conv_layout* layout = r->conv->layout;
  void* storage = aligned_alloc(64, octk_qs8_conv_packed_bytes(layout, 1, taps, channels, oc));
  octk_qs8_conv_packed packed;
  const octk_qs8_weights view = {w, (ptrdiff_t)taps * channels, channels, 1};
  octk_qs8_conv_pack(layout, &view, q, 1, taps, channels, oc, storage, &packed);
  const size_t pixels = (size_t)win->out_h * win->out_w;
  const int8_t** ind = malloc(sizeof(const int8_t*) * pixels * taps);
  int8_t* input = tk_s8_conv_input(x, (size_t)win->in_h * win->in_w * channels, layout->input_offset);
  octk_qs8_conv_indirection(input, channels, win, packed.zero, ind);
  octk_qs8_igemm_job job = {r->conv->igemm, &packed, ind, q->output_zero_point, q->lo, q->hi, y};
  if (r->pool) octk_pool_run(r->pool, octk_qs8_igemm_job_run, &job, pixels, (size_t)r->conv->mr);
  else octk_qs8_igemm_job_run(&job, 0, pixels);
  free(input);
  free(ind);
  free(storage);
}

static void dwconv(digest_run* r, const int8_t* x, int channels, const int8_t* w, const octk_window* win,
                   const octk_qs8_requant* q, int8_t* y) {
  if (!r->e->dwconv) {  // the reference path
    octk_qs8_dwconv_nhwc__reference(x, channels, 1, w, win, q, y);
    return;
  }
  const int taps = win->kernel_h * win->kernel_w;
  void* storage = aligned_alloc(64, r->e->dwconv->packed_bytes(channels, taps));
  octk_qs8_dwconv_packed packed;
  r->e->dwconv->pack(w, q, channels, taps, storage, &packed);
  const size_t pixels = (size_t)win->out_h * win->out_w;
  const int8_t** ind = malloc(sizeof(const int8_t*) * pixels * taps);
  octk_qs8_conv_indirection(x, channels, win, packed.zero, ind);
  octk_qs8_dwconv_job job = {r->e->dwconv->fn, &packed, ind, q->output_zero_point, q->lo, q->hi, y};
  if (r->pool) octk_pool_run(r->pool, octk_qs8_dwconv_job_run, &job, pixels, 1);
  else octk_qs8_dwconv_job_run(&job, 0, pixels);
  free(ind);
  free(storage);
}

/// The network; every tensor carries OctetFormat.tensorReadSlack (16) bytes after it.
static void run_network(digest_run* r) {
  enum { kIn = 16, kC0 = 6, kC1 = 24, kSlack = 16 };
  tk_rng rng;
  tk_rng_seed(&rng, 20261122);
  const float scale = 0.021f;
  const int32_t z0 = -7;
  float x[kIn * kIn * kC0];
  tk_fill(&rng, x, kIn * kIn * kC0, -3.0f, 3.0f);
  for (int i = 0; i < kIn * kIn * kC0; i += 17) x[i] = ((float)tk_rng_int(&rng, -140, 140) + 0.5f) * scale;  // ties
  int8_t xq[kIn * kIn * kC0 + kSlack];
  r->e->quantize->quantize(x, kIn * kIn * kC0, scale, z0, xq);
  hash_bytes(r, xq, kIn * kIn * kC0);

  int8_t w1[kC1 * 9 * kC0], wd[9 * kC1], w2[kC1 * kC1];
  const int wl = r->weight_limit;
  for (size_t i = 0; i < sizeof w1; ++i) w1[i] = (int8_t)tk_rng_int(&rng, -wl, wl);
  for (size_t i = 0; i < sizeof wd; ++i) wd[i] = (int8_t)tk_rng_int(&rng, -127, 127);
  for (size_t i = 0; i < sizeof w2; ++i) w2[i] = (int8_t)tk_rng_int(&rng, -wl, wl);
  int32_t bias[3][kC1];
  float rscale[3][kC1];

  const octk_window s2 = window(kIn, 3, 2, 1), dw = window(s2.out_h, 3, 1, 1), pw = window(s2.out_h, 1, 1, 0);
  enum { kMid = 8 * 8 * kC1 };
  int8_t c1[kMid + kSlack], d1[kMid + kSlack], c2[kMid + kSlack], sum[kMid + kSlack];
  octk_qs8_requant q1 = params(&rng, kC1, 9 * kC0, z0, bias[0], rscale[0]);
  q1.lo = q1.output_zero_point;  // fused ReLU
  conv(r, xq, kC0, w1, kC1, &s2, &q1, c1);
  hash_bytes(r, c1, kMid);
  octk_qs8_requant qd = params(&rng, kC1, 9, q1.output_zero_point, bias[1], rscale[1]);
  dwconv(r, c1, kC1, wd, &dw, &qd, d1);
  hash_bytes(r, d1, kMid);
  octk_qs8_requant q2 = params(&rng, kC1, kC1, qd.output_zero_point, bias[2], rscale[2]);
  conv(r, d1, kC1, w2, kC1, &pw, &q2, c2);
  hash_bytes(r, c2, kMid);

  // y = round_half_even(0.75·(a − z_a) + 0.5625·(b − z_b)) + z_out: a multiple of 1/16, often a tie.
  const octk_qs8_add_params ap = {q2.output_zero_point, q1.output_zero_point, 9, 0.75f, 0.5625f, -128, 127};
  r->e->add->fn(kMid, c2, c1, sum, &ap);
  hash_bytes(r, sum, kMid);

  const octk_window mp = window(8, 2, 2, 0), ap3 = window(4, 3, 1, 1);
  int8_t pooled[4 * 4 * kC1 + kSlack], avg[4 * 4 * kC1 + kSlack], gap[kC1 + kSlack];
  r->e->pooling->maxpool(sum, kC1, &mp, pooled);
  hash_bytes(r, pooled, 4 * 4 * kC1);
  r->e->pooling->avgpool(pooled, kC1, &ap3, 0, ap.output_zero_point, avg);
  hash_bytes(r, avg, 4 * 4 * kC1);
  // s_in/(s_out·pixels) = 1/16 over 16 pixels: sums ≡ 8 (mod 16) are ties.
  r->e->pooling->global_avgpool(avg, 16, kC1, ap.output_zero_point, 5, 1.0f / 16.0f, gap);
  hash_bytes(r, gap, kC1);
}

/// Runs the network with conv weights in [−weight_limit, weight_limit] on every path this CPU
/// has, at 1 and 3 threads; each digest must be `expected`.
static void digest_every_path(tk_ctx* t, int weight_limit, uint64_t expected) {
  octk_pool* pool = octk_pool_create(3);
  int reference_ran = 0, paths_ran = 0;
  for (int i = 0; i < octk_qs8_path_count; ++i) {
    octk_qs8_kernels e;
    if (octk_qs8_kernels_select(octk_qs8_paths[i].path, &e) != OCTK_SELECT_OK) continue;  // not on this CPU
    reference_ran |= strcmp(e.path, "reference") == 0;
    ++paths_ran;
    const octk_qs8_conv_config* conv = octk_qs8_kernels_conv_for_weights(&e, weight_limit);
    for (int threads = 1; threads <= 3; threads += 2) {
      digest_run r = {&e, conv, weight_limit, threads > 1 ? pool : NULL, 0xcbf29ce484222325ULL};
      run_network(&r);
      tk_describe(t, "path %s (conv %s), |w| <= %d, %d thread(s)", e.path, conv ? conv->name : "reference", weight_limit,
                  threads);
      int ok = r.digest == expected;
      if (!ok) tk_fail(t, "digest 0x%016llxULL, expected 0x%016llxULL", (unsigned long long)r.digest,
                       (unsigned long long)expected);
      tk_end(t, ok);
    }
  }
  octk_pool_destroy(pool);
  tk_describe(t, "paths run: %d, the reference among them", paths_ran);
  tk_end(t, (reference_ran && paths_ran >= 2) || tk_fail(t, "the reference path or every other path was skipped"));
}

static void case_cross_isa_digest(tk_ctx* t) { digest_every_path(t, 127, kExpectedDigest); }
static void case_cross_isa_digest_7bit(tk_ctx* t) { digest_every_path(t, 63, kExpectedDigest7); }

static const tk_case kDigestCases[] = {
    {"qs8.cross_isa_digest", case_cross_isa_digest, 0},
    {"qs8.cross_isa_digest_7bit", case_cross_isa_digest_7bit, 0},
};
TK_REGISTER(kDigestCases)
