#!/usr/bin/env python3
"""The benchmark harness: optc against onnxruntime, in one run, on one
machine, with the same thread count.

For every model and thread count: compile with optc (wall time, peak
memory of the compiler), load the library through the runtime's C API
(ctypes, like onnxruntime's Python binding) with its inputs and outputs
bound once, and time it against two onnxruntime sessions, one whose idle
threads spin (`session.intra_op.allow_spinning=1`, onnxruntime's default)
and one whose idle threads sleep (`=0`), both run through IOBinding with
inputs bound once as OrtValues and outputs bound to preallocated ones. The
three take interleaved turns; each row reports medians and compares optc
with the faster onnxruntime configuration. Outputs are compared before
timing. Geomeans are printed separately for whole models and for
micro-benchmarks (bench/models.py tags each). GEMM micro-benchmarks also
get GFLOP/s and the percentage of the fp32 peak measured by an FMA loop in
the same run.

With --contention, one busy process (a Python loop, pinned to no core, in
a session of its own) runs beside the measurement; the 1- and N-thread runs
take turns in one process, and each runtime's N-thread time is divided by
its own 1-thread time, round by round.

usage: run.py --optc BUILD/bin/optc [--quick] [--models a,b] [--threads 1,2]
              [--contention] [--markdown] [--out bench/results]
"""
import argparse
import ctypes
import gc
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import onnx
import onnxruntime as ort

# The runtimes take turns. A turn starts with a pause that lasts until the
# threads the previous turn left polling for work have gone to sleep:
# onnxruntime's spinning threads poll for a number of iterations after a run
# (about 20 ms on an idle machine, much longer when they share a core),
# optc's for 100 us. Then one untimed run wakes this runtime's own threads,
# then timed runs follow, at least TURN_RUNS of them and more until
# TURN_SECONDS have passed: each runtime is timed warm, as in back-to-back
# use, and never against the other's idle threads.
TURN_RUNS = 3
TURN_SECONDS = 0.01


def _other_threads_running():
    """Whether a thread of this process other than the calling one is
    running or runnable (Linux: /proc/self/task/*/stat); None if unknown."""
    me = str(threading.get_native_id())
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return None
    for tid in tasks:
        if tid == me:
            continue
        try:
            with open(f"/proc/self/task/{tid}/stat") as stat:
                state = stat.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue  # the thread ended
        if state == "R":
            return True
    return False


def quiesce(limit=5.0):
    """Sleeps until every other thread of this process sleeps (or `limit`
    seconds have passed). Without /proc, until the process used almost no
    CPU time during 5 ms of sleep."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        running = _other_threads_running()
        if running is False:
            return
        if running is None:
            used = time.process_time()
            time.sleep(0.005)
            if time.process_time() - used < 0.0005:
                return
        else:
            time.sleep(0.001)


sys.path.insert(0, str(pathlib.Path(__file__).parent))
import models as model_set  # noqa: E402

QUICK = ["mlp_b1", "mlp_b64", "matmul_1024", "gelu_mlp_b8", "conv3x3_64x56",
         "layer_norm_128x768", "softmax_12x128x128", "elementwise_chain_1m"]
# --contention's default set: the GELU MLP of issue 14 first.
CONTENTION = ["gelu_mlp_b8", "mlp_b64", "gemm_128x768x3072", "bert_layer_s128"]

# A busy process for --contention: it spins on whichever core the scheduler
# gives it, like another program's busy thread.
BUSY = "while True:\n    pass\n"

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
        """Binds input arrays and allocates outputs, once: every run then
        reads and writes these buffers (as IOBinding does for onnxruntime).
        Returns the outputs."""
        inputs = [np.ascontiguousarray(a) for a in inputs]
        self.keep = list(inputs)
        shapes = [(ctypes.c_int64 * max(a.ndim, 1))(*a.shape) for a in inputs]
        self.inputs = (Tensor * len(inputs))(*[
            Tensor(onnx.helper.np_dtype_to_tensor_dtype(a.dtype), a.ndim, s, None,
                   a.ctypes.data) for a, s in zip(inputs, shapes)])
        self.keep += shapes
        n = self.lib.optc_model_num_outputs(self.model)
        outputs, dtypes = [], []
        for i in range(n):
            info = Info()
            self.lib.optc_model_output_info(self.model, i, ctypes.byref(info))
            dtypes.append(info.dtype)
            outputs.append(np.zeros([info.shape[d] for d in range(info.rank)],
                                    onnx.helper.tensor_dtype_to_np_dtype(info.dtype)))
        out_shapes = [(ctypes.c_int64 * max(o.ndim, 1))(*o.shape) for o in outputs]
        self.outputs = (Tensor * n)(*[Tensor(d, o.ndim, s, None, o.ctypes.data)
                                      for o, s, d in zip(outputs, out_shapes, dtypes)])
        self.keep += out_shapes + outputs
        self.num_inputs, self.num_outputs = len(inputs), n
        return outputs

    def run(self):
        status = self.lib.optc_model_run(self.model, self.inputs, self.num_inputs,
                                         self.outputs, self.num_outputs)
        if status:
            raise RuntimeError(self.lib.optc_status_get_message(status).decode())


def compile_model(optc, model, library, flags=()):
    """Compiles (with optc's `flags`); returns (seconds, peak MiB of the
    compiler) or raises."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.perf_counter()\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "t = time.perf_counter() - t\n"
             "sys.stderr.write(r.stderr)\n"
             "print(t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
             "sys.exit(r.returncode)\n")
    result = subprocess.run([sys.executable, "-c", probe, str(optc), str(model), "-o",
                             str(library), *flags], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[0] if result.stderr else
                           "compile failed")
    seconds, mib = result.stdout.split()
    return float(seconds), float(mib)


class OrtBound:
    """An onnxruntime session run through IOBinding: inputs bound once as
    OrtValues, outputs bound to OrtValues allocated once (shapes and types
    from a first plain run)."""

    def __init__(self, model_path, threads, spinning, feeds):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning",
                                         "1" if spinning else "0")
        self.session = ort.InferenceSession(str(model_path), options,
                                            providers=["CPUExecutionProvider"])
        first = self.session.run(None, feeds)
        self.binding = self.session.io_binding()
        self.values = []
        for name, array in feeds.items():
            value = ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(array))
            self.binding.bind_ortvalue_input(name, value)
            self.values.append(value)
        self.outputs = []
        for info, array in zip(self.session.get_outputs(), first):
            value = ort.OrtValue.ortvalue_from_shape_and_type(array.shape, array.dtype)
            self.binding.bind_ortvalue_output(info.name, value)
            self.outputs.append(value)
        self.run_options = ort.RunOptions()

    def run(self):
        self.session.run_with_iobinding(self.binding, self.run_options)

    def results(self):
        return [value.numpy() for value in self.outputs]


def worst_error(got, want):
    """The largest error relative to the largest reference value."""
    worst = 0.0
    for a, b in zip(got, want):
        if a.shape != b.shape:
            return float("inf")
        a, b = a.astype(np.float64), b.astype(np.float64)
        scale = float(np.max(np.abs(b))) if b.size else 1.0
        worst = max(worst, float(np.max(np.abs(a - b), initial=0.0)) / (scale or 1.0))
    return worst


def take_turns(contestants, budget, min_rounds=5):
    """Times the contestants (objects with run()) in rounds of turns, each
    runtime's turn as described at TURN_RUNS, the order reversed every round,
    until `budget` seconds have passed (and at least `min_rounds` rounds).
    Returns every sample (seconds) per contestant and, per round, each
    contestant's median in that round."""
    samples = {key: [] for key in contestants}
    rounds = []
    order = list(contestants)
    gc.disable()
    try:
        start = time.perf_counter()
        while len(rounds) < min_rounds or time.perf_counter() - start < budget:
            medians = {}
            for key in order:
                contestant = contestants[key]
                quiesce()         # the previous runtime's threads go to sleep
                contestant.run()  # this one's wake up
                turn_samples = []
                turn = time.perf_counter()
                for n in range(1000):
                    t = time.perf_counter()
                    contestant.run()
                    end = time.perf_counter()
                    turn_samples.append(end - t)
                    if n + 1 >= TURN_RUNS and end - turn >= TURN_SECONDS:
                        break
                samples[key] += turn_samples
                medians[key] = statistics.median(turn_samples)
            rounds.append(medians)
            order.reverse()
    finally:
        gc.enable()
    return samples, rounds


def load_optc(library, threads):
    """The compiled model with a pool of `threads` threads. Each copy of a
    library loaded has its own runtime, whose pool is sized from
    OPTC_NUM_THREADS at its first run: a copy per thread count lets one
    process time several."""
    library = pathlib.Path(library)
    copy = library.with_name(f"{library.stem}.t{threads}{library.suffix}")
    partial = copy.with_name(copy.name + ".partial")
    shutil.copyfile(library, partial)
    os.replace(partial, copy)  # a new file: never one that is loaded
    saved = os.environ.get("OPTC_NUM_THREADS")
    os.environ["OPTC_NUM_THREADS"] = str(threads)
    try:
        model = OptcModel(copy)
        model.lib.optc_num_threads()  # sizes the pool now
    finally:
        if saved is None:
            del os.environ["OPTC_NUM_THREADS"]
        else:
            os.environ["OPTC_NUM_THREADS"] = saved
    return model


def measure(args, name, model_path, library, thread_counts, budget):
    """Loads the compiled model (with several thread counts, a copy per
    count) and two onnxruntime sessions per thread count, checks their
    outputs, and times them all in interleaved turns. Returns the samples
    and rounds per (runtime, threads), and the worst output errors."""
    model = onnx.load(str(model_path), load_external_data=False)
    feeds = model_set.make_feeds(model, np.random.default_rng(0))
    contestants = {}
    worst = worst_ort = 0.0
    for threads in thread_counts:
        ours = load_optc(library, threads) if len(thread_counts) > 1 else \
            OptcModel(library)
        outputs = ours.prepare(list(feeds.values()))
        spin = OrtBound(model_path, threads, True, feeds)
        nospin = OrtBound(model_path, threads, False, feeds)
        for contestant in (ours, spin, nospin):
            contestant.run()
        want = nospin.results()
        worst = max(worst, worst_error(outputs, want))
        # Both onnxruntime configurations compute the same thing through
        # their bindings (a check of the binding).
        worst_ort = max(worst_ort, worst_error(spin.results(), want))
        for _ in range(2):  # warm-up
            for contestant in (ours, spin, nospin):
                contestant.run()
        contestants[("optc", threads)] = ours
        contestants[("ort_spin", threads)] = spin
        contestants[("ort_nospin", threads)] = nospin
    samples, rounds = take_turns(contestants, budget)
    return samples, rounds, worst, worst_ort


def make_row(name, threads, samples, worst, worst_ort, peaks):
    ms = {runtime: 1e3 * statistics.median(samples[(runtime, threads)])
          for runtime in ("optc", "ort_spin", "ort_nospin")}
    best = min(("ort_spin", "ort_nospin"), key=lambda key: ms[key])
    row = {"model": name, "group": model_set.MODELS[name][1], "threads": threads,
           "optc_ms": ms["optc"], "ort_spin_ms": ms["ort_spin"],
           "ort_nospin_ms": ms["ort_nospin"], "ort_ms": ms[best],
           "ort_config": "spin" if best == "ort_spin" else "nospin",
           "ratio": ms[best] / ms["optc"],
           "agree": worst < 1e-3 and worst_ort < 1e-5, "max_rel_error": worst,
           "repetitions": len(samples[("optc", threads)])}
    flops = model_set.MODELS[name][2]
    if flops:
        row["gflops"] = flops / (ms["optc"] * 1e-3) / 1e9
        if peaks.get(threads):
            row["peak_percent"] = 100.0 * row["gflops"] / peaks[threads]
    return row


def paired_ratios(rounds, low, high):
    """Per runtime, the median over rounds of its time at `high` threads
    over its time at `low` threads in the same round; "ort" takes the faster
    onnxruntime configuration at each thread count."""
    result = {}
    for runtime in ("optc", "ort_spin", "ort_nospin"):
        result[runtime] = statistics.median(
            r[(runtime, high)] / r[(runtime, low)] for r in rounds)
    result["ort"] = statistics.median(
        min(r[("ort_spin", high)], r[("ort_nospin", high)])
        / min(r[("ort_spin", low)], r[("ort_nospin", low)]) for r in rounds)
    return result


def worker(args):
    """Benchmarks the compiled models in a process of its own. Normally one
    thread count per process (the runtime sizes its pool from
    OPTC_NUM_THREADS once); with --contention every thread count in one
    process, a copy of each library per count, so that turns at 1 and 2
    threads alternate under the same load and each round gives a ratio."""
    work = pathlib.Path(args.work)
    peaks = json.loads(args.peaks)
    peaks = {int(k): v for k, v in peaks.items()}
    thread_counts = [int(t) for t in args.worker.split(",")]
    budget = (0.5 if args.quick else 2.0) * len(thread_counts)
    if args.contention:
        budget *= 2
    for name in args.models.split(","):
        library = work / f"{name}.so"
        if not library.exists():
            continue
        try:
            samples, rounds, worst, worst_ort = measure(
                args, name, work / "models" / f"{name}.onnx", library, thread_counts,
                budget)
            rows = [make_row(name, t, samples, worst, worst_ort, peaks)
                    for t in thread_counts]
            if len(thread_counts) > 1:
                rows[-1]["paired"] = paired_ratios(rounds, thread_counts[0],
                                                   thread_counts[-1])
                rows[-1]["rounds"] = len(rounds)
        except Exception as error:  # report and go on with the others
            rows = [{"model": name, "threads": t, "error": str(error)}
                    for t in thread_counts]
        for row in rows:
            print(json.dumps(row), flush=True)
    return 0


def geomean(values):
    return float(np.exp(np.mean(np.log(values)))) if values else None


def summarize(rows, thread_counts):
    """Geomeans of ort/optc (the faster onnxruntime configuration) per thread
    count: whole models, micro-benchmarks, and all rows."""
    result = {}
    for threads in thread_counts:
        ok = [r for r in rows if r.get("threads") == threads and "ratio" in r]
        result[str(threads)] = {
            group: {"geomean": geomean([r["ratio"] for r in ok if r["group"] == group]),
                    "models": sum(r["group"] == group for r in ok)}
            for group in (model_set.WHOLE, model_set.MICRO)}
        result[str(threads)]["all"] = {"geomean": geomean([r["ratio"] for r in ok]),
                                       "models": len(ok)}
    return result


def _ms(value):
    digits = 3 if value < 1 else 2 if value < 10 else 1 if value < 100 else 0
    return f"{value:.{digits}f}"


def markdown(result, thread_counts):
    """The run as Markdown tables (what docs/benchmarks.md quotes)."""
    rows = {(r["model"], r.get("threads")): r for r in result["rows"]}
    names = list(dict.fromkeys(r["model"] for r in result["rows"]))
    head = ["model"]
    for t in thread_counts:
        head += [f"{t}T optc ms", "ort spin", "ort nospin", "ort/optc"]
    head += ["compile s", "compile MiB"]
    lines = ["| " + " | ".join(head) + " |",
             "|---|" + "---:|" * (len(head) - 1)]
    for group in (model_set.WHOLE, model_set.MICRO):
        for name in names:
            if model_set.MODELS[name][1] != group:
                continue
            cells = [name]
            compile_s = compile_mib = None
            for t in thread_counts:
                r = rows.get((name, t), {})
                if "ratio" not in r:
                    cells += ["failed", "", "", ""]
                    continue
                ratio = f"{r['ratio']:.2f}" + ("" if r["agree"] else " (outputs differ)")
                if "gflops" in r:
                    ratio += f" ({r['gflops']:.0f} GFLOP/s" + (
                        f", {r['peak_percent']:.0f}% of peak)" if "peak_percent" in r
                        else ")")
                cells += [_ms(r["optc_ms"]), _ms(r["ort_spin_ms"]),
                          _ms(r["ort_nospin_ms"]), ratio]
                compile_s = r.get("compile_s", compile_s)
                compile_mib = r.get("compile_mib", compile_mib)
            cells.append(f"{compile_s:.1f}" if compile_s is not None else "")
            cells.append(f"{compile_mib:.0f}" if compile_mib is not None else "")
            lines.append("| " + " | ".join(cells) + " |")
        label = "whole models" if group == model_set.WHOLE else "micro-benchmarks"
        cells = [f"**geomean, {label}**"]
        for t in thread_counts:
            g = result["geomeans"][str(t)][group]["geomean"]
            cells += ["", "", "", f"**{g:.2f}**" if g else ""]
        lines.append("| " + " | ".join(cells + ["", ""]) + " |")
    if result.get("contention_ratios"):
        low, high = thread_counts[0], thread_counts[-1]
        lines += ["", f"| model (one busy process beside it) | optc {high}T/{low}T | "
                      f"ort spin | ort nospin | ort, faster configuration |",
                  "|---|---:|---:|---:|---:|"]
        for name, r in result["contention_ratios"].items():
            lines.append(f"| {name} | {r['optc']:.2f} | {r['ort_spin']:.2f} | "
                         f"{r['ort_nospin']:.2f} | {r['ort']:.2f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--optc", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--models", default="")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--contention", action="store_true",
                        help="run one busy process beside the measurement and report "
                             "each runtime's time at the largest thread count over "
                             "its time at one thread")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the results as Markdown tables")
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "results"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--peaks", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    names = [n for n in args.models.split(",") if n] or (
        CONTENTION if args.contention else QUICK if args.quick
        else list(model_set.MODELS))
    unknown = [n for n in names if n not in model_set.MODELS]
    if unknown:
        sys.exit(f"bench: error: unknown model(s) {', '.join(unknown)}; "
                 f"known: {', '.join(model_set.MODELS)}")
    try:
        thread_counts = [int(t) for t in args.threads.split(",")]
        assert all(t >= 1 for t in thread_counts)
    except (ValueError, AssertionError):
        sys.exit(f"bench: error: --threads={args.threads} is not a list of counts")
    if args.contention and (len(thread_counts) != 2 or thread_counts[0] != 1):
        sys.exit("bench: error: --contention compares a thread count with one "
                 "thread: --threads must be 1,N")
    work = pathlib.Path(tempfile.mkdtemp(prefix="optc-bench-"))
    model_dir = work / "models"
    subprocess.run([sys.executable, str(pathlib.Path(__file__).parent / "models.py"),
                    str(model_dir), "--models", ",".join(names)], check=True,
                   stdout=subprocess.DEVNULL)
    # Under contention the FMA loop would measure the busy process, not the
    # machine: no peak then.
    peaks = {t: None if args.contention else measure_peak(t, work)
             for t in thread_counts}
    for t, p in peaks.items():
        print(f"fp32 FMA peak, {t} thread(s): "
              + (f"{p:.1f} GFLOP/s" if p else "not measured (no C compiler)"
                 if not args.contention else "not measured (--contention)"),
              flush=True)
    rows = []
    compiled = {}
    for name in names:
        try:
            compiled[name] = compile_model(args.optc, model_dir / f"{name}.onnx",
                                           work / f"{name}.so")
        except RuntimeError as error:
            print(f"{name:26} compile failed: {error}", flush=True)
            rows.append({"model": name, "group": model_set.MODELS[name][1],
                         "error": str(error)})
    busy = None
    if args.contention:
        # A session of its own, like another program started elsewhere:
        # where the scheduler groups by session (Linux autogroups), it then
        # gets its share as a separate program rather than as one more
        # thread of the benchmark's group.
        busy = subprocess.Popen([sys.executable, "-c", BUSY], start_new_session=True)
        print(f"contention: one busy process (pid {busy.pid}) runs beside the "
              "measurement", flush=True)
    header = (f"{'model':26} {'thr':>3} {'optc ms':>9} {'ort spin':>9} {'ort nospin':>10} "
              f"{'ort/optc':>8} {'GFLOP/s':>8} {'%peak':>6} {'compile s':>9} {'MiB':>6}"
              f"  agree")
    print("ort/optc: the faster onnxruntime configuration (ms) over optc (ms); "
          "above 1, optc is faster")
    print(header)
    print("-" * len(header))
    # One worker process per thread count; under contention one for all,
    # so that their turns alternate (see worker()).
    groups = [thread_counts] if args.contention else [[t] for t in thread_counts]
    try:
        for group in groups:
            env = dict(os.environ, OPTC_NUM_THREADS=str(group[0]))
            process = subprocess.Popen(
                [sys.executable, __file__, "--optc", args.optc,
                 "--worker", ",".join(map(str, group)),
                 "--work", str(work), "--models", ",".join(compiled),
                 "--peaks", json.dumps({str(k): v for k, v in peaks.items()})]
                + (["--quick"] if args.quick else [])
                + (["--contention"] if args.contention else []),
                stdout=subprocess.PIPE, text=True, env=env)
            for line in process.stdout:
                row = json.loads(line)
                name, threads = row["model"], row["threads"]
                row["group"] = model_set.MODELS[name][1]
                rows.append(row)
                if "error" in row:
                    print(f"{name:26} {threads:>3} failed: {row['error']}", flush=True)
                    continue
                compile_s, compile_mib = compiled[name]
                row.update(compile_s=compile_s, compile_mib=compile_mib)
                gflops = f"{row['gflops']:8.1f}" if "gflops" in row else f"{'':8}"
                peak = (f"{row['peak_percent']:6.1f}" if "peak_percent" in row
                        else f"{'':6}")
                print(f"{name:26} {threads:>3} {row['optc_ms']:9.3f} "
                      f"{row['ort_spin_ms']:9.3f} {row['ort_nospin_ms']:10.3f} "
                      f"{row['ratio']:8.2f} {gflops} {peak} {compile_s:9.2f} "
                      f"{compile_mib:6.0f}  {'yes' if row['agree'] else 'NO'}",
                      flush=True)
            process.wait()
    finally:
        if busy:
            busy.kill()
            busy.wait()
    print("-" * len(header))
    geomeans = summarize(rows, thread_counts)
    for threads in thread_counts:
        g = geomeans[str(threads)]
        parts = [f"{label} {g[group]['geomean']:.2f} over {g[group]['models']}"
                 for group, label in ((model_set.WHOLE, "whole models"),
                                      (model_set.MICRO, "micro-benchmarks"))
                 if g[group]["models"]]
        if parts:
            print(f"geomean ort/optc at {threads} thread(s): {', '.join(parts)}"
                  + (" (under contention)" if args.contention else ""))
    result = {"machine": platform.processor() or platform.machine(),
              "cpus": os.cpu_count(), "peaks_gflops": peaks, "rows": rows,
              "quick": args.quick, "contention": args.contention,
              "geomeans": geomeans,
              "method": {"ort": "IOBinding; allow_spinning 1 and 0; ort_ms is the "
                                "faster"}}
    if args.contention:
        ratios = {r["model"]: r["paired"] for r in rows if "paired" in r}
        result["contention_ratios"] = ratios
        low, high = thread_counts[0], thread_counts[-1]
        print(f"\nwith one busy process beside it: each runtime's time at {high} "
              f"threads over its own time at {low}, the median of the rounds' ratios")
        print(f"{'model':26} {'optc':>6} {'ort spin':>9} {'ort nospin':>10} "
              f"{'ort faster':>10}")
        for name in names:
            if name in ratios:
                r = ratios[name]
                print(f"{name:26} {r['optc']:6.2f} {r['ort_spin']:9.2f} "
                      f"{r['ort_nospin']:10.2f} {r['ort']:10.2f}")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = out / f"bench-{'contention-' if args.contention else ''}{stamp}.json"
    path.write_text(json.dumps(result, indent=1))
    if args.markdown:
        print()
        print(markdown(result, thread_counts))
    print(f"wrote {path}")
    failed = [r for r in rows if "error" in r or not r.get("agree", True)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
