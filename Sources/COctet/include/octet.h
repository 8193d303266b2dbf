// octet.h: the C API of the Octet int8 runtime (liboctet.a, built by tools/arm/build.sh for
// aarch64 and x86_64 Linux). Link: cc app.c liboctet.a -lm -lpthread (static-pie or static).
//
//   octet_model* model;
//   octet_interpreter* interpreter;
//   octet_error error;
//   if (octet_model_load_file("resnet18.octet", &model, &error) != OCTET_OK) {
//     fprintf(stderr, "%s\n", error.message);
//     return 1;
//   }
//   octet_interpreter_create(model, NULL, &interpreter, &error);   // defaults: 1 thread, fastest kernels
//   float* x = octet_interpreter_input(interpreter, 0);            // f32 input, the model's layout
//   ...fill x...
//   octet_interpreter_invoke(interpreter, &error);
//   const float* y = octet_interpreter_output(interpreter, 0);
//   octet_interpreter_free(interpreter);
//   octet_model_free(model);
//
// Thread safety: a loaded model is immutable; any number of interpreters on any threads may
// share it. An interpreter is used by one thread at a time (its own worker threads, when it
// has more than one, are internal). Every function may be called from any thread.
//
// Errors: every fallible function returns an octet_status and, when `error` is not NULL, fills
// it with the status and a message naming what is wrong (the same text the octet CLI prints).
// Nothing here aborts on bad input: a crafted or truncated model file is rejected at load.
#ifndef OCTET_H
#define OCTET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Incremented on every incompatible change of this header.
#define OCTET_API_VERSION 1

/// The OCTET_API_VERSION the library was built with (compare with the header's).
int octet_api_version(void);

typedef enum octet_status {
  OCTET_OK = 0,
  OCTET_ERROR_IO = 1,        // the file could not be opened, read or mapped
  OCTET_ERROR_FORMAT = 2,    // not a valid .octet file of this version (framing, checksum, tensors, ops, plan)
  OCTET_ERROR_INPUT = 3,     // data given at run time does not fit the model
  OCTET_ERROR_KERNELS = 4,   // unknown kernel path, one this CPU cannot run, or bad thread count
  OCTET_ERROR_MEMORY = 5,    // an allocation failed, or the caller's arena is too small
  OCTET_ERROR_ARGUMENT = 6,  // a NULL handle or pointer, an index out of range, a misaligned buffer
} octet_status;

/// A status and its message, NUL-terminated (truncated to fit).
typedef struct octet_error {
  octet_status status;
  char message[512];
} octet_error;

/// "OCTET_OK", "OCTET_ERROR_IO", … (a static string).
const char* octet_status_name(octet_status status);

typedef enum octet_type {
  OCTET_FLOAT32 = 1,
  OCTET_INT8 = 2,
  OCTET_INT32 = 3,
  OCTET_UINT8 = 4,
} octet_type;

#define OCTET_MAX_RANK 8

/// A model input or output. `name` is owned by the model (valid while it lives).
typedef struct octet_tensor_info {
  const char* name;
  octet_type type;
  int rank;
  int64_t shape[OCTET_MAX_RANK];  // the model's layout (e.g. NCHW as exported), batch 1
  size_t bytes;                   // element count × element size
  int quantized;                  // 1: real = scale · (q − zero_point); 0: scale 1, zero point 0
  float scale;
  int32_t zero_point;
} octet_tensor_info;

typedef struct octet_model octet_model;
typedef struct octet_interpreter octet_interpreter;

/// Maps `path` read-only and verifies all of it (checksums, every tensor, op and the memory
/// plan). The mapping lives as long as the model.
octet_status octet_model_load_file(const char* path, octet_model** model, octet_error* error);

/// Verifies a model held in memory and uses it in place (weights are read from `data`, never
/// written). `data` must be 64-byte aligned and must stay valid and unchanged until the model
/// and every interpreter made from it are freed.
octet_status octet_model_load_memory(const void* data, size_t size, octet_model** model, octet_error* error);

/// Releases the caller's reference: the model itself lives on while interpreters made from it
/// exist. NULL is ignored.
void octet_model_free(octet_model* model);

int octet_model_input_count(const octet_model* model);
int octet_model_output_count(const octet_model* model);
octet_status octet_model_input_info(const octet_model* model, int index, octet_tensor_info* info, octet_error* error);
octet_status octet_model_output_info(const octet_model* model, int index, octet_tensor_info* info, octet_error* error);

/// Bytes a caller-supplied arena must have (octet_interpreter_options.arena).
size_t octet_model_arena_bytes(const octet_model* model);

typedef struct octet_interpreter_options {
  /// Threads each op is split over, the calling thread included (≥ 1). Results are
  /// bit-identical for any count.
  int threads;
  /// NULL or "auto": the fastest kernels this CPU runs (unless the environment variable
  /// OCTET_KERNELS names a path). Else a path: "reference", "scalar", "neon", "dotprod",
  /// "i8mm", "avx2", "avxvnni", "avx512vnni". Every path computes the same bytes.
  const char* kernel_path;
  /// NULL: the interpreter allocates its arena. Else at least octet_model_arena_bytes(model)
  /// bytes, 64-byte aligned, used by this interpreter only, valid until it is freed.
  void* arena;
  size_t arena_bytes;
} octet_interpreter_options;

/// The defaults: 1 thread, automatic kernels, an allocated arena.
void octet_interpreter_options_init(octet_interpreter_options* options);

/// Prepares every op (packs weights, builds indirection buffers, starts worker threads).
/// `options` NULL: the defaults. invoke() then allocates nothing.
octet_status octet_interpreter_create(octet_model* model, const octet_interpreter_options* options,
                                      octet_interpreter** interpreter, octet_error* error);

/// NULL is ignored.
void octet_interpreter_free(octet_interpreter* interpreter);

/// Where input / output `index` lives in the arena (NULL: index out of range). Write inputs
/// before octet_interpreter_invoke; read outputs after it. The type and shape are the model's
/// (octet_model_input_info): an f32 input takes floats in the exported layout.
void* octet_interpreter_input(octet_interpreter* interpreter, int index);
const void* octet_interpreter_output(const octet_interpreter* interpreter, int index);

/// Runs the model once on the current inputs.
octet_status octet_interpreter_invoke(octet_interpreter* interpreter, octet_error* error);

/// The kernel path the interpreter runs ("avx512vnni", "dotprod", …, "reference"); static string.
const char* octet_interpreter_kernel_path(const octet_interpreter* interpreter);

/// Arena bytes the interpreter uses (its own or the caller's).
size_t octet_interpreter_arena_bytes(const octet_interpreter* interpreter);

#ifdef __cplusplus
}
#endif
#endif
