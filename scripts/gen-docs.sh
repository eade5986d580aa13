#!/usr/bin/env bash
# Regenerates the reference documentation that is generated from the
# sources (docs/dialects/*.md) and copies it into docs/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake --build "$root/build" --target optc-docs
install -m 644 "$root/build/docs/dialects/Optc.md" "$root/docs/dialects/Optc.md"
echo "docs/dialects/Optc.md regenerated"
