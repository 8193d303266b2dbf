// Checks of the Octet C API (octet.h) on a real model, run natively and under qemu by CI
// (tools/arm/check_models.sh): error statuses and messages for bad arguments and bad files,
// loading from memory, caller arenas, thread counts and kernel paths giving identical bytes.
//   usage: octet-api-test MODEL.octet
// Prints each failed check; the last line is "api: N passed, M failed"; exit 1 on any failure.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "octet.h"

static int passed, failed;

static void check(int ok, const char* what, const octet_error* e) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    printf("FAIL: %s (status %s, message '%s')\n", what, e ? octet_status_name(e->status) : "-", e ? e->message : "");
  }
}

// The whole file in a 64-byte aligned block, with one spare byte for misaligned views.
static unsigned char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  *size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char* data = aligned_alloc(64, (*size + 64) / 64 * 64 + 64);
  if (data != NULL && fread(data, 1, *size, f) != *size) {
    free(data);
    data = NULL;
  }
  fclose(f);
  return data;
}

// Runs `model` with `options` on a fixed input; returns a malloc'd copy of output 0 (NULL on error).
static unsigned char* run(octet_model* model, const octet_interpreter_options* options, octet_error* e) {
  octet_interpreter* it = NULL;
  if (octet_interpreter_create(model, options, &it, e) != OCTET_OK) return NULL;
  octet_tensor_info in, out;
  octet_model_input_info(model, 0, &in, NULL);
  octet_model_output_info(model, 0, &out, NULL);
  unsigned char* x = octet_interpreter_input(it, 0);
  for (size_t k = 0; k < in.bytes; ++k) x[k] = in.type == OCTET_FLOAT32 && k % 4 == 3 ? 0x3e : (unsigned char)(k * 131u);
  unsigned char* copy = malloc(out.bytes);
  if (octet_interpreter_invoke(it, e) == OCTET_OK && copy != NULL) {
    memcpy(copy, octet_interpreter_output(it, 0), out.bytes);
  } else {
    free(copy);
    copy = NULL;
  }
  octet_interpreter_free(it);
  return copy;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL.octet\n", argv[0]);
    return 64;
  }
  const char* path = argv[1];
  octet_error e;
  memset(&e, 0, sizeof e);
  check(octet_api_version() == OCTET_API_VERSION, "library and header API versions agree", NULL);
  check(strcmp(octet_status_name(OCTET_ERROR_FORMAT), "OCTET_ERROR_FORMAT") == 0, "status names", NULL);

  // Bad arguments and bad files.
  octet_model* model = (octet_model*)1;
  check(octet_model_load_file(NULL, &model, &e) == OCTET_ERROR_ARGUMENT && e.status == OCTET_ERROR_ARGUMENT,
        "NULL path: OCTET_ERROR_ARGUMENT", &e);
  check(octet_model_load_file("/nonexistent/model.octet", &model, &e) == OCTET_ERROR_IO && model == NULL &&
            strstr(e.message, "/nonexistent/model.octet") != NULL,
        "missing file: OCTET_ERROR_IO naming the path, model NULL", &e);
  check(octet_model_load_file("/", &model, &e) == OCTET_ERROR_IO && strstr(e.message, "not a regular file") != NULL,
        "directory: OCTET_ERROR_IO", &e);
  check(octet_model_load_file(path, &model, NULL) == OCTET_OK, "load without an error record", NULL);
  octet_model_free(model);

  size_t size = 0;
  unsigned char* bytes = read_file(path, &size);
  check(bytes != NULL && size > 64, "read the model file", NULL);
  if (bytes == NULL) return 1;
  check(octet_model_load_memory(bytes + 1, size, &model, &e) == OCTET_ERROR_ARGUMENT && model == NULL &&
            strstr(e.message, "aligned") != NULL,
        "misaligned memory: OCTET_ERROR_ARGUMENT", &e);
  check(octet_model_load_memory(bytes, size / 2, &model, &e) == OCTET_ERROR_FORMAT, "truncated memory: OCTET_ERROR_FORMAT", &e);
  bytes[size / 2] ^= 0x55;
  check(octet_model_load_memory(bytes, size, &model, &e) == OCTET_ERROR_FORMAT && strstr(e.message, "checksum") != NULL,
        "corrupt byte: OCTET_ERROR_FORMAT (checksum)", &e);
  bytes[size / 2] ^= 0x55;

  // The same model from a file and from memory.
  octet_model *from_file = NULL, *from_memory = NULL;
  check(octet_model_load_file(path, &from_file, &e) == OCTET_OK && e.status == OCTET_OK && e.message[0] == 0,
        "load from file: OCTET_OK, empty message", &e);
  check(octet_model_load_memory(bytes, size, &from_memory, &e) == OCTET_OK, "load from memory", &e);
  if (from_file == NULL || from_memory == NULL) return 1;
  check(octet_model_input_count(from_file) >= 1 && octet_model_output_count(from_file) >= 1, "inputs and outputs", NULL);
  check(octet_model_input_count(NULL) == 0 && octet_model_arena_bytes(NULL) == 0, "NULL model: zero counts", NULL);
  octet_tensor_info info;
  check(octet_model_input_info(from_file, 0, &info, &e) == OCTET_OK && info.name != NULL && info.rank >= 1 && info.bytes > 0,
        "input 0 info", &e);
  check(octet_model_input_info(from_file, octet_model_input_count(from_file), &info, &e) == OCTET_ERROR_ARGUMENT &&
            strstr(e.message, "out of range") != NULL,
        "input index out of range: OCTET_ERROR_ARGUMENT", &e);
  check(octet_model_output_info(from_file, -1, &info, &e) == OCTET_ERROR_ARGUMENT, "output index -1: OCTET_ERROR_ARGUMENT", &e);
  octet_model_output_info(from_file, 0, &info, NULL);
  const size_t out_bytes = info.bytes;

  // Interpreters: defaults, threads, kernel paths, caller arenas.
  unsigned char* reference = run(from_file, NULL, &e);
  check(reference != NULL, "run with default options", &e);
  if (reference == NULL) return 1;
  unsigned char* y = run(from_memory, NULL, &e);
  check(y != NULL && memcmp(y, reference, out_bytes) == 0, "model from memory: same output bytes", &e);
  free(y);
  octet_interpreter_options o;
  octet_interpreter_options_init(&o);
  check(o.threads == 1 && o.kernel_path == NULL && o.arena == NULL, "default options", NULL);
  o.threads = 2;
  y = run(from_file, &o, &e);
  check(y != NULL && memcmp(y, reference, out_bytes) == 0, "2 threads: same output bytes", &e);
  free(y);
  o.threads = 1;
  o.kernel_path = "reference";
  y = run(from_file, &o, &e);
  check(y != NULL && memcmp(y, reference, out_bytes) == 0, "reference kernels: same output bytes", &e);
  free(y);
  o.kernel_path = "no-such-path";
  check(run(from_file, &o, &e) == NULL && e.status == OCTET_ERROR_KERNELS && strstr(e.message, "no-such-path") != NULL,
        "unknown kernel path: OCTET_ERROR_KERNELS naming it", &e);
  o.kernel_path = NULL;
  o.threads = 0;
  check(run(from_file, &o, &e) == NULL && e.status == OCTET_ERROR_KERNELS, "0 threads: OCTET_ERROR_KERNELS", &e);
  o.threads = 1;

  const size_t arena_bytes = octet_model_arena_bytes(from_file);
  unsigned char* arena = aligned_alloc(64, (arena_bytes + 64 + 63) / 64 * 64);
  o.arena = arena;
  o.arena_bytes = arena_bytes;
  y = run(from_file, &o, &e);
  check(y != NULL && memcmp(y, reference, out_bytes) == 0, "caller's arena: same output bytes", &e);
  free(y);
  o.arena_bytes = arena_bytes - 1;
  check(run(from_file, &o, &e) == NULL && e.status == OCTET_ERROR_MEMORY && strstr(e.message, "arena") != NULL,
        "arena one byte short: OCTET_ERROR_MEMORY", &e);
  o.arena = arena + 1;
  o.arena_bytes = arena_bytes;
  check(run(from_file, &o, &e) == NULL && e.status == OCTET_ERROR_ARGUMENT, "misaligned arena: OCTET_ERROR_ARGUMENT", &e);

  // An interpreter keeps its model alive after octet_model_free.
  octet_interpreter* it = NULL;
  check(octet_interpreter_create(from_file, NULL, &it, &e) == OCTET_OK, "create", &e);
  octet_model_free(from_file);
  check(octet_interpreter_input(it, 0) != NULL && octet_interpreter_input(it, 99) == NULL &&
            octet_interpreter_output(it, -1) == NULL,
        "input/output pointers and out-of-range indices", NULL);
  check(octet_interpreter_invoke(it, &e) == OCTET_OK, "invoke after the model handle was freed", &e);
  check(octet_interpreter_invoke(NULL, &e) == OCTET_ERROR_ARGUMENT, "invoke(NULL): OCTET_ERROR_ARGUMENT", &e);
  check(octet_interpreter_kernel_path(it) != NULL && strlen(octet_interpreter_kernel_path(it)) > 0, "kernel path", NULL);
  octet_interpreter_free(it);
  octet_interpreter_free(NULL);
  octet_model_free(NULL);
  octet_model_free(from_memory);

  free(arena);
  free(reference);
  free(bytes);
  printf("api: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
