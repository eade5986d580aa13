/*===- qmatmul.c - matrix products with packed quantized weights ---------===*
 *
 * The CPU micro-kernel of optc.quantized_matmul (runsOnMicroKernel in
 * passes/Conversion/OptcToLinalg/QuantizedMatmul.cpp says which products
 * it runs): y[m, n] = sum_k x[m, k] * (code[n, k] - zero[n, k / B]) *
 * scale[n, k / B], with the weights' codes packed in rows of K codes of
 * 2, 4 or 8 bits (one little-endian bit stream per row, rows starting on
 * a byte), never expanded to a float matrix in memory.
 *
 * Per block the product is scale * (sum_k x * code - zero * sum_k x): the
 * sums of x per block are computed once per row of x, so the inner loop
 * is a dot product of x with the codes. Signed codes are read as unsigned
 * codes with 2^(bits-1) added to them and to the zero point.
 *
 * The kernels are chosen at run time from the CPU's features: AVX-512
 * (16 floats a step), AVX2 with FMA (8), or portable C
 * ($OPTC_MICRO_KERNEL_ISA caps the choice). Rows of N are shared among the
 * runtime's threads.
 *
 *===----------------------------------------------------------------------===*/

#include "optc/runtime_support.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define OPTC_X86 1
#endif

typedef struct {
  const float *x;
  const uint8_t *w;
  const float *scales;
  const uint8_t *zeros; /* one code per byte, or NULL */
  float *y;
  int64_t m, n, k, bits, block, blocks, rowBytes;
  int flip;           /* signed codes: XOR with 2^(bits-1) */
  const float *xsums; /* [m, blocks] */
} QMatmul;

/* The zero point of block b of row n, as an unsigned code. */
static float zeroOf(const QMatmul *q, int64_t n, int64_t b) {
  int64_t half = (int64_t)1 << (q->bits - 1);
  if (!q->zeros)
    return q->flip ? (float)half : 0.0f;
  uint8_t z = q->zeros[n * q->blocks + b] & (uint8_t)((1u << q->bits) - 1);
  return (float)(q->flip ? (z ^ half) : z);
}

/* Code k of row `row` (packed bytes), as an unsigned code. */
static inline unsigned codeAt(const QMatmul *q, const uint8_t *row, int64_t k) {
  int64_t bit = k * q->bits;
  unsigned c = (row[bit >> 3] >> (bit & 7)) & ((1u << q->bits) - 1);
  return q->flip ? c ^ (1u << (q->bits - 1)) : c;
}

static float blockSum(const float *x, int64_t k0, int64_t k1) {
  float s = 0;
  for (int64_t k = k0; k < k1; ++k)
    s += x[k];
  return s;
}

/* y[m, n] for one row n of weights and one row m of x: sum over blocks of
 * scale * (sum x * code - zero * sum x). `xs` is x with its 4-bit chunks
 * reordered for the kernel (see below), or x itself. */
typedef float (*RowFn)(const QMatmul *q, const float *x, const float *xs,
                       const float *xsum, int64_t n);

static float rowPortable(const QMatmul *q, const float *x, const float *xs,
                         const float *xsum, int64_t n) {
  (void)xs;
  const uint8_t *row = q->w + n * q->rowBytes;
  float total = 0;
  for (int64_t b = 0; b < q->blocks; ++b) {
    int64_t k0 = b * q->block, k1 = k0 + q->block < q->k ? k0 + q->block : q->k;
    float dot = 0;
    for (int64_t k = k0; k < k1; ++k)
      dot += x[k] * (float)codeAt(q, row, k);
    float sum = xsum ? xsum[b] : blockSum(x, k0, k1);
    total += q->scales[n * q->blocks + b] * (dot - zeroOf(q, n, b) * sum);
  }
  return total;
}

/* The vector kernels read 4-bit codes a chunk of C codes (C / 2 bytes) at a
 * time: the bytes widened to lanes, the low nibbles (codes 0, 2, 4, ...)
 * in one vector and the high ones (1, 3, 5, ...) in another. x is
 * reordered to match once per call: in each chunk of C, the even positions
 * first, then the odd ones. Blocks must hold whole chunks. */
static void reorderChunks(const float *x, float *xs, int64_t k, int64_t c) {
  int64_t full = k / c * c;
  for (int64_t base = 0; base < full; base += c)
    for (int64_t i = 0; i < c / 2; ++i) {
      xs[base + i] = x[base + 2 * i];
      xs[base + c / 2 + i] = x[base + 2 * i + 1];
    }
  for (int64_t i = full; i < k; ++i)
    xs[i] = x[i];
}

#ifdef OPTC_X86
__attribute__((target("avx512f,avx512bw,avx2,fma"))) static float
rowAvx512(const QMatmul *q, const float *x, const float *xs, const float *xsum,
          int64_t n) {
  const uint8_t *row = q->w + n * q->rowBytes;
  const float *scales = q->scales + n * q->blocks;
  __m512 acc = _mm512_setzero_ps();
  float correction = 0;
  __m128i flip4 = _mm_set1_epi8(q->flip ? (char)0x88 : 0);
  __m128i flip8 = _mm_set1_epi8(q->flip ? (char)0x80 : 0);
  __m512i low = _mm512_set1_epi32(0x0F);
  for (int64_t b = 0; b < q->blocks; ++b) {
    int64_t k0 = b * q->block;
    __m512 t0 = _mm512_setzero_ps(), t1 = _mm512_setzero_ps();
    if (q->bits == 4) {
      for (int64_t k = k0; k < k0 + q->block; k += 32) {
        __m128i bytes = _mm_xor_si128(
            _mm_loadu_si128((const __m128i *)(row + k / 2)), flip4);
        __m512i wide = _mm512_cvtepu8_epi32(bytes);
        __m512 even = _mm512_cvtepi32_ps(_mm512_and_si512(wide, low));
        __m512 odd = _mm512_cvtepi32_ps(_mm512_srli_epi32(wide, 4));
        t0 = _mm512_fmadd_ps(_mm512_loadu_ps(xs + k), even, t0);
        t1 = _mm512_fmadd_ps(_mm512_loadu_ps(xs + k + 16), odd, t1);
      }
    } else {
      for (int64_t k = k0; k < k0 + q->block; k += 32) {
        __m128i b0 =
            _mm_xor_si128(_mm_loadu_si128((const __m128i *)(row + k)), flip8);
        __m128i b1 = _mm_xor_si128(
            _mm_loadu_si128((const __m128i *)(row + k + 16)), flip8);
        t0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + k),
                             _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b0)), t0);
        t1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + k + 16),
                             _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b1)), t1);
      }
    }
    acc =
        _mm512_fmadd_ps(_mm512_add_ps(t0, t1), _mm512_set1_ps(scales[b]), acc);
    correction += scales[b] * zeroOf(q, n, b) * xsum[b];
  }
  return _mm512_reduce_add_ps(acc) - correction;
}

__attribute__((target("avx2,fma"))) static float
rowAvx2(const QMatmul *q, const float *x, const float *xs, const float *xsum,
        int64_t n) {
  const uint8_t *row = q->w + n * q->rowBytes;
  const float *scales = q->scales + n * q->blocks;
  __m256 acc = _mm256_setzero_ps();
  float correction = 0;
  __m128i flip4 = _mm_set1_epi8(q->flip ? (char)0x88 : 0);
  __m128i flip8 = _mm_set1_epi8(q->flip ? (char)0x80 : 0);
  __m256i low = _mm256_set1_epi32(0x0F);
  for (int64_t b = 0; b < q->blocks; ++b) {
    int64_t k0 = b * q->block;
    __m256 t0 = _mm256_setzero_ps(), t1 = _mm256_setzero_ps();
    if (q->bits == 4) {
      for (int64_t k = k0; k < k0 + q->block; k += 16) {
        __m128i bytes = _mm_xor_si128(
            _mm_loadl_epi64((const __m128i *)(row + k / 2)), flip4);
        __m256i wide = _mm256_cvtepu8_epi32(bytes);
        __m256 even = _mm256_cvtepi32_ps(_mm256_and_si256(wide, low));
        __m256 odd = _mm256_cvtepi32_ps(_mm256_srli_epi32(wide, 4));
        t0 = _mm256_fmadd_ps(_mm256_loadu_ps(xs + k), even, t0);
        t1 = _mm256_fmadd_ps(_mm256_loadu_ps(xs + k + 8), odd, t1);
      }
    } else {
      for (int64_t k = k0; k < k0 + q->block; k += 16) {
        __m128i b0 =
            _mm_xor_si128(_mm_loadl_epi64((const __m128i *)(row + k)), flip8);
        __m128i b1 = _mm_xor_si128(
            _mm_loadl_epi64((const __m128i *)(row + k + 8)), flip8);
        t0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + k),
                             _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b0)), t0);
        t1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + k + 8),
                             _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b1)), t1);
      }
    }
    acc =
        _mm256_fmadd_ps(_mm256_add_ps(t0, t1), _mm256_set1_ps(scales[b]), acc);
    correction += scales[b] * zeroOf(q, n, b) * xsum[b];
  }
  __m128 h =
      _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h) - correction;
}
#endif

/* The widest kernel the CPU runs for `q`, and the chunk of codes it reads
 * (0 for the portable one), capped by $OPTC_MICRO_KERNEL_ISA ("avx2" or
 * "portable"; tests use it to run every variant on one machine). */
static RowFn chooseRow(const QMatmul *q, int64_t *chunk) {
  *chunk = 0;
#ifdef OPTC_X86
  const char *cap = getenv("OPTC_MICRO_KERNEL_ISA");
  int portable = cap && strcmp(cap, "portable") == 0;
  int avx2Only = cap && strcmp(cap, "avx2") == 0;
  int wide = q->bits == 4 || q->bits == 8;
  if (!portable && !avx2Only && wide && q->block % 32 == 0 &&
      q->k % q->block == 0 && optc_cpu_has_feature("avx512f") == 1 &&
      optc_cpu_has_feature("avx512bw") == 1) {
    *chunk = 32;
    return rowAvx512;
  }
  if (!portable && wide && q->block % 16 == 0 && q->k % q->block == 0 &&
      optc_cpu_has_feature("avx2") == 1 && optc_cpu_has_feature("fma") == 1) {
    *chunk = 16;
    return rowAvx2;
  }
#endif
  (void)q;
  return rowPortable;
}

typedef struct {
  const QMatmul *q;
  RowFn row;
  const float *xs; /* x reordered per chunk, [m, k] */
  int64_t grain;   /* rows a task */
} Task;

/* Tasks [begin, end): rows [begin * grain, end * grain) of N. */
static void rows(int64_t begin, int64_t end, void *context) {
  const Task *t = context;
  const QMatmul *q = t->q;
  int64_t last = end * t->grain < q->n ? end * t->grain : q->n;
  for (int64_t n = begin * t->grain; n < last; ++n)
    for (int64_t m = 0; m < q->m; ++m)
      q->y[m * q->n + n] =
          t->row(q, q->x + m * q->k, t->xs ? t->xs + m * q->k : NULL,
                 q->xsums ? q->xsums + m * q->blocks : NULL, n);
}

void optc_qmatmul_f32(const float *x, const uint8_t *w, const float *scales,
                      const uint8_t *zeros, float *y, int64_t m, int64_t n,
                      int64_t k, int64_t bits, int64_t isSigned,
                      int64_t block) {
  QMatmul q = {x,
               w,
               scales,
               zeros,
               y,
               m,
               n,
               k,
               bits,
               block,
               (k + block - 1) / block,
               k * bits / 8,
               isSigned != 0,
               NULL};
  int64_t chunk;
  RowFn row = chooseRow(&q, &chunk);
  /* The sums of x per block, shared by every row of the weights, and x
   * reordered for a vector kernel of 4-bit codes. Without memory for them
   * the portable kernel computes the sums as it goes. */
  float *xsums = malloc((size_t)(m * q.blocks) * sizeof(float));
  float *xs = NULL;
  if (chunk && bits == 4)
    xs = malloc((size_t)(m * k) * sizeof(float));
  if (!xsums || (chunk && bits == 4 && !xs)) {
    free(xsums);
    free(xs);
    xsums = NULL;
    xs = NULL;
    row = rowPortable;
  } else {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t b = 0; b < q.blocks; ++b) {
        int64_t k0 = b * block, k1 = k0 + block < k ? k0 + block : k;
        xsums[i * q.blocks + b] = blockSum(x + i * k, k0, k1);
      }
      if (xs)
        reorderChunks(x + i * k, xs + i * k, k, chunk);
    }
  }
  q.xsums = xsums;
  /* About 32 KiB of weights a task: enough to amortise the hand-off. */
  int64_t grain = 32768 / (q.rowBytes > 0 ? q.rowBytes : 1) + 1;
  Task task = {&q, row, xs, grain};
  optc_parallel_for((n + grain - 1) / grain, rows, &task);
  free(xsums);
  free(xs);
}
