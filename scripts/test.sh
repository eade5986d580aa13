#!/usr/bin/env bash
# Installs what is missing, builds, runs every test suite (lit, GoogleTest,
# pytest: the Python tools and the end-to-end CPU tests; the ONNX node tests
# against test/onnx/conformance-expected.txt, where a known failure counts as
# an expected failure; a sanitized optc on malformed models, the fuzz
# regression corpus and a node-test sample) and ends with one line:
# `N passed, N failed, N skipped, N expected failures`. Exits non-zero when
# anything failed, a runner failed, or a suite ran no tests.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build_dir=${OPTC_BUILD_DIR:-build}

fail_early() {
  echo "test: error: $1" >&2
  echo "0 passed, 1 failed, 0 skipped, 0 expected failures"
  exit 1
}

"$root/scripts/setup.sh" || fail_early "setup failed"
build_abs=$(cd "$build_dir" && pwd)

echo "== build"
cmake --build "$build_dir" || fail_early "the build failed"

results="$build_abs/test-results"
rm -rf "$results"
mkdir -p "$results"

echo "== lit"
/usr/lib/llvm-22/bin/lit -s "$build_dir/test" --xunit-xml-output "$results/lit.xml"
lit_rc=$?

echo "== gtest"
"$build_dir/bin/optc-unittests" --gtest_brief=1 --gtest_output="xml:$results/gtest.xml"
gtest_rc=$?

echo "== pytest (Python tools, end-to-end CPU tests against onnxruntime)"
OPTC_BUILD_DIR="$build_abs" .venv/bin/python -m pytest -q test/python test/e2e \
  --junitxml="$results/pytest.xml"
pytest_rc=$?

echo "== ONNX conformance (every node test; known failures are expected failures)"
.venv/bin/python test/onnx/conformance.py --optc "$build_dir/bin/optc" \
  --data "$build_abs/onnx-node-tests" --report "$build_abs/conformance/report.json" \
  --expected test/onnx/conformance-expected.txt --junit "$results/conformance.xml" \
  --quiet
conformance_rc=$?

# A sanitized optc (ASan+UBSan, build-asan as scripts/sanitize.sh makes it,
# with the fuzz harnesses) on what hostile input looks like: the malformed
# models, the fuzz regression corpus and a node-test sample. Only the tools
# these need are built; scripts/sanitize.sh runs every suite sanitized.
echo "== sanitized optc (ASan+UBSan): malformed models, fuzz regression corpus, node-test sample"
asan_dir=${OPTC_ASAN_BUILD_DIR:-build-asan}
source "$root/scripts/sanitizer-env.sh"
if optc_configure_sanitized "$asan_dir" "address,undefined" -DOPTC_FUZZ=ON &&
  cmake --build "$asan_dir" --target optc optc_runtime optc-fuzz-onnx \
    optc-fuzz-mlir optc-fuzz-runtime; then
  asan_abs=$(cd "$asan_dir" && pwd)
  OPTC_BUILD_DIR="$asan_abs" .venv/bin/python -m pytest -q test/python/test_import.py \
    -k "malformed or external_data" --junitxml="$results/asan-malformed.xml"
  malformed_rc=$?
  .venv/bin/python scripts/fuzz.py replay --build "$asan_dir" \
    --junit "$results/asan-fuzz-corpus.xml"
  corpus_rc=$?
  # One test or so per op family: about 130 of the node tests.
  .venv/bin/python test/onnx/conformance.py --optc "$asan_dir/bin/optc" \
    --data "$build_abs/onnx-node-tests" --report "$asan_abs/conformance-sample.json" \
    --expected test/onnx/conformance-expected.txt --junit "$results/asan-onnx-sample.xml" \
    --filter '_(example|default|basic|simple|2d)$' --quiet
  sample_rc=$?
else
  echo "test: error: the sanitized build failed" >&2
  malformed_rc=1 corpus_rc=1 sample_rc=1
fi

echo "== summary"
exec .venv/bin/python scripts/summarize-results.py \
  "lit=$results/lit.xml=$lit_rc" \
  "gtest=$results/gtest.xml=$gtest_rc" \
  "pytest=$results/pytest.xml=$pytest_rc" \
  "onnx=$results/conformance.xml=$conformance_rc" \
  "asan-malformed=$results/asan-malformed.xml=$malformed_rc" \
  "asan-fuzz-corpus=$results/asan-fuzz-corpus.xml=$corpus_rc" \
  "asan-onnx-sample=$results/asan-onnx-sample.xml=$sample_rc"
