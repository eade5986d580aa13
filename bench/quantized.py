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

Then the formats no peer runs on a CPU (MX, NVFP4): a float GEMV chain of
the same shapes quantized at compile time (`--quantize=POLICY`) into each
format, timed against optc's own int4-g32 and fp32 builds of that model,
with each format's stored bits per weight and its output's error against
the float model's.

Last, the decoder block (below) against onnxruntime.

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
            nodes.append(nbits(f"l{i}", previous, out, K, N, rng, inits,
                               accuracy_level))
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


def nbits(name, previous, out, k, n, rng, inits, accuracy_level):
    """A MatMulNBits node (int4, blocks of 32, packed zero points) of
    random weights [n, k]; appends its initializers."""
    codes = rng.integers(0, 16, (n, k), dtype=np.uint8)
    packed = (codes[:, 0::2] | (codes[:, 1::2] << 4)).reshape(n, k // BLOCK, BLOCK // 2)
    zeros = rng.integers(0, 16, (n, k // BLOCK), dtype=np.uint8)
    zp = (zeros[:, 0::2] | (zeros[:, 1::2] << 4)).reshape(-1)
    scales = np.full(n * (k // BLOCK), 1.0 / (8 * np.sqrt(k)), np.float32)
    inits += [numpy_helper.from_array(packed, f"{name}_B"),
              numpy_helper.from_array(scales, f"{name}_S"),
              numpy_helper.from_array(zp, f"{name}_Z")]
    return helper.make_node("MatMulNBits", [previous, f"{name}_B", f"{name}_S",
                                            f"{name}_Z"], [out],
                            domain="com.microsoft", K=k, N=n, bits=4,
                            block_size=BLOCK, accuracy_level=accuracy_level)


def decoder_block(accuracy_level, rng, width=2048, heads=32, kv_heads=8,
                  ffn=5632, past=128):
    """One Llama-style decoder block decoding one token: RMSNorm, q/k/v
    projections, GroupQueryAttention with rotary embeddings and a KV cache
    of `past` positions, the output projection and residual, RMSNorm, a
    SwiGLU MLP and residual; int4-g32 MatMulNBits weights."""
    head = width // heads
    nodes, inits = [], []

    def rms(x, name):
        inits.append(numpy_helper.from_array(np.ones(width, np.float32), f"{name}_g"))
        inits.append(numpy_helper.from_array(np.array([1e-5], np.float32), f"{name}_eps"))
        nodes.extend([
            helper.make_node("Mul", [x, x], [f"{name}_sq"]),
            helper.make_node("ReduceMean", [f"{name}_sq"], [f"{name}_ms"], axes=[-1]),
            helper.make_node("Add", [f"{name}_ms", f"{name}_eps"], [f"{name}_a"]),
            helper.make_node("Sqrt", [f"{name}_a"], [f"{name}_r"]),
            helper.make_node("Div", [x, f"{name}_r"], [f"{name}_n"]),
            helper.make_node("Mul", [f"{name}_n", f"{name}_g"], [f"{name}_y"])])
        return f"{name}_y"

    h = rms("x", "norm1")
    nodes.append(nbits("q", h, "q", width, width, rng, inits, accuracy_level))
    nodes.append(nbits("k", h, "k", width, kv_heads * head, rng, inits, accuracy_level))
    nodes.append(nbits("v", h, "v", width, kv_heads * head, rng, inits, accuracy_level))
    angles = np.outer(np.arange(past + 16), 1.0 / 10000 ** (
        np.arange(0, head, 2) / head)).astype(np.float32)
    inits += [numpy_helper.from_array(np.array([past], np.int32), "seqlens"),
              numpy_helper.from_array(np.array(past + 1, np.int32), "total"),
              numpy_helper.from_array(np.cos(angles), "cos"),
              numpy_helper.from_array(np.sin(angles), "sin")]
    nodes.append(helper.make_node(
        "GroupQueryAttention", ["q", "k", "v", "past_k", "past_v", "seqlens",
                                "total", "cos", "sin"],
        ["attn", "present_k", "present_v"], domain="com.microsoft",
        num_heads=heads, kv_num_heads=kv_heads, do_rotary=1))
    nodes.append(nbits("o", "attn", "o", width, width, rng, inits, accuracy_level))
    nodes.append(helper.make_node("Add", ["x", "o"], ["x2"]))
    h2 = rms("x2", "norm2")
    nodes.append(nbits("gate", h2, "gate", width, ffn, rng, inits, accuracy_level))
    nodes.append(nbits("up", h2, "up", width, ffn, rng, inits, accuracy_level))
    nodes.extend([helper.make_node("Sigmoid", ["gate"], ["sg"]),
                  helper.make_node("Mul", ["gate", "sg"], ["silu"]),
                  helper.make_node("Mul", ["silu", "up"], ["act"])])
    nodes.append(nbits("down", "act", "down", ffn, width, rng, inits, accuracy_level))
    nodes.append(helper.make_node("Add", ["x2", "down"], ["y"]))
    f32 = TensorProto.FLOAT
    graph = helper.make_graph(
        nodes, "decoder",
        [helper.make_tensor_value_info("x", f32, [1, 1, width]),
         helper.make_tensor_value_info("past_k", f32, [1, kv_heads, past, head]),
         helper.make_tensor_value_info("past_v", f32, [1, kv_heads, past, head])],
        [helper.make_tensor_value_info("y", f32, [1, 1, width]),
         helper.make_tensor_value_info("present_k", f32, [1, kv_heads, past + 1, head]),
         helper.make_tensor_value_info("present_v", f32, [1, kv_heads, past + 1, head])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    feeds = {"x": rng.standard_normal((1, 1, width)).astype(np.float32),
             "past_k": rng.standard_normal((1, kv_heads, past, head)).astype(np.float32),
             "past_v": rng.standard_normal((1, kv_heads, past, head)).astype(np.float32)}
    return model, feeds


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


# The --quantize policies of the formats table, and their stored bits per
# weight (codes, plus the scale per block: f32 for int, E8M0 for MX, E4M3
# for NVFP4); "-a8": activations quantized to int8 too.
FORMAT_BITS = {"int4-g32": 4 + 32 / 32, "int4-g32-a8": 4 + 32 / 32,
               "mxfp4": 4 + 8 / 32, "mxfp4-a8": 4 + 8 / 32, "nvfp4": 4 + 8 / 16,
               "mxfp6": 6 + 8 / 32, "mxfp8": 8 + 8 / 32, "int8": 8.0}


def formats_section(args, work, llc):
    """A float GEMV chain quantized at compile time into each format of
    FORMAT_BITS: ms per GEMV against optc's fp32 and int4-g32, and the
    output's error against the float model; returns the ratios."""
    smallest = K * N * min(FORMAT_BITS.values()) / 8
    layers = max(2, int(-(-2 * llc // smallest)))  # twice the cache
    print(f"\nformats: a float chain of {layers} GEMVs 4096x4096 quantized at "
          "compile time (--quantize), compiling ...", flush=True)
    rng = np.random.default_rng(5)
    path = work / "float_chain.onnx"
    onnx.save(chain_model(layers, False, 0, rng), path)
    # One GEMV of the same kind, for each format's error on its own (the
    # chain's compounds over its layers).
    one_path = work / "float_gemv.onnx"
    onnx.save(chain_model(1, False, 0, np.random.default_rng(6)), one_path)
    x = rng.standard_normal((1, K)).astype(np.float32)
    contestants, outputs, one = {}, {}, {}
    for policy in ["fp32", *FORMAT_BITS]:
        library = work / f"chain-{policy}.so"
        flags = [] if policy == "fp32" else [f"--quantize={policy}"]
        seconds, mib = harness.compile_model(args.optc, path, library, flags)
        print(f"  {policy}: {seconds:.1f} s, {mib:.0f} MiB peak", flush=True)
        model = harness.load_optc(library, args.threads)
        outputs[policy] = model.prepare([x])[0]  # filled by each run
        contestants[policy] = model
        gemv = work / f"gemv-{policy}.so"
        harness.compile_model(args.optc, one_path, gemv, flags)
        single = harness.load_optc(gemv, args.threads)
        one[policy] = single.prepare([x])[0]
        single.run()
        one[policy] = one[policy].astype(np.float64)
    for contestant in contestants.values():
        contestant.run()
    outputs = {p: v.astype(np.float64) for p, v in outputs.items()}
    samples, _ = harness.take_turns(contestants, args.budget)
    ms = {p: 1e3 * statistics.median(v) / layers for p, v in samples.items()}
    exact = outputs["fp32"]
    print(f"\n| {'format':<11} | {'bits/w':>6} | {'ms/GEMV':>8} | {'vs fp32':>7} | "
          f"{'vs int4':>7} | {'error 1':>8} | {'error ' + str(layers):>8} |")
    print(f"|{'-' * 13}|{'-' * 8}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 10}|{'-' * 10}|")
    ratios = {}
    for policy, value in ms.items():
        bits = 32.0 if policy == "fp32" else FORMAT_BITS[policy]
        def relative(got, want):
            return np.linalg.norm(got - want) / np.linalg.norm(want)
        error = relative(outputs[policy], exact)
        error_one = relative(one[policy], one["fp32"])
        print(f"| {policy:<11} | {bits:6.2f} | {value:8.3f} | {ms['fp32'] / value:6.2f}x | "
              f"{ms['int4-g32'] / value:6.2f}x | {error_one:8.1e} | {error:8.1e} |")
        if policy != "fp32":
            ratios[f"{policy}: optc fp32 / optc {policy}"] = ms["fp32"] / value
            ratios[f"{policy}: relative error of one GEMV vs float"] = error_one
    print(f"(error: the output's L2 error relative to the float model's, after one "
          f"quantized GEMV and after the chain of {layers})")
    return ratios


def decoder_section(args, work):
    """The decoder block at accuracy levels 0 and 4: optc against
    onnxruntime on the same model files, interleaved; returns the ratios."""
    print("\ndecoder block (Llama-style, width 2048, 32 heads, 8 KV heads, "
          "FFN 5632, KV cache of 128, int4-g32), compiling ...", flush=True)
    contestants, outputs = {}, {}
    feeds = None
    for level in (0, 4):
        model, feeds = decoder_block(level, np.random.default_rng(3))
        path = work / f"decoder{level}.onnx"
        onnx.save(model, path)
        library = work / f"decoder{level}.so"
        seconds, mib = harness.compile_model(args.optc, path, library)
        print(f"  level {level}: {seconds:.1f} s, {mib:.0f} MiB peak", flush=True)
        ours = harness.load_optc(library, args.threads)
        outputs[level] = ours.prepare(list(feeds.values()))
        contestants[("optc", level)] = ours
        contestants[("ort", level)] = harness.OrtBound(path, args.threads, True, feeds)
    for contestant in contestants.values():
        contestant.run()
    exact = contestants[("ort", 0)].results()
    print("worst error against onnxruntime at level 0: optc level 0 "
          f"{harness.worst_error(outputs[0], exact):.2e}, optc level 4 "
          f"{harness.worst_error(outputs[4], exact):.2e}, onnxruntime level 4 "
          f"{harness.worst_error(contestants[('ort', 4)].results(), exact):.2e}")
    samples, _ = harness.take_turns(contestants, args.budget)
    ms = {key: 1e3 * statistics.median(v) for key, v in samples.items()}
    print(f"\n| {'decoder block':<20} | {'ms':>8} |")
    print(f"|{'-' * 22}|{'-' * 10}|")
    for (runtime, level), value in sorted(ms.items()):
        print(f"| {runtime + ' level ' + str(level):<20} | {value:8.3f} |")
    best = min(ms[("ort", 0)], ms[("ort", 4)]) / min(ms[("optc", 0)], ms[("optc", 4)])
    print(f"\noptc's faster decoder block vs onnxruntime's faster: {best:.2f}x")
    return {"decoder onnxruntime fastest / optc fastest": best}


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
    ratios.update(formats_section(args, work, llc))
    ratios.update(decoder_section(args, work))
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
