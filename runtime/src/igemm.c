/*===- igemm.c - 8-bit integer matrix products ---------------------------===*
 *
 * c[m, n] = sum_k (A[m, k] - za[m]) * (B[k, n] - zb[n]) in i32: ONNX's
 * MatMulInteger, and the integer core of QLinearMatMul and of products
 * of dequantized 8-bit tensors. A is [M, K] and B [K, N], or [N, K] when
 * transposed, row-major, each of unsigned or signed bytes; za is one zero
 * point or one per row of A, zb one or one per column of the product,
 * each a byte of its operand's signedness.
 *
 * The AVX-512 VNNI kernel multiplies unsigned by signed bytes, four pairs
 * summed into each i32 lane (vpdpbusd). Operands of the other signedness
 * are flipped (a' = A + 128 for signed A, b' = B - 128 for unsigned B),
 * and the flips and zero points are taken out afterwards with the sums of
 * A's rows and B's rows:
 *
 *   sum A B = sum a'b' + beta sum a' - alpha sum b' - K alpha beta
 *   c = sum A B - zb sum_k A - za sum_k B + K za zb
 *
 * (alpha = 128 for signed A, beta = 128 for unsigned B, else 0). B is
 * packed per call into panels of 16 rows, four consecutive k of a row in
 * each i32 (the layout vpdpbusd reads), K padded to a multiple of 4 with
 * zeros. Tiles of 8 rows of A by 32 columns of the product; panels of B
 * are shared among the runtime's threads. Without VNNI a portable kernel
 * runs. Sums wrap at 32 bits like onnxruntime's (computed in 64 bits and
 * truncated, never a signed overflow).
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
  const uint8_t *a, *b;
  int32_t *c;
  int64_t m, n, k;
  int aSigned, bSigned;
  int bTransposed;        /* B is [N, K] */
  const uint8_t *za, *zb; /* NULL: 0 */
  int zaPerRow, zbPerRow;
} IGemm;

static int32_t valueOf(uint8_t byte, int isSigned) {
  return isSigned ? (int32_t)(int8_t)byte : (int32_t)byte;
}

static int32_t zaOf(const IGemm *g, int64_t m) {
  return g->za ? valueOf(g->za[g->zaPerRow ? m : 0], g->aSigned) : 0;
}

static int32_t zbOf(const IGemm *g, int64_t n) {
  return g->zb ? valueOf(g->zb[g->zbPerRow ? n : 0], g->bSigned) : 0;
}

/* B[k, n] (of the product's [K, N]). */
static uint8_t bAt(const IGemm *g, int64_t k, int64_t n) {
  return g->bTransposed ? g->b[n * g->k + k] : g->b[k * g->n + n];
}

/* Columns [n0, n1) of the product, plainly. */
static void portableRows(const IGemm *g, int64_t n0, int64_t n1) {
  for (int64_t n = n0; n < n1; ++n) {
    int32_t zb = zbOf(g, n);
    for (int64_t m = 0; m < g->m; ++m) {
      const uint8_t *a = g->a + m * g->k;
      int64_t za = zaOf(g, m), sum = 0;
      for (int64_t k = 0; k < g->k; ++k)
        sum += (valueOf(a[k], g->aSigned) - za) *
               (valueOf(bAt(g, k, n), g->bSigned) - zb);
      g->c[m * g->n + n] = (int32_t)(uint32_t)sum;
    }
  }
}

#ifdef OPTC_X86
#define OPTC_VNNI "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma"

typedef struct {
  const IGemm *g;
  const int8_t *panels; /* [N / 16][K4][16][4] */
  const int32_t *bSums; /* sum_k b' of each column, [N padded to 16] */
  const uint8_t *as;    /* a' rows, K padded: [M][K4 * 4] */
  const int32_t *aSums; /* sum_k a' of each row of A */
  int64_t k4;           /* K / 4, rounded up */
} Vnni;

/* Writes c for rows [m0, m0 + rows) of A and the 16 * panels rows of B
 * from panel p on (1 or 2 panels), from the i32 sums of a'b'. */
static void finish(const Vnni *v, int64_t m0, int64_t rows, int64_t p,
                   int64_t panels, const int32_t *sums /* [rows][32] */) {
  const IGemm *g = v->g;
  int64_t alpha = g->aSigned ? 128 : 0, beta = g->bSigned ? 0 : 128;
  int64_t k = g->k;
  for (int64_t i = 0; i < rows; ++i) {
    int64_t m = m0 + i;
    int64_t za = zaOf(g, m);
    int64_t aSum = v->aSums[m];      /* sum a' */
    int64_t rowA = aSum - k * alpha; /* sum_k A */
    for (int64_t j = 0; j < 16 * panels; ++j) {
      int64_t n = 16 * p + j;
      if (n >= g->n)
        break;
      int64_t zb = zbOf(g, n);
      int64_t bSum = v->bSums[n];
      int64_t rowB = bSum + k * beta; /* sum_k B */
      int64_t ab =
          sums[i * 32 + j] + beta * aSum - alpha * bSum - k * alpha * beta;
      g->c[m * g->n + n] =
          (int32_t)(uint32_t)(ab - zb * rowA - za * rowB + k * za * zb);
    }
  }
}

/* Panels [begin, end) of B (two at a time where there are two): every row
 * of A against them, kRows rows a step. */
__attribute__((target(OPTC_VNNI))) static void
vnniPanels(int64_t begin, int64_t end, void *context) {
  const Vnni *v = context;
  const IGemm *g = v->g;
  int64_t kp = v->k4 * 4;
  /* Tiles of kRows rows of A by two panels: 2 * kRows accumulators, two
   * panel loads and kRows broadcasts a step of 4 k. */
  enum { kRows = 8 };
  int32_t sums[kRows * 32];
  for (int64_t p = begin; p < end; p += 2) {
    int64_t panels = p + 1 < end ? 2 : 1;
    const int8_t *b0 = v->panels + p * v->k4 * 64;
    const int8_t *b1 = panels == 2 ? b0 + v->k4 * 64 : b0;
    for (int64_t m0 = 0; m0 < g->m; m0 += kRows) {
      int64_t rows = g->m - m0 < kRows ? g->m - m0 : kRows;
      __m512i acc[kRows][2];
      for (int i = 0; i < kRows; ++i)
        acc[i][0] = acc[i][1] = _mm512_setzero_si512();
      const uint8_t *a[kRows];
      for (int i = 0; i < kRows; ++i) /* missing rows repeat the last */
        a[i] = v->as + (m0 + (i < rows ? i : rows - 1)) * kp;
      for (int64_t q = 0; q < v->k4; ++q) {
        __m512i w0 = _mm512_loadu_si512((const void *)(b0 + q * 64));
        __m512i w1 = _mm512_loadu_si512((const void *)(b1 + q * 64));
        for (int i = 0; i < kRows; ++i) {
          int32_t word;
          memcpy(&word, a[i] + 4 * q, sizeof word);
          __m512i x = _mm512_set1_epi32(word);
          acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], x, w0);
          acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], x, w1);
        }
      }
      for (int i = 0; i < kRows; ++i) {
        _mm512_storeu_si512((void *)(sums + i * 32), acc[i][0]);
        _mm512_storeu_si512((void *)(sums + i * 32 + 16), acc[i][1]);
      }
      finish(v, m0, rows, p, panels, sums);
    }
  }
}

/* B [K, N] into the panels, 16 columns and 4 rows a step: the 4 rows'
 * bytes interleaved (each column's 4 bytes one i32), and each column's sum
 * of b' by a dot product with ones. */
__attribute__((target(OPTC_VNNI))) static void
packRows(const IGemm *g, int8_t *panels, int32_t *bSums, int64_t k4) {
  __m128i flip = _mm_set1_epi8(g->bSigned ? 0 : (char)0x80);
  __m512i ones = _mm512_set1_epi8(1);
  for (int64_t n0 = 0; n0 < g->n; n0 += 16) {
    int64_t width = g->n - n0 < 16 ? g->n - n0 : 16;
    __mmask16 lanes = (__mmask16)((1u << width) - 1);
    int8_t *panel = panels + (n0 / 16) * k4 * 64;
    __m512i sums = _mm512_setzero_si512();
    for (int64_t q = 0; q < k4; ++q) {
      __m128i r[4];
      for (int i = 0; i < 4; ++i) {
        int64_t k = 4 * q + i;
        r[i] = k < g->k
                   ? _mm_maskz_mov_epi8(
                         lanes, _mm_xor_si128(_mm_maskz_loadu_epi8(
                                                  lanes, g->b + k * g->n + n0),
                                              flip))
                   : _mm_setzero_si128();
      }
      __m128i low01 = _mm_unpacklo_epi8(r[0], r[1]);
      __m128i high01 = _mm_unpackhi_epi8(r[0], r[1]);
      __m128i low23 = _mm_unpacklo_epi8(r[2], r[3]);
      __m128i high23 = _mm_unpackhi_epi8(r[2], r[3]);
      __m512i words = _mm512_castsi128_si512(_mm_unpacklo_epi16(low01, low23));
      words = _mm512_inserti32x4(words, _mm_unpackhi_epi16(low01, low23), 1);
      words = _mm512_inserti32x4(words, _mm_unpacklo_epi16(high01, high23), 2);
      words = _mm512_inserti32x4(words, _mm_unpackhi_epi16(high01, high23), 3);
      _mm512_storeu_si512((void *)(panel + q * 64), words);
      sums = _mm512_dpbusd_epi32(sums, ones, words);
    }
    _mm512_storeu_si512((void *)(bSums + n0), sums);
  }
}

/* The VNNI kernel; 0 when its buffers cannot be had (the caller then runs
 * the portable one). */
static int vnni(const IGemm *g) {
  int64_t k4 = (g->k + 3) / 4, kp = k4 * 4;
  int64_t panelCount = (g->n + 15) / 16;
  int8_t *panels = calloc((size_t)(panelCount * k4 * 64), 1);
  int32_t *bSums = calloc((size_t)(panelCount * 16), sizeof(int32_t));
  uint8_t *as = calloc((size_t)(g->m * kp), 1);
  int32_t *aSums = calloc((size_t)g->m, sizeof(int32_t));
  if (!panels || !bSums || !as || !aSums) {
    free(panels);
    free(bSums);
    free(as);
    free(aSums);
    return 0;
  }
  uint8_t bFlip = g->bSigned ? 0 : 0x80, aFlip = g->aSigned ? 0x80 : 0;
  if (g->bTransposed) {
    for (int64_t n = 0; n < g->n; ++n) {
      const uint8_t *row = g->b + n * g->k;
      int8_t *panel = panels + (n / 16) * k4 * 64 + (n % 16) * 4;
      for (int64_t k = 0; k < g->k; ++k) {
        int8_t b = (int8_t)(row[k] ^ bFlip);
        panel[(k / 4) * 64 + k % 4] = b;
        bSums[n] += b;
      }
    }
  } else {
    packRows(g, panels, bSums, k4);
  }
  for (int64_t m = 0; m < g->m; ++m) {
    const uint8_t *row = g->a + m * g->k;
    int32_t sum = 0;
    for (int64_t k = 0; k < g->k; ++k) {
      uint8_t a = row[k] ^ aFlip;
      as[m * kp + k] = a;
      sum += a;
    }
    aSums[m] = sum;
  }
  Vnni v = {g, panels, bSums, as, aSums, k4};
  optc_parallel_for(panelCount, vnniPanels, &v);
  free(panels);
  free(bSums);
  free(as);
  free(aSums);
  return 1;
}
#endif

static void portableTask(int64_t begin, int64_t end, void *context) {
  portableRows(context, begin, end);
}

void optc_igemm_i32(const uint8_t *a, const uint8_t *b, int32_t *c, int64_t m,
                    int64_t n, int64_t k, int64_t a_signed, int64_t b_signed,
                    int64_t b_transposed, const uint8_t *a_zero,
                    int64_t a_zero_per_row, const uint8_t *b_zero,
                    int64_t b_zero_per_row) {
  IGemm g = {0};
  g.a = a;
  g.b = b;
  g.c = c;
  g.m = m;
  g.n = n;
  g.k = k;
  g.aSigned = a_signed != 0;
  g.bSigned = b_signed != 0;
  g.bTransposed = b_transposed != 0;
  g.za = a_zero;
  g.zb = b_zero;
  g.zaPerRow = a_zero_per_row != 0;
  g.zbPerRow = b_zero_per_row != 0;
#ifdef OPTC_X86
  if ((optc_micro_kernel_isa() & OPTC_ISA_AVX512_VNNI) && vnni(&g))
    return;
#endif
  optc_parallel_for(n, portableTask, &g);
}
