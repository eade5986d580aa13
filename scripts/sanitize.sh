#!/usr/bin/env bash
# Builds optc with AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan/) and runs lit, the GoogleTest unit tests, pytest (the Python
# tools and the end-to-end tests, the in-process API included) and a sample
# of the ONNX node tests on it; then builds the unit tests with
# ThreadSanitizer (build-tsan/) and runs the runtime's and thread pool's.
# Any sanitizer report fails the run (-fno-sanitize-recover=all; leaks
# included). Ends with one line: `N passed, N failed, N skipped, N expected
# failures`.
#
#   scripts/sanitize.sh [--quick]    --quick: lit, gtest and TSan only
#
# The runtime archive that compiled model libraries link is not
# instrumented (CMakeLists.txt, OPTC_SANITIZE), so `optc -o x.so` links
# and the libraries load anywhere.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "sanitize: unknown argument '$arg' (expected --quick)" >&2; exit 2 ;;
  esac
done

fail_early() {
  echo "sanitize: error: $1" >&2
  echo "0 passed, 1 failed, 0 skipped, 0 expected failures"
  exit 1
}

"$root/scripts/setup.sh" || fail_early "setup failed"

# NDEBUG as in Debian's libLLVM/libMLIR: LLVM's headers lay out classes by
# it (llvm::Statistic, which mlir::Pass::Statistic derives from, is a
# different class without it), and code built the other way breaks the
# one-definition rule against the shared libraries.
configure() { # dir sanitizers
  cmake -G Ninja -S . -B "$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DOPTC_ENABLE_WERROR=ON -DOPTC_SANITIZE="$2" >"$1/configure.log" 2>&1 || {
    cat "$1/configure.log" >&2
    fail_early "configuring $1 failed"
  }
}

asan=build-asan
tsan=build-tsan
results="$root/$asan/sanitize-results"
suppressions="$root/scripts/sanitizer-suppressions"
# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons the free tail of
# its slabs in instrumented code (our inline copies) but not in Debian's
# uninstrumented libMLIR, which allocates from the same slabs: the poison
# would flag libMLIR's own objects (false reports in StringAttr::get).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1:allow_user_poisoning=0"
export LSAN_OPTIONS="suppressions=$suppressions/lsan.txt:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"

echo "== build ($asan: address,undefined)"
mkdir -p "$asan"
configure "$asan" "address,undefined"
cmake --build "$asan" || fail_early "the sanitized build failed"
rm -rf "$results"
mkdir -p "$results"
args=()

echo "== lit"
/usr/lib/llvm-22/bin/lit -s "$asan/test" --xunit-xml-output "$results/lit.xml"
args+=("lit=$results/lit.xml=$?")

echo "== gtest"
"$asan/bin/optc-unittests" --gtest_brief=1 --gtest_output="xml:$results/gtest.xml"
args+=("gtest=$results/gtest.xml=$?")

if [ "$quick" = 0 ]; then
  echo "== pytest (the Python interpreter preloads the shared ASan runtime)"
  runtime_dir=$(clang++-22 -print-runtime-dir)
  # Python itself and onnxruntime are not instrumented: their leaks are not
  # optc's (scripts/sanitizer-suppressions/lsan.txt).
  LD_PRELOAD="$runtime_dir/libclang_rt.asan-x86_64.so" \
    OPTC_BUILD_DIR="$root/$asan" PYTHONPATH="$root/$asan/python" \
    OPTC_DIFF_CASES=600 \
    .venv/bin/python -m pytest -q test/python test/e2e --junitxml="$results/pytest.xml"
  args+=("pytest=$results/pytest.xml=$?")

  echo "== ONNX node tests (a sample: every op family, about a fifth)"
  .venv/bin/python test/onnx/conformance.py --optc "$asan/bin/optc" \
    --data "$root/build/onnx-node-tests" --report "$results/conformance.json" \
    --expected test/onnx/conformance-expected.txt --junit "$results/conformance.xml" \
    --filter '_(1|3|example|default|2d|axis_?0|float|basic|simple)' --quiet
  args+=("onnx=$results/conformance.xml=$?")
fi

echo "== build ($tsan: thread; the unit tests only)"
mkdir -p "$tsan"
configure "$tsan" "thread"
cmake --build "$tsan" --target optc-unittests || fail_early "the TSan build failed"
echo "== gtest under TSan (runtime and thread pool)"
"$tsan/bin/optc-unittests" --gtest_brief=1 --gtest_filter='Runtime*' \
  --gtest_output="xml:$results/tsan.xml"
args+=("tsan=$results/tsan.xml=$?")

echo "== summary"
exec .venv/bin/python scripts/summarize-results.py "${args[@]}"
