#!/usr/bin/env python3
"""Writes a corpus of malformed ONNX models, each with the error optc must give.

Usage: make_malformed.py OUTPUT_DIR

Writes OUTPUT_DIR/<case>.onnx (plus external data files where a case needs
them) and OUTPUT_DIR/expected.json mapping each case to a substring of the
diagnostic optc must print. Models are built with onnx.helper and written
without the checker, so they can be wrong in every way a file can be.
"""
import json
import os
import random
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def base_model(nodes=None, inits=None, inputs=None, outputs=None, opset=17, value_info=None, ir=8):
    nodes = nodes if nodes is not None else [helper.make_node("Relu", ["X"], ["Y"])]
    inputs = inputs if inputs is not None else [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3])]
    outputs = outputs if outputs is not None else [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 3])]
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=inits or [], value_info=value_info or [])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=ir)


def weight(name="W", n=16):
    return numpy_helper.from_array(np.arange(n, dtype=np.float32).reshape(n // 4, 4), name)


def add_model(init):
    return base_model(
        nodes=[helper.make_node("MatMul", ["X", init.name], ["Y"])],
        inits=[init],
        inputs=[helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 4])],
        outputs=[helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 4])],
    )


def main(out):
    os.makedirs(out, exist_ok=True)
    cases = {}

    def save(name, model_or_bytes, expected):
        data = model_or_bytes if isinstance(model_or_bytes, bytes) else model_or_bytes.SerializeToString()
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(data)
        cases[name] = expected

    good = add_model(weight(n=64)).SerializeToString()
    save("empty", b"", "is empty: not an ONNX model")
    # Cut inside the initializer's raw data: the length prefix overruns.
    save("truncated", good[: len(good) - 100], "is not a valid ONNX model")
    rng = random.Random(7)
    save("random_bytes", bytes(rng.randrange(256) for _ in range(4096)), "not")
    save("text_file", b"func.func @f() { return }\n" * 10, "ONNX model")
    no_graph = onnx.ModelProto(ir_version=8)
    no_graph.opset_import.append(helper.make_opsetid("", 17))
    save("no_graph", no_graph, "it has no graph")

    short = weight(n=16)
    short.raw_data = short.raw_data[:-4]
    save("initializer_short", add_model(short), "needs 64 bytes of raw_data but has 60")
    typed = helper.make_tensor("W", TensorProto.FLOAT, [4, 4], [1.0] * 16)
    del typed.float_data[-1]
    save("initializer_count", add_model(typed), "needs 16 values but its float_data has 15")
    neg = helper.make_tensor("W", TensorProto.FLOAT, [4, 4], [1.0] * 16)
    neg.dims[0] = -4
    save("initializer_negative_dim", add_model(neg), "has a negative dimension -4")

    save("dtype_value_info", base_model(
        nodes=[helper.make_node("Relu", ["X"], ["T"]), helper.make_node("Relu", ["T"], ["Y"])],
        value_info=[helper.make_tensor_value_info("T", TensorProto.INT64, [2, 3])]),
        "is declared INT64 in value_info")
    save("dtype_output", base_model(outputs=[helper.make_tensor_value_info("Y", TensorProto.INT32, [2, 3])]),
         "graph output 'Y' is declared INT32 but the graph computes f32")
    save("dtype_operands", base_model(
        nodes=[helper.make_node("Add", ["X", "Z"], ["Y"])],
        inputs=[helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3]),
                helper.make_tensor_value_info("Z", TensorProto.INT64, [2, 3])]),
        "has element type")

    save("cycle", base_model(nodes=[helper.make_node("Relu", ["B"], ["A"]),
                                    helper.make_node("Relu", ["A"], ["B"]),
                                    helper.make_node("Relu", ["X"], ["Y"])]),
         "the graph has a cycle through node")
    save("duplicate_value", base_model(nodes=[helper.make_node("Relu", ["X"], ["Y"]),
                                              helper.make_node("Abs", ["X"], ["Y"])]),
         "value 'Y' is defined twice")
    save("duplicate_input", base_model(inputs=[helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3])] * 2),
         "graph input 'X' is declared twice")
    save("dangling_input", base_model(nodes=[helper.make_node("Add", ["X", "nowhere"], ["Y"])]),
         "uses 'nowhere', which is not a graph input, an initializer or the output of any node")

    save("unknown_domain", base_model(nodes=[helper.make_node("Relu", ["X"], ["Y"], domain="com.example")]),
         "does not import the domain 'com.example'")
    save("unsupported_op", base_model(nodes=[helper.make_node("StringNormalizer", ["X"], ["Y"])]),
         "op StringNormalizer, domain ai.onnx, opset 17): optc does not support this op")
    save("opset_too_new", base_model(opset=99), "uses opset 99 of the ai.onnx domain, newer than the newest optc supports")
    # Sin came with opset 7 (old versions of older ops are supported).
    save("opset_too_old", base_model(nodes=[helper.make_node("Sin", ["X"], ["Y"])], opset=3),
         "op Sin, domain ai.onnx, opset 3): Sin is not an op of opset 3 (ONNX added it later); optc reads it from opset 7")
    save("opset_zero", base_model(opset=0), "uses opset 0 of the ai.onnx domain, which does not exist")
    save("ir_too_new", base_model(ir=1000), "has IR version 1000, newer than the newest optc knows")
    save("string_input", base_model(inputs=[helper.make_tensor_value_info("X", TensorProto.STRING, [2])]),
         "tensors of STRING are not supported by optc")
    save("bad_attribute", base_model(nodes=[helper.make_node("LeakyRelu", ["X"], ["Y"], alpha="high")]),
         "attribute 'alpha' must be a float, found a string")
    save("missing_attribute", base_model(nodes=[helper.make_node("Cast", ["X"], ["Y"])]),
         "attribute 'to' is required")
    save("shape_mismatch", base_model(
        nodes=[helper.make_node("Add", ["X", "Z"], ["Y"])],
        inputs=[helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3]),
                helper.make_tensor_value_info("Z", TensorProto.FLOAT, [4, 3])]),
        "not broadcast-compatible")

    # External data.
    def external(name, location, length, write):
        init = weight(n=16)
        raw = init.raw_data
        init.ClearField("raw_data")
        init.data_location = TensorProto.EXTERNAL
        for k, v in (("location", location), ("offset", "0"), ("length", str(length))):
            e = init.external_data.add()
            e.key, e.value = k, v
        if write is not None:
            with open(os.path.join(out, location), "wb") as f:
                f.write(raw[:write])
        return add_model(init)

    save("external_missing", external("W", "missing.bin", 64, None), "cannot open external data file")
    save("external_short", external("W", "short.bin", 64, 40), "is too short")
    save("external_escape", external("W", "../outside.bin", 64, None), "must be a relative path inside the model's folder")
    ok = external("W", "weights.bin", 64, 64)
    save("external_wrong_length", external("W", "weights2.bin", 60, 64), "needs 64 bytes of external data but has 60")

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(cases, f, indent=1)
    # A well-formed model with external data, which must import.
    with open(os.path.join(out, "external_ok.model"), "wb") as f:
        f.write(ok.SerializeToString())
    print(f"{len(cases)} malformed models written to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
