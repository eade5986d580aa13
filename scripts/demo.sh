#!/usr/bin/env bash
# The first command to run on a fresh machine: installs what is missing,
# builds optc and shows what works end to end:
#   1. the bundled example model (examples/mlp.onnxtxt, a two-layer
#      perceptron in the onnx text syntax) is compiled for this CPU into a
#      shared library and a C header;
#   2. `optc run` runs it on an input, prints the outputs and the latency;
#   3. the outputs are compared with onnxruntime's, computed here;
#   4. a broken model is rejected with a diagnostic, not a crash.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

build=${OPTC_BUILD_DIR:-build}
scripts/setup.sh
echo "== build"
cmake --build "$build"
out="$build/demo"
rm -rf "$out"
mkdir -p "$out"
py=.venv/bin/python

echo
echo "== optc mlp.onnx --op-stats   (the example ONNX model's ops)"
$py test/onnx/onnx_text.py examples/mlp.onnxtxt -o "$out/mlp.onnx"
"$build/bin/optc" "$out/mlp.onnx" --op-stats

echo
echo "== optc mlp.onnx --input-shape x=8x16 -o $out/mlp.so   (compile for this CPU)"
"$build/bin/optc" "$out/mlp.onnx" --input-shape x=8x16 -o "$out/mlp.so"
ls -l "$out/mlp.so" "$out/mlp.h" | awk '{printf "   %-28s %8d bytes\n", $NF, $5}'
grep -E '^ \*   (input|output)' "$out/mlp.h" | sed 's/^ \*  /   mlp.h:/'

echo
echo "== optc run mlp.so --input x=x.npy --repeat 200   (run it)"
$py -c "import numpy as np; np.save('$out/x.npy', np.random.default_rng(0).standard_normal((8, 16)).astype(np.float32))"
"$build/bin/optc" run "$out/mlp.so" --input "x=$out/x.npy" --output-dir "$out/outputs" --repeat 200

echo
echo "== compare with onnxruntime"
$py - "$out" <<'PY'
import sys, time
import numpy as np, onnxruntime as ort
out = sys.argv[1]
x = np.load(f"{out}/x.npy")
ours = np.load(f"{out}/outputs/probs.npy")
sess = ort.InferenceSession(f"{out}/mlp.onnx", providers=["CPUExecutionProvider"])
ref = sess.run(None, {"x": x})[0]
for _ in range(20):
    sess.run(None, {"x": x})
times = []
for _ in range(200):
    t = time.perf_counter(); sess.run(None, {"x": x}); times.append(time.perf_counter() - t)
err = float(np.max(np.abs(ours - ref)))
median = sorted(times)[len(times) // 2]
print(f"   onnxruntime latency {1e6 * median:.1f} us (median of 200, through its Python API)")
print(f"   max |optc - onnxruntime| = {err:.2e} over {ref.size} values")
print("   row 0, optc:        ", np.array2string(ours[0], precision=4))
print("   row 0, onnxruntime: ", np.array2string(ref[0], precision=4))
if not np.allclose(ours, ref, rtol=1e-4, atol=1e-6):
    sys.exit("demo: error: optc and onnxruntime disagree")
PY

echo
echo "== a model with a shape error is a diagnostic, not a crash"
cat > "$out/broken.mlir" <<'MLIR'
func.func @main(%x: tensor<1x16xf32>, %w: tensor<32x10xf32>) -> tensor<1x10xf32> {
  %y = optc.matmul %x, %w : (tensor<1x16xf32>, tensor<32x10xf32>) -> tensor<1x10xf32>
  return %y : tensor<1x10xf32>
}
MLIR
if "$build/bin/optc" "$out/broken.mlir" -o "$out/broken.so"; then
  echo "demo: error: the broken model was accepted" >&2
  exit 1
fi
[ ! -e "$out/broken.so" ] || { echo "demo: error: output written for a failed run" >&2; exit 1; }
echo "   rejected with exit status 1 and no output file"

echo
echo "demo: OK. optc compiled the example for this CPU and matches onnxruntime."
