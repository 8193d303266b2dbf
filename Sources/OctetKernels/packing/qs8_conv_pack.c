// The one conv weight packer (octk_qs8_conv.h), parameterised by the kernel's layout, and the
// conv indirection buffer.
#include <string.h>

#include "octk_qs8_conv.h"

static size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

// Section sizes of one packed conv, each rounded to 64 bytes.
typedef struct { size_t weights, params, zero; } packed_sizes;

static packed_sizes sizes(const octk_qs8_conv_layout* l, int groups, int taps, int cg, int og) {
  const size_t blocks = ((size_t)og + l->nr - 1) / l->nr, kpad = round_up((size_t)cg, l->kr);
  packed_sizes s;
  s.weights = round_up(l->header_bytes + (size_t)groups * blocks * taps * kpad * l->nr * l->weight_bytes, 64);
  s.params = round_up((size_t)groups * blocks * l->nr * sizeof(int32_t), 64);
  s.zero = round_up((size_t)groups * cg + 64, 64);
  return s;
}

size_t octk_qs8_conv_packed_bytes(const octk_qs8_conv_layout* l, int groups, int taps, int cg, int og) {
  const packed_sizes s = sizes(l, groups, taps, cg, og);
  return s.weights + 2 * s.params + s.zero;
}

// Whether some (channel, tap) row has −128 at both k and k + 8 of a 16-byte chunk (the 8c16
// kernel sums such pairs in int16; only full 16-byte chunks pair k with k + 8).
static int has_overflowing_pair(const octk_qs8_weights* w, int outputs, int taps, int cg) {
  const int full = (int)round_up((size_t)cg, 8) & ~15;
  for (int o = 0; o < outputs; ++o)
    for (int t = 0; t < taps; ++t)
      for (int k = 0; k + 8 < full && k + 8 < cg; ++k)
        if ((k & 15) < 8 && octk_qs8_weight(w, o, t, k) == -128 && octk_qs8_weight(w, o, t, k + 8) == -128) return 1;
  return 0;
}

void octk_qs8_conv_pack(const octk_qs8_conv_layout* l, const octk_qs8_weights* w, const octk_qs8_requant* q, int groups,
                        int taps, int cg, int og, void* storage, octk_qs8_conv_packed* out) {
  const packed_sizes s = sizes(l, groups, taps, cg, og);
  uint8_t* base = storage;
  memset(base, 0, octk_qs8_conv_packed_bytes(l, groups, taps, cg, og));
  uint8_t* pw = base + l->header_bytes;
  int32_t* bias = (int32_t*)(base + s.weights);
  float* scale = (float*)(base + s.weights + s.params);
  int8_t* zero = (int8_t*)(base + s.weights + 2 * s.params);
  const int nr = l->nr, kpad = (int)round_up((size_t)cg, l->kr), blocks = (og + nr - 1) / nr;
  const size_t tap_elements = (size_t)kpad * nr;
  for (int g = 0; g < groups; ++g) {
    for (int b = 0; b < blocks; ++b) {
      const size_t pb = (size_t)g * blocks + b;
      const size_t block = pb * taps * tap_elements;
      for (int n = 0; n < nr; ++n) {
        const int j = b * nr + n;
        if (j >= og) continue;
        const int o = g * og + j;
        int64_t sum = 0;
        for (int t = 0; t < taps; ++t) {
          for (int k = 0; k < cg; ++k) {
            const int8_t v = octk_qs8_weight(w, o, t, k);
            sum += v;
            const size_t at = block + (size_t)t * tap_elements + l->offset(l, n, k, kpad);
            if (l->weight_bytes == 2) ((int16_t*)pw)[at] = v;
            else ((int8_t*)pw)[at] = v;
          }
        }
        bias[pb * nr + n] = octk_qs8_folded_bias(q, o, sum, l->input_offset);
        scale[pb * nr + n] = q->scale[o];
      }
    }
  }
  if (l->pair_overflow_flag && has_overflowing_pair(w, groups * og, taps, cg)) memcpy(base, &l->pair_overflow_flag, sizeof(int32_t));
  // The padding row holds z_in as the kernel reads its inputs: z_in + input_offset (mod 256).
  memset(zero, (int)(uint8_t)(q->input_zero_point + l->input_offset), (size_t)groups * cg + 64);
  out->groups = groups;
  out->taps = taps;
  out->cg = cg;
  out->cg4 = (int)round_up((size_t)cg, 4);
  out->og = og;
  out->blocks = blocks;
  out->channels = groups * cg;
  out->out_stride = groups * og;
  out->weights = (const int8_t*)base;  // the header (if any), then the packed weights
  out->bias = bias;
  out->scale = scale;
  out->zero = zero;
}

void octk_qs8_conv_indirection(const int8_t* x, int channels, const octk_window* win, const int8_t* zero,
                               const int8_t** ind) {
  const int taps = win->kernel_h * win->kernel_w;
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      const int8_t** row = ind + ((size_t)oy * win->out_w + ox) * taps;
      for (int ky = 0; ky < win->kernel_h; ++ky) {
        const int iy = oy * win->stride_h - win->pad_top + ky * win->dilation_h;
        for (int kx = 0; kx < win->kernel_w; ++kx) {
          const int ix = ox * win->stride_w - win->pad_left + kx * win->dilation_w;
          const int inside = iy >= 0 && iy < win->in_h && ix >= 0 && ix < win->in_w;
          row[ky * win->kernel_w + kx] = inside ? x + ((size_t)iy * win->in_w + ix) * channels : zero;
        }
      }
    }
  }
}

void octk_qs8_conv_packed_channel_view(const octk_qs8_conv_packed* p, const octk_qs8_conv_layout* l, int block_begin,
                                       int block_end, octk_qs8_conv_packed* view) {
  const size_t kpad = round_up((size_t)p->cg, l->kr), nr = (size_t)l->nr;
  const size_t block_bytes = (size_t)p->taps * kpad * nr * l->weight_bytes;
  *view = *p;
  view->blocks = block_end - block_begin;
  view->og = p->og - block_begin * l->nr;
  if (view->og > view->blocks * l->nr) view->og = view->blocks * l->nr;
  view->weights = p->weights + (size_t)block_begin * block_bytes;
  view->bias = p->bias + (size_t)block_begin * nr;
  view->scale = p->scale + (size_t)block_begin * nr;
}
