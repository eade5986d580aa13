#!/usr/bin/env bash
# ONNX conformance on the CPU: installs what is missing, builds, then runs
# every backend node test of the pinned onnx package through optc (compile,
# run every data set, compare every output with ONNX's tolerances). Prints one
# status per test, ends with `N passed, N failed, N skipped`, writes
# build/conformance/report.json and, on an unfiltered run, regenerates
# docs/conformance.md. Exits non-zero when a test of the expectation list
# (test/onnx/conformance-expected.txt) fails, or anything crashes or hangs.
#
#   scripts/conformance.sh [--filter REGEX] [--jobs N] [--quiet]
#                          [--update-expected] [--junit FILE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${OPTC_BUILD_DIR:-build}
scripts/setup.sh > /dev/null
cmake --build "$build" > /dev/null
exec .venv/bin/python test/onnx/conformance.py --optc "$build/bin/optc" \
  --data "$build/onnx-node-tests" --report "$build/conformance/report.json" \
  --expected test/onnx/conformance-expected.txt "$@"
