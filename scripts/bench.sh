#!/usr/bin/env bash
# Benchmarks optc against onnxruntime on this machine (bench/models.py: the
# model set and micro-benchmarks; bench/run.py: the harness). onnxruntime
# runs through IOBinding with spinning threads and with sleeping ones; each
# row compares optc with the faster. Prints one row per model and thread
# count, the geomeans per thread count for whole models and for
# micro-benchmarks, and writes JSON under bench/results/.
#
#   scripts/bench.sh [--quick] [--models a,b] [--threads 1,2] [--markdown]
#   scripts/bench.sh --contention [--models a,b]   # one busy process beside
#       it; each runtime's 2-thread time over its own 1-thread time
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${OPTC_BUILD_DIR:-build}
scripts/setup.sh > /dev/null
cmake --build "$build" > /dev/null
exec .venv/bin/python bench/run.py --optc "$build/bin/optc" "$@"
