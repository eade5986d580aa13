/*===- qmatmul.c - matrix products with packed quantized weights ---------===*
 *
 * The CPU micro-kernel of optc.quantized_matmul (runsOnMicroKernel in
 * passes/Conversion/OptcToLinalg/QuantizedMatmul.cpp says which products
 * it runs): y[m, n] = sum_k x[m, k] * (value(code[n, k]) - zero[n, k / B])
 * * scale[n, k / B] [* tensor scale], with the weights' codes packed in
 * rows of K codes of 1, 2, 4 or 8 bits (one little-endian bit stream per
 * row, rows starting on a byte), never expanded to a float matrix in
 * memory. A code's value is the integer it holds, or, for float codes
 * (FP4, FP8: MX and NVFP4 weights), its entry in a table of 2^bits values
 * the compiler computes with the numerics library. Scales are f32, f16,
 * bf16, or 8-bit codes (E8M0, E4M3) read through a table of 256 values;
 * the kernels decode one row's scales at a time.
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

#include <math.h>
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
  const void *scales;       /* [n, blocks] of scaleKind */
  int scaleKind;            /* enum optc_qmatmul_scale_kind */
  const float *scaleValues; /* OPTC_QSCALE_TABLE8: the 256 codes' values */
  float tensorScale;        /* 1 without one */
  const float *codeValues;  /* float codes: the 2^bits codes' values */
  int signSymmetric;        /* 8-bit float codes: value(c | 0x80) = -value(c) */
  const uint8_t *zeros;     /* one code per byte, or NULL */
  float *y;
  int64_t m, n, k, bits, block, blocks, rowBytes;
  int flip; /* signed codes: XOR with 2^(bits-1) */
  /* 4-bit float codes whose values are halves of integers within +-12
   * (FP4 E2M1): units[c] = 2 value(c) + 12, an unsigned byte the int8
   * kernel multiplies; set when that kernel runs them. */
  int halfUnits;
  uint8_t units[16];
  const float *xsums; /* [m, blocks] */
  const float *xs;    /* x reordered per chunk for a vector kernel, [m, k] */
  /* The int8 kernel's x: codes reordered per 64, scales, sums of codes. */
  const int8_t *xq;     /* [m, k] */
  const float *xscales; /* [m, blocks] */
  const float *xqsums;  /* [m, blocks] */
} QMatmul;

/* An IEEE half's value (subnormals, infinities and NaNs included). */
static float halfToFloat(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1Fu, fraction = h & 0x3FFu, bits;
  if (exponent == 0) {
    float v = (float)fraction * 0x1p-24f;
    return sign ? -v : v;
  }
  if (exponent == 0x1F)
    bits = sign | 0x7F800000u | (fraction << 13);
  else
    bits = sign | ((exponent + 112) << 23) | (fraction << 13);
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* The scale of block b of row n, times the tensor scale. */
static float scaleAt(const QMatmul *q, int64_t n, int64_t b) {
  int64_t i = n * q->blocks + b;
  float s;
  switch (q->scaleKind) {
  case OPTC_QSCALE_TABLE8:
    s = q->scaleValues[((const uint8_t *)q->scales)[i]];
    break;
  case OPTC_QSCALE_F16:
    s = halfToFloat(((const uint16_t *)q->scales)[i]);
    break;
  case OPTC_QSCALE_BF16: {
    uint32_t bits = (uint32_t)((const uint16_t *)q->scales)[i] << 16;
    memcpy(&s, &bits, sizeof s);
    break;
  }
  default:
    s = ((const float *)q->scales)[i];
  }
  return s * q->tensorScale;
}

/* The zero point of block b of row n, as an unsigned code (in units of
 * half a value, 12, for float codes on the int8 kernel). */
static float zeroOf(const QMatmul *q, int64_t n, int64_t b) {
  int64_t half = (int64_t)1 << (q->bits - 1);
  if (q->halfUnits)
    return 12.0f;
  if (!q->zeros)
    return q->flip ? (float)half : 0.0f;
  uint8_t z = q->zeros[n * q->blocks + b] & (uint8_t)((1u << q->bits) - 1);
  return (float)(q->flip ? (z ^ half) : z);
}

/* The value of code k of row `row` (packed bytes): a float code's, or an
 * integer code's as an unsigned code. */
static inline float codeAt(const QMatmul *q, const uint8_t *row, int64_t k) {
  int64_t bit = k * q->bits;
  unsigned word = row[bit >> 3];
  if ((bit & 7) + q->bits > 8) /* the code runs into the next byte */
    word |= (unsigned)row[(bit >> 3) + 1] << 8;
  unsigned c = (word >> (bit & 7)) & ((1u << q->bits) - 1);
  if (q->codeValues)
    return q->codeValues[c];
  return (float)(q->flip ? c ^ (1u << (q->bits - 1)) : c);
}

static float blockSum(const float *x, int64_t k0, int64_t k1) {
  float s = 0;
  for (int64_t k = k0; k < k1; ++k)
    s += x[k];
  return s;
}

/* y[m, n] for one row n of weights and one row m of x: sum over blocks of
 * scale * (sum x * code - zero * sum x), `scales` holding row n's (times
 * the tensor scale; the portable kernel decodes its own). */
typedef float (*RowFn)(const QMatmul *q, int64_t m, int64_t n,
                       const float *scales);

static float rowPortable(const QMatmul *q, int64_t m, int64_t n,
                         const float *scales) {
  (void)scales;
  const float *x = q->x + m * q->k;
  const float *xsum = q->xsums ? q->xsums + m * q->blocks : NULL;
  const uint8_t *row = q->w + n * q->rowBytes;
  float total = 0;
  for (int64_t b = 0; b < q->blocks; ++b) {
    int64_t k0 = b * q->block, k1 = k0 + q->block < q->k ? k0 + q->block : q->k;
    float dot = 0;
    for (int64_t k = k0; k < k1; ++k)
      dot += x[k] * codeAt(q, row, k);
    float zero = zeroOf(q, n, b);
    float sum = zero == 0 ? 0 : xsum ? xsum[b] : blockSum(x, k0, k1);
    total += scaleAt(q, n, b) * (dot - zero * sum);
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
/* The AVX-512 kernels' features (kAvx512 below). */
#define OPTC_AVX512 "avx512f,avx512bw,avx512vl,avx2,fma"

/* sum over the blocks b of row n of scale[n, b] * zero(n, b) * factor[b]:
 * the zero points' share of a row, 16 blocks a step. */
__attribute__((target(OPTC_AVX512))) static float
zeroShareAvx512(const QMatmul *q, int64_t n, const float *scales,
                const float *factor) {
  if (!q->zeros && !q->flip && !q->halfUnits)
    return 0;
  __m512 acc = _mm512_setzero_ps();
  int64_t b = 0;
  int half = 1 << (q->bits - 1);
  /* Without zero points: the sign flip's, or float codes' 12 units. */
  __m512i flip = _mm512_set1_epi32(q->halfUnits ? 12 : q->flip ? half : 0);
  __m512i mask = _mm512_set1_epi32((1 << q->bits) - 1);
  for (; b + 16 <= q->blocks; b += 16) {
    __m512 zero;
    if (q->zeros) {
      __m512i z = _mm512_cvtepu8_epi32(
          _mm_loadu_si128((const __m128i *)(q->zeros + n * q->blocks + b)));
      zero =
          _mm512_cvtepi32_ps(_mm512_xor_si512(_mm512_and_si512(z, mask), flip));
    } else {
      zero = _mm512_cvtepi32_ps(flip);
    }
    acc = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_loadu_ps(scales + b), zero),
                          _mm512_loadu_ps(factor + b), acc);
  }
  float share = _mm512_reduce_add_ps(acc);
  for (; b < q->blocks; ++b)
    share += scales[b] * zeroOf(q, n, b) * factor[b];
  return share;
}

/* Codes as values, 16 lanes of codes (i32) at a time: integer codes
 * converted, float codes looked up in the table. */
typedef struct {
  int bits;
  int table;    /* float codes */
  int permute8; /* 8-bit float codes: sign-symmetric table, permuted */
  const float *values;
  __m512 t[8]; /* the table (4-bit: t[0]; 6-bit: t[0..3]; 8-bit:
                  entries 0..127 in t[0..7]) */
} Values512;

__attribute__((target(OPTC_AVX512))) static void
values512Init(Values512 *v, const QMatmul *q) {
  v->bits = (int)q->bits;
  v->table = q->codeValues != NULL;
  v->values = q->codeValues;
  v->permute8 = v->table && q->bits == 8 && q->signSymmetric;
  int registers = !v->table      ? 0
                  : q->bits == 4 ? 1
                  : q->bits == 6 ? 4
                  : v->permute8  ? 8
                                 : 0;
  for (int i = 0; i < 8; ++i)
    v->t[i] = i < registers ? _mm512_loadu_ps(q->codeValues + 16 * i)
                            : _mm512_setzero_ps();
}

__attribute__((target(OPTC_AVX512))) static inline __m512
values512(const Values512 *v, __m512i codes) {
  if (!v->table)
    return _mm512_cvtepi32_ps(codes);
  if (v->bits == 4) /* the permutation reads each lane's low 4 bits */
    return _mm512_permutexvar_ps(codes, v->t[0]);
  if (v->bits == 6) { /* 64 values: bit 5 picks the half */
    __m512 low = _mm512_permutex2var_ps(v->t[0], codes, v->t[1]);
    __m512 high = _mm512_permutex2var_ps(v->t[2], codes, v->t[3]);
    return _mm512_mask_blend_ps(
        _mm512_test_epi32_mask(codes, _mm512_set1_epi32(32)), low, high);
  }
  if (!v->permute8)
    return _mm512_i32gather_ps(codes, v->values, 4);
  /* 8-bit floats whose top bit is the sign: the magnitude's 128 values by
   * permutation (bits 0-4, then 5 and 6 pick), then the sign. */
  __m512 a = _mm512_permutex2var_ps(v->t[0], codes, v->t[1]);
  __m512 b = _mm512_permutex2var_ps(v->t[2], codes, v->t[3]);
  __m512 c = _mm512_permutex2var_ps(v->t[4], codes, v->t[5]);
  __m512 d = _mm512_permutex2var_ps(v->t[6], codes, v->t[7]);
  __mmask16 bit5 = _mm512_test_epi32_mask(codes, _mm512_set1_epi32(32));
  __m512 low = _mm512_mask_blend_ps(bit5, a, b);
  __m512 high = _mm512_mask_blend_ps(bit5, c, d);
  __m512 magnitude = _mm512_mask_blend_ps(
      _mm512_test_epi32_mask(codes, _mm512_set1_epi32(64)), low, high);
  __m512i sign =
      _mm512_slli_epi32(_mm512_and_si512(codes, _mm512_set1_epi32(0x80)), 24);
  return _mm512_castsi512_ps(
      _mm512_xor_si512(_mm512_castps_si512(magnitude), sign));
}

/* 16 codes of 6 bits (12 bytes at `bytes`) in 16 lanes: each 128-bit
 * lane L takes bytes 3L..3L+2 (four codes) into each of its four i32s,
 * shifted by 0, 6, 12, 18. */
__attribute__((target(OPTC_AVX512))) static inline __m512i
unpack6(const uint8_t *bytes, __m512i spread, __m512i shifts) {
  __m128i raw = _mm_maskz_loadu_epi8(0x0FFF, bytes);
  __m512i wide = _mm512_shuffle_epi8(_mm512_broadcast_i32x4(raw), spread);
  return _mm512_and_si512(_mm512_srlv_epi32(wide, shifts),
                          _mm512_set1_epi32(0x3F));
}

__attribute__((target(OPTC_AVX512))) static float
rowAvx512(const QMatmul *q, int64_t m, int64_t n, const float *scales) {
  const float *x = q->x + m * q->k, *xs = q->xs + m * q->k;
  const float *xsum = q->xsums + m * q->blocks;
  const uint8_t *row = q->w + n * q->rowBytes;
  Values512 v;
  values512Init(&v, q);
  __m512 acc = _mm512_setzero_ps(), acc2 = _mm512_setzero_ps();
  __m128i flip4 = _mm_set1_epi8(q->flip ? (char)0x88 : 0);
  __m128i flip8 = _mm_set1_epi8(q->flip ? (char)0x80 : 0);
  __m512i flip6 = _mm512_set1_epi32(q->flip ? 0x20 : 0);
  __m512i low = _mm512_set1_epi32(0x0F);
  /* The even codes (low nibbles) of the 32 codes at k, and the odd ones:
   * lanes 0-7 of both are codes 0-15, lanes 8-15 codes 16-31. */
#define OPTC_NIBBLES(k, even, odd)                                             \
  __m512i wide = _mm512_cvtepu8_epi32(_mm_xor_si128(                           \
      _mm_loadu_si128((const __m128i *)(row + (k) / 2)), flip4));              \
  __m512 even = values512(&v, v.table ? wide : _mm512_and_si512(wide, low));   \
  __m512 odd = values512(&v, _mm512_srli_epi32(wide, 4))
  if (q->bits == 4 && q->block == 16) {
    /* Two blocks a step of 32 codes (NVFP4): lanes 0-7 scaled by the
     * first block's scale, 8-15 by the second's; two accumulators. */
    /* Each scale fills 8 lanes: scales s, s+1 broadcast to halves. */
    __m512i halves =
        _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
#define OPTC_NVFP4_STEP(k, acc)                                                \
  do {                                                                         \
    OPTC_NIBBLES(k, even, odd);                                                \
    __m512 t =                                                                 \
        _mm512_fmadd_ps(_mm512_loadu_ps(xs + (k)), even,                       \
                        _mm512_mul_ps(_mm512_loadu_ps(xs + (k) + 16), odd));   \
    __m512 scale = _mm512_permutexvar_ps(                                      \
        halves, _mm512_castps128_ps512(_mm_castpd_ps(                          \
                    _mm_load_sd((const double *)(scales + (k) / 16)))));       \
    acc = _mm512_fmadd_ps(t, scale, acc);                                      \
  } while (0)
    int64_t k = 0;
    for (; k + 64 <= q->k; k += 64) {
      OPTC_NVFP4_STEP(k, acc);
      OPTC_NVFP4_STEP(k + 32, acc2);
    }
    if (k < q->k)
      OPTC_NVFP4_STEP(k, acc);
#undef OPTC_NVFP4_STEP
    return _mm512_reduce_add_ps(_mm512_add_ps(acc, acc2)) -
           zeroShareAvx512(q, n, scales, xsum);
  }
  __m512i spread = _mm512_setzero_si512(), shifts = _mm512_setzero_si512();
  if (q->bits == 6) {
    uint8_t pattern[64];
    for (int lane = 0; lane < 4; ++lane)
      for (int e = 0; e < 4; ++e)
        for (int i = 0; i < 4; ++i)
          pattern[16 * lane + 4 * e + i] =
              i < 3 ? (uint8_t)(3 * lane + i) : (uint8_t)0x80;
    spread = _mm512_loadu_si512((const void *)pattern);
    shifts = _mm512_set_epi32(18, 12, 6, 0, 18, 12, 6, 0, 18, 12, 6, 0, 18, 12,
                              6, 0);
  }
  for (int64_t b = 0; b < q->blocks; ++b) {
    int64_t k0 = b * q->block;
    __m512 t0 = _mm512_setzero_ps(), t1 = _mm512_setzero_ps();
    if (q->bits == 4) {
      for (int64_t k = k0; k < k0 + q->block; k += 32) {
        OPTC_NIBBLES(k, even, odd);
        t0 = _mm512_fmadd_ps(_mm512_loadu_ps(xs + k), even, t0);
        t1 = _mm512_fmadd_ps(_mm512_loadu_ps(xs + k + 16), odd, t1);
      }
    } else if (q->bits == 6) {
      for (int64_t k = k0; k < k0 + q->block; k += 32) {
        const uint8_t *at = row + k * 6 / 8;
        __m512i c0 = _mm512_xor_si512(unpack6(at, spread, shifts), flip6);
        __m512i c1 = _mm512_xor_si512(unpack6(at + 12, spread, shifts), flip6);
        t0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + k), values512(&v, c0), t0);
        t1 =
            _mm512_fmadd_ps(_mm512_loadu_ps(x + k + 16), values512(&v, c1), t1);
      }
    } else {
      for (int64_t k = k0; k < k0 + q->block; k += 32) {
        __m128i b0 =
            _mm_xor_si128(_mm_loadu_si128((const __m128i *)(row + k)), flip8);
        __m128i b1 = _mm_xor_si128(
            _mm_loadu_si128((const __m128i *)(row + k + 16)), flip8);
        t0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + k),
                             values512(&v, _mm512_cvtepu8_epi32(b0)), t0);
        t1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + k + 16),
                             values512(&v, _mm512_cvtepu8_epi32(b1)), t1);
      }
    }
    /* (Four accumulators, block b into the b % 4th, measured no faster:
     * the chain of these FMAs does not bound a row.) */
    acc =
        _mm512_fmadd_ps(_mm512_add_ps(t0, t1), _mm512_set1_ps(scales[b]), acc);
  }
#undef OPTC_NIBBLES
  return _mm512_reduce_add_ps(acc) - zeroShareAvx512(q, n, scales, xsum);
}

/* Float codes of 4 bits: the values of the codes in the low 4 bits of
 * each lane of `codes`, from the table's halves `low8` and `high8`. */
__attribute__((target("avx2,fma"))) static inline __m256
lookup16(__m256i codes, __m256 low8, __m256 high8) {
  __m256 a = _mm256_permutevar8x32_ps(low8, codes);
  __m256 b = _mm256_permutevar8x32_ps(high8, codes);
  /* bit 3 of each code, moved to the sign bit, picks the half */
  return _mm256_blendv_ps(a, b,
                          _mm256_castsi256_ps(_mm256_slli_epi32(codes, 28)));
}

__attribute__((target("avx2,fma"))) static float
rowAvx2(const QMatmul *q, int64_t m, int64_t n, const float *scales) {
  const float *x = q->x + m * q->k, *xs = q->xs + m * q->k;
  const float *xsum = q->xsums + m * q->blocks;
  const uint8_t *row = q->w + n * q->rowBytes;
  const float *table = q->codeValues;
  __m256 low8 = _mm256_setzero_ps(), high8 = _mm256_setzero_ps();
  if (table && q->bits == 4) {
    low8 = _mm256_loadu_ps(table);
    high8 = _mm256_loadu_ps(table + 8);
  }
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
        __m256 even, odd;
        if (table) {
          even = lookup16(wide, low8, high8);
          odd = lookup16(_mm256_srli_epi32(wide, 4), low8, high8);
        } else {
          even = _mm256_cvtepi32_ps(_mm256_and_si256(wide, low));
          odd = _mm256_cvtepi32_ps(_mm256_srli_epi32(wide, 4));
        }
        t0 = _mm256_fmadd_ps(_mm256_loadu_ps(xs + k), even, t0);
        t1 = _mm256_fmadd_ps(_mm256_loadu_ps(xs + k + 8), odd, t1);
      }
    } else {
      for (int64_t k = k0; k < k0 + q->block; k += 16) {
        __m128i b0 =
            _mm_xor_si128(_mm_loadl_epi64((const __m128i *)(row + k)), flip8);
        __m128i b1 = _mm_xor_si128(
            _mm_loadl_epi64((const __m128i *)(row + k + 8)), flip8);
        __m256i i0 = _mm256_cvtepu8_epi32(b0), i1 = _mm256_cvtepu8_epi32(b1);
        __m256 w0 =
            table ? _mm256_i32gather_ps(table, i0, 4) : _mm256_cvtepi32_ps(i0);
        __m256 w1 =
            table ? _mm256_i32gather_ps(table, i1, 4) : _mm256_cvtepi32_ps(i1);
        t0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + k), w0, t0);
        t1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + k + 8), w1, t1);
      }
    }
    acc =
        _mm256_fmadd_ps(_mm256_add_ps(t0, t1), _mm256_set1_ps(scales[b]), acc);
    if (q->zeros || q->flip)
      correction += scales[b] * zeroOf(q, n, b) * xsum[b];
  }
  __m128 h =
      _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h) - correction;
}
#endif

/* The int8 kernel, where the model allows it (onnxruntime's accuracy level
 * 4): x quantized per block to int8 (symmetric, scale max|x| / 127, ties
 * to even), products summed in i32 by VNNI's u8 x s8 dot products, 64
 * codes (32 bytes) a step: the low nibbles (even codes) fill the lower half
 * of a register, the high ones (odd codes) the upper half, and x's codes
 * are reordered per 64 to match. Lanes 4j..4j+3 of the i32 sums then hold
 * one block each (two blocks a step of 32-code blocks, one otherwise); each
 * lane is scaled by its block's weight scale times x's. */
static void quantizeInt8(const float *x, int64_t k, int64_t block,
                         int8_t *codes, float *scales, float *sums) {
  int8_t *plain = codes; /* quantized in order, then reordered below */
  int64_t blocks = (k + block - 1) / block;
  for (int64_t b = 0; b < blocks; ++b) {
    int64_t k0 = b * block, k1 = k0 + block < k ? k0 + block : k;
    float largest = 0;
    for (int64_t i = k0; i < k1; ++i)
      largest = fabsf(x[i]) > largest ? fabsf(x[i]) : largest;
    float scale = largest / 127.0f;
    float inverse = scale > 0 ? 1.0f / scale : 0.0f;
    int sum = 0;
    for (int64_t i = k0; i < k1; ++i) {
      int v = (int)nearbyintf(x[i] * inverse);
      v = v > 127 ? 127 : v < -127 ? -127 : v;
      plain[i] = (int8_t)v;
      sum += v;
    }
    scales[b] = scale;
    sums[b] = (float)sum;
  }
  int8_t chunk[64];
  for (int64_t base = 0; base + 64 <= k; base += 64) {
    for (int i = 0; i < 32; ++i) {
      chunk[i] = plain[base + 2 * i];
      chunk[32 + i] = plain[base + 2 * i + 1];
    }
    memcpy(codes + base, chunk, 64);
  }
}

#ifdef OPTC_X86
__attribute__((target(OPTC_AVX512 ",avx512vnni"))) static float
rowVnni(const QMatmul *q, int64_t m, int64_t n, const float *wScales) {
  const uint8_t *row = q->w + n * q->rowBytes;
  const int8_t *xq = q->xq + m * q->k;
  const float *xScales = q->xscales + m * q->blocks;
  __m256i flip = _mm256_set1_epi8(q->flip ? (char)0x88 : 0);
  __m256i low = _mm256_set1_epi8(0x0F);
  /* Float codes: each nibble looked up as 2 value + 12 (in every lane). */
  __m512i units = _mm512_broadcast_i32x4(
      _mm_loadu_si128((const __m128i *)(const void *)q->units));
  __m512 acc = _mm512_setzero_ps();
  /* Lanes 0-3 and 8-11 hold the step's first 32 codes, 4-7 and 12-15
   * its next 32. */
  __m512i halves =
      _mm512_set_epi32(1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0);
  /* The i32 sums of the 64 codes at k, weighed by `scale` into acc. */
#define OPTC_VNNI_STEP(k, scale, acc)                                          \
  do {                                                                         \
    __m256i bytes = _mm256_xor_si256(                                          \
        _mm256_loadu_si256((const __m256i *)(row + (k) / 2)), flip);           \
    __m256i even = _mm256_and_si256(bytes, low);                               \
    __m256i odd = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low);          \
    __m512i codes = _mm512_inserti64x4(_mm512_castsi256_si512(even), odd, 1);  \
    if (q->halfUnits)                                                          \
      codes = _mm512_shuffle_epi8(units, codes);                               \
    __m512i sums =                                                             \
        _mm512_dpbusd_epi32(_mm512_setzero_si512(), codes,                     \
                            _mm512_loadu_si512((const void *)(xq + (k))));     \
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums), scale, acc);               \
  } while (0)
  __m512 acc2 = _mm512_setzero_ps();
  if (q->block == 32) {
    /* Two blocks a step: their scales side by side. */
    for (int64_t k = 0, b = 0; k < q->k; k += 128, b += 4) {
      /* Two rows ahead: the hardware prefetcher alone leaves a thread
       * short of the memory's bandwidth (0.98 -> 0.78 ms a 4096 x 4096
       * GEMV on one thread, weights in DRAM). */
      _mm_prefetch((const char *)(row + k / 2 + 4096), _MM_HINT_T0);
      if (k + 128 > q->k) { /* the last step alone: two blocks left */
        __m128 two = _mm_mul_ps(
            _mm_castpd_ps(_mm_load_sd((const double *)(wScales + b))),
            _mm_castpd_ps(_mm_load_sd((const double *)(xScales + b))));
        __m512 scale =
            _mm512_permutexvar_ps(halves, _mm512_castps128_ps512(two));
        OPTC_VNNI_STEP(k, scale, acc);
        break;
      }
      __m128 four =
          _mm_mul_ps(_mm_loadu_ps(wScales + b), _mm_loadu_ps(xScales + b));
      __m512 first =
          _mm512_permutexvar_ps(halves, _mm512_castps128_ps512(four));
      __m512 second = _mm512_permutexvar_ps(
          halves, _mm512_castps128_ps512(_mm_movehl_ps(four, four)));
      OPTC_VNNI_STEP(k, first, acc);
      OPTC_VNNI_STEP(k + 64, second, acc2);
    }
  } else {
    /* Blocks of 64 codes or more: one scale a block. */
    for (int64_t b = 0; b < q->blocks; ++b) {
      __m512 scale = _mm512_set1_ps(wScales[b] * xScales[b]);
      int64_t k0 = b * q->block, k = k0;
      for (; k + 128 <= k0 + q->block; k += 128) {
        OPTC_VNNI_STEP(k, scale, acc);
        OPTC_VNNI_STEP(k + 64, scale, acc2);
      }
      if (k < k0 + q->block)
        OPTC_VNNI_STEP(k, scale, acc);
    }
  }
#undef OPTC_VNNI_STEP
  acc = _mm512_add_ps(acc, acc2);
  /* The zero points' share: scale * zero * (x's scale * sum of x's codes),
   * the last factor per block of x (computed once per call). Float codes
   * were counted in half units. */
  float sum = _mm512_reduce_add_ps(acc) -
              zeroShareAvx512(q, n, wScales, q->xqsums + m * q->blocks);
  return q->halfUnits ? 0.5f * sum : sum;
}
#endif

/* The kernel for `q` and what it needs prepared: x reordered per chunk of
 * `*chunk` codes (0: not), x quantized to int8 (`*int8`). The widest the
 * CPU runs, capped by $OPTC_MICRO_KERNEL_ISA ("avx2" or "portable"; tests
 * use it to run every variant on one machine). The int8 kernel is taken
 * only when `int8Activations` allows it. */
static RowFn chooseRow(const QMatmul *q, int int8Activations, int64_t *chunk,
                       int *int8) {
  *chunk = 0;
  *int8 = 0;
#ifdef OPTC_X86
  int isa = optc_micro_kernel_isa();
  int avx512 = (isa & OPTC_ISA_AVX512) != 0;
  int wide = q->bits == 4 || q->bits == 8;
  /* Blocks of whole 32-code steps; or NVFP4's blocks of 16, two a step. */
  int steps = (q->block % 32 == 0 && q->k % q->block == 0) ||
              (q->bits == 4 && q->block == 16 && q->k % 32 == 0);
  /* Integer codes, or float codes the kernel reads in half units. */
  int units = !q->codeValues || q->halfUnits;
  if (avx512 && int8Activations && q->bits == 4 && units &&
      (q->block == 32 || q->block % 64 == 0) && q->k % 64 == 0 &&
      (isa & OPTC_ISA_AVX512_VNNI)) {
    *int8 = 1;
    return rowVnni;
  }
  if (avx512 && (wide || q->bits == 6) && steps) {
    *chunk = 32;
    return rowAvx512;
  }
  if ((isa & OPTC_ISA_AVX2) && wide && q->block % 16 == 0 &&
      q->k % q->block == 0) {
    *chunk = 16;
    return rowAvx2;
  }
#endif
  (void)q;
  (void)int8Activations;
  return rowPortable;
}

typedef struct {
  const QMatmul *q;
  RowFn row;
  int64_t grain; /* rows a task */
} Task;

/* Row n's scales as f32, times the tensor scale. */
static void decodeScales(const QMatmul *q, int64_t n, float *out) {
  int64_t first = n * q->blocks;
  float t = q->tensorScale;
  if (q->scaleKind == OPTC_QSCALE_TABLE8) {
    const uint8_t *codes = (const uint8_t *)q->scales + first;
    for (int64_t b = 0; b < q->blocks; ++b)
      out[b] = q->scaleValues[codes[b]] * t;
  } else if (q->scaleKind == OPTC_QSCALE_F32) {
    const float *values = (const float *)q->scales + first;
    for (int64_t b = 0; b < q->blocks; ++b)
      out[b] = values[b] * t;
  } else {
    for (int64_t b = 0; b < q->blocks; ++b)
      out[b] = scaleAt(q, n, b);
  }
}

/* Tasks [begin, end): rows [begin * grain, end * grain) of N, each row's
 * scales decoded to f32 first unless they already are (without memory
 * for them, the portable kernel runs, which decodes its own). */
static void rows(int64_t begin, int64_t end, void *context) {
  const Task *t = context;
  const QMatmul *q = t->q;
  int64_t last = end * t->grain < q->n ? end * t->grain : q->n;
  int plain = q->scaleKind == OPTC_QSCALE_F32 && q->tensorScale == 1.0f;
  float *decoded = plain ? NULL : malloc((size_t)q->blocks * sizeof(float));
  RowFn row = plain || decoded ? t->row : rowPortable;
  for (int64_t n = begin * t->grain; n < last; ++n) {
    const float *scales = (const float *)q->scales + n * q->blocks;
    if (decoded) {
      decodeScales(q, n, decoded);
      scales = decoded;
    }
    for (int64_t m = 0; m < q->m; ++m)
      q->y[m * q->n + n] = row(q, m, n, scales);
  }
  free(decoded);
}

void optc_qmatmul_f32(const float *x, const uint8_t *w, const void *scales,
                      const uint8_t *zeros, float *y, int64_t m, int64_t n,
                      int64_t k, int64_t bits, int64_t isSigned, int64_t block,
                      int64_t int8Activations, const float *codeValues,
                      int64_t scaleKind, const float *scaleValues,
                      const float *tensorScale) {
  QMatmul q = {0};
  q.x = x;
  q.w = w;
  q.scales = scales;
  q.scaleKind = (int)scaleKind;
  q.scaleValues = scaleValues;
  q.tensorScale = tensorScale ? *tensorScale : 1.0f;
  q.codeValues = codeValues;
  /* Float codes have no zero points and no sign trick. */
  q.zeros = codeValues ? NULL : zeros;
  q.y = y;
  q.m = m;
  q.n = n;
  q.k = k;
  q.bits = bits;
  q.block = block;
  q.blocks = (k + block - 1) / block;
  q.rowBytes = k * bits / 8;
  q.flip = isSigned != 0 && !codeValues;
  q.signSymmetric = codeValues && bits == 8;
  for (int c = 0; q.signSymmetric && c < 128; ++c) {
    uint32_t a, b;
    memcpy(&a, codeValues + c, sizeof a);
    memcpy(&b, codeValues + c + 128, sizeof b);
    q.signSymmetric = (a ^ b) == 0x80000000u;
  }
  /* 4-bit float codes of half-integer values within +-12 (FP4) may run on
   * the int8 kernel as 2 value + 12. */
  q.halfUnits = bits == 4 && codeValues;
  for (int c = 0; q.halfUnits && c < 16; ++c) {
    float u = 2 * codeValues[c] + 12;
    q.halfUnits = u >= 0 && u <= 24 && u == (float)(int)u;
    q.units[c] = q.halfUnits ? (uint8_t)u : 0;
  }
  int64_t chunk;
  int int8;
  RowFn row = chooseRow(&q, int8Activations != 0, &chunk, &int8);
  q.halfUnits = q.halfUnits && int8; /* only the int8 kernel reads units */
  /* What the kernel reads besides x, computed once for every row of the
   * weights: the sums of x per block; x reordered per chunk; or x
   * quantized (codes, scales, and each block's scale times the sum of its
   * codes). Without memory for them the portable kernel runs instead. */
  size_t perBlock = (size_t)(m * q.blocks) * sizeof(float);
  float *xsums = malloc(perBlock);
  float *xs = chunk ? malloc((size_t)(m * k) * sizeof(float)) : NULL;
  int8_t *xq = int8 ? malloc((size_t)(m * k)) : NULL;
  float *xscales = int8 ? malloc(perBlock) : NULL;
  float *xqsums = int8 ? malloc(perBlock) : NULL;
  if (!xsums || (chunk && !xs) || (int8 && (!xq || !xscales || !xqsums))) {
    free(xsums);
    xsums = NULL;
    row = rowPortable;
    q.halfUnits = 0;
  } else {
    for (int64_t i = 0; i < m; ++i) {
      const float *xi = x + i * k;
      for (int64_t b = 0; b < q.blocks; ++b) {
        int64_t k0 = b * block, k1 = k0 + block < k ? k0 + block : k;
        xsums[i * q.blocks + b] = blockSum(xi, k0, k1);
      }
      if (xs)
        reorderChunks(xi, xs + i * k, k, chunk);
      if (int8) {
        float *sums = xqsums + i * q.blocks, *sc = xscales + i * q.blocks;
        quantizeInt8(xi, k, block, xq + i * k, sc, sums);
        for (int64_t b = 0; b < q.blocks; ++b)
          sums[b] *= sc[b];
      }
    }
  }
  q.xsums = xsums;
  q.xs = xs;
  q.xq = xq;
  q.xscales = xscales;
  q.xqsums = xqsums;
  /* About 32 KiB of weights a task: enough to amortise the hand-off. */
  int64_t grain = 32768 / (q.rowBytes > 0 ? q.rowBytes : 1) + 1;
  Task task = {&q, row, grain};
  optc_parallel_for((n + grain - 1) / grain, rows, &task);
  free(xsums);
  free(xs);
  free(xq);
  free(xscales);
  free(xqsums);
}
