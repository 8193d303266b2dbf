// Test harness of the OctetKernels C test driver (tools/kernel_tests).
//
// A test *case* is a named function (e.g. "f32.dwconv") that runs many randomized
// *checks*: one kernel call with one configuration, compared element by element against a
// naive reference written in the test file. Each check counts once in the final
// "kernels: N passed, N failed" line.
//
// Cases register themselves from any file with TK_REGISTER(array), so a new kernel family
// (e.g. x86 AVX2 or ARM NEON kernels) is one new test_*.c file: the build script compiles
// every tools/kernel_tests/*.c. A case may require CPU features (OCTK_CPU_* bits); it is
// skipped when octk_cpu_features() lacks them. ISA-specific files must compile to nothing on
// other architectures (wrap them in #if defined(__x86_64__) etc.). Registration runs from
// constructors, so link the test objects directly, not through a static archive.
#ifndef TK_HARNESS_H
#define TK_HARNESS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "octet_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- deterministic PRNG (splitmix64 seeding + xoshiro256**) ----------------------------

typedef struct { uint64_t s[4]; } tk_rng;

void tk_rng_seed(tk_rng* r, uint64_t seed);
uint64_t tk_rng_u64(tk_rng* r);
/// Uniform integer in [lo, hi] (inclusive).
int tk_rng_int(tk_rng* r, int lo, int hi);
/// Uniform float in [lo, hi).
float tk_rng_float(tk_rng* r, float lo, float hi);
/// 1 with probability num/den.
int tk_rng_chance(tk_rng* r, int num, int den);
/// Fills p[n] with uniform floats in [lo, hi).
void tk_fill(tk_rng* r, float* p, size_t n, float lo, float hi);

// ---- test context ----------------------------------------------------------------------

typedef struct tk_ctx tk_ctx;

/// The running case's random stream (seeded from the global seed and the case name, so a
/// --filter run reproduces the same configurations).
tk_rng* tk_rand(tk_ctx* t);

/// Describes the configuration of the check about to run (printed on failure).
void tk_describe(tk_ctx* t, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

/// Reports a failure detail of the current check (printed with the description; the number
/// printed per case is capped). Always returns 0.
int tk_fail(tk_ctx* t, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

/// Ends the current check: verifies the guard zones of every buffer from tk_alloc_f32 (an
/// out-of-bounds write fails the check), frees every tk_alloc* buffer, counts one pass or
/// one fail. Returns the final verdict.
int tk_end(tk_ctx* t, int ok);

/// Guarded float buffer of n elements, freed by tk_end. Its start is misaligned by a
/// random 0..7 floats from a 64-byte boundary (from a separate stream, so shapes do not
/// depend on it); guard zones before and after are checked by tk_end.
float* tk_alloc_f32(tk_ctx* t, size_t n);
/// Read slack of every guarded test buffer (tk_alloc_f32, tk_s8_alloc): the runtime's arena
/// contract (docs/FORMAT.md, OctetFormat.tensorReadSlack) leaves 16 bytes after every tensor
/// that SIMD kernels may read (never use) and no other live tensor takes. A guarded buffer's
/// trailing guard zone starts with these 16 readable bytes; the rest of the trailing guard and
/// the whole leading guard are poisoned under AddressSanitizer (tk_poison), so a kernel read
/// past the slack or before the start is reported there. Writes into any guard fail the check.
#define TK_READ_SLACK 16

/// Marks [p, p + n) unreadable (tk_poison) or readable again (tk_unpoison) under
/// AddressSanitizer; no-ops otherwise. (ASan tracks 8-byte granules: a region whose end is not
/// 8-byte aligned leaves up to 7 of its last bytes readable.)
void tk_poison(const void* p, size_t n);
void tk_unpoison(const void* p, size_t n);

/// A malloc'd copy of the int8 tensor x (`bytes` long) as a conv kernel with input offset
/// `input_offset` reads it: x itself for 0, flipped to offset binary (x ^ 0x80) for 128 (the
/// runtime flips a packed conv's input the same way, once per op). TK_READ_SLACK zero bytes
/// follow; the caller frees it.
int8_t* tk_s8_conv_input(const int8_t* x, size_t bytes, int32_t input_offset);

/// Plain zeroed buffer freed by tk_end (reference results and scratch).
void* tk_alloc(tk_ctx* t, size_t bytes);
/// Plain zeroed doubles freed by tk_end.
double* tk_alloc_f64(tk_ctx* t, size_t n);

/// Element layout used to print a failing index, e.g. {3, {oh, ow, oc}, "oy,ox,c"}.
typedef struct {
  int rank;
  size_t dim[OCTK_MAX_RANK];
  const char* names;  // comma-separated axis names, or NULL for a flat index
} tk_layout;

tk_layout tk_layout_flat(size_t n);
tk_layout tk_layout_3(size_t d0, size_t d1, size_t d2, const char* names);

/// Tolerances of the fp32 comparisons: |got − want| <= TK_ATOL + TK_RTOL·scale, where
/// scale is |want| for elementwise results and Σ|term| for sums (the naive reference sums
/// in double, the kernel in float in another order).
#define TK_RTOL 1e-5
#define TK_ATOL 1e-6

/// Compares got[n] against want[n]. rtol == atol == 0 asks for bit-exact equality (copies,
/// max); otherwise the tolerance above with scale[i] (or |want[i]| when scale is NULL).
/// NaN matches only NaN and ±∞ only itself. Reports the first few mismatches via tk_fail;
/// returns 1 when all match.
int tk_compare(tk_ctx* t, const char* what, const float* got, const double* want, const double* scale, size_t n,
               double rtol, double atol, tk_layout layout);

// ---- registry --------------------------------------------------------------------------

typedef void (*tk_case_fn)(tk_ctx* t);
/// Generic function pointer for checkers shared by several kernels (cast back before calling).
typedef void (*tk_any_fn)(void);

typedef struct {
  const char* name;   // "family.kernel", e.g. "f32.dwconv" or "avx2.f32.dwconv"
  tk_case_fn fn;
  uint32_t required;  // OCTK_CPU_* bits the case needs (0 = runs everywhere)
} tk_case;

void tk_register(const tk_case* cases, size_t count);

#define TK_CONCAT_(a, b) a##b
#define TK_CONCAT(a, b) TK_CONCAT_(a, b)
/// Registers a static array of tk_case at program start-up.
#define TK_REGISTER(cases)                                                            \
  __attribute__((constructor)) static void TK_CONCAT(tk_register_, cases)(void) {     \
    tk_register((cases), sizeof(cases) / sizeof((cases)[0]));                         \
  }

// ---- shared helpers for window kernels (conv, pool) ------------------------------------

/// Output size along one axis: floor mode (conv) or ceil mode (pooling, with the rule that
/// the last window must start inside the input or the leading padding). Returns <= 0 when
/// the window does not fit.
int tk_window_out(int in, int k, int s, int d, int pad0, int pad1, int ceil_mode);

/// Random window geometry. kernel/stride/dilation fixed when > 0, else random in 1..5,
/// 1..3, 1..2; pads random 0..2 per side (asymmetric); input size random but large enough
/// for at least one output. Fills out_h/out_w with tk_window_out(ceil_mode).
void tk_window_random(tk_rng* r, octk_window* w, int k, int s, int d, int ceil_mode);

/// Sweep driver of the window checkers: check(t, fn, channels, k, s, d, extra) is called for
/// every channel count 1..17 `per_c` times with k = s = d = 0 (random), then for every kernel
/// 1..5 × stride 1..3 × dilation 1..2 `per_ksd` times with a random channel count 1..17;
/// extra is random in [extra_lo, extra_hi] (groups, multiplier, ceil mode: checker's choice).
typedef void (*tk_window_check_fn)(tk_ctx* t, tk_any_fn fn, int channels, int k, int s, int d, int extra);
void tk_window_sweep(tk_ctx* t, tk_any_fn fn, tk_window_check_fn check, int per_c, int per_ksd, int extra_lo,
                     int extra_hi);

/// Human-readable geometry for tk_describe.
const char* tk_window_str(const octk_window* w, char* buf, size_t size);

/// Picks a fused activation clamp: none (±∞), ReLU, ReLU6, [-1,1] or a random narrow one.
void tk_random_clamp(tk_rng* r, float* lo, float* hi);
/// Name of a clamp for descriptions.
const char* tk_clamp_str(float lo, float hi, char* buf, size_t size);

/// Explicitly padded NCHW copy of channels [c0, c0+nc) of an NHWC tensor x[in_h][in_w][channels],
/// for naive window references: canvas (cy, cx) = input (cy − pad_top, cx − pad_left), large
/// enough for every tap of w. cls is 0 inside the input, 1 in the declared padding, 2 beyond
/// it (ceil-mode overhang); v holds the input inside and pad_value elsewhere.
typedef struct {
  int channels, h, w;
  double* v;           // [channels][h][w]
  unsigned char* cls;  // [h][w]
} tk_canvas;

void tk_canvas_make(tk_ctx* t, tk_canvas* cv, const float* x, int channels, int c0, int nc, const octk_window* w,
                    double pad_value);
static inline double tk_canvas_v(const tk_canvas* cv, int c, int cy, int cx) {
  return cv->v[((size_t)c * cv->h + cy) * cv->w + cx];
}
static inline int tk_canvas_cls(const tk_canvas* cv, int cy, int cx) { return cv->cls[(size_t)cy * cv->w + cx]; }

static inline double tk_clampd(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }

#ifdef __cplusplus
}
#endif
#endif
