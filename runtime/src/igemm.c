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
 * summed into each i32 lane (vpdpbusd). B enters as it is: the unsigned
 * operand when B is unsigned, the signed one when signed; A takes the
 * other role, flipped (a' = A ^ 0x80, A = a' + s with s = 128 or -128)
 * where its signedness is the same as B's. The flip and the zero points
 * are taken out afterwards with the sums of A's rows and B's columns:
 *
 *   sum_k A B = dot + s sum_k B            (dot = sum_k a' B)
 *   c = sum_k A B - zb sum_k A - za sum_k B + K za zb
 *     = dot + (s - za) sum_k B - zb (sum_k A - K za)
 *
 * B is read in panels of 16 columns, four consecutive k of a column in
 * each i32 (the layout vpdpbusd reads, OPTC_IGEMM_B_PANELS in
 * runtime_support.h): the compiler packs constant weights so at compile
 * time; other B are packed per call. Tiles of 8 rows of A by 32 columns of
 * the product; the panels are shared among the runtime's threads, each
 * computing its panels' sums of B and writing its columns of c in 16-lane
 * vectors. CPUs with AVX-VNNI but not AVX-512 run the same scheme on
 * 256-bit vectors (igemm256.h: tiles of 6 rows by one panel, its two
 * halves of 8 columns in 12 accumulators); without either a portable
 * kernel runs. Sums wrap at 32 bits like onnxruntime's: every step is an
 * addition or multiplication modulo 2^32 (unsigned arithmetic, never a signed
 * overflow), which gives the exact sum truncated to 32 bits.
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
  int bLayout;            /* enum optc_igemm_b_layout */
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
  switch (g->bLayout) {
  case OPTC_IGEMM_B_COLUMNS:
    return g->b[n * g->k + k];
  case OPTC_IGEMM_B_PANELS:
    return g->b[optc_igemm_panel_byte(k, n, g->k)];
  default:
    return g->b[k * g->n + n];
  }
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

/* sum_k A of a row of `k` bytes, plainly. */
static int32_t rowSumPlain(const uint8_t *row, int64_t k, int isSigned) {
  uint32_t sum = 0;
  for (int64_t i = 0; i < k; ++i)
    sum += (uint32_t)valueOf(row[i], isSigned);
  return (int32_t)sum;
}

#ifdef OPTC_X86
#define OPTC_VNNI "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma"

typedef struct {
  const IGemm *g;
  const uint8_t *panels; /* OPTC_IGEMM_B_PANELS */
  const uint8_t *as;     /* a' rows, `stride` bytes apart, K4 * 4 readable */
  int64_t stride;
  const int32_t *aSums; /* sum_k A of each row */
  int32_t shift;        /* s: A = a' + s */
  int64_t k4;           /* K / 4, rounded up */
} Vnni;

/* The lanes of a panel's columns that are in the product. */
static __mmask16 lanesOf(const IGemm *g, int64_t panel) {
  int64_t width = g->n - 16 * panel;
  return width >= 16 ? (__mmask16)0xffff
                     : (__mmask16)((1u << (width > 0 ? width : 0)) - 1);
}

/* What c needs of a panel's columns besides the dot products: sum_k B and
 * the zero points. */
typedef struct {
  __m512i rowB, zb;
  __mmask16 lanes;
} Columns;

__attribute__((target(OPTC_VNNI))) static Columns columnsOf(const Vnni *v,
                                                            int64_t panel) {
  const IGemm *g = v->g;
  const uint8_t *b = v->panels + panel * v->k4 * 64;
  __m512i ones = _mm512_set1_epi8(1), sums = _mm512_setzero_si512();
  for (int64_t q = 0; q < v->k4; ++q) {
    __m512i w = _mm512_loadu_si512((const void *)(b + q * 64));
    sums = g->bSigned ? _mm512_dpbusd_epi32(sums, ones, w)
                      : _mm512_dpbusd_epi32(sums, w, ones);
  }
  Columns c;
  c.lanes = lanesOf(g, panel);
  c.rowB = sums;
  if (!g->zb) {
    c.zb = _mm512_setzero_si512();
  } else if (!g->zbPerRow) {
    c.zb = _mm512_set1_epi32(zbOf(g, 0));
  } else {
    __m128i bytes = _mm_maskz_loadu_epi8(c.lanes, g->zb + 16 * panel);
    c.zb =
        g->bSigned ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
  }
  return c;
}

/* Row m of c over a panel's columns, from the 16 dot products. */
__attribute__((target(OPTC_VNNI))) static void
finishRow(const Vnni *v, const Columns *columns, int64_t m, int64_t panel,
          __m512i dot) {
  const IGemm *g = v->g;
  uint32_t za = (uint32_t)zaOf(g, m);
  uint32_t rowScale = (uint32_t)v->shift - za; /* s - za */
  uint32_t zbScale = (uint32_t)v->aSums[m] - (uint32_t)g->k * za;
  __m512i c = dot;
  if (rowScale)
    c = _mm512_add_epi32(
        c, _mm512_mullo_epi32(columns->rowB, _mm512_set1_epi32((int)rowScale)));
  if (g->zb)
    c = _mm512_sub_epi32(
        c, _mm512_mullo_epi32(columns->zb, _mm512_set1_epi32((int)zbScale)));
  _mm512_mask_storeu_epi32(g->c + m * g->n + 16 * panel, columns->lanes, c);
}

/* One tile: kRows rows of A from m0 (`rows` of them real) by the panels at
 * b0 and b1, into acc. B is vpdpbusd's signed operand when `bSigned`,
 * its unsigned one otherwise (a constant at each call: the loop is made
 * twice). */
enum { kRows = 8 };
__attribute__((target(OPTC_VNNI), always_inline)) static inline void
tile(const Vnni *v, int64_t m0, int64_t rows, const uint8_t *b0,
     const uint8_t *b1, int bSigned, __m512i acc[kRows][2]) {
  const uint8_t *a[kRows];
  for (int i = 0; i < kRows; ++i) /* missing rows repeat the last */
    a[i] = v->as + (m0 + (i < rows ? i : rows - 1)) * v->stride;
  for (int i = 0; i < kRows; ++i)
    acc[i][0] = acc[i][1] = _mm512_setzero_si512();
  for (int64_t q = 0; q < v->k4; ++q) {
    __m512i w0 = _mm512_loadu_si512((const void *)(b0 + q * 64));
    __m512i w1 = _mm512_loadu_si512((const void *)(b1 + q * 64));
    for (int i = 0; i < kRows; ++i) {
      int32_t word;
      memcpy(&word, a[i] + 4 * q, sizeof word);
      __m512i x = _mm512_set1_epi32(word);
      if (bSigned) {
        acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], x, w0);
        acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], x, w1);
      } else {
        acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], w0, x);
        acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], w1, x);
      }
    }
  }
}

/* Panels [begin, end) of B (two at a time where there are two): every row
 * of A against them, kRows rows a step. */
__attribute__((target(OPTC_VNNI))) static void
vnniPanels(int64_t begin, int64_t end, void *context) {
  const Vnni *v = context;
  const IGemm *g = v->g;
  /* Tiles of kRows rows of A by two panels: 2 * kRows accumulators, two
   * panel loads and kRows broadcasts a step of 4 k. */
  for (int64_t p = begin; p < end; p += 2) {
    int64_t panels = p + 1 < end ? 2 : 1;
    const uint8_t *b0 = v->panels + p * v->k4 * 64;
    const uint8_t *b1 = panels == 2 ? b0 + v->k4 * 64 : b0;
    Columns columns[2];
    columns[0] = columnsOf(v, p);
    if (panels == 2)
      columns[1] = columnsOf(v, p + 1);
    for (int64_t m0 = 0; m0 < g->m; m0 += kRows) {
      int64_t rows = g->m - m0 < kRows ? g->m - m0 : kRows;
      __m512i acc[kRows][2];
      if (g->bSigned)
        tile(v, m0, rows, b0, b1, 1, acc);
      else
        tile(v, m0, rows, b0, b1, 0, acc);
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < panels; ++j)
          finishRow(v, &columns[j], m0 + i, p + j, acc[i][j]);
    }
  }
}

typedef struct {
  const IGemm *g;
  uint8_t *panels;
  int64_t k4;
} Packing;

/* Panels [begin, end) of B [K, N] packed: 16 columns and 4 rows a step,
 * the 4 rows' bytes interleaved (each column's 4 bytes one i32). */
__attribute__((target(OPTC_VNNI))) static void
packRows(int64_t begin, int64_t end, void *context) {
  const Packing *pack = context;
  const IGemm *g = pack->g;
  for (int64_t p = begin; p < end; ++p) {
    int64_t n0 = 16 * p;
    __mmask16 lanes = lanesOf(g, p);
    uint8_t *panel = pack->panels + p * pack->k4 * 64;
    for (int64_t q = 0; q < pack->k4; ++q) {
      __m128i r[4];
      for (int i = 0; i < 4; ++i) {
        int64_t k = 4 * q + i;
        r[i] = k < g->k ? _mm_maskz_loadu_epi8(lanes, g->b + k * g->n + n0)
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
    }
  }
}

/* Panels [begin, end) of B (either row-major layout) packed, a byte at a
 * time. */
static void packPlain(int64_t begin, int64_t end, void *context) {
  const Packing *pack = context;
  const IGemm *g = pack->g;
  int64_t bytes = pack->k4 * 64;
  for (int64_t p = begin; p < end; ++p) {
    uint8_t *panel = pack->panels + p * bytes;
    memset(panel, 0, (size_t)bytes);
    for (int64_t n = 16 * p; n < g->n && n < 16 * (p + 1); ++n)
      for (int64_t k = 0; k < g->k; ++k)
        panel[optc_igemm_panel_byte(k, n % 16, g->k)] = bAt(g, k, n);
  }
}

/* sum_k A of a row of `k` bytes. */
__attribute__((target(OPTC_VNNI))) static int32_t
rowSum(const uint8_t *row, int64_t k, int isSigned) {
  /* Signed bytes are summed flipped (A + 128), less 128 k. */
  __m512i sums = _mm512_setzero_si512(), zero = _mm512_setzero_si512();
  __m512i flip = _mm512_set1_epi8(isSigned ? (char)0x80 : 0);
  for (int64_t i = 0; i < k; i += 64) {
    int64_t left = k - i;
    __mmask64 lanes = left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1);
    __m512i bytes = _mm512_maskz_mov_epi8(
        lanes, _mm512_xor_si512(_mm512_maskz_loadu_epi8(lanes, row + i), flip));
    sums = _mm512_add_epi64(sums, _mm512_sad_epu8(bytes, zero));
  }
  return (int32_t)(uint32_t)((uint64_t)_mm512_reduce_add_epi64(sums) -
                             (isSigned ? 128 * (uint64_t)k : 0));
}

/* The 256-bit kernel (igemm256.h): what c needs of a panel's columns,
 * in two halves of 8. */
typedef struct {
  __m256i rowB[2], zb[2];
  int64_t lanes; /* the panel's columns in the product */
} Columns256;
/* Rows of A a 256-bit tile: 2 * kRows256 accumulators, two loads and a
 * broadcast in the 16 registers AVX2 has. */
enum { kRows256 = 6 };

#define OPTC_256_TARGET "avx2,fma,avxvnni"
#define OPTC_256_DPBUSD _mm256_dpbusd_avx_epi32
#define OPTC_256_NAME(name) name##Vex
#include "igemm256.h"
#undef OPTC_256_TARGET
#undef OPTC_256_DPBUSD
#undef OPTC_256_NAME

#define OPTC_256_TARGET "avx2,fma,avx512f,avx512vl,avx512vnni"
#define OPTC_256_DPBUSD _mm256_dpbusd_epi32
#define OPTC_256_NAME(name) name##Evex
#include "igemm256.h"
#undef OPTC_256_TARGET
#undef OPTC_256_DPBUSD
#undef OPTC_256_NAME

enum { kWide, kVex, kEvex }; /* the kernels: AVX-512, 256-bit VEX or EVEX */

/* A VNNI kernel (`kind`: kWide, kVex, kEvex); 0 when its buffers cannot
 * be had (the caller then runs the portable one). */
static int vnni(const IGemm *g, int kind) {
  int wide = kind == kWide;
  int64_t k4 = (g->k + 3) / 4, kp = k4 * 4;
  int64_t panelCount = (g->n + 15) / 16;
  /* A takes the role B does not: flipped where its signedness is B's. */
  int flipA = g->aSigned == g->bSigned;
  int32_t shift = !flipA ? 0 : g->aSigned ? -128 : 128;
  /* A is read in place where it needs no flip and its rows no padding. */
  int direct = !flipA && g->k % 4 == 0;
  int packed = g->bLayout == OPTC_IGEMM_B_PANELS;
  uint8_t *panels = packed ? NULL : malloc((size_t)(panelCount * k4 * 64));
  uint8_t *as = direct ? NULL : calloc((size_t)(g->m * kp), 1);
  int32_t *aSums = malloc((size_t)g->m * sizeof(int32_t));
  if ((!packed && !panels) || (!direct && !as) || !aSums) {
    free(panels);
    free(as);
    free(aSums);
    return 0;
  }
  if (!packed) {
    Packing pack = {g, panels, k4};
    optc_parallel_for(
        panelCount,
        wide && g->bLayout == OPTC_IGEMM_B_ROWS ? packRows : packPlain, &pack);
  }
  if (!direct) {
    uint8_t flip = flipA ? 0x80 : 0;
    for (int64_t m = 0; m < g->m; ++m)
      for (int64_t k = 0; k < g->k; ++k)
        as[m * kp + k] = g->a[m * g->k + k] ^ flip;
  }
  for (int64_t m = 0; m < g->m; ++m)
    aSums[m] = wide ? rowSum(g->a + m * g->k, g->k, g->aSigned)
                    : rowSumPlain(g->a + m * g->k, g->k, g->aSigned);
  Vnni v = {g,
            packed ? g->b : panels,
            direct ? g->a : as,
            direct ? g->k : kp,
            aSums,
            shift,
            k4};
  optc_parallel_for(panelCount,
                    wide           ? vnniPanels
                    : kind == kVex ? vnniPanels256Vex
                                   : vnniPanels256Evex,
                    &v);
  free(panels);
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
                    int64_t b_layout, const uint8_t *a_zero,
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
  g.bLayout = (int)b_layout;
  g.za = a_zero;
  g.zb = b_zero;
  g.zaPerRow = a_zero_per_row != 0;
  g.zbPerRow = b_zero_per_row != 0;
#ifdef OPTC_X86
  int isa = optc_micro_kernel_isa();
  if ((isa & OPTC_ISA_AVX512_VNNI) && vnni(&g, kWide))
    return;
  /* 256-bit: AVX-VNNI's instruction, else AVX-512 VNNI's (capped). */
  if ((isa & OPTC_ISA_VNNI256) &&
      vnni(&g, (isa & OPTC_ISA_AVX_VNNI) ? kVex : kEvex))
    return;
#endif
  optc_parallel_for(n, portableTask, &g);
}
