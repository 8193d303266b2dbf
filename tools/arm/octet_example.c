// A small C program on the Octet C API (octet.h, liboctet.a): loads a .octet model, runs it
// once on a fixed input in a caller-supplied arena and prints the outputs exactly (hex floats),
// so two builds (x86_64, aarch64 under qemu) can be compared byte for byte.
//   usage: octet-example MODEL.octet [THREADS]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "octet.h"

static void print_info(const char* role, int index, const octet_tensor_info* t) {
  printf("%s %d: %s, type %d, shape [", role, index, t->name, (int)t->type);
  for (int d = 0; d < t->rank; ++d) printf(d ? ", %lld" : "%lld", (long long)t->shape[d]);
  printf("], %zu bytes", t->bytes);
  if (t->quantized) printf(", scale %a, zero point %d", t->scale, t->zero_point);
  printf("\n");
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s MODEL.octet [THREADS]\n", argv[0]);
    return 64;
  }
  if (octet_api_version() != OCTET_API_VERSION) {
    fprintf(stderr, "error: liboctet has API version %d, octet.h %d\n", octet_api_version(), OCTET_API_VERSION);
    return 1;
  }
  octet_error error;
  octet_model* model = NULL;
  if (octet_model_load_file(argv[1], &model, &error) != OCTET_OK) {
    fprintf(stderr, "error: %s\n", error.message);
    return 1;
  }

  // The activations live in our own 64-byte aligned block (as TFLite Micro's arena does).
  const size_t arena_bytes = octet_model_arena_bytes(model);
  void* arena = aligned_alloc(64, (arena_bytes + 63) / 64 * 64);
  octet_interpreter_options options;
  octet_interpreter_options_init(&options);
  options.threads = argc == 3 ? atoi(argv[2]) : 1;
  options.arena = arena;
  options.arena_bytes = arena_bytes;
  octet_interpreter* interpreter = NULL;
  if (arena == NULL || octet_interpreter_create(model, &options, &interpreter, &error) != OCTET_OK) {
    fprintf(stderr, "error: %s\n", arena == NULL ? "cannot allocate the arena" : error.message);
    octet_model_free(model);
    free(arena);
    return 1;
  }
  printf("kernels: %s, %d thread(s), arena %zu bytes (caller's)\n", octet_interpreter_kernel_path(interpreter),
         options.threads, octet_interpreter_arena_bytes(interpreter));

  // A fixed input: f32 values in [-1, 1), or bytes.
  for (int i = 0; i < octet_model_input_count(model); ++i) {
    octet_tensor_info t;
    octet_model_input_info(model, i, &t, NULL);
    print_info("input", i, &t);
    unsigned char* x = octet_interpreter_input(interpreter, i);
    if (t.type == OCTET_FLOAT32) {
      for (size_t k = 0; k < t.bytes / 4; ++k) {
        const float v = (float)((k * 7919u) % 256u) / 128.0f - 1.0f;
        memcpy(x + 4 * k, &v, 4);
      }
    } else {
      for (size_t k = 0; k < t.bytes; ++k) x[k] = (unsigned char)(k * 7919u);
    }
  }

  if (octet_interpreter_invoke(interpreter, &error) != OCTET_OK) {
    fprintf(stderr, "error: %s\n", error.message);
    return 1;
  }

  for (int o = 0; o < octet_model_output_count(model); ++o) {
    octet_tensor_info t;
    octet_model_output_info(model, o, &t, NULL);
    print_info("output", o, &t);
    const unsigned char* y = octet_interpreter_output(interpreter, o);
    const size_t count = t.type == OCTET_FLOAT32 ? t.bytes / 4 : t.bytes;
    size_t best = 0;
    float best_value = 0;
    for (size_t k = 0; k < count; ++k) {
      float v;
      if (t.type == OCTET_FLOAT32) {
        memcpy(&v, y + 4 * k, 4);
      } else {
        v = t.scale * (float)((int)(signed char)y[k] - t.zero_point);
      }
      if (k == 0 || v > best_value) best = k, best_value = v;
      if (k < 16) printf("  [%zu] %a\n", k, v);
    }
    printf("  top-1: %zu (%a)\n", best, best_value);
  }

  octet_interpreter_free(interpreter);
  octet_model_free(model);
  free(arena);
  return 0;
}
