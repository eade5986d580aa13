#!/usr/bin/env bash
# Benchmarks optc against onnxruntime on this machine (bench/models.py: the
# model set and micro-benchmarks; bench/run.py: the harness). Prints one row
# per model and thread count, a geomean line per thread count, and writes
# JSON under bench/results/.
#
#   scripts/bench.sh [--quick] [--models a,b] [--threads 1,2]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${OPTC_BUILD_DIR:-build}
scripts/setup.sh > /dev/null
cmake --build "$build" > /dev/null
exec .venv/bin/python bench/run.py --optc "$build/bin/optc" "$@"
