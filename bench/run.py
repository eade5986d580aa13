#!/usr/bin/env python3
"""The benchmark harness: optc against onnxruntime, in one run, on one
machine, with the same thread count.

For every model and thread count: compile with optc (wall time, peak
memory of the compiler), load the library through the runtime's C API
(ctypes, like onnxruntime's Python binding), warm both up, then time
interleaved turns (each one untimed run, then three timed ones) and report
medians. Outputs are compared before timing. GEMM micro-benchmarks also get GFLOP/s and the
percentage of the fp32 peak measured by an FMA loop in the same run.

usage: run.py --optc BUILD/bin/optc [--quick] [--models a,b] [--threads 1,2]
              [--out bench/results]
"""
import argparse
import ctypes
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort

# Timed runs per turn. The runtimes take turns; each turn starts with an
# untimed run, during which threads of the other runtime still polling for
# work (optc's do, for up to 100 us) go to sleep, so neither times the
# other's idle threads and both are timed warm, as in back-to-back use.
TURN_RUNS = 3

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import models as model_set  # noqa: E402

QUICK = ["mlp_b1", "mlp_b64", "matmul_1024", "conv3x3_64x56", "layer_norm_128x768",
         "softmax_12x128x128", "elementwise_chain_1m"]

PEAK_C = r"""
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
/* fp32 FMA throughput: 12 independent register accumulators per thread
 * (enough to cover the FMA latency on every x86 core we know). */
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
#if defined(__AVX512F__)
typedef __m512 V; enum { W = 16 };
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SET(x) _mm512_set1_ps(x)
#define ADD(a, b) _mm512_add_ps(a, b)
static float first(V v) { return _mm512_reduce_add_ps(v); }
#else
typedef __m256 V; enum { W = 8 };
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SET(x) _mm256_set1_ps(x)
#define ADD(a, b) _mm256_add_ps(a, b)
static float first(V v) { float f[8]; _mm256_storeu_ps(f, v); return f[0]; }
#endif
static const long iterations = 50000000;
static void *spin(void *out) {
  V a0 = SET(0), a1 = SET(1), a2 = SET(2), a3 = SET(3), a4 = SET(4), a5 = SET(5);
  V a6 = SET(6), a7 = SET(7), a8 = SET(8), a9 = SET(9), a10 = SET(10), a11 = SET(11);
  V x = SET(0.999f), y = SET(0.001f);
  for (long n = 0; n < iterations; ++n) {
    a0 = FMA(a0, x, y); a1 = FMA(a1, x, y); a2 = FMA(a2, x, y); a3 = FMA(a3, x, y);
    a4 = FMA(a4, x, y); a5 = FMA(a5, x, y); a6 = FMA(a6, x, y); a7 = FMA(a7, x, y);
    a8 = FMA(a8, x, y); a9 = FMA(a9, x, y); a10 = FMA(a10, x, y); a11 = FMA(a11, x, y);
  }
  V s = ADD(ADD(ADD(a0, a1), ADD(a2, a3)), ADD(ADD(a4, a5), ADD(a6, a7)));
  s = ADD(s, ADD(ADD(a8, a9), ADD(a10, a11)));
  *(float *)out = first(s);
  return NULL;
}
int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 256) return 2;
  pthread_t t[256]; float out[256];
  double start = now();
  for (int i = 0; i < threads; ++i) pthread_create(&t[i], NULL, spin, &out[i]);
  for (int i = 0; i < threads; ++i) pthread_join(t[i], NULL);
  double seconds = now() - start;
  printf("%.3f\n", 2.0 * W * 12 * iterations * threads / seconds / 1e9);
  return out[0] == 12345.0f;
}
"""


def measure_peak(threads, work, trials=3):
    """fp32 GFLOP/s of an FMA loop on `threads` threads, the best of
    `trials` runs (a run that shares a core with other work reads low), or
    None."""
    src, exe = work / "peak.c", work / "peak"
    if not exe.exists():
        src.write_text(PEAK_C)
        if subprocess.run(["cc", "-O3", "-march=native", "-pthread", "-o", str(exe),
                           str(src)], capture_output=True).returncode != 0:
            return None
    best = None
    for _ in range(trials):
        result = subprocess.run([str(exe), str(threads)], capture_output=True,
                                text=True)
        if result.returncode == 0:
            best = max(best or 0.0, float(result.stdout))
    return best


class Tensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)),
                ("data", ctypes.c_void_p)]


class Info(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64))]


class OptcModel:
    """A compiled model run through the runtime's C API."""

    def __init__(self, library):
        self.lib = ctypes.CDLL(str(library))
        self.lib.optc_model_open.restype = ctypes.c_void_p
        self.lib.optc_model_run.restype = ctypes.c_void_p
        self.lib.optc_status_get_message.restype = ctypes.c_char_p
        self.lib.optc_status_get_message.argtypes = [ctypes.c_void_p]
        self.lib.optc_model_num_inputs.argtypes = [ctypes.c_void_p]
        self.lib.optc_model_num_outputs.argtypes = [ctypes.c_void_p]
        self.lib.optc_model_output_info.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                                                    ctypes.POINTER(Info)]
        self.model = ctypes.c_void_p()
        status = self.lib.optc_model_open(str(library).encode(), None,
                                          ctypes.byref(self.model))
        if status:
            raise RuntimeError(self.lib.optc_status_get_message(status).decode())

    def prepare(self, inputs):
        """Binds input arrays and allocates outputs; returns the outputs."""
        self.keep = list(inputs)
        shapes = [(ctypes.c_int64 * max(a.ndim, 1))(*a.shape) for a in inputs]
        self.inputs = (Tensor * len(inputs))(*[
            Tensor(1, a.ndim, s, None, a.ctypes.data) for a, s in zip(inputs, shapes)])
        self.keep += shapes
        n = self.lib.optc_model_num_outputs(self.model)
        outputs = []
        for i in range(n):
            info = Info()
            self.lib.optc_model_output_info(self.model, i, ctypes.byref(info))
            outputs.append(np.zeros([info.shape[d] for d in range(info.rank)],
                                    np.float32))
        out_shapes = [(ctypes.c_int64 * max(o.ndim, 1))(*o.shape) for o in outputs]
        self.outputs = (Tensor * n)(*[Tensor(1, o.ndim, s, None, o.ctypes.data)
                                      for o, s in zip(outputs, out_shapes)])
        self.keep += out_shapes + outputs
        return outputs

    def run(self):
        status = self.lib.optc_model_run(self.model, self.inputs, len(self.inputs),
                                         self.outputs, len(self.outputs))
        if status:
            raise RuntimeError(self.lib.optc_status_get_message(status).decode())


def compile_model(optc, model, library):
    """Compiles; returns (seconds, peak MiB of the compiler) or raises."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.perf_counter()\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "t = time.perf_counter() - t\n"
             "sys.stderr.write(r.stderr)\n"
             "print(t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
             "sys.exit(r.returncode)\n")
    result = subprocess.run([sys.executable, "-c", probe, str(optc), str(model), "-o",
                             str(library)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[0] if result.stderr else
                           "compile failed")
    seconds, mib = result.stdout.split()
    return float(seconds), float(mib)


def bench_model(args, name, model_path, library, threads, peaks):
    model = onnx.load(str(model_path), load_external_data=False)
    init_names = {i.name for i in model.graph.initializer}
    rng = np.random.default_rng(0)
    feeds = {}
    for value in model.graph.input:
        if value.name in init_names:
            continue
        shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
        feeds[value.name] = rng.standard_normal(shape).astype(np.float32)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Idle threads sleep: spinning ones would take the cores from the other
    # runtime's turns in the interleaved repetitions. (optc's pool polls for
    # at most 100 us after a parallel loop before sleeping; each turn's
    # untimed first run covers that.)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(str(model_path), options,
                                   providers=["CPUExecutionProvider"])
    ours = OptcModel(library)
    outputs = ours.prepare(list(feeds.values()))
    ours.run()
    want = session.run(None, feeds)
    worst = 0.0
    for got, ref in zip(outputs, want):
        scale = float(np.max(np.abs(ref))) or 1.0
        worst = max(worst, float(np.max(np.abs(got - ref))) / scale)
    agree = worst < 1e-3
    # Warm-up, then interleaved repetitions until enough time has passed.
    for _ in range(2):
        ours.run()
        session.run(None, feeds)
    optc_times, ort_times = [], []
    budget = 0.5 if args.quick else 2.0
    start = time.perf_counter()
    while len(optc_times) < 5 or (time.perf_counter() - start < budget
                                  and len(optc_times) < 200):
        # Each turn: one untimed run, in which the other runtime's threads
        # finish polling and go to sleep, then a few timed ones.
        ours.run()
        for _ in range(TURN_RUNS):
            t = time.perf_counter(); ours.run(); optc_times.append(time.perf_counter() - t)
        session.run(None, feeds)
        for _ in range(TURN_RUNS):
            t = time.perf_counter(); session.run(None, feeds); ort_times.append(time.perf_counter() - t)
    optc_ms = 1e3 * statistics.median(optc_times)
    ort_ms = 1e3 * statistics.median(ort_times)
    row = {"model": name, "threads": threads, "optc_ms": optc_ms, "ort_ms": ort_ms,
           "ratio": ort_ms / optc_ms, "agree": agree, "max_rel_error": worst,
           "repetitions": len(optc_times)}
    flops = model_set.MODELS[name][2]
    if flops:
        row["gflops"] = flops / (optc_ms * 1e-3) / 1e9
        if peaks.get(threads):
            row["peak_percent"] = 100.0 * row["gflops"] / peaks[threads]
    return row


def worker(args):
    """Benchmarks the compiled models at one thread count, in a process of
    its own: the runtime sizes its pool from OPTC_NUM_THREADS once."""
    work = pathlib.Path(args.work)
    peaks = json.loads(args.peaks)
    peaks = {int(k): v for k, v in peaks.items()}
    threads = int(args.worker)
    for name in args.models.split(","):
        library = work / f"{name}.so"
        if not library.exists():
            continue
        try:
            row = bench_model(args, name, work / "models" / f"{name}.onnx", library,
                              threads, peaks)
        except Exception as error:  # report and go on with the others
            row = {"model": name, "threads": threads, "error": str(error)}
        print(json.dumps(row), flush=True)
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--optc", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--models", default="")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "results"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--peaks", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    names = [n for n in args.models.split(",") if n] or (
        QUICK if args.quick else list(model_set.MODELS))
    unknown = [n for n in names if n not in model_set.MODELS]
    if unknown:
        sys.exit(f"bench: error: unknown model(s) {', '.join(unknown)}; "
                 f"known: {', '.join(model_set.MODELS)}")
    try:
        thread_counts = [int(t) for t in args.threads.split(",")]
        assert all(t >= 1 for t in thread_counts)
    except (ValueError, AssertionError):
        sys.exit(f"bench: error: --threads={args.threads} is not a list of counts")
    work = pathlib.Path(tempfile.mkdtemp(prefix="optc-bench-"))
    model_dir = work / "models"
    subprocess.run([sys.executable, str(pathlib.Path(__file__).parent / "models.py"),
                    str(model_dir), "--models", ",".join(names)], check=True,
                   stdout=subprocess.DEVNULL)
    peaks = {t: measure_peak(t, work) for t in thread_counts}
    for t, p in peaks.items():
        print(f"fp32 FMA peak, {t} thread(s): "
              + (f"{p:.1f} GFLOP/s" if p else "not measured (no C compiler)"), flush=True)
    rows = []
    compiled = {}
    for name in names:
        try:
            compiled[name] = compile_model(args.optc, model_dir / f"{name}.onnx",
                                           work / f"{name}.so")
        except RuntimeError as error:
            print(f"{name:26} compile failed: {error}", flush=True)
            rows.append({"model": name, "error": str(error)})
    header = (f"{'model':26} {'thr':>3} {'optc ms':>10} {'ort ms':>10} {'ort/optc':>9} "
              f"{'GFLOP/s':>8} {'%peak':>6} {'compile s':>9} {'MiB':>6}  agree")
    print(header)
    print("-" * len(header))
    for threads in thread_counts:
        env = dict(os.environ, OPTC_NUM_THREADS=str(threads))
        process = subprocess.Popen(
            [sys.executable, __file__, "--optc", args.optc, "--worker", str(threads),
             "--work", str(work), "--models", ",".join(compiled),
             "--peaks", json.dumps({str(k): v for k, v in peaks.items()})]
            + (["--quick"] if args.quick else []),
            stdout=subprocess.PIPE, text=True, env=env)
        for line in process.stdout:
            row = json.loads(line)
            name = row["model"]
            rows.append(row)
            if "error" in row:
                print(f"{name:26} {threads:>3} failed: {row['error']}", flush=True)
                continue
            compile_s, compile_mib = compiled[name]
            row.update(compile_s=compile_s, compile_mib=compile_mib)
            gflops = f"{row['gflops']:8.1f}" if "gflops" in row else f"{'':8}"
            peak = f"{row['peak_percent']:6.1f}" if "peak_percent" in row else f"{'':6}"
            print(f"{name:26} {threads:>3} {row['optc_ms']:10.3f} {row['ort_ms']:10.3f} "
                  f"{row['ratio']:9.2f} {gflops} {peak} {compile_s:9.2f} "
                  f"{compile_mib:6.0f}  {'yes' if row['agree'] else 'NO'}", flush=True)
        process.wait()
    print("-" * len(header))
    for threads in thread_counts:
        ratios = [r["ratio"] for r in rows if r.get("threads") == threads and "ratio" in r]
        if ratios:
            geomean = float(np.exp(np.mean(np.log(ratios))))
            print(f"geomean ort/optc at {threads} thread(s): {geomean:.2f} "
                  f"over {len(ratios)} models (above 1: optc is faster)")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    result = {"machine": platform.processor() or platform.machine(),
              "cpus": os.cpu_count(), "peaks_gflops": peaks, "rows": rows,
              "quick": args.quick}
    path = out / f"bench-{stamp}.json"
    path.write_text(json.dumps(result, indent=1))
    print(f"wrote {path}")
    failed = [r for r in rows if "error" in r or not r.get("agree", True)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
