/*===- runtime.h - the optc runtime's public C ABI -------------------------===*
 *
 * What a program needs to load and run a model compiled by optc. A compiled
 * model is a shared library; its generated header (model.h) carries a copy
 * of this file, so a program that includes model.h needs nothing else.
 *
 * Conventions:
 *  - Every call that can fail returns an optc_status pointer: NULL means
 *    success; otherwise it holds a code and a message, and the caller frees
 *    it with optc_status_free.
 *  - Tensors are views: the caller owns the shape, stride and data arrays.
 *  - A loaded model may be run from several threads at once.
 *
 *===-----------------------------------------------------------------------===*/
#ifndef OPTC_RUNTIME_H
#define OPTC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this ABI; a library built for another version is refused. */
#define OPTC_ABI_VERSION 1

/*--- Status ----------------------------------------------------------------*/

typedef enum optc_status_code {
  OPTC_OK = 0,
  OPTC_INVALID_ARGUMENT = 1, /* wrong inputs: count, dtype, shape, NULL */
  OPTC_NOT_FOUND = 2,        /* a file or symbol does not exist */
  OPTC_IO_ERROR = 3,         /* a file could not be read or is malformed */
  OPTC_UNSUPPORTED = 4,      /* this machine lacks a CPU feature, or ABI */
  OPTC_OUT_OF_MEMORY = 5,
  OPTC_INTERNAL = 6
} optc_status_code;

typedef struct optc_status optc_status;

/* The code of `status`; OPTC_OK for NULL. */
optc_status_code optc_status_get_code(const optc_status *status);
/* The message of `status`; "ok" for NULL. Owned by the status. */
const char *optc_status_get_message(const optc_status *status);
/* Frees `status`; NULL is allowed. */
void optc_status_free(optc_status *status);

/*--- Data types (numbered like ONNX's TensorProto.DataType) ----------------*/

typedef enum optc_dtype {
  OPTC_DTYPE_INVALID = 0,
  OPTC_F32 = 1,
  OPTC_U8 = 2,
  OPTC_I8 = 3,
  OPTC_U16 = 4,
  OPTC_I16 = 5,
  OPTC_I32 = 6,
  OPTC_I64 = 7,
  OPTC_BOOL = 9, /* one byte, 0 or 1 */
  OPTC_F16 = 10,
  OPTC_F64 = 11,
  OPTC_U32 = 12,
  OPTC_U64 = 13,
  OPTC_BF16 = 16,
  /* 8-bit and narrower formats: one element per byte. A float's bits, or
   * a 4- or 2-bit integer's, are in the low bits of its byte; the high bits
   * are zero in outputs and ignored in inputs (the layout of ml_dtypes). */
  OPTC_F8E4M3FN = 17,
  OPTC_F8E4M3FNUZ = 18,
  OPTC_F8E5M2 = 19,
  OPTC_F8E5M2FNUZ = 20,
  OPTC_U4 = 21,
  OPTC_I4 = 22,
  OPTC_F4E2M1FN = 23,
  OPTC_F8E8M0FNU = 24,
  OPTC_U2 = 25,
  OPTC_I2 = 26
} optc_dtype;

/* Bytes per element of `dtype`; 0 for an unknown dtype. */
size_t optc_dtype_size(optc_dtype dtype);
/* A short name ("f32", "i64", "bool"); "invalid" for an unknown dtype. */
const char *optc_dtype_name(optc_dtype dtype);

/*--- Tensors ---------------------------------------------------------------*/

/* A view of caller-owned memory. `strides` counts elements and may be NULL,
 * meaning dense row-major. */
typedef struct optc_tensor {
  optc_dtype dtype;
  int32_t rank;
  const int64_t *shape;
  const int64_t *strides;
  void *data;
} optc_tensor;

/* optc's limits per tensor: at most 2^40 elements, counting a dimension of
 * size 0 as 1 (so that the strides of an empty tensor are bounded too), and
 * at most 2^42 bytes. The compiler refuses larger tensors, and the runtime
 * a library whose metadata declares one. */
#define OPTC_MAX_TENSOR_ELEMENTS ((int64_t)1 << 40)
#define OPTC_MAX_TENSOR_BYTES ((int64_t)1 << 42)

/* The number of elements of `tensor` (1 for rank 0); -1 when a size is
 * negative or the count overflows int64. */
int64_t optc_tensor_num_elements(const optc_tensor *tensor);

/* What a model expects of one input or output. */
typedef struct optc_tensor_info {
  const char *name;
  optc_dtype dtype;
  int32_t rank;
  const int64_t *shape; /* owned by the model */
} optc_tensor_info;

/*--- Models ----------------------------------------------------------------*/

typedef struct optc_model optc_model;

/* Loads the compiled model in the shared library at `library_path`.
 * `weights_path` names its side file of weights; NULL means the file the
 * compiler named, looked up beside the library. Fails when this machine
 * lacks a CPU feature the library was compiled for, or when the side file
 * is missing or does not belong to the library. */
optc_status *optc_model_open(const char *library_path, const char *weights_path,
                             optc_model **model);

/* Frees a model; NULL is allowed. No run may be in progress. */
void optc_model_free(optc_model *model);

/* The model's name, as given to the compiler. */
const char *optc_model_name(const optc_model *model);
size_t optc_model_num_inputs(const optc_model *model);
size_t optc_model_num_outputs(const optc_model *model);
/* Describes input or output `index`; fails for an index out of range. */
optc_status *optc_model_input_info(const optc_model *model, size_t index,
                                   optc_tensor_info *info);
optc_status *optc_model_output_info(const optc_model *model, size_t index,
                                    optc_tensor_info *info);

/* Runs the model. Every input and output must match its info in dtype and
 * shape; outputs are written into caller-owned memory. On failure no output
 * has been written. Safe to call from several threads at once. */
optc_status *optc_model_run(optc_model *model, const optc_tensor *inputs,
                            size_t num_inputs, optc_tensor *outputs,
                            size_t num_outputs);

/* The number of threads kernels use: OPTC_NUM_THREADS, else the number of
 * processors. */
int optc_num_threads(void);

#ifdef __cplusplus
}
#endif

#endif /* OPTC_RUNTIME_H */
