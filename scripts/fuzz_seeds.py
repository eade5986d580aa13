#!/usr/bin/env python3
"""Seed corpora for optc's libFuzzer harnesses (`scripts/fuzz.py seeds`).

Writes <build>/fuzz/seeds/<harness>/:
  onnx     the model.onnx of every ONNX node test (build/onnx-node-tests)
           up to 64 KiB, deduplicated by content;
  mlir     `optc --emit-after=import` of one node test per set of op
           types (two processes at a time), and the inputs of the lit
           tests under test/dialects and test/passes (split at `// -----`,
           RUN and CHECK lines dropped);
  runtime  about 20 small models compiled with build/bin/optc (some with
           their weights in a side file): library bytes, the descriptor's
           metadata (read with ctypes) and the side file, separated by
           SEPARATOR; and metadata-only variants with run choices (the
           fourth section: one byte per tensor).
Also the helpers scripts/fuzz.py shares with it.
"""
import ctypes
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARNESSES = ("onnx", "mlir", "runtime")
SEPARATOR = b"\n%%optc-fuzz%%\n"
NODE_TESTS = os.path.join(ROOT, "build", "onnx-node-tests")
MAX_ONNX_SEED = 64 << 10


def log(msg):
    print(msg, flush=True)


def rel(path):
    """A path as short as it reads well: relative below the current directory."""
    r = os.path.relpath(path, os.getcwd())
    return path if r.startswith("..") else r


def files_in(directory):
    if not os.path.isdir(directory):
        return []
    return sorted(os.path.join(directory, f) for f in os.listdir(directory)
                  if os.path.isfile(os.path.join(directory, f)) and not f.startswith("."))


def write_if_new(path, data):
    if not (os.path.exists(path) and open(path, "rb").read() == data):
        with open(path, "wb") as f:
            f.write(data)


def node_tests():
    if not os.path.isdir(NODE_TESTS):
        sys.exit(f"fuzz.py: no node tests at {rel(NODE_TESTS)} (scripts/setup.sh builds them)")
    return [(t, os.path.join(NODE_TESTS, t, "model.onnx")) for t in sorted(os.listdir(NODE_TESTS))
            if os.path.isfile(os.path.join(NODE_TESTS, t, "model.onnx"))]


def seed_onnx(out):
    seen, written = set(), 0
    for name, model in node_tests():
        data = open(model, "rb").read()
        digest = hashlib.sha1(data).hexdigest()
        if len(data) > MAX_ONNX_SEED or digest in seen:
            continue
        seen.add(digest)
        write_if_new(os.path.join(out, f"{name}.onnx"), data)
        written += 1
    log(f"  onnx: {written} models (node tests up to {MAX_ONNX_SEED >> 10} KiB, deduplicated)")


def op_families(limit):
    """One node test per set of op types (the first in name order), up to limit."""
    import onnx
    chosen, keys = [], set()
    for name, model in node_tests():
        if os.path.getsize(model) > MAX_ONNX_SEED:
            continue
        try:
            graph = onnx.load(model, load_external_data=False).graph
        except Exception:
            continue
        key = tuple(sorted({n.op_type for n in graph.node}))
        if key not in keys:
            keys.add(key)
            chosen.append((name, model))
    return chosen[:limit]


def split_lit_file(path):
    """The inputs of a lit test: split at `// -----`, RUN/CHECK lines dropped."""
    text = open(path).read()
    for part in re.split(r"^// -----\s*$", text, flags=re.M):
        lines = [l for l in part.splitlines()
                 if not re.match(r"\s*//\s*(RUN|CHECK)", l)]
        body = "\n".join(lines).strip()
        if body:
            yield body + "\n"


def seed_mlir(out, optc, limit):
    models = op_families(limit)
    done = [0, 0]
    lock = threading.Lock()

    def emit(item):
        name, model = item
        dest = os.path.join(out, f"{name}.mlir")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "x.mlir")
            try:
                r = subprocess.run(["nice", optc, model, "--emit-after=import", "-o", path],
                                   capture_output=True, timeout=120)
                ok = r.returncode == 0 and os.path.getsize(path) <= MAX_ONNX_SEED
            except (subprocess.TimeoutExpired, OSError):
                ok = False
            if ok:
                write_if_new(dest, open(path, "rb").read())
        with lock:
            done[0] += 1
            done[1] += ok
            if done[0] % 50 == 0 or done[0] == len(models):
                log(f"  mlir: imported {done[0]}/{len(models)} node tests ({done[1]} written)")

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(emit, models))
    lit = 0
    for sub in ("dialects", "passes"):
        for dirpath, _, names in sorted(os.walk(os.path.join(ROOT, "test", sub))):
            for n in sorted(names):
                if not n.endswith(".mlir"):
                    continue
                stem = os.path.relpath(os.path.join(dirpath, n), ROOT).replace("/", "-")[:-5]
                for i, body in enumerate(split_lit_file(os.path.join(dirpath, n))):
                    write_if_new(os.path.join(out, f"{stem}-{i}.mlir"), body.encode())
                    lit += 1
    log(f"  mlir: {done[1]} imported node tests, {lit} lit-test inputs")


class ModelDesc(ctypes.Structure):
    """optc_model_desc (runtime/include/optc/runtime_support.h)."""
    _fields_ = [("abi_version", ctypes.c_uint32), ("reserved", ctypes.c_uint32),
                ("metadata", ctypes.c_char_p), ("entry", ctypes.c_void_p),
                ("weights", ctypes.c_void_p), ("weights_size", ctypes.c_uint64),
                ("take_error", ctypes.c_void_p)]


def library_metadata(path):
    lib = ctypes.CDLL(os.path.abspath(path))
    return ModelDesc.in_dll(lib, "optc_model_descriptor").metadata


def models_with_weights(tmp):
    """A few small models whose initializers make a weights side file."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(0)

    def model(name, nodes, inputs, outputs, inits):
        graph = helper.make_graph(nodes, name, inputs, outputs,
                                  [numpy_helper.from_array(v, k) for k, v in inits.items()])
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        m.ir_version = 8
        path = os.path.join(tmp, f"{name}.onnx")
        onnx.save(m, path)
        return name, path

    f32 = TensorProto.FLOAT
    vi = helper.make_tensor_value_info
    return [
        model("w_matmul", [helper.make_node("MatMul", ["x", "w"], ["y"])],
              [vi("x", f32, [2, 16])], [vi("y", f32, [2, 16])],
              {"w": rng.standard_normal((16, 16)).astype(np.float32)}),
        model("w_gemm_relu", [helper.make_node("Gemm", ["x", "w", "b"], ["t"], transB=1),
                              helper.make_node("Relu", ["t"], ["y"])],
              [vi("x", f32, [3, 16])], [vi("y", f32, [3, 8])],
              {"w": rng.standard_normal((8, 16)).astype(np.float32),
               "b": rng.standard_normal(8).astype(np.float32)}),
        model("w_conv", [helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1])],
              [vi("x", f32, [1, 2, 6, 6])], [vi("y", f32, [1, 4, 6, 6])],
              {"w": rng.standard_normal((4, 2, 3, 3)).astype(np.float32)}),
        model("w_add_i64", [helper.make_node("Add", ["x", "c"], ["y"])],
              [vi("x", TensorProto.INT64, [64])], [vi("y", TensorProto.INT64, [64])],
              {"c": np.arange(64, dtype=np.int64)}),
    ]


RUNTIME_TESTS = ["test_abs", "test_add", "test_add_bcast", "test_relu", "test_sigmoid",
                 "test_matmul_2d", "test_cast_FLOAT_to_DOUBLE", "test_softmax_axis_1",
                 "test_gemm_default_no_bias", "test_softmax_example", "test_concat_2d_axis_0",
                 "test_transpose_default", "test_gather_0", "test_maxpool_1d_default",
                 "test_argmax_default_axis_example", "test_where_example",
                 "test_cumsum_1d"]


def seed_runtime(out, optc):
    with tempfile.TemporaryDirectory() as tmp:
        models = [(t, os.path.join(NODE_TESTS, t, "model.onnx")) for t in RUNTIME_TESTS
                  if os.path.exists(os.path.join(NODE_TESTS, t, "model.onnx"))]
        weighted = models_with_weights(tmp)
        written = 0
        for name, model in models + weighted:
            lib = os.path.join(tmp, f"{name}.so")
            cmd = ["nice", optc, model, "-o", lib]
            if name.startswith("w_"):
                cmd += ["--weights=file", "--weights-limit=0"]
            r = subprocess.run(cmd, capture_output=True, timeout=300)
            if r.returncode != 0:
                log(f"  runtime: {name} did not compile: {r.stderr.decode(errors='replace')[-300:]}")
                continue
            library = open(lib, "rb").read()
            metadata = library_metadata(lib)
            side = os.path.join(tmp, f"{name}.weights")
            weights = open(side, "rb").read() if os.path.exists(side) else b""
            write_if_new(os.path.join(out, f"{name}.seed"),
                         SEPARATOR.join([library, metadata, weights]))
            # Metadata only (the library check's fast path), with run choices.
            for i, choices in enumerate([b"", b"\x00\x01\x02", b"\x04\x0c\x86", b"\x05\x06\x07"]):
                write_if_new(os.path.join(out, f"{name}-meta{i}.seed"),
                             SEPARATOR.join([b"", metadata, weights, choices]))
            written += 1
    log(f"  runtime: {written} compiled models (library + metadata + weights, "
        f"and metadata-only variants)")


def cmd_seeds(args):
    optc = os.path.abspath(args.optc)
    if not os.access(optc, os.X_OK):
        sys.exit(f"fuzz.py: no optc at {args.optc} (build it first)")
    base = os.path.join(args.build, "fuzz", "seeds")
    for h in args.harness:
        out = os.path.join(base, h)
        os.makedirs(out, exist_ok=True)
        log(f"== seeds: {h} -> {rel(out)}")
        {"onnx": lambda: seed_onnx(out), "mlir": lambda: seed_mlir(out, optc, args.mlir_models),
         "runtime": lambda: seed_runtime(out, optc)}[h]()
        log(f"  {h}: {len(files_in(out))} files in {rel(out)}")
    return 0


