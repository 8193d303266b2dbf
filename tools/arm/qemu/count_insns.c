// qemu-user TCG plugin: dynamic instruction counts between benchmark markers.
// A marker is the failing syscall lseek(-1, 0xC7E70000 + k, SEEK_SET) that octet-run --bench and
// tools/arm/peer_invoke.py issue around each timed invoke: k = 1 starts a window, k = 2 ends it.
// For every window the plugin writes one line to `out=FILE` (default stderr):
//   window <n> insns <count> sdot <c> udot <c> … (insn_classes.h)
// Counters are global (qemu 7.2 plugins have no per-vCPU inline counters): run one thread.
// Build: gcc -O2 -fPIC -shared -I<qemu source>/include/qemu $(pkg-config --cflags glib-2.0)
// (tools/arm/bench_qemu.sh does it against Debian's qemu source package).
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <qemu-plugin.h>

#include "insn_classes.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define AARCH64_SYS_LSEEK 62
#define MARKER_BASE 0xC7E70000u

static uint64_t total;                // every executed instruction (per translation block)
static uint64_t classes[INSN_CLASSES];
static uint64_t start_total, start_classes[INSN_CLASSES];
static int in_window, windows;
static FILE* out;

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  (void)id;
  const size_t n = qemu_plugin_tb_n_insns(tb);
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &total, n);
  for (size_t i = 0; i < n; ++i) {
    struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    if (qemu_plugin_insn_size(insn) != 4) continue;
    uint32_t word;
    memcpy(&word, qemu_plugin_insn_data(insn), 4);
    const enum insn_class c = insn_classify(word);
    if (c != INSN_OTHER) qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &classes[c], 1);
  }
}

static void syscall_entry(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8) {
  (void)id, (void)vcpu, (void)a3, (void)a4, (void)a5, (void)a6, (void)a7, (void)a8;
  if (num != AARCH64_SYS_LSEEK || (int64_t)a1 != -1) return;
  if (a2 == MARKER_BASE + 1) {
    start_total = total;
    memcpy(start_classes, classes, sizeof classes);
    in_window = 1;
  } else if (a2 == MARKER_BASE + 2 && in_window) {
    in_window = 0;
    fprintf(out, "window %d insns %" PRIu64, ++windows, total - start_total);
    for (int c = 1; c < INSN_CLASSES; ++c) fprintf(out, " %s %" PRIu64, insn_class_names[c], classes[c] - start_classes[c]);
    fprintf(out, "\n");
    fflush(out);
  }
}

static void at_exit(qemu_plugin_id_t id, void* p) {
  (void)id, (void)p;
  if (out != stderr) fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc, char** argv) {
  (void)info;
  out = stderr;
  for (int i = 0; i < argc; ++i) {
    if (strncmp(argv[i], "out=", 4) == 0) {
      out = fopen(argv[i] + 4, "w");
      if (out == NULL) {
        fprintf(stderr, "count_insns: cannot write '%s'\n", argv[i] + 4);
        return -1;
      }
    } else {
      fprintf(stderr, "count_insns: unknown argument '%s' (out=FILE)\n", argv[i]);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
  qemu_plugin_register_vcpu_syscall_cb(id, syscall_entry);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
