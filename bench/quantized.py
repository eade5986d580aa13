#!/usr/bin/env python3
"""Quantized weights: optc's int4 GEMV against onnxruntime's MatMulNBits,
against optc's own fp32 GEMV, and against the DRAM read bandwidth, all
measured in one run on this machine.

The model is a chain of GEMVs, y_{i+1} = y_i . W_i^T with W_i 4096 x 4096
int4 weights in blocks of 32 (MatMulNBits, zero points packed), enough of
them that the weights do not fit in the last-level cache: each run reads
them from memory, as a decoder does. onnxruntime runs the same model file at
accuracy_level 0 (f32 arithmetic, optc's numbers) and 4 (int8 activations,
its fastest); the faster counts. The fp32 chain has the same shapes with
f32 weights. The DRAM read bandwidth is the best of a few two-thread passes
over a 1 GiB buffer (NumPy sums).

Runtimes take interleaved turns (bench/run.py's harness), same thread
count. Prints a table of milliseconds per GEMV, effective weight bandwidth
and the ratios the low-precision issue names.

usage: quantized.py --optc BUILD/bin/optc [--threads 2] [--budget 20]
                    [--out bench/results]
"""
import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import tempfile
import threading
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import run as harness  # noqa: E402 (the harness beside this file)

K = N = 4096
BLOCK = 32


def last_level_cache_bytes():
    """The largest cache of cpu0 (sysfs), or 32 MiB when unknown."""
    best = 0
    for index in pathlib.Path("/sys/devices/system/cpu/cpu0/cache").glob("index*"):
        try:
            text = (index / "size").read_text().strip()
        except OSError:
            continue
        scale = {"K": 1024, "M": 1024 ** 2}.get(text[-1], 1)
        best = max(best, int(text.rstrip("KM")) * scale)
    return best or 32 * 1024 ** 2


def chain_model(layers, int4, accuracy_level, rng):
    """x (1 x K) through `layers` GEMVs; int4 MatMulNBits or f32 MatMul."""
    nodes, inits = [], []
    previous = "x"
    for i in range(layers):
        out = f"y{i}"
        if int4:
            codes = rng.integers(0, 16, (N, K), dtype=np.uint8)
            packed = (codes[:, 0::2] | (codes[:, 1::2] << 4)).reshape(N, K // BLOCK, BLOCK // 2)
            zeros = rng.integers(0, 16, (N, K // BLOCK), dtype=np.uint8)
            zp = (zeros[:, 0::2] | (zeros[:, 1::2] << 4)).reshape(-1)
            # Scales that keep the chain's values near 1.
            scales = np.full(N * (K // BLOCK), 1.0 / (8 * np.sqrt(K)), np.float32)
            inits += [numpy_helper.from_array(packed, f"B{i}"),
                      numpy_helper.from_array(scales, f"S{i}"),
                      numpy_helper.from_array(zp, f"Z{i}")]
            nodes.append(helper.make_node(
                "MatMulNBits", [previous, f"B{i}", f"S{i}", f"Z{i}"], [out],
                domain="com.microsoft", K=K, N=N, bits=4, block_size=BLOCK,
                accuracy_level=accuracy_level))
        else:
            w = (rng.standard_normal((K, N)) / np.sqrt(K)).astype(np.float32)
            inits.append(numpy_helper.from_array(w, f"W{i}"))
            nodes.append(helper.make_node("MatMul", [previous, f"W{i}"], [out]))
        previous = out
    graph = helper.make_graph(
        nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, K])],
        [helper.make_tensor_value_info(previous, TensorProto.FLOAT, [1, N])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    return model


def dram_read_bandwidth(threads, trials=5):
    """Bytes per second of `threads` NumPy sums over halves of 1 GiB."""
    data = np.ones(256 * 1024 ** 2, np.float32)
    parts = np.array_split(data, threads)
    best = 0.0
    for _ in range(trials):
        workers = [threading.Thread(target=np.sum, args=(p,)) for p in parts]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        best = max(best, data.nbytes / (time.perf_counter() - start))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optc", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds of interleaved timing")
    parser.add_argument("--out", default=None,
                        help="also write a JSON report into this folder")
    args = parser.parse_args()

    llc = last_level_cache_bytes()
    int4_bytes = N * K // 2 + N * (K // BLOCK) * 4 + N * (K // BLOCK) // 2
    layers = max(2, -(-3 * llc // int4_bytes))  # three times the cache
    fp32_layers = max(2, -(-2 * llc // (N * K * 4)))
    print(f"last-level cache {llc / 2**20:.0f} MiB: {layers} int4 GEMVs "
          f"({layers * int4_bytes / 2**20:.0f} MiB), {fp32_layers} fp32 GEMVs "
          f"({fp32_layers * N * K * 4 / 2**20:.0f} MiB)", flush=True)

    rng = np.random.default_rng(0)
    work = pathlib.Path(tempfile.mkdtemp(prefix="optc-quantized-"))
    paths = {}
    for name, model in [("int4", chain_model(layers, True, 0, rng)),
                        ("int4_acc4", None),
                        ("fp32", chain_model(fp32_layers, False, 0, rng))]:
        if model is None:  # the same weights at onnxruntime's accuracy level 4
            model = onnx.load(str(paths["int4"]))
            for node in model.graph.node:
                for attr in node.attribute:
                    if attr.name == "accuracy_level":
                        attr.i = 4
        paths[name] = work / f"{name}.onnx"
        onnx.save(model, paths[name])
    print("compiling ...", flush=True)
    libraries = {}
    for name in ("int4", "int4_acc4", "fp32"):
        libraries[name] = work / f"{name}.so"
        seconds, mib = harness.compile_model(args.optc, paths[name], libraries[name])
        print(f"  {name}: {seconds:.1f} s, {mib:.0f} MiB peak", flush=True)

    x = {"x": rng.standard_normal((1, K)).astype(np.float32)}
    contestants = {}
    outputs = {}
    for name in ("int4", "int4_acc4", "fp32"):
        model = harness.load_optc(libraries[name], args.threads)
        outputs[name] = model.prepare(list(x.values()))
        contestants[("optc", name)] = model
    for name in ("int4", "int4_acc4"):
        contestants[("ort", name)] = harness.OrtBound(paths[name], args.threads, True, x)
    for contestant in contestants.values():
        contestant.run()
    # optc's int4 agrees with onnxruntime's f32 arithmetic; with int8
    # activations, both approximate it.
    error = harness.worst_error(outputs["int4"], contestants[("ort", "int4")].results())
    error8 = harness.worst_error(outputs["int4_acc4"],
                                 contestants[("ort", "int4")].results())
    error8_ort = harness.worst_error(contestants[("ort", "int4_acc4")].results(),
                                     contestants[("ort", "int4")].results())
    print(f"worst error against onnxruntime's f32 arithmetic: optc int4 {error:.2e}, "
          f"optc int8 activations {error8:.2e}, onnxruntime accuracy level 4 "
          f"{error8_ort:.2e}")
    print("timing ...", flush=True)
    samples, _ = harness.take_turns(contestants, args.budget)
    bandwidth = dram_read_bandwidth(args.threads)

    def per_gemv(key):
        layers_of = fp32_layers if key[1] == "fp32" else layers
        return statistics.median(samples[key]) / layers_of

    rows = []
    for key, bytes_per in [(("optc", "int4"), int4_bytes),
                           (("optc", "int4_acc4"), int4_bytes),
                           (("ort", "int4"), int4_bytes),
                           (("ort", "int4_acc4"), int4_bytes),
                           (("optc", "fp32"), N * K * 4)]:
        t = per_gemv(key)
        rows.append((f"{key[0]} {key[1]}", t * 1e3, bytes_per / t / 1e9,
                     100 * bytes_per / t / bandwidth))
    ort_best = min(per_gemv(("ort", "int4")), per_gemv(("ort", "int4_acc4")))
    optc_best = min(per_gemv(("optc", "int4")), per_gemv(("optc", "int4_acc4")))
    ratios = {
        "optc int4 / DRAM read bandwidth": 100 * int4_bytes / optc_best / bandwidth,
        "onnxruntime fastest / optc int4": ort_best / optc_best,
        "optc fp32 / optc int4": per_gemv(("optc", "fp32")) / optc_best,
        "onnxruntime acc0 / optc acc0 (f32 arithmetic)":
            per_gemv(("ort", "int4")) / per_gemv(("optc", "int4")),
        "onnxruntime acc4 / optc acc4 (int8 activations)":
            per_gemv(("ort", "int4_acc4")) / per_gemv(("optc", "int4_acc4")),
    }
    print(f"\n{platform.processor() or platform.machine()}, {args.threads} threads, "
          f"DRAM read {bandwidth / 1e9:.1f} GB/s\n")
    print(f"| {'GEMV 4096x4096':<20} | {'ms':>8} | {'GB/s':>6} | {'% DRAM':>6} |")
    print(f"|{'-' * 22}|{'-' * 10}|{'-' * 8}|{'-' * 8}|")
    for name, ms, gbs, pct in rows:
        print(f"| {name:<20} | {ms:8.3f} | {gbs:6.1f} | {pct:6.1f} |")
    print()
    print("(the rows' names: acc4 is the model at accuracy_level 4, which lets "
          "both runtimes quantize the activations to int8)")
    print(f"optc's faster int4 reads its weights at "
          f"{ratios['optc int4 / DRAM read bandwidth']:.0f}% of the DRAM read bandwidth")
    print(f"optc's faster int4 vs onnxruntime's faster MatMulNBits: "
          f"{ratios['onnxruntime fastest / optc int4']:.2f}x")
    print(f"  at accuracy level 0 (f32): "
          f"{ratios['onnxruntime acc0 / optc acc0 (f32 arithmetic)']:.2f}x; "
          f"at level 4 (int8): "
          f"{ratios['onnxruntime acc4 / optc acc4 (int8 activations)']:.2f}x")
    print(f"optc's faster int4 vs optc fp32 GEMV: {ratios['optc fp32 / optc int4']:.2f}x")
    if args.out:
        out = pathlib.Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        report = out / f"quantized-{time.strftime('%Y%m%d-%H%M%S')}.json"
        report.write_text(json.dumps({"rows": rows, "ratios": ratios,
                                      "dram_bytes_per_s": bandwidth,
                                      "threads": args.threads}, indent=1))
        print(f"wrote {report}")


if __name__ == "__main__":
    main()
