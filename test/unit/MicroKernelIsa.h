//===- MicroKernelIsa.h - run a test under every micro-kernel ISA cap -----===//
//
// The runtime's micro-kernels pick their instruction set per call, capped
// by $OPTC_MICRO_KERNEL_ISA; the kernel tests run each case under every
// cap so that one machine checks every variant it has.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_TEST_UNIT_MICROKERNELISA_H
#define OPTC_TEST_UNIT_MICROKERNELISA_H

#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <string>

namespace optc_test {

/// Calls `run(name)` once per cap in `caps` ("" for none: the best the CPU
/// has), with $OPTC_MICRO_KERNEL_ISA set to it; restores it afterwards.
inline void
forEachMicroKernelIsa(std::initializer_list<const char *> caps,
                      const std::function<void(const char *)> &run) {
  const char *previous = std::getenv("OPTC_MICRO_KERNEL_ISA");
  std::string saved = previous ? previous : "";
  for (const char *cap : caps) {
    if (*cap)
      setenv("OPTC_MICRO_KERNEL_ISA", cap, 1);
    else
      unsetenv("OPTC_MICRO_KERNEL_ISA");
    run(*cap ? cap : "best");
  }
  if (previous)
    setenv("OPTC_MICRO_KERNEL_ISA", saved.c_str(), 1);
  else
    unsetenv("OPTC_MICRO_KERNEL_ISA");
}

} // namespace optc_test

#endif // OPTC_TEST_UNIT_MICROKERNELISA_H
