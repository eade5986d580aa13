#!/usr/bin/env bash
# Regenerates the reference documentation generated from the sources (the
# dialect and pass references) and copies it into docs/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${OPTC_BUILD_DIR:-$root/build}
cmake --build "$build" --target optc-docs
(cd "$build/docs" && find . -name '*.md') | while read -r f; do
  mkdir -p "$(dirname "$root/docs/$f")"
  install -m 644 "$build/docs/$f" "$root/docs/$f"
  echo "docs/${f#./} regenerated"
done
