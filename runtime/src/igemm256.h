/*===- igemm256.h - optc_igemm_i32's 256-bit kernel, included twice ------===*
 *
 * Included by igemm.c twice: with AVX-VNNI's vpdpbusd (VEX, CPUs without
 * AVX-512) and with AVX-512 VNNI's on 256-bit registers (EVEX), which
 * computes the same and lets machines with AVX-512 test this kernel
 * ($OPTC_MICRO_KERNEL_ISA=avx-vnni). The includer defines
 * OPTC_256_TARGET (the target attribute), OPTC_256_DPBUSD (the intrinsic)
 * and OPTC_256_NAME(name) (each variant's function names).
 *
 * A panel's 16 columns are two halves of 8 (bytes 0-31 and 32-63 of each
 * step); tiles of kRows256 rows by one panel.
 *
 *===----------------------------------------------------------------------===*/

__attribute__((target(OPTC_256_TARGET))) static Columns256
OPTC_256_NAME(columnsOf256)(const Vnni *v, int64_t panel) {
  const IGemm *g = v->g;
  const uint8_t *b = v->panels + panel * v->k4 * 64;
  __m256i ones = _mm256_set1_epi8(1);
  __m256i sums[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
  for (int64_t q = 0; q < v->k4; ++q)
    for (int h = 0; h < 2; ++h) {
      __m256i w = _mm256_loadu_si256((const __m256i *)(b + q * 64 + 32 * h));
      sums[h] = g->bSigned ? OPTC_256_DPBUSD(sums[h], ones, w)
                           : OPTC_256_DPBUSD(sums[h], w, ones);
    }
  Columns256 c;
  int64_t width = g->n - 16 * panel;
  c.lanes = width < 16 ? width : 16;
  int32_t zb[16] = {0};
  for (int64_t j = 0; g->zb && j < c.lanes; ++j)
    zb[j] = zbOf(g, 16 * panel + j);
  for (int h = 0; h < 2; ++h) {
    c.rowB[h] = sums[h];
    c.zb[h] = _mm256_loadu_si256((const __m256i *)(zb + 8 * h));
  }
  return c;
}

/* Row m of c over half h of a panel's columns, from its 8 dot products. */
__attribute__((target(OPTC_256_TARGET))) static void
OPTC_256_NAME(finishRow256)(const Vnni *v, const Columns256 *columns, int64_t m,
                            int64_t panel, int h, __m256i dot) {
  const IGemm *g = v->g;
  int64_t count = columns->lanes - 8 * h;
  if (count <= 0)
    return;
  uint32_t za = (uint32_t)zaOf(g, m);
  uint32_t rowScale = (uint32_t)v->shift - za; /* s - za */
  uint32_t zbScale = (uint32_t)v->aSums[m] - (uint32_t)g->k * za;
  __m256i c = dot;
  if (rowScale)
    c = _mm256_add_epi32(
        c,
        _mm256_mullo_epi32(columns->rowB[h], _mm256_set1_epi32((int)rowScale)));
  if (g->zb)
    c = _mm256_sub_epi32(
        c, _mm256_mullo_epi32(columns->zb[h], _mm256_set1_epi32((int)zbScale)));
  int32_t *out = g->c + m * g->n + 16 * panel + 8 * h;
  if (count >= 8) {
    _mm256_storeu_si256((__m256i *)out, c);
    return;
  }
  __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count),
                                    _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  _mm256_maskstore_epi32(out, mask, c);
}

/* A tile of kRows256 rows of A from m0 (`rows` of them real) by one
 * panel: 2 * kRows256 accumulators, two loads and kRows256 broadcasts a
 * step of 4 k, in the 16 registers AVX2 has. */
__attribute__((target(OPTC_256_TARGET), always_inline)) static inline void
OPTC_256_NAME(tile256)(const Vnni *v, int64_t m0, int64_t rows,
                       const uint8_t *b, int bSigned,
                       __m256i acc[kRows256][2]) {
  const uint8_t *a[kRows256];
  for (int i = 0; i < kRows256; ++i) /* missing rows repeat the last */
    a[i] = v->as + (m0 + (i < rows ? i : rows - 1)) * v->stride;
  for (int i = 0; i < kRows256; ++i)
    acc[i][0] = acc[i][1] = _mm256_setzero_si256();
  for (int64_t q = 0; q < v->k4; ++q) {
    __m256i w0 = _mm256_loadu_si256((const __m256i *)(b + q * 64));
    __m256i w1 = _mm256_loadu_si256((const __m256i *)(b + q * 64 + 32));
    for (int i = 0; i < kRows256; ++i) {
      int32_t word;
      memcpy(&word, a[i] + 4 * q, sizeof word);
      __m256i x = _mm256_set1_epi32(word);
      if (bSigned) {
        acc[i][0] = OPTC_256_DPBUSD(acc[i][0], x, w0);
        acc[i][1] = OPTC_256_DPBUSD(acc[i][1], x, w1);
      } else {
        acc[i][0] = OPTC_256_DPBUSD(acc[i][0], w0, x);
        acc[i][1] = OPTC_256_DPBUSD(acc[i][1], w1, x);
      }
    }
  }
}

/* Panels [begin, end) of B: every row of A against each. */
__attribute__((target(OPTC_256_TARGET))) static void
OPTC_256_NAME(vnniPanels256)(int64_t begin, int64_t end, void *context) {
  const Vnni *v = context;
  const IGemm *g = v->g;
  for (int64_t p = begin; p < end; ++p) {
    const uint8_t *b = v->panels + p * v->k4 * 64;
    Columns256 columns = OPTC_256_NAME(columnsOf256)(v, p);
    for (int64_t m0 = 0; m0 < g->m; m0 += kRows256) {
      int64_t rows = g->m - m0 < kRows256 ? g->m - m0 : kRows256;
      __m256i acc[kRows256][2];
      if (g->bSigned)
        OPTC_256_NAME(tile256)(v, m0, rows, b, 1, acc);
      else
        OPTC_256_NAME(tile256)(v, m0, rows, b, 0, acc);
      for (int64_t i = 0; i < rows; ++i)
        for (int h = 0; h < 2; ++h)
          OPTC_256_NAME(finishRow256)(v, &columns, m0 + i, p, h, acc[i][h]);
    }
  }
}
