#!/usr/bin/env python3
"""8-bit models made by onnxruntime's own quantization tools, optc against
onnxruntime on the same files, measured in one run on this machine.

The bench set's conv net (MobileNetV2) and BERT layer (bench/models.py)
are quantized with onnxruntime.quantization:
- quantize_dynamic (int8 weights; activations quantized at run time by
  DynamicQuantizeLinear; MatMulInteger, ConvInteger);
- quantize_static in the QDQ format (QuantizeLinear/DequantizeLinear
  around each product, calibrated on one seeded input);
- quantize_static in the QOperator format (QLinearConv, QLinearMatMul and
  com.microsoft's QLinearAdd and friends), where optc imports the model.
The float model runs too, for reference. Runtimes take interleaved turns
(bench/run.py's harness) with the same thread count; prints a table of
milliseconds and the ratio onnxruntime / optc (above 1: optc faster), and
the worst error of optc's outputs against onnxruntime's.

usage: int8.py --optc BUILD/bin/optc [--threads 2] [--budget 8]
               [--models bert_layer_s128,mobilenet_v2]
"""
import argparse
import logging
import pathlib
import statistics
import sys
import tempfile

import numpy as np
import onnx

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import models as model_set  # noqa: E402 (the model set beside this file)
import run as harness  # noqa: E402 (the harness beside this file)


class OneInput:
    """Calibration data for quantize_static: one seeded input."""

    def __init__(self, feeds):
        self.items = [feeds]

    def get_next(self):
        return self.items.pop() if self.items else None


def variants(name, work, feeds):
    """The float model and its quantized variants: {variant: path}."""
    from onnxruntime.quantization import (QuantFormat, QuantType,
                                          quantize_dynamic, quantize_static)
    from onnxruntime.quantization.calibrate import CalibrationDataReader

    class Reader(OneInput, CalibrationDataReader):
        pass

    builder = model_set.MODELS[name][0]
    model = builder() if callable(builder) else builder
    paths = {"float": work / f"{name}.onnx"}
    onnx.save(model, paths["float"])
    paths["dynamic"] = work / f"{name}-dynamic.onnx"
    quantize_dynamic(str(paths["float"]), str(paths["dynamic"]),
                     weight_type=QuantType.QInt8)
    paths["static QDQ"] = work / f"{name}-qdq.onnx"
    quantize_static(str(paths["float"]), str(paths["static QDQ"]), Reader(feeds),
                    quant_format=QuantFormat.QDQ)
    paths["static QOperator"] = work / f"{name}-qop.onnx"
    quantize_static(str(paths["float"]), str(paths["static QOperator"]),
                    Reader(feeds), quant_format=QuantFormat.QOperator)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optc", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--budget", type=float, default=8.0,
                        help="seconds of interleaved timing per model file")
    parser.add_argument("--models", default="bert_layer_s128,mobilenet_v2")
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.ERROR)  # the quantizer's advice
    work = pathlib.Path(tempfile.mkdtemp(prefix="optc-int8-"))
    rows = []
    for name in args.models.split(","):
        builder = model_set.MODELS[name][0]
        model = builder() if callable(builder) else builder
        feeds = model_set.make_feeds(model, np.random.default_rng(0))
        print(f"{name}: quantizing ...", flush=True)
        for variant, path in variants(name, work, feeds).items():
            library = path.with_suffix(".so")
            try:
                seconds, _ = harness.compile_model(args.optc, path, library)
            except RuntimeError as error:
                print(f"  {variant}: optc cannot compile it: {error}", flush=True)
                rows.append((name, variant, None, None, None))
                continue
            print(f"  {variant}: compiled in {seconds:.1f} s, timing ...", flush=True)
            ours = harness.load_optc(library, args.threads)
            outputs = ours.prepare(list(feeds.values()))
            theirs = harness.OrtBound(path, args.threads, True, feeds)
            ours.run()
            theirs.run()
            error = harness.worst_error(outputs, theirs.results())
            samples, _ = harness.take_turns({"optc": ours, "ort": theirs}, args.budget)
            rows.append((name, variant, 1e3 * statistics.median(samples["optc"]),
                         1e3 * statistics.median(samples["ort"]), error))
    print(f"\n{args.threads} threads\n")
    print(f"| {'model':<16} | {'variant':<16} | {'optc ms':>8} | {'ort ms':>8} | "
          f"{'ort / optc':>10} | {'worst error':>11} |")
    print(f"|{'-' * 18}|{'-' * 18}|{'-' * 10}|{'-' * 10}|{'-' * 12}|{'-' * 13}|")
    for name, variant, ours, theirs, error in rows:
        if ours is None:
            print(f"| {name:<16} | {variant:<16} | {'-':>8} | {'-':>8} | "
                  f"{'not run':>10} | {'-':>11} |")
            continue
        print(f"| {name:<16} | {variant:<16} | {ours:8.2f} | {theirs:8.2f} | "
              f"{theirs / ours:9.2f}x | {error:11.1e} |")
    print("\n(worst error: largest difference from onnxruntime's output, relative to "
          "its largest value; the QDQ models differ by design: onnxruntime fuses "
          "them into integer kernels that requantize between ops)")


if __name__ == "__main__":
    main()
