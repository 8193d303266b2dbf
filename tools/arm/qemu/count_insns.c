// qemu-user TCG plugin: dynamic instruction counts between benchmark markers.
// A marker is the failing syscall lseek(-1, 0xC7E70000 + k, SEEK_SET) that octet-run --bench and
// tools/arm/peer_invoke.py issue around each timed invoke: k = 1 starts a window, k = 2 ends it.
// For every window the plugin writes one line to `out=FILE` (default stderr):
//   window <n> insns <count> sdot <c> udot <c> … (insn_classes.h)
// With `blocks=FILE` it also writes the hottest translation blocks inside the windows (summed
// over all windows), hottest first by instructions executed, each with its instruction words so
// a disassembler can print it without the guest's symbols or load addresses:
//   block <vaddr hex> insns <n> execs <count> share <fraction of the windows' instructions>
//   words <hex word> <hex word> …
// Counters are global (qemu 7.2 plugins have no per-vCPU inline counters): run one thread.
// Build: gcc -O2 -fPIC -shared -I<qemu source>/include/qemu $(pkg-config --cflags glib-2.0)
// (tools/arm/bench_qemu.sh does it against Debian's qemu source package).
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

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

// Per translation block (blocks=FILE only): executions counted inline, the in-window part kept
// by snapshots at the markers. A retranslated block gets a second record; the dump merges them.
typedef struct block {
  uint64_t vaddr, execs, start, in_windows;
  uint32_t n;
  uint32_t* words;
  struct block* next;
} block;
static block* blocks;
static FILE* blocks_out;
static uint64_t window_insns;
#define BLOCKS_SHOWN 400

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
  if (blocks_out == NULL) return;
  block* b = g_new0(block, 1);
  b->vaddr = qemu_plugin_tb_vaddr(tb);
  b->n = (uint32_t)n;
  b->words = g_new0(uint32_t, n);
  for (size_t i = 0; i < n; ++i) {
    struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    if (qemu_plugin_insn_size(insn) == 4) memcpy(&b->words[i], qemu_plugin_insn_data(insn), 4);
  }
  b->next = blocks;
  blocks = b;
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->execs, 1);
}

static gint by_insns_desc(gconstpointer x, gconstpointer y) {
  const block *a = *(block* const*)x, *b = *(block* const*)y;
  const uint64_t ia = a->in_windows * a->n, ib = b->in_windows * b->n;
  return ia < ib ? 1 : ia > ib ? -1 : (a->vaddr > b->vaddr) - (a->vaddr < b->vaddr);
}

static void dump_blocks(void) {
  GHashTable* merged = g_hash_table_new(g_int64_hash, g_int64_equal);  // vaddr -> first record
  GPtrArray* list = g_ptr_array_new();
  for (block* b = blocks; b != NULL; b = b->next) {
    if (b->in_windows == 0) continue;
    block* m = g_hash_table_lookup(merged, &b->vaddr);
    if (m != NULL && m->n == b->n) {
      m->in_windows += b->in_windows;
      b->in_windows = 0;
    } else if (m == NULL) {
      g_hash_table_insert(merged, &b->vaddr, b);
      g_ptr_array_add(list, b);
    } else {
      g_ptr_array_add(list, b);  // same start, different length: keep apart
    }
  }
  g_ptr_array_sort(list, by_insns_desc);
  for (guint i = 0; i < list->len && i < BLOCKS_SHOWN; ++i) {
    const block* b = g_ptr_array_index(list, i);
    fprintf(blocks_out, "block %" PRIx64 " insns %u execs %" PRIu64 " share %.6f\nwords", b->vaddr, b->n, b->in_windows,
            window_insns ? (double)(b->in_windows * b->n) / (double)window_insns : 0.0);
    for (uint32_t k = 0; k < b->n; ++k) fprintf(blocks_out, " %08x", b->words[k]);
    fprintf(blocks_out, "\n");
  }
  g_ptr_array_free(list, TRUE);
  g_hash_table_destroy(merged);
}

static void syscall_entry(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8) {
  (void)id, (void)vcpu, (void)a3, (void)a4, (void)a5, (void)a6, (void)a7, (void)a8;
  if (num != AARCH64_SYS_LSEEK || (int64_t)a1 != -1) return;
  if (a2 == MARKER_BASE + 1) {
    start_total = total;
    memcpy(start_classes, classes, sizeof classes);
    for (block* b = blocks; b != NULL; b = b->next) b->start = b->execs;
    in_window = 1;
  } else if (a2 == MARKER_BASE + 2 && in_window) {
    in_window = 0;
    window_insns += total - start_total;
    for (block* b = blocks; b != NULL; b = b->next) b->in_windows += b->execs - b->start;
    fprintf(out, "window %d insns %" PRIu64, ++windows, total - start_total);
    for (int c = 1; c < INSN_CLASSES; ++c) fprintf(out, " %s %" PRIu64, insn_class_names[c], classes[c] - start_classes[c]);
    fprintf(out, "\n");
    fflush(out);
  }
}

static void at_exit(qemu_plugin_id_t id, void* p) {
  (void)id, (void)p;
  if (out != stderr) fclose(out);
  if (blocks_out != NULL) {
    dump_blocks();
    fclose(blocks_out);
  }
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
    } else if (strncmp(argv[i], "blocks=", 7) == 0) {
      blocks_out = fopen(argv[i] + 7, "w");
      if (blocks_out == NULL) {
        fprintf(stderr, "count_insns: cannot write '%s'\n", argv[i] + 7);
        return -1;
      }
    } else {
      fprintf(stderr, "count_insns: unknown argument '%s' (out=FILE, blocks=FILE)\n", argv[i]);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
  qemu_plugin_register_vcpu_syscall_cb(id, syscall_entry);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
