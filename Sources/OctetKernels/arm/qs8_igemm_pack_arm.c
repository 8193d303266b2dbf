// Packing of conv weights for the ARM indirect-GEMM kernels (octk_qs8_arm.h): layouts 16c4
// (SDOT), 16c8 (SMMLA) and 8c16 (SMULL/SMLAL). One routine fills all three; a layout is its
// channel block NR, its k rounding and the byte offset of (channel n, input channel k) inside
// one tap of one block. The bias folds in −z_in·Σw (signed × signed products).
#if defined(__aarch64__)
#include <string.h>

#include "octk_qs8_arm.h"

static size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

typedef size_t (*offset_fn)(int n, int k, int kpad);

typedef struct {
  int nr, kr;       // channels per block, k rounding
  offset_fn offset;  // byte of (n, k) in one tap: [kpad / KR steps][NR][KR] or the 8c16 chunks
} layout;

// [kpad/4][16][4]
static size_t offset_16c4(int n, int k, int kpad) {
  (void)kpad;
  return (size_t)(k >> 2) * 64 + (size_t)n * 4 + (size_t)(k & 3);
}
// [kpad/8][8 pairs][2][8] = [kpad/8][16][8]
static size_t offset_16c8(int n, int k, int kpad) {
  (void)kpad;
  return (size_t)(k >> 3) * 128 + (size_t)n * 8 + (size_t)(k & 7);
}
// [kpad/16][8][16], then [8][8] for the last 8 when kpad is 8 mod 16.
static size_t offset_8c16(int n, int k, int kpad) {
  const int full = kpad & ~15;
  if (k < full) return (size_t)(k >> 4) * 128 + (size_t)n * 16 + (size_t)(k & 15);
  return (size_t)full * 8 + (size_t)n * 8 + (size_t)(k - full);
}

static const layout k16c4 = {16, 4, offset_16c4}, k16c8 = {16, 8, offset_16c8}, k8c16 = {8, 8, offset_8c16};

typedef struct { size_t weights, params, zero; } packed_sizes;

static packed_sizes sizes(const layout* l, int groups, int taps, int cg, int og) {
  const size_t blocks = ((size_t)og + l->nr - 1) / l->nr;
  packed_sizes s;
  s.weights = round_up(OCTK_ARM_PACK_HEADER + (size_t)groups * blocks * taps * round_up((size_t)cg, l->kr) * l->nr, 64);
  s.params = round_up((size_t)groups * blocks * l->nr * sizeof(int32_t), 64);
  s.zero = round_up((size_t)groups * cg + 64, 64);
  return s;
}

static size_t packed_bytes(const layout* l, int groups, int taps, int cg, int og) {
  const packed_sizes s = sizes(l, groups, taps, cg, og);
  return s.weights + 3 * s.params + s.zero;
}

static void pack(const layout* l, const int8_t* w, const octk_qs8_requant* q, int groups, int taps, int cg, int og,
                 void* storage, octk_qs8_conv_packed* out) {
  const packed_sizes s = sizes(l, groups, taps, cg, og);
  uint8_t* base = storage;
  memset(base, 0, packed_bytes(l, groups, taps, cg, og));
  int8_t* pw = (int8_t*)base + OCTK_ARM_PACK_HEADER;
  int32_t* bias = (int32_t*)(base + s.weights);
  int32_t* mult = (int32_t*)(base + s.weights + s.params);
  int32_t* shift = (int32_t*)(base + s.weights + 2 * s.params);
  int8_t* zero = (int8_t*)(base + s.weights + 3 * s.params);
  const int kpad = (int)round_up((size_t)cg, l->kr), nr = l->nr;
  const int blocks = (og + nr - 1) / nr;
  const size_t tap_bytes = (size_t)kpad * nr;
  for (int g = 0; g < groups; ++g) {
    for (int b = 0; b < blocks; ++b) {
      const size_t pb = (size_t)g * blocks + b;
      int8_t* dst = pw + pb * taps * tap_bytes;
      for (int n = 0; n < nr; ++n) {
        const int j = b * nr + n;
        if (j >= og) continue;
        const int o = g * og + j;
        const int8_t* src = w + (size_t)o * taps * cg;
        int64_t sum = 0;
        for (int t = 0; t < taps; ++t) {
          for (int k = 0; k < cg; ++k) {
            const int8_t v = src[(size_t)t * cg + k];
            sum += v;
            dst[(size_t)t * tap_bytes + l->offset(n, k, kpad)] = v;
          }
        }
        bias[pb * nr + n] = octk_qs8_folded_bias(q, o, sum, 0);
        mult[pb * nr + n] = q->multiplier[o];
        shift[pb * nr + n] = octk_qs8_clamp_shift(q->shift[o]);
      }
    }
  }
  memset(zero, (int)(int8_t)q->input_zero_point, (size_t)groups * cg + 64);
  out->groups = groups;
  out->taps = taps;
  out->cg = cg;
  out->cg4 = (int)round_up((size_t)cg, 4);
  out->og = og;
  out->blocks = blocks;
  out->channels = groups * cg;
  out->weights = (const int8_t*)base;  // the header, then the packed weights
  out->bias = bias;
  out->multiplier = mult;
  out->shift = shift;
  out->zero = zero;
}

size_t octk_qs8_conv_packed_bytes_16c4(int groups, int taps, int cg, int og) {
  return packed_bytes(&k16c4, groups, taps, cg, og);
}
void octk_qs8_conv_pack_16c4(const int8_t* w, const octk_qs8_requant* q, int groups, int taps, int cg, int og,
                             void* storage, octk_qs8_conv_packed* out) {
  pack(&k16c4, w, q, groups, taps, cg, og, storage, out);
}

size_t octk_qs8_conv_packed_bytes_16c8(int groups, int taps, int cg, int og) {
  return packed_bytes(&k16c8, groups, taps, cg, og);
}
void octk_qs8_conv_pack_16c8(const int8_t* w, const octk_qs8_requant* q, int groups, int taps, int cg, int og,
                             void* storage, octk_qs8_conv_packed* out) {
  pack(&k16c8, w, q, groups, taps, cg, og, storage, out);
}

size_t octk_qs8_conv_packed_bytes_8c16(int groups, int taps, int cg, int og) {
  return packed_bytes(&k8c16, groups, taps, cg, og);
}
void octk_qs8_conv_pack_8c16(const int8_t* w, const octk_qs8_requant* q, int groups, int taps, int cg, int og,
                             void* storage, octk_qs8_conv_packed* out) {
  pack(&k8c16, w, q, groups, taps, cg, og, storage, out);
  // SMULL + SMLAL sum the products of k and k + 8 of a 16-chunk in int16: exact unless both
  // are (−128)·(−128). Flag the weights that allow it (any x may be −128).
  const int full = (int)round_up((size_t)cg, 8) & ~15;
  int32_t flags = 0;
  for (size_t r = 0; r < (size_t)groups * og * taps && !flags; ++r) {
    const int8_t* row = w + r * cg;
    for (int k = 0; k + 8 < full && k + 8 < cg; ++k) {
      if ((k & 15) < 8 && row[k] == -128 && row[k + 8] == -128) flags |= OCTK_ARM_PACK_PAIR_OVERFLOW;
    }
  }
  memcpy(storage, &flags, sizeof flags);
}
#endif
