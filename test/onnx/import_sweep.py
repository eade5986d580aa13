#!/usr/bin/env python3
"""Imports every ONNX node test model with optc and sums up.

Usage: import_sweep.py OPTC NODE_TEST_DIR [--jobs N] [--json FILE] [--verbose]

Each model is imported with `optc MODEL --emit=mlir`. A result is one of:
  imported   exit 0
  rejected   exit 1 with a diagnostic (unsupported op, ...)
  crash      any other exit, a signal, LLVM's crash report or no diagnostic
  timeout    more than 60 s
Prints the failure reasons grouped by count and exits 1 on any crash or
timeout.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys


def classify(optc, folder):
    model = os.path.join(folder, "model.onnx")
    try:
        r = subprocess.run([optc, model, "--emit=mlir", "-o", os.devnull],
                           capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "timeout", "timed out after 60 s"
    err = r.stderr.decode(errors="replace")
    if r.returncode == 0:
        return "imported", ""
    if r.returncode != 1 or "Stack dump" in err or "PLEASE submit" in err or "error:" not in err:
        return "crash", f"exit {r.returncode}: {err[-300:]}"
    line = next((l for l in err.splitlines() if "error:" in l), err)
    return "rejected", line.split("error:", 1)[1].strip()


def reason_key(message):
    """Groups messages: the node prefix and concrete values are dropped."""
    m = re.match(r"node '[^']*' \(#\d+, op (\S+), domain (\S+), opset \d+\): (.*)", message)
    if m:
        op, domain, why = m.groups()
        if why.startswith("optc does not support this op"):
            return f"unsupported op {domain}.{op}"
        why = re.sub(r"'[^']*'", "'…'", why)
        why = re.sub(r"\d+", "N", why)
        return f"{op}: {why[:110]}"
    return re.sub(r"'[^']*'", "'…'", message)[:120]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("optc")
    ap.add_argument("tests")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--json")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    folders = sorted(os.path.join(args.tests, d) for d in os.listdir(args.tests)
                     if os.path.isfile(os.path.join(args.tests, d, "model.onnx")))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for folder, (kind, why) in zip(folders, pool.map(lambda f: classify(args.optc, f), folders)):
            results[os.path.basename(folder)] = (kind, why)
            if args.verbose and kind != "imported":
                print(f"{kind:9} {os.path.basename(folder)}: {why}")
    counts = collections.Counter(kind for kind, _ in results.values())
    reasons = collections.Counter(reason_key(why) for kind, why in results.values() if kind == "rejected")
    total = len(results)
    print(f"{'count':>5}  reason")
    for reason, n in reasons.most_common():
        print(f"{n:5}  {reason}")
    for name, (kind, why) in results.items():
        if kind in ("crash", "timeout"):
            print(f"{kind.upper()}: {name}: {why}")
    pct = 100.0 * counts["imported"] / total if total else 0.0
    print(f"{counts['imported']} of {total} node test models imported ({pct:.1f}%), "
          f"{counts['rejected']} rejected, {counts['crash']} crashed, {counts['timeout']} timed out")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({name: {"result": k, "reason": w} for name, (k, w) in results.items()}, f, indent=1)
    return 1 if counts["crash"] or counts["timeout"] else 0


if __name__ == "__main__":
    sys.exit(main())
