// octk_cpu_features() sanity: stable, only known bits, only this architecture's bits,
// documented implications (avx512vnni ⇒ avx512f, …; NEON always on aarch64), agreement
// with /proc/cpuinfo on x86 Linux, and the --expect / --expect-absent lists given on the
// command line (run_kernel_tests.sh passes what each qemu -cpu model must report).
#include <stdio.h>
#include <string.h>

#include "harness.h"

const char* tk_expect_present = NULL;
const char* tk_expect_absent = NULL;

typedef struct {
  uint32_t bit;
  const char* name;     // our name (--expect lists, the feature line)
  const char* cpuinfo;  // Linux /proc/cpuinfo flag on x86 (NULL: not checked)
} feature_name;

static const feature_name kFeatures[] = {
    {OCTK_CPU_X86_AVX2, "avx2", "avx2"},
    {OCTK_CPU_X86_FMA, "fma", "fma"},
    {OCTK_CPU_X86_AVX512F, "avx512f", "avx512f"},
    {OCTK_CPU_X86_AVX512BW, "avx512bw", "avx512bw"},
    {OCTK_CPU_X86_AVX512VNNI, "avx512vnni", "avx512_vnni"},
    {OCTK_CPU_X86_AVXVNNI, "avxvnni", "avx_vnni"},
    {OCTK_CPU_X86_AVX512VL, "avx512vl", "avx512vl"},
    {OCTK_CPU_X86_AVX512VBMI, "avx512vbmi", "avx512vbmi"},
    {OCTK_CPU_ARM_NEON, "neon", NULL},
    {OCTK_CPU_ARM_DOTPROD, "dotprod", NULL},
    {OCTK_CPU_ARM_I8MM, "i8mm", NULL},
};
#define NFEATURES (sizeof kFeatures / sizeof kFeatures[0])

static const uint32_t kX86Bits = OCTK_CPU_X86_AVX2 | OCTK_CPU_X86_FMA | OCTK_CPU_X86_AVX512F | OCTK_CPU_X86_AVX512BW |
                                 OCTK_CPU_X86_AVX512VNNI | OCTK_CPU_X86_AVXVNNI | OCTK_CPU_X86_AVX512VL |
                                 OCTK_CPU_X86_AVX512VBMI;
static const uint32_t kArmBits = OCTK_CPU_ARM_NEON | OCTK_CPU_ARM_DOTPROD | OCTK_CPU_ARM_I8MM;

const char* tk_cpu_feature_names(uint32_t features, char* buf, size_t size) {
  size_t len = 0;
  buf[0] = 0;
  for (size_t i = 0; i < NFEATURES; ++i)
    if (features & kFeatures[i].bit && len < size)
      len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? " " : "", kFeatures[i].name);
  if (!len) snprintf(buf, size, "(none)");
  return buf;
}

static void check(tk_ctx* t, int ok, const char* what) {
  tk_describe(t, "%s", what);
  tk_end(t, ok ? 1 : tk_fail(t, "violated"));
}

static void implies(tk_ctx* t, uint32_t f, uint32_t a, uint32_t b, const char* what) {
  check(t, !(f & a) || (f & b), what);
}

static void cpu_sanity(tk_ctx* t) {
  const uint32_t f = octk_cpu_features();
  check(t, octk_cpu_features() == f, "octk_cpu_features() is stable across calls");
  check(t, (f & ~(kX86Bits | kArmBits)) == 0, "only known feature bits are set");
#if defined(__x86_64__) || defined(__i386__)
  check(t, (f & kArmBits) == 0, "x86: no ARM feature bits");
  implies(t, f, OCTK_CPU_X86_AVX512VNNI, OCTK_CPU_X86_AVX512F, "x86: avx512vnni implies avx512f");
  implies(t, f, OCTK_CPU_X86_AVX512BW, OCTK_CPU_X86_AVX512F, "x86: avx512bw implies avx512f");
  implies(t, f, OCTK_CPU_X86_AVXVNNI, OCTK_CPU_X86_AVX2, "x86: avxvnni implies avx2");
#elif defined(__aarch64__)
  check(t, (f & kX86Bits) == 0, "aarch64: no x86 feature bits");
  check(t, (f & OCTK_CPU_ARM_NEON) != 0, "aarch64: NEON (ASIMD) is present");
  implies(t, f, OCTK_CPU_ARM_DOTPROD, OCTK_CPU_ARM_NEON, "aarch64: dotprod implies neon");
  implies(t, f, OCTK_CPU_ARM_I8MM, OCTK_CPU_ARM_NEON, "aarch64: i8mm implies neon");
#else
  check(t, f == 0, "other architectures: no feature bits");
#endif
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__linux__)
// Looks for ` flag ` in the first "flags" line of /proc/cpuinfo. Returns -1 if unreadable.
static int cpuinfo_has(const char* flag) {
  FILE* f = fopen("/proc/cpuinfo", "r");
  if (!f) return -1;
  static char line[16384];
  int found = -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "flags", 5) != 0) continue;
    char needle[64];
    snprintf(needle, sizeof needle, " %s", flag);
    found = 0;
    for (const char* p = strstr(line, needle); p; p = strstr(p + 1, needle)) {
      const char end = p[strlen(needle)];
      if (end == ' ' || end == '\n' || end == '\0') { found = 1; break; }
    }
    break;
  }
  fclose(f);
  return found;
}
#endif

// On x86 Linux every bit must agree with the kernel's view of CPUID (/proc/cpuinfo
// flags, which Linux also clears when the OS does not enable the register state).
static void cpu_cpuinfo(tk_ctx* t) {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__linux__)
  const uint32_t f = octk_cpu_features();
  for (size_t i = 0; i < NFEATURES; ++i) {
    if (!kFeatures[i].cpuinfo) continue;
    const int has = cpuinfo_has(kFeatures[i].cpuinfo);
    if (has < 0) return;  // no /proc: nothing to compare with
    tk_describe(t, "bit %s agrees with /proc/cpuinfo flag %s", kFeatures[i].name, kFeatures[i].cpuinfo);
    const int got = (f & kFeatures[i].bit) != 0;
    tk_end(t, got == has ? 1 : tk_fail(t, "octk_cpu_features() says %d, /proc/cpuinfo says %d", got, has));
  }
#else
  (void)t;
#endif
}

static uint32_t parse_features(tk_ctx* t, const char* list) {
  uint32_t bits = 0;
  while (list && *list) {
    const char* comma = strchr(list, ',');
    const size_t len = comma ? (size_t)(comma - list) : strlen(list);
    size_t i = 0;
    for (; i < NFEATURES; ++i)
      if (strlen(kFeatures[i].name) == len && !strncmp(kFeatures[i].name, list, len)) break;
    tk_describe(t, "feature name '%.*s' is known", (int)len, list);
    if (i == NFEATURES) tk_end(t, tk_fail(t, "unknown feature name"));
    else bits |= kFeatures[i].bit;
    list = comma ? comma + 1 : list + len;
  }
  return bits;
}

static void cpu_expected(tk_ctx* t) {
  const uint32_t f = octk_cpu_features();
  const uint32_t want = parse_features(t, tk_expect_present), absent = parse_features(t, tk_expect_absent);
  char buf[256];
  for (size_t i = 0; i < NFEATURES; ++i) {
    const uint32_t bit = kFeatures[i].bit;
    if (want & bit) {
      tk_describe(t, "--expect %s", kFeatures[i].name);
      tk_end(t, (f & bit) ? 1 : tk_fail(t, "not detected (detected: %s)", tk_cpu_feature_names(f, buf, sizeof buf)));
    }
    if (absent & bit) {
      tk_describe(t, "--expect-absent %s", kFeatures[i].name);
      tk_end(t, (f & bit) ? tk_fail(t, "detected, but this CPU must not have it") : 1);
    }
  }
}

static const tk_case kCpuCases[] = {
    {"cpu.sanity", cpu_sanity, 0},
    {"cpu.cpuinfo", cpu_cpuinfo, 0},
    {"cpu.expected", cpu_expected, 0},
};
TK_REGISTER(kCpuCases)
