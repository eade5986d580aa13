#!/usr/bin/env bash
# The first command to run on a fresh machine: installs what is missing,
# builds optc and shows what works end to end today.
#
# Today that is the ONNX importer and the optc dialect's tools: the example
# ONNX model (examples/mlp.onnxtxt, in the onnx text syntax) is imported,
# the optc IR example (examples/mlp.mlir) has its unknown shapes inferred
# and its constants folded by optc-opt, and a broken model is rejected with
# a diagnostic. Compiling for the CPU and
# comparing with onnxruntime join this demo when the CPU backend lands
# (see the status table in README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

build=${OPTC_BUILD_DIR:-build}
scripts/setup.sh
echo "== build"
cmake --build "$build"
out="$build/demo"
mkdir -p "$out"

echo
echo "== optc mlp.onnx --op-stats   (the example ONNX model's ops)"
.venv/bin/python test/onnx/onnx_text.py examples/mlp.onnxtxt -o "$out/mlp.onnx"
"$build/bin/optc" "$out/mlp.onnx" --op-stats

echo
echo "== optc mlp.onnx --input-shape x=1x16 -o $out/mlp.imported.mlir   (import)"
"$build/bin/optc" "$out/mlp.onnx" --input-shape x=1x16 -o "$out/mlp.imported.mlir"
grep -E 'func.func|optc\.(matmul|relu|softmax)' "$out/mlp.imported.mlir" | sed 's/^/   /'

echo
echo "== optc examples/mlp.mlir -o $out/mlp.mlir   (parse, verify, write)"
"$build/bin/optc" examples/mlp.mlir -o "$out/mlp.mlir"
grep -c 'optc\.' "$out/mlp.mlir" | xargs printf '   %s optc ops written\n'

echo
echo "== optc-opt examples/mlp.mlir --optc-infer-shapes --canonicalize"
echo "   (infers the unknown shapes, folds the transposed constant weight)"
"$build/bin/optc-opt" examples/mlp.mlir --optc-infer-shapes --canonicalize |
  tee "$out/mlp.optimised.mlir"
if grep -q '?' "$out/mlp.optimised.mlir" || grep -q 'optc.transpose' "$out/mlp.optimised.mlir"; then
  echo "demo: error: shapes were not inferred or the transpose was not folded" >&2
  exit 1
fi

echo
echo "== a model with a shape error is a diagnostic, not a crash"
cat > "$out/broken.mlir" <<'MLIR'
func.func @main(%x: tensor<1x16xf32>, %w: tensor<32x10xf32>) -> tensor<1x10xf32> {
  %y = optc.matmul %x, %w : (tensor<1x16xf32>, tensor<32x10xf32>) -> tensor<1x10xf32>
  return %y : tensor<1x10xf32>
}
MLIR
if "$build/bin/optc" "$out/broken.mlir" -o "$out/broken.out.mlir"; then
  echo "demo: error: the broken model was accepted" >&2
  exit 1
fi
[ ! -e "$out/broken.out.mlir" ] || { echo "demo: error: output written for a failed run" >&2; exit 1; }
echo "   rejected with exit status 1 and no output file"

echo
echo "demo: OK. Compiling for the CPU and comparing with onnxruntime arrive with"
echo "      the CPU backend; README.md shows what is done."
