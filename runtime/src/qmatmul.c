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
 * (16 floats a step), AVX2 with FMA (8), or portable C. Rows of N are
 * shared among the runtime's threads.
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
static inline unsigned codeAt(const QMatmul *q, const uint8_t *row,
                              int64_t k) {
  int64_t bit = k * q->bits;
  unsigned c = (row[bit >> 3] >> (bit & 7)) & ((1u << q->bits) - 1);
  return q->flip ? c ^ (1u << (q->bits - 1)) : c;
}

/* sum over the block of x[k] * code[k], portable. */
static float dotPortable(const QMatmul *q, const float *x, const uint8_t *row,
                         int64_t k0, int64_t k1) {
  float sum = 0;
  for (int64_t k = k0; k < k1; ++k)
    sum += x[k] * (float)codeAt(q, row, k);
  return sum;
}

#ifdef OPTC_X86
/* 32 4-bit codes (16 bytes) as 32 bytes, in order. */
__attribute__((target("avx2"))) static inline __m256i
nibbles32(const uint8_t *bytes, __m128i flip) {
  __m128i b = _mm_xor_si128(_mm_loadu_si128((const __m128i *)bytes), flip);
  __m128i lo = _mm_and_si128(b, _mm_set1_epi8(0x0F));
  __m128i hi = _mm_and_si128(_mm_srli_epi16(b, 4), _mm_set1_epi8(0x0F));
  return _mm256_set_m128i(_mm_unpackhi_epi8(lo, hi), _mm_unpacklo_epi8(lo, hi));
}

__attribute__((target("avx512f,avx512bw,avx2,fma"))) static float
dotAvx512(const QMatmul *q, const float *x, const uint8_t *row, int64_t k0,
          int64_t k1) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  int64_t k = k0;
  if (q->bits == 4) {
    __m128i flip = _mm_set1_epi8(q->flip ? (char)0x88 : 0);
    for (; k + 32 <= k1; k += 32) {
      __m256i c = nibbles32(row + k / 2, flip);
      __m512 w0 = _mm512_cvtepi32_ps(
          _mm512_cvtepu8_epi32(_mm256_castsi256_si128(c)));
      __m512 w1 = _mm512_cvtepi32_ps(
          _mm512_cvtepu8_epi32(_mm256_extracti128_si256(c, 1)));
      acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + k), w0, acc0);
      acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + k + 16), w1, acc1);
    }
  } else if (q->bits == 8) {
    __m128i flip = _mm_set1_epi8(q->flip ? (char)0x80 : 0);
    for (; k + 32 <= k1; k += 32) {
      __m128i b0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(row + k)),
                                 flip);
      __m128i b1 = _mm_xor_si128(
          _mm_loadu_si128((const __m128i *)(row + k + 16)), flip);
      acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + k),
                             _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b0)), acc0);
      acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + k + 16),
                             _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b1)), acc1);
    }
  }
  float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
  return sum + dotPortable(q, x, row, k, k1);
}

__attribute__((target("avx2,fma"))) static float
dotAvx2(const QMatmul *q, const float *x, const uint8_t *row, int64_t k0,
        int64_t k1) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(),
                   _mm256_setzero_ps(), _mm256_setzero_ps()};
  int64_t k = k0;
  if (q->bits == 4) {
    __m128i flip = _mm_set1_epi8(q->flip ? (char)0x88 : 0);
    for (; k + 32 <= k1; k += 32) {
      __m256i c = nibbles32(row + k / 2, flip);
      __m128i c0 = _mm256_castsi256_si128(c), c1 = _mm256_extracti128_si256(c, 1);
      __m128i parts[4] = {c0, _mm_srli_si128(c0, 8), c1, _mm_srli_si128(c1, 8)};
      for (int j = 0; j < 4; ++j)
        acc[j] = _mm256_fmadd_ps(
            _mm256_loadu_ps(x + k + 8 * j),
            _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(parts[j])), acc[j]);
    }
  } else if (q->bits == 8) {
    __m128i flip = _mm_set1_epi8(q->flip ? (char)0x80 : 0);
    for (; k + 8 <= k1; k += 8) {
      __m128i b = _mm_xor_si128(_mm_loadl_epi64((const __m128i *)(row + k)),
                                flip);
      acc[0] = _mm256_fmadd_ps(_mm256_loadu_ps(x + k),
                               _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b)),
                               acc[0]);
    }
  }
  __m256 s = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]),
                           _mm256_add_ps(acc[2], acc[3]));
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h) + dotPortable(q, x, row, k, k1);
}
#endif

static float blockSum(const float *x, int64_t k0, int64_t k1) {
  float s = 0;
  for (int64_t k = k0; k < k1; ++k)
    s += x[k];
  return s;
}

typedef float (*DotFn)(const QMatmul *, const float *, const uint8_t *,
                       int64_t, int64_t);

static DotFn chooseDot(void) {
#ifdef OPTC_X86
  if (optc_cpu_has_feature("avx512f") && optc_cpu_has_feature("avx512bw"))
    return dotAvx512;
  if (optc_cpu_has_feature("avx2") && optc_cpu_has_feature("fma"))
    return dotAvx2;
#endif
  return dotPortable;
}

typedef struct {
  const QMatmul *q;
  DotFn dot;
  int64_t grain; /* rows a task */
} Task;

/* Tasks [begin, end): rows [begin * grain, end * grain) of N. */
static void rows(int64_t begin, int64_t end, void *context) {
  const Task *t = context;
  const QMatmul *q = t->q;
  int64_t last = end * t->grain < q->n ? end * t->grain : q->n;
  for (int64_t n = begin * t->grain; n < last; ++n) {
    const uint8_t *row = q->w + n * q->rowBytes;
    for (int64_t m = 0; m < q->m; ++m) {
      const float *x = q->x + m * q->k;
      float total = 0;
      for (int64_t b = 0; b < q->blocks; ++b) {
        int64_t k0 = b * q->block;
        int64_t k1 = k0 + q->block < q->k ? k0 + q->block : q->k;
        float dot = t->dot(q, x, row, k0, k1);
        float xsum = q->xsums ? q->xsums[m * q->blocks + b] : blockSum(x, k0, k1);
        total += q->scales[n * q->blocks + b] * (dot - zeroOf(q, n, b) * xsum);
      }
      q->y[m * q->n + n] = total;
    }
  }
}

void optc_qmatmul_f32(const float *x, const uint8_t *w, const float *scales,
                      const uint8_t *zeros, float *y, int64_t m, int64_t n,
                      int64_t k, int64_t bits, int64_t isSigned,
                      int64_t block) {
  QMatmul q = {x, w, scales, zeros, y, m, n, k, bits, block,
               (k + block - 1) / block, k * bits / 8, isSigned != 0, NULL};
  /* The sums of x per block, shared by every row of the weights (computed
   * in each task instead when there is no memory for them). */
  float *xsums = malloc((size_t)(m * q.blocks) * sizeof(float));
  if (xsums)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t b = 0; b < q.blocks; ++b) {
        int64_t k0 = b * block, k1 = k0 + block < k ? k0 + block : k;
        xsums[i * q.blocks + b] = blockSum(x + i * k, k0, k1);
      }
  q.xsums = xsums;
  DotFn dot = chooseDot();
  /* About 32 KiB of weights a task: enough to amortise the hand-off. */
  int64_t grain = 32768 / (q.rowBytes > 0 ? q.rowBytes : 1) + 1;
  Task task = {&q, dot, grain};
  optc_parallel_for((n + grain - 1) / grain, rows, &task);
  free(xsums);
}
