#!/usr/bin/env bash
# Builds optc with AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan/, with the libFuzzer harnesses) and runs lit, the GoogleTest
# unit tests, pytest (the Python tools and the end-to-end tests, the
# in-process API included), a sample of the ONNX node tests and the fuzz
# regression corpus on it; then builds the unit tests with
# ThreadSanitizer (build-tsan/) and runs the runtime's and thread pool's.
# Any sanitizer report fails the run (-fno-sanitize-recover=all; leaks
# included). Ends with one line: `N passed, N failed, N skipped, N expected
# failures`.
#
#   scripts/sanitize.sh [--quick]    --quick: lit, gtest, the fuzz corpus, TSan
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

# optc_configure_sanitized and the sanitizers' options.
source "$root/scripts/sanitizer-env.sh"
configure() { # dir sanitizers [more cmake arguments]
  optc_configure_sanitized "$@" || fail_early "configuring $1 failed"
}

asan=build-asan
tsan=build-tsan
results="$root/$asan/sanitize-results"

echo "== build ($asan: address,undefined)"
# With the libFuzzer harnesses (scripts/fuzz.py runs them from here).
configure "$asan" "address,undefined" -DOPTC_FUZZ=ON
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
  # optc's (scripts/sanitizer-suppressions/lsan.txt). The demo is left to
  # scripts/test.sh: it builds the project, and every compiler and linker
  # it starts would inherit the preloaded runtime.
  LD_PRELOAD="$runtime_dir/libclang_rt.asan-x86_64.so" \
    OPTC_BUILD_DIR="$root/$asan" PYTHONPATH="$root/$asan/python" OPTC_SANITIZED=1 \
    OPTC_DIFF_CASES=600 \
    .venv/bin/python -m pytest -q test/python test/e2e --junitxml="$results/pytest.xml" \
    --deselect test/python/test_tools.py::test_demo_runs
  args+=("pytest=$results/pytest.xml=$?")

  echo "== ONNX node tests (a sample: every op family, about a fifth)"
  .venv/bin/python test/onnx/conformance.py --optc "$asan/bin/optc" \
    --data "$root/build/onnx-node-tests" --report "$results/conformance.json" \
    --expected test/onnx/conformance-expected.txt --junit "$results/conformance.xml" \
    --filter '_(1|3|example|default|2d|axis_?0|float|basic|simple)' --quiet
  args+=("onnx=$results/conformance.xml=$?")
fi

echo "== fuzz regression corpus (test/fuzz/regression, through the harnesses)"
.venv/bin/python scripts/fuzz.py replay --build "$asan" --junit "$results/fuzz.xml"
args+=("fuzz=$results/fuzz.xml=$?")

echo "== build ($tsan: thread; the unit tests only)"
configure "$tsan" "thread"
cmake --build "$tsan" --target optc-unittests || fail_early "the TSan build failed"
echo "== gtest under TSan (runtime and thread pool)"
"$tsan/bin/optc-unittests" --gtest_brief=1 --gtest_filter='Runtime*' \
  --gtest_output="xml:$results/tsan.xml"
args+=("tsan=$results/tsan.xml=$?")

echo "== summary"
exec .venv/bin/python scripts/summarize-results.py "${args[@]}"
