/*===- cpu.c - which CPU features this machine has
 * --------------------------===*
 *
 * A compiled library records the LLVM CPU features it was compiled for;
 * loading it on a machine without one of them is refused with a message
 * instead of dying on an illegal instruction. This file answers, for the
 * features code generation uses, whether the running machine has them
 * (CPUID, and XGETBV for the register state the OS saves).
 *
 *===-----------------------------------------------------------------------===*/
#include "optc/runtime_support.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

typedef struct {
  const char *name;
  unsigned leaf, subleaf;
  int reg; /* 0 eax, 1 ebx, 2 ecx, 3 edx */
  int bit;
  int state; /* 0 none, 1 AVX (ymm), 2 AVX-512 (zmm), 3 AMX tiles */
} Feature;

static const Feature features[] = {{"sse3", 1, 0, 2, 0, 0},
                                   {"ssse3", 1, 0, 2, 9, 0},
                                   {"fma", 1, 0, 2, 12, 1},
                                   {"cx16", 1, 0, 2, 13, 0},
                                   {"sse4.1", 1, 0, 2, 19, 0},
                                   {"sse4.2", 1, 0, 2, 20, 0},
                                   {"movbe", 1, 0, 2, 22, 0},
                                   {"popcnt", 1, 0, 2, 23, 0},
                                   {"aes", 1, 0, 2, 25, 0},
                                   {"xsave", 1, 0, 2, 26, 0},
                                   {"avx", 1, 0, 2, 28, 1},
                                   {"f16c", 1, 0, 2, 29, 1},
                                   {"sse", 1, 0, 3, 25, 0},
                                   {"sse2", 1, 0, 3, 26, 0},
                                   {"bmi", 7, 0, 1, 3, 0},
                                   {"avx2", 7, 0, 1, 5, 1},
                                   {"bmi2", 7, 0, 1, 8, 0},
                                   {"avx512f", 7, 0, 1, 16, 2},
                                   {"avx512dq", 7, 0, 1, 17, 2},
                                   {"avx512ifma", 7, 0, 1, 21, 2},
                                   {"avx512cd", 7, 0, 1, 28, 2},
                                   {"avx512bw", 7, 0, 1, 30, 2},
                                   {"avx512vl", 7, 0, 1, 31, 2},
                                   {"avx512vbmi", 7, 0, 2, 1, 2},
                                   {"avx512vbmi2", 7, 0, 2, 6, 2},
                                   {"avx512vnni", 7, 0, 2, 11, 2},
                                   {"avx512bitalg", 7, 0, 2, 12, 2},
                                   {"avx512vpopcntdq", 7, 0, 2, 14, 2},
                                   {"amx-bf16", 7, 0, 3, 22, 3},
                                   {"avx512fp16", 7, 0, 3, 23, 2},
                                   {"amx-tile", 7, 0, 3, 24, 3},
                                   {"amx-int8", 7, 0, 3, 25, 3},
                                   {"avxvnni", 7, 1, 0, 4, 1},
                                   {"avx512bf16", 7, 1, 0, 5, 2},
                                   {"lzcnt", 0x80000001u, 0, 2, 5, 0}};

static unsigned long long xgetbv0(void) {
  unsigned eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

/* Whether the OS saves the registers of `state` on a context switch. */
static int stateEnabled(int state) {
  if (state == 0)
    return 1;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27)))
    return 0; /* no OSXSAVE */
  unsigned long long xcr0 = xgetbv0();
  if ((xcr0 & 0x6) != 0x6)
    return 0; /* xmm and ymm */
  if (state == 2)
    return (xcr0 & 0xe0) == 0xe0; /* opmask, zmm halves, zmm16-31 */
  if (state == 3)
    return (xcr0 & 0x60000) == 0x60000; /* tile config and data */
  return 1;
}

int optc_cpu_has_feature(const char *name) {
  for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); ++i) {
    const Feature *feature = &features[i];
    if (strcmp(feature->name, name) != 0)
      continue;
    unsigned regs[4];
    unsigned maxLeaf = __get_cpuid_max(feature->leaf & 0x80000000u, NULL);
    if (maxLeaf < feature->leaf)
      return 0;
    __cpuid_count(feature->leaf, feature->subleaf, regs[0], regs[1], regs[2],
                  regs[3]);
    if (!(regs[feature->reg] & (1u << feature->bit)))
      return 0;
    return stateEnabled(feature->state);
  }
  return -1;
}

#else

int optc_cpu_has_feature(const char *name) {
  (void)name;
  return -1;
}

#endif

int optc_micro_kernel_isa(void) {
  static _Atomic int known = -1;
  int isa = known;
  if (isa < 0) {
    isa = 0;
    if (optc_cpu_has_feature("avx2") == 1 && optc_cpu_has_feature("fma") == 1)
      isa |= OPTC_ISA_AVX2;
    if ((isa & OPTC_ISA_AVX2) && optc_cpu_has_feature("avx512f") == 1 &&
        optc_cpu_has_feature("avx512bw") == 1 &&
        optc_cpu_has_feature("avx512vl") == 1)
      isa |= OPTC_ISA_AVX512;
    if ((isa & OPTC_ISA_AVX512) && optc_cpu_has_feature("avx512vnni") == 1)
      isa |= OPTC_ISA_AVX512_VNNI;
    if ((isa & OPTC_ISA_AVX2) && optc_cpu_has_feature("avxvnni") == 1)
      isa |= OPTC_ISA_AVX_VNNI;
    if (isa & (OPTC_ISA_AVX_VNNI | OPTC_ISA_AVX512_VNNI))
      isa |= OPTC_ISA_VNNI256;
    known = isa;
  }
  const char *cap = getenv("OPTC_MICRO_KERNEL_ISA");
  if (cap && strcmp(cap, "portable") == 0)
    return 0;
  if (cap && strcmp(cap, "avx2") == 0)
    return isa & OPTC_ISA_AVX2;
  if (cap && strcmp(cap, "avx-vnni") == 0)
    return isa & (OPTC_ISA_AVX2 | OPTC_ISA_AVX_VNNI | OPTC_ISA_VNNI256);
  return isa;
}
