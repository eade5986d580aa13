//===- IGemmTest.cpp - the 8-bit integer matrix product -------------------===//
//
// optc_igemm_i32 (runtime/src/igemm.c) against the plain sum of
// (A - za)(B - zb) in i64, for every signedness of A and B, no zero
// points, one, and one a row, sizes that leave partial tiles (M not a
// multiple of 4, N of 16 or 32, K of 4), extreme bytes (0, 127, 128, 255),
// B as [N, K], as [K, N] and in the kernel's panels (packed here by
// optc_igemm_panel_byte, as the compiler packs constant weights), and enough
// columns to be shared among threads; with the AVX-512 VNNI kernel and
// the 256-bit AVX-VNNI one where the CPU has them, and the portable one
// ($OPTC_MICRO_KERNEL_ISA caps the choice). The sums are exact integers:
// the check is equality.
//
//===----------------------------------------------------------------------===//

#include "optc/runtime_support.h"

#include "MicroKernelIsa.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

struct Case {
  int64_t m, n, k;
  bool aSigned, bSigned;
  int zeros; // 0: none, 1: one each, 2: one a row
  bool extremes = false;
  int layout = OPTC_IGEMM_B_COLUMNS; // enum optc_igemm_b_layout
};

const char *layoutName(int layout) {
  return layout == OPTC_IGEMM_B_COLUMNS ? " B [N, K]"
         : layout == OPTC_IGEMM_B_ROWS  ? " B [K, N]"
                                        : " B panels";
}

int64_t valueOf(uint8_t byte, bool isSigned) {
  return isSigned ? static_cast<int8_t>(byte) : byte;
}

void check(const Case &c, const char *isa) {
  SCOPED_TRACE(std::string(isa) + " m=" + std::to_string(c.m) +
               " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) +
               (c.aSigned ? " s8" : " u8") + (c.bSigned ? " x s8" : " x u8") +
               " zeros=" + std::to_string(c.zeros) + layoutName(c.layout) +
               (c.extremes ? " extremes" : ""));
  std::mt19937 rng(static_cast<unsigned>(c.m * 131 + c.n * 7 + c.k));
  std::uniform_int_distribution<int> byte(0, 255);
  const uint8_t edges[] = {0, 127, 128, 255};
  auto draw = [&] {
    return c.extremes ? edges[byte(rng) % 4] : static_cast<uint8_t>(byte(rng));
  };
  std::vector<uint8_t> a(c.m * c.k), b(c.n * c.k);
  for (uint8_t &v : a)
    v = draw();
  for (uint8_t &v : b)
    v = draw();
  std::vector<uint8_t> za(c.m), zb(c.n);
  for (uint8_t &v : za)
    v = draw();
  for (uint8_t &v : zb)
    v = draw();
  // b is [N, K] but for the layout ROWS; PANELS packs that [N, K].
  bool transposed = c.layout != OPTC_IGEMM_B_ROWS;
  std::vector<uint8_t> panels(optc_igemm_panel_bytes(c.k, c.n), 0);
  for (int64_t j = 0; j < c.n; ++j)
    for (int64_t l = 0; l < c.k; ++l)
      panels[optc_igemm_panel_byte(l, j, c.k)] = b[j * c.k + l];
  std::vector<int32_t> got(c.m * c.n, -1);
  optc_igemm_i32(a.data(),
                 c.layout == OPTC_IGEMM_B_PANELS ? panels.data() : b.data(),
                 got.data(), c.m, c.n, c.k, c.aSigned, c.bSigned, c.layout,
                 c.zeros ? za.data() : nullptr, c.zeros == 2,
                 c.zeros ? zb.data() : nullptr, c.zeros == 2);
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) {
      int64_t zeroA =
          c.zeros ? valueOf(za[c.zeros == 2 ? i : 0], c.aSigned) : 0;
      int64_t zeroB =
          c.zeros ? valueOf(zb[c.zeros == 2 ? j : 0], c.bSigned) : 0;
      int64_t want = 0;
      for (int64_t l = 0; l < c.k; ++l)
        want +=
            (valueOf(a[i * c.k + l], c.aSigned) - zeroA) *
            (valueOf(transposed ? b[j * c.k + l] : b[l * c.n + j], c.bSigned) -
             zeroB);
      ASSERT_EQ(got[i * c.n + j], want) << "at [" << i << ", " << j << "]";
    }
}

TEST(IGemmTest, MatchesTheExactSum) {
  std::vector<Case> cases;
  for (bool aSigned : {false, true})
    for (bool bSigned : {false, true})
      for (int zeros : {0, 1, 2}) {
        cases.push_back({4, 32, 64, aSigned, bSigned, zeros});
        cases.push_back({7, 19, 37, aSigned, bSigned, zeros});
        cases.push_back({1, 5, 3, aSigned, bSigned, zeros, true});
        cases.push_back({9, 48, 130, aSigned, bSigned, zeros, true});
        cases.push_back(
            {6, 35, 70, aSigned, bSigned, zeros, false, OPTC_IGEMM_B_ROWS});
        cases.push_back(
            {5, 21, 66, aSigned, bSigned, zeros, true, OPTC_IGEMM_B_PANELS});
        cases.push_back(
            {8, 64, 128, aSigned, bSigned, zeros, false, OPTC_IGEMM_B_PANELS});
      }
  cases.push_back({33, 300, 256, false, true, 1}); // rows shared by threads
  cases.push_back({128, 96, 768, true, true, 0});
  cases.push_back({17, 130, 96, false, true, 2, false, OPTC_IGEMM_B_ROWS});
  cases.push_back({128, 768, 768, false, true, 1, false, OPTC_IGEMM_B_PANELS});
  optc_test::forEachMicroKernelIsa({"", "avx-vnni", "portable"},
                                   [&](const char *isa) {
                                     for (const Case &c : cases)
                                       check(c, isa);
                                   });
}

} // namespace
