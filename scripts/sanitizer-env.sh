# Sourced by scripts/sanitize.sh and scripts/test.sh (and read by
# scripts/fuzz.py): how sanitized builds are configured and how their
# sanitizers report. Needs $root (the repository) set.

# NDEBUG as in Debian's libLLVM/libMLIR: LLVM's headers lay out classes by
# it (llvm::Statistic, which mlir::Pass::Statistic derives from, is a
# different class without it), and code built the other way breaks the
# one-definition rule against the shared libraries.
#   optc_configure_sanitized DIR SANITIZERS [more cmake arguments]
# Returns non-zero (after printing the log) when cmake fails.
optc_configure_sanitized() {
  local dir=$1 sanitizers=$2
  shift 2
  mkdir -p "$dir"
  cmake -G Ninja -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DOPTC_ENABLE_WERROR=ON -DOPTC_SANITIZE="$sanitizers" "$@" \
    >"$dir/configure.log" 2>&1 || {
    cat "$dir/configure.log" >&2
    return 1
  }
}

# Every report fails the run; leaks count, except those of uninstrumented
# Python and onnxruntime (sanitizer-suppressions/lsan.txt).
# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons the free tail of
# its slabs in instrumented code (our inline copies) but not in Debian's
# uninstrumented libMLIR, which allocates from the same slabs: the poison
# would flag libMLIR's own objects (false reports in StringAttr::get).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1:allow_user_poisoning=0"
export LSAN_OPTIONS="suppressions=$root/scripts/sanitizer-suppressions/lsan.txt:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
