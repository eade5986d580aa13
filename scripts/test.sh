#!/usr/bin/env bash
# Installs what is missing, builds, runs every test suite (lit, GoogleTest,
# pytest: the Python tools and the end-to-end CPU tests; the ONNX node tests
# against test/onnx/conformance-expected.txt, where a known failure counts as
# an expected failure) and ends with one line:
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

echo "== summary"
exec .venv/bin/python scripts/summarize-results.py \
  "lit=$results/lit.xml=$lit_rc" \
  "gtest=$results/gtest.xml=$gtest_rc" \
  "pytest=$results/pytest.xml=$pytest_rc" \
  "onnx=$results/conformance.xml=$conformance_rc"
