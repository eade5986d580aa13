#!/usr/bin/env python3
"""Writes the ONNX backend node tests of the pinned onnx package to a folder.

The onnx wheel ships the generators of its node tests (onnx.backend.test.
case.node) but not their data; this writes each test as the onnx repository
does: DIR/<test name>/model.onnx and test_data_set_N/{input,output}_M.pb.

Usage: gen_node_tests.py OUTPUT_DIR
"""
import os
import sys
import warnings

from onnx import numpy_helper
from onnx.backend.test.case import node


def write_tensor(path, value, name):
    from onnx import TensorProto

    if isinstance(value, TensorProto):
        data = value.SerializeToString()
    else:
        data = numpy_helper.from_array(value, name).SerializeToString()
    with open(path, "wb") as f:
        f.write(data)


def main(out):
    warnings.filterwarnings("ignore")
    cases = node.collect_testcases(None)
    written = 0
    for case in cases:
        folder = os.path.join(out, case.name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        graph = case.model.graph
        for i, (inputs, outputs) in enumerate(case.data_sets or []):
            data_dir = os.path.join(folder, f"test_data_set_{i}")
            os.makedirs(data_dir, exist_ok=True)
            for j, value in enumerate(inputs):
                if j < len(graph.input) and graph.input[j].type.HasField("tensor_type"):
                    write_tensor(os.path.join(data_dir, f"input_{j}.pb"), value, graph.input[j].name)
            for j, value in enumerate(outputs):
                if j < len(graph.output) and graph.output[j].type.HasField("tensor_type"):
                    write_tensor(os.path.join(data_dir, f"output_{j}.pb"), value, graph.output[j].name)
        written += 1
    print(f"{written} node tests written to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
