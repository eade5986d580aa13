/*===- runtime_support.h - what compiled code and tools use of the runtime ==*
 *
 * The parts of the runtime that are not for model users: the descriptor a
 * compiled library exports, the thread pool and the arena allocator that
 * generated kernels use, and the helpers optc's own tools and tests use.
 * Plain C, like runtime.h.
 *
 *===-----------------------------------------------------------------------===*/
#ifndef OPTC_RUNTIME_SUPPORT_H
#define OPTC_RUNTIME_SUPPORT_H

#include "optc/runtime.h"

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/*--- Status ----------------------------------------------------------------*/

/* A new status with a printf-style message; never NULL (an allocation
 * failure gives a static out-of-memory status that optc_status_free
 * ignores). */
optc_status *optc_status_make(optc_status_code code, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*--- The descriptor of a compiled model ------------------------------------*/

/* The entry point of the generated code. `buffers` holds, in order, the
 * data of every input, of every output, the arena (scratch memory of the
 * size the metadata names) and the weights. */
typedef void (*optc_entry_fn)(void **buffers);

/* Every compiled library exports one, named `optc_model_descriptor`.
 *
 * `metadata` is text, one record per line, fields separated by spaces;
 * names are percent-encoded (bytes outside [A-Za-z0-9_.:/-] become %XX):
 *
 *   optc-model 1
 *   name <name>
 *   triple <target triple>
 *   cpu <cpu name>
 *   features <comma-separated LLVM features, "+" prefix stripped>
 *   arena <bytes>
 *   checks 1                       (the code reports run-time errors)
 *   weights embedded <bytes>       | weights file <file name> <bytes> <id>
 *   input <name> <dtype name> <dims, comma-separated, or "scalar">
 *   output <name> <dtype name> <dims>
 *
 * A weights side file starts with a 64-byte header: the 8 bytes
 * "OPTCWGT1", the 16 hex digits of <id>, zero padding; the weights follow.
 */
typedef struct optc_model_desc {
  uint32_t abi_version;
  uint32_t reserved;
  const char *metadata;
  optc_entry_fn entry;
  const void *weights; /* embedded weights; NULL with a side file */
  uint64_t weights_size;
  /* Takes (returns and clears) the error the library's code reported on
   * the calling thread; NULL when none. The library's own copy of the
   * runtime holds the report, so whoever runs the model asks through it. */
  const char *(*take_error)(void);
} optc_model_desc;

/* The most scratch memory a model may ask for, in bytes: the compiler's
 * memory plan refuses more, and the runtime a library that declares more. */
#define OPTC_MAX_ARENA_BYTES ((uint64_t)1 << 42)

#define OPTC_WEIGHTS_HEADER_SIZE 64
#define OPTC_WEIGHTS_MAGIC "OPTCWGT1"

/* Loads the model `desc` describes. A side file is looked for at
 * `weights_path`, or when that is NULL beside the library holding `desc`.
 * Compiled libraries export `<name>_load`, which calls this. */
optc_status *optc_model_create(const optc_model_desc *desc,
                               const char *weights_path, optc_model **model);

/* Checks that the file at `path` is a whole shared library for this
 * machine before it is mapped: an ELF header of this machine's class, byte
 * order and architecture, and program and section headers, and every
 * segment they describe, inside the file. A truncated or corrupt file is
 * an error here; mapped, it would raise SIGBUS inside dlopen. NULL when it
 * is fine. */
optc_status *optc_check_library_file(const char *path);

/* The bytes of arena one run of `model` needs. */
uint64_t optc_model_arena_size(const optc_model *model);

/* Whether this machine has the LLVM CPU feature `name` ("avx2", "fma",
 * "avx512f", ...): 1 yes, 0 no, -1 a feature the runtime cannot check. */
int optc_cpu_has_feature(const char *name);

/* The instruction sets of the runtime's micro-kernels (qmatmul.c,
 * igemm.c) that this CPU has: AVX2 with FMA; AVX-512 F, BW and VL; and
 * AVX-512 VNNI besides; AVX-VNNI (the 256-bit dot products of CPUs
 * without AVX-512) with AVX2. Asked of the CPU once per process (CPUID
 * traps to the hypervisor in a virtual machine, microseconds a call), then
 * capped on every call by $OPTC_MICRO_KERNEL_ISA: "avx-vnni" keeps AVX2
 * and the 256-bit dot products (where only AVX-512 VNNI has them, its
 * 256-bit form), "avx2" AVX2 only, "portable" none (the tests run every
 * variant on one machine). */
enum {
  OPTC_ISA_AVX2 = 1,
  OPTC_ISA_AVX512 = 2,
  OPTC_ISA_AVX512_VNNI = 4,
  OPTC_ISA_AVX_VNNI = 8,
  /* 256-bit vpdpbusd: AVX-VNNI's, or AVX-512 VNNI's with VL. */
  OPTC_ISA_VNNI256 = 16,
};
int optc_micro_kernel_isa(void);

/* Parses a dtype name ("f32", "bool", ...); OPTC_DTYPE_INVALID if unknown. */
optc_dtype optc_dtype_from_name(const char *name);

/* Called by generated code when a run-time check fails (an axis given as
 * an input is out of range, ...): the run of the calling thread ends with an
 * error status carrying `message` (a static string). The first report of a
 * run wins. */
void optc_report_error(const char *message);

/* Called by generated code just before a failed index check reports its
 * message: the run's error message ends with ": index <index>". */
void optc_note_index(int64_t index);

/* Returns and clears the report of the calling thread (see take_error);
 * valid until the thread's next call. */
const char *optc_take_reported_error(void);

/*--- Thread pool -----------------------------------------------------------*/

/* The body of a parallel loop: runs iterations [begin, end). */
typedef void (*optc_parallel_body)(int64_t begin, int64_t end, void *context);

typedef struct optc_thread_pool optc_thread_pool;

/* A pool of `num_threads` threads in all, the calling thread included
 * (so 1 starts no thread). */
optc_status *optc_thread_pool_create(int num_threads, optc_thread_pool **pool);
void optc_thread_pool_free(optc_thread_pool *pool);
int optc_thread_pool_size(const optc_thread_pool *pool);

/* Runs body over [0, n) in chunks on the pool's threads and the calling
 * one, and returns when every chunk is done. Several threads may call it on
 * one pool at once. A call from inside a body runs serially. */
void optc_thread_pool_parallel_for(optc_thread_pool *pool, int64_t n,
                                   optc_parallel_body body, void *context);

/* The same on the process-wide pool of optc_num_threads() threads, made on
 * first use. Generated kernels call this for their outer parallel loops. */
void optc_parallel_for(int64_t n, optc_parallel_body body, void *context);

/*--- Micro-kernels ----------------------------------------------------------*/

/* How optc_qmatmul_f32's scales are stored. */
enum optc_qmatmul_scale_kind {
  OPTC_QSCALE_F32 = 0,
  /* One byte a scale (E8M0, E4M3, ...), its value scale_values[byte]. */
  OPTC_QSCALE_TABLE8 = 1,
  OPTC_QSCALE_F16 = 2,
  OPTC_QSCALE_BF16 = 3,
};

/* optc.quantized_matmul (runtime/src/qmatmul.c): y[m, n] (row-major
 * [m, n]) = sum_k x[m, k] * (value(n, k) - zero(n, k / block)) *
 * scale(n * blocks + k / block) * tensor scale, blocks = ceil(k / block).
 * The codes of row n are the `bits`-bit (1, 2, 4 or 8) codes packed from
 * byte n * k * bits / 8, low bits first. An integer code's value is the
 * code, signed (two's complement) when `is_signed`; with `code_values`
 * (float codes: FP4, FP8), it is code_values[code] (2^bits entries) and
 * there are no zero points. `zeros` holds one zero point code per byte
 * ([n, blocks]), or is NULL for none. `scales` are of `scale_kind`
 * (`scale_values`: 256 entries, for OPTC_QSCALE_TABLE8); `tensor_scale`
 * points to one f32, or is NULL for 1. With `int8_activations`, x may be
 * quantized to int8 per block (symmetric, as onnxruntime's accuracy level
 * 4 does) where the CPU has VNNI. Runs on the process-wide thread pool. */
void optc_qmatmul_f32(const float *x, const uint8_t *w, const void *scales,
                      const uint8_t *zeros, float *y, int64_t m, int64_t n,
                      int64_t k, int64_t bits, int64_t is_signed, int64_t block,
                      int64_t int8_activations, const float *code_values,
                      int64_t scale_kind, const float *scale_values,
                      const float *tensor_scale);

/* The layouts of optc_igemm_i32's B. PANELS is the VNNI kernel's own,
 * and optc.integer_matmul's `rhs_panels`, into which the compiler packs
 * constant weights so that no call repacks them: the columns of the
 * product in panels of 16, each panel ceil(K / 4) steps of 16 columns x 4
 * consecutive k (64 bytes: one i32 of 4 k per column), panel after panel;
 * the bytes are B's own, zeros in the padding (k >= K, n >= N).
 * optc_igemm_panel_byte gives a byte's offset. */
enum optc_igemm_b_layout {
  OPTC_IGEMM_B_ROWS = 0,    /* [K, N] row-major */
  OPTC_IGEMM_B_COLUMNS = 1, /* [N, K] row-major (B transposed) */
  OPTC_IGEMM_B_PANELS = 2,  /* panels, above */
};

/* The offset of B[k, n] in the PANELS layout of a product of depth k. */
static inline int64_t optc_igemm_panel_byte(int64_t k, int64_t n,
                                            int64_t depth) {
  int64_t steps = (depth + 3) / 4;
  return ((n / 16) * steps + k / 4) * 64 + (n % 16) * 4 + k % 4;
}

/* The bytes of the PANELS layout of a [depth, columns] B. */
static inline int64_t optc_igemm_panel_bytes(int64_t depth, int64_t columns) {
  return ((columns + 15) / 16) * ((depth + 3) / 4) * 64;
}

/* c[m, n] (row-major [m, n], i32) = sum_k (A[m, k] - za) * (B[k, n] - zb)
 * (runtime/src/igemm.c): ONNX's MatMulInteger. `a` is [m, k] row-major and
 * `b` in `b_layout` (enum optc_igemm_b_layout), bytes, signed when
 * `a_signed` / `b_signed`; `a_zero` is NULL (0), one zero point, or one a
 * row of A (`a_zero_per_row`), bytes of A's signedness; `b_zero`
 * likewise, one a column of the product, of B's signedness. AVX-512 VNNI
 * where the CPU has it, else portable C; on the runtime's thread pool. c
 * is written whole (nothing is accumulated into it). */
void optc_igemm_i32(const uint8_t *a, const uint8_t *b, int32_t *c, int64_t m,
                    int64_t n, int64_t k, int64_t a_signed, int64_t b_signed,
                    int64_t b_layout, const uint8_t *a_zero,
                    int64_t a_zero_per_row, const uint8_t *b_zero,
                    int64_t b_zero_per_row);

/* A fresh 64-bit key on every call (random draws without a seed): a
 * process-wide counter, started from the clock, scrambled. Thread-safe. */
uint64_t optc_random_key(void);

/*--- Arena allocator -------------------------------------------------------*/

/* Hands out blocks of one size (a model's arena: the compile-time memory
 * plan fixes the size). A released block is reused by the next acquire, so
 * a model run repeatedly allocates only as many blocks as runs overlap.
 * Thread safe. Blocks are aligned to 64 bytes. */
typedef struct optc_arena_pool optc_arena_pool;

optc_arena_pool *optc_arena_pool_create(uint64_t block_size);
void optc_arena_pool_free(optc_arena_pool *pool);
/* A block, or NULL when memory is exhausted. A block size of 0 gives a
 * non-NULL pointer that must not be dereferenced. */
void *optc_arena_acquire(optc_arena_pool *pool);
void optc_arena_release(optc_arena_pool *pool, void *block);
/* How many blocks the pool has allocated so far. */
size_t optc_arena_pool_num_blocks(optc_arena_pool *pool);

#ifdef __cplusplus
}
#endif

#endif /* OPTC_RUNTIME_SUPPORT_H */
