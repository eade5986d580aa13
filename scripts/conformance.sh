#!/usr/bin/env bash
# ONNX conformance on the CPU: installs what is missing, builds, then runs
# every backend node test of the pinned onnx package through optc (compile,
# run every data set, compare every output with ONNX's tolerances). Prints one
# status per test (pass, spec: shape inputs specialised, fold: every input
# fixed, xfail: an expected failure, FAIL), the three figures (passes under
# the ONNX backend protocol; with shape inputs specialised; folded), and ends
# with `N passed, N failed, N skipped, N expected failures, N folded`. Writes
# build/conformance/report.json; tracked files only when asked:
# --update-docs regenerates docs/conformance.md and --update-expected the
# expectation list (both need an unfiltered run). Exits non-zero when a test
# does worse than test/onnx/conformance-expected.txt records, or anything
# crashes or hangs.
#
#   scripts/conformance.sh [--filter REGEX] [--jobs N] [--quiet] [--junit FILE]
#                          [--update-expected] [--update-docs]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${OPTC_BUILD_DIR:-build}
scripts/setup.sh > /dev/null
cmake --build "$build" > /dev/null
exec .venv/bin/python test/onnx/conformance.py --optc "$build/bin/optc" \
  --data "$build/onnx-node-tests" --report "$build/conformance/report.json" \
  --expected test/onnx/conformance-expected.txt "$@"
