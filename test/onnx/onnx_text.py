#!/usr/bin/env python3
"""Turns an ONNX model in the onnx package's text syntax into a .onnx file.

Used by the importer's lit tests (the `%onnx-text` substitution), which keep
their models readable in the test file; `#` lines (RUN, CHECK) are comments
to the parser.

Usage: onnx_text.py INPUT -o OUTPUT [--external-data FILE [--truncate N]]
                    [--corrupt MODE]

--external-data moves every initializer into FILE next to OUTPUT (ONNX
external data); --truncate cuts that file to N bytes. --corrupt writes a
damaged model for error tests: 'truncate' keeps the first half of the
bytes, 'cycle' makes the first node consume the last node's output,
'dup-output' makes the last node reuse the first node's output name,
'bad-initializer' drops one element of the first initializer.
"""
import argparse
import os
import sys

import onnx
import onnx.numpy_helper
import onnx.parser


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("-o", dest="output", required=True)
    ap.add_argument("--external-data")
    ap.add_argument("--truncate", type=int)
    ap.add_argument("--external-offset", type=int,
                    help="record this offset for every external tensor instead of its own")
    ap.add_argument("--corrupt", choices=["truncate", "cycle", "dup-output", "bad-initializer"])
    args = ap.parse_args()
    with open(args.input) as f:
        model = onnx.parser.parse_model(f.read())
    graph = model.graph
    if args.corrupt == "cycle":
        graph.node[0].input.append(graph.node[-1].output[0])
    elif args.corrupt == "dup-output":
        graph.node[-1].output[0] = graph.node[0].output[0]
    elif args.corrupt == "bad-initializer":
        t = graph.initializer[0]
        if t.raw_data:
            t.raw_data = t.raw_data[:-1]
        else:
            del t.float_data[-1]
    if args.external_data:
        folder = os.path.dirname(os.path.abspath(args.output))
        with open(os.path.join(folder, args.external_data), "wb") as data:
            for t in graph.initializer:
                raw = onnx.numpy_helper.to_array(t).tobytes()
                offset = data.tell()
                data.write(raw)
                for field in ("raw_data", "float_data", "int32_data", "int64_data", "double_data"):
                    t.ClearField(field)
                del t.external_data[:]
                if args.external_offset is not None:
                    offset = args.external_offset
                for key, value in (("location", args.external_data), ("offset", offset), ("length", len(raw))):
                    entry = t.external_data.add()
                    entry.key, entry.value = key, str(value)
                t.data_location = onnx.TensorProto.EXTERNAL
            if args.truncate is not None:
                data.truncate(args.truncate)
    data = model.SerializeToString()
    if args.corrupt == "truncate":
        data = data[: len(data) // 2]
    with open(args.output, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    sys.exit(main())
