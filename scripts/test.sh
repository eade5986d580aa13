#!/usr/bin/env bash
# Installs what is missing, builds, runs every test suite (lit, GoogleTest,
# pytest) and ends with one line: `N passed, N failed, N skipped`. Exits
# non-zero when anything failed.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build_dir=${OPTC_BUILD_DIR:-build}

"$root/scripts/setup.sh" || exit 1

build_abs=$(cd "$build_dir" && pwd)

echo "== build"
cmake --build "$build_dir" || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

results="$build_dir/test-results"
rm -rf "$results"
mkdir -p "$results"

echo "== lit"
/usr/lib/llvm-22/bin/lit -s "$build_dir/test" --xunit-xml-output "$results/lit.xml"

echo "== gtest"
"$build_dir/bin/optc-unittests" --gtest_brief=1 --gtest_output="xml:$results/gtest.xml"

echo "== pytest"
OPTC_BUILD_DIR="$build_abs" .venv/bin/python -m pytest -q test/python \
  --junitxml="$results/pytest.xml"

echo "== summary"
exec .venv/bin/python scripts/summarize-results.py \
  "lit=$results/lit.xml" "gtest=$results/gtest.xml" "pytest=$results/pytest.xml"
