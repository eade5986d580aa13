#!/usr/bin/env python3
"""Runs optc's libFuzzer harnesses: seed corpora, campaigns, replay, coverage.

The harnesses (fuzz/, built with -DOPTC_FUZZ=ON into build-asan/bin by
scripts/sanitize.sh) are optc-fuzz-onnx (serialized ONNX models, the whole
CPU pipeline in-process), optc-fuzz-mlir (optc-dialect MLIR text, parse,
verify, pass pipelines) and optc-fuzz-runtime (a library, its metadata
text, its weights side file and per-tensor run choices, in sections
separated by the line `%%optc-fuzz%%`). Run with .venv/bin/python:

  scripts/fuzz.py seeds              seed corpora in build-asan/fuzz/seeds/<h>
  scripts/fuzz.py campaign --time 3600 [--harness onnx,mlir] [--parallel 2]
      fuzzes each harness for its share of the time in libFuzzer's fork mode
      (crashes, hangs and OOMs are counted and fuzzing goes on), keeps the
      corpus in build-asan/fuzz/corpus/<h> and the crashing inputs in
      build-asan/fuzz/artifacts/<h>, prints a table, appends a JSON record
      to build-asan/fuzz/campaigns.jsonl; exits 1 if anything crashed, hung
      (over 10 s), ran out of memory (over 4 GiB) or leaked. Ctrl-C stops
      it and prints what ran. Each new crash or leak input is run again
      alone; its full report goes to build-asan/fuzz/reports/<h>/. Fork
      mode first runs the whole corpus once (about 5 minutes for the ONNX
      seeds on two busy cores), and only then fuzzes: give the onnx
      harness more than that. --allow-internal-errors: optc's "internal
      error" diagnostics (which the harnesses turn into aborts) are not
      crashes.
  scripts/fuzz.py replay [--junit FILE] [h=DIR ...]
      runs every file of test/fuzz/regression/<h> (and the extra files or
      dirs) once through its harness; JUnit report; non-zero on a failure.
      CI runs this.
  scripts/fuzz.py minimize-crash ARTIFACT --harness h --name NAME
  scripts/fuzz.py coverage [--no-build]
      builds build-cov (-DOPTC_COVERAGE=ON), runs it over the corpus and
      the regression files, prints the line coverage of lib/Import,
      dialects/, runtime/ and in all (build-cov/fuzz/coverage.txt).

Turning a crash into a regression test:
  1. a campaign reports it; the input is build-asan/fuzz/artifacts/<h>/
     crash-<sha1> (leak-, timeout-, oom- likewise);
  2. `scripts/fuzz.py minimize-crash build-asan/fuzz/artifacts/onnx/crash-..
     --harness onnx --name conv-rank1-weight.onnx` shrinks it with
     libFuzzer's -minimize_crash=1 and copies it to
     test/fuzz/regression/onnx/conv-rank1-weight.onnx (named by its cause);
  3. fix the cause; `scripts/fuzz.py replay` passes again; commit the file
     with the fix (CI replays the directory).
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

from fuzz_seeds import HARNESSES, ROOT, cmd_seeds, files_in, log, rel

REGRESSION = os.path.join(ROOT, "test", "fuzz", "regression")
DEFAULT_SHARES = {"onnx": 0.6, "mlir": 0.25, "runtime": 0.15}
STATUS = re.compile(r"^#(\d+):\s+cov: (\d+) ft: (\d+) corp: (\d+) exec/s: \d+ "
                    r"oom/timeout/crash: (\d+)/(\d+)/(\d+) time: (\d+)s")
# Outside fork mode: "#123  NEW    cov: 45 ft: 67 corp: 8/120b ..."
PLAIN_STATUS = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/")
ERROR_LINE = re.compile(r"(ERROR: .*|runtime error: .*)$", re.M)


def sanitizer_env(sanitized=True, allow_internal_errors=False):
    """The environment of a harness: the sanitizer options that
    scripts/sanitizer-env.sh sets for scripts/sanitize.sh (none for build-cov).
    The harnesses abort on optc's "internal error" diagnostics unless
    OPTC_FUZZ_ALLOW_INTERNAL_ERRORS is set (fuzz/FuzzSupport.cpp)."""
    env = dict(os.environ)
    if allow_internal_errors:
        env["OPTC_FUZZ_ALLOW_INTERNAL_ERRORS"] = "1"
    if sanitized:
        names = ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS")
        script = (f'root="$1"; . "$1/scripts/sanitizer-env.sh" && printf "%s\\n" '
                  + " ".join(f'"${n}"' for n in names))
        values = subprocess.run(["bash", "-c", script, "_", ROOT], capture_output=True,
                                text=True, check=True).stdout.splitlines()
        env.update(zip(names, values))
    return env


def harness_binary(build, h):
    path = os.path.join(build, "bin", f"optc-fuzz-{h}")
    return path if os.access(path, os.X_OK) else None


def harness_list(text):
    names = [h.strip() for h in text.split(",") if h.strip()]
    bad = [h for h in names if h not in HARNESSES]
    if bad:
        sys.exit(f"fuzz.py: unknown harness {', '.join(bad)} (expected {', '.join(HARNESSES)})")
    return names


# --- campaign ----------------------------------------------------------------

class Run:
    """One libFuzzer fork-mode run of a harness and what its output said."""

    def __init__(self, h, seconds):
        self.h, self.seconds = h, seconds
        self.execs = self.cov = self.ft = self.corpus = 0
        self.ooms = self.timeouts = self.crash_jobs = 0
        self.errors = []            # ERROR / runtime error lines, pid stripped
        self.elapsed = 0.0
        self.peak_rss_kib = 0
        self.exit_status = None
        self.artifacts = []
        self.started = None
        self.proc = None
        self.log_path = None
        self.corpus_files = 0
        self.reproduced = {}        # artifact: its report's first line run alone
        self.phase = "starting"
        self.overran = False

    def feed(self, line):
        if "seed inputs, starting to fuzz" in line:
            self.phase = "fuzzing"
        m = STATUS.match(line)
        if m:
            (self.execs, self.cov, self.ft, self.corpus, self.ooms, self.timeouts,
             self.crash_jobs) = (int(g) for g in m.groups()[:7])
            return
        m = PLAIN_STATUS.match(line)
        if m:
            self.execs, self.cov, self.ft, self.corpus = (int(g) for g in m.groups())
            return
        m = ERROR_LINE.search(line)
        if m and "libFuzzer: run interrupted" not in line:
            self.errors.append(re.sub(r"0x[0-9a-f]+", "0x..", m.group(1)))

    @property
    def leaks(self):
        return sum("LeakSanitizer" in e for e in self.errors)

    @property
    def crashes(self):
        # Fork mode counts a leak as a crash; the leak's report line tells them apart.
        return max(self.crash_jobs - self.leaks, 0)

    def failed(self):
        return bool(self.crashes or self.leaks or self.timeouts or self.ooms)

    def record(self):
        return {"harness": self.h, "planned_s": round(self.seconds), "seconds": round(self.elapsed, 1),
                "executions": self.execs,
                "exec_per_s": round(self.execs / self.elapsed) if self.elapsed else 0,
                "corpus": self.corpus, "corpus_files": self.corpus_files, "cov": self.cov, "ft": self.ft, "crashes": self.crashes,
                "leaks": self.leaks, "hangs": self.timeouts, "ooms": self.ooms,
                "peak_rss_mib": round(self.peak_rss_kib / 1024), "exit_status": self.exit_status,
                "reports": sorted(set(self.errors))[:20], "artifacts": self.artifacts,
                "reproduced": self.reproduced, "fuzzed": self.phase == "fuzzing",
                "overran": self.overran,
                "log": self.log_path}


def plan(harnesses, shares, total, parallel):
    """Seconds per harness: shares of parallel x total, none over total."""
    weights = {h: shares.get(h, 0.0) for h in harnesses}
    if sum(weights.values()) <= 0:
        weights = {h: 1.0 for h in harnesses}
    budget, seconds, free = total * min(parallel, len(harnesses)), {}, dict(weights)
    while free:
        scale = budget / sum(free.values())
        over = [h for h in free if free[h] * scale > total]
        if not over:
            seconds.update({h: free[h] * scale for h in free})
            break
        for h in over:
            seconds[h] = total
            budget -= total
            del free[h]
    return seconds


def fuzz_one(run, args, stop):
    h = run.h
    fz = os.path.join(args.build, "fuzz")
    corpus, artifacts = (os.path.join(fz, d, h) for d in ("corpus", "artifacts"))
    tmp = os.path.join(fz, "tmp", h)
    logs = os.path.join(fz, "logs")
    for d in (corpus, artifacts, tmp, logs):
        os.makedirs(d, exist_ok=True)
    if not files_in(corpus):
        seeds = files_in(os.path.join(fz, "seeds", h))
        for s in seeds:
            shutil.copy(s, corpus)
        log(f"  {h}: new corpus {rel(corpus)} from {len(seeds)} seeds")
    before = set(os.listdir(artifacts))
    # A copy: fork mode starts the binary anew for every job, and a rebuild
    # replacing it mid-campaign would count every job as a crash.
    os.makedirs(os.path.join(tmp, "bin"), exist_ok=True)
    binary = shutil.copy2(harness_binary(args.build, h), os.path.join(tmp, "bin"))
    cmd = [binary, "-fork=1", "-ignore_crashes=1", "-ignore_timeouts=1",
           "-ignore_ooms=1", "-timeout=10", "-rss_limit_mb=4096",
           f"-max_total_time={max(1, round(run.seconds))}", f"-artifact_prefix={artifacts}/"]
    dictionary = os.path.join(ROOT, "fuzz", f"{h}.dict")
    if os.path.exists(dictionary):
        cmd.append(f"-dict={dictionary}")
    cmd.append(corpus)
    if os.path.isdir(os.path.join(REGRESSION, h)):
        cmd.append(os.path.join(REGRESSION, h))
    env = sanitizer_env(allow_internal_errors=args.allow_internal_errors)
    env["TMPDIR"] = tmp    # fork mode's job directories, removed below
    run.log_path = os.path.join(logs, f"{h}-{time.strftime('%Y%m%d-%H%M%S')}.log")
    run.started = time.time()
    with open(run.log_path, "w", buffering=1) as out:
        out.write(" ".join(cmd) + "\n")
        # Its own process group: Ctrl-C reaches this script, which stops
        # libFuzzer and the jobs it forked (and nothing else).
        run.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    env=env, cwd=fz, start_new_session=True)
        if stop.is_set():
            os.killpg(run.proc.pid, signal.SIGINT)
        for raw in run.proc.stdout:
            line = raw.decode(errors="replace")
            out.write(line)
            run.feed(line.rstrip("\n"))
        _, status, usage = os.wait4(run.proc.pid, 0)
    run.proc.returncode = os.waitstatus_to_exitcode(status)
    run.exit_status = run.proc.returncode
    run.elapsed = time.time() - run.started
    run.peak_rss_kib = usage.ru_maxrss   # the largest of libFuzzer and its jobs
    run.artifacts = sorted(set(os.listdir(artifacts)) - before)
    if not stop.is_set():
        describe_artifacts(run, binary, artifacts, os.path.join(fz, "reports", h), env)
    shutil.rmtree(tmp, ignore_errors=True)
    run.corpus_files = len(files_in(corpus))


def describe_artifacts(run, binary, artifacts, reports, env, limit=20):
    """Runs each new crash or leak input once more, alone, and keeps its
    report in <build>/fuzz/reports/<h>/<artifact>.txt: fork mode keeps only
    the first line of a job's report. An input that passes alone depended
    on what its job ran before it."""
    names = [a for a in run.artifacts if a.startswith(("crash-", "leak-"))][:limit]
    os.makedirs(reports, exist_ok=True)
    for name in names:
        path = os.path.join(artifacts, name)
        ok, _, out = run_files(binary, [path], env)[path]
        with open(os.path.join(reports, name + ".txt"), "w") as f:
            f.write(out if not ok else "passes when run alone\n")
        err = ERROR_LINE.search(out) if not ok else None
        run.reproduced[name] = re.sub(r"0x[0-9a-f]+", "0x..", err.group(0)) if err else (
            "fails alone" if not ok else "passes alone")


def table(runs):
    head = ("harness", "seconds", "execs", "exec/s", "corpus", "cov", "crashes", "leaks",
            "hangs", "ooms", "peak RSS")
    rows = [head]
    for r in runs:
        d = r.record()
        rows.append((r.h, f"{d['seconds']:.0f}", f"{d['executions']:,}", f"{d['exec_per_s']:,}",
                     str(d["corpus"]), str(d["cov"]), str(d["crashes"]), str(d["leaks"]),
                     str(d["hangs"]), str(d["ooms"]), f"{d['peak_rss_mib']} MiB"))
    if len(runs) > 1:
        rows.append(("total", f"{sum(r.elapsed for r in runs):.0f}",
                     f"{sum(r.execs for r in runs):,}", "", "", "",
                     *(str(sum(getattr(r, k) for r in runs))
                       for k in ("crashes", "leaks", "timeouts", "ooms")),
                     f"{round(max(r.peak_rss_kib for r in runs) / 1024)} MiB"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        log("  " + "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                             enumerate(zip(row, widths))))


def stop_group(run, sig):
    try:
        os.killpg(run.proc.pid, sig)
    except (ProcessLookupError, AttributeError):
        pass


def enforce_deadline(run):
    """libFuzzer's -max_total_time does not bound fork mode's first pass over
    the corpus (minutes for thousands of ONNX models): past its time and a
    grace period a run is interrupted, and killed a minute later."""
    over = time.time() - run.started - run.seconds - max(60, 0.1 * run.seconds)
    if over > 0 and not run.overran:
        run.overran = True
        log(f"  [{run.h}] past its time: interrupting it")
        stop_group(run, signal.SIGINT)
    elif over > 60:
        stop_group(run, signal.SIGKILL)


def on_sigterm(signum, frame):
    """A plain `kill` ends a campaign the way Ctrl-C does."""
    raise KeyboardInterrupt


def cmd_campaign(args):
    shares = dict(DEFAULT_SHARES)
    for item in filter(None, (args.share or "").split(",")):
        k, _, v = item.partition("=")
        harness_list(k)
        shares[k] = float(v)
    missing = [h for h in args.harness if not harness_binary(args.build, h)]
    if missing:
        sys.exit(f"fuzz.py: no {', '.join(f'optc-fuzz-{h}' for h in missing)} in "
                 f"{rel(args.build)}/bin (configure with -DOPTC_FUZZ=ON; scripts/sanitize.sh does)")
    seconds = plan(args.harness, shares, args.time, args.parallel)
    # The commit at the start: the harnesses are copied now, and commits
    # made while they run are not in them.
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    runs = sorted((Run(h, seconds[h]) for h in args.harness), key=lambda r: -r.seconds)
    log(f"== campaign: {args.time} s, {args.parallel} at a time: " +
        ", ".join(f"{r.h} {r.seconds:.0f} s" for r in runs))
    stop = threading.Event()
    queue, lock = list(runs), threading.Lock()

    def worker():
        while not stop.is_set():
            with lock:
                if not queue:
                    return
                run = queue.pop(0)
            try:
                fuzz_one(run, args, stop)
            except Exception as err:   # reported, not fatal to the other harness
                log(f"  {run.h}: {err!r}")
                run.exit_status = -1
    signal.signal(signal.SIGTERM, on_sigterm)
    # Also when started in the background, which ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.parallel)]
    for t in threads:
        t.start()
    interrupted, last = False, time.time()
    try:
        while any(t.is_alive() for t in threads):
            time.sleep(1)
            for r in runs:
                if r.started and r.exit_status is None:
                    enforce_deadline(r)
            if time.time() - last >= args.progress:
                last = time.time()
                for r in runs:
                    if r.started and r.exit_status is None:
                        state = ("" if r.phase == "fuzzing" else
                                 "  (running the corpus once before fuzzing)")
                        log(f"  [{r.h}] {time.time() - r.started:.0f}/{r.seconds:.0f} s  "
                            f"#{r.execs:,}  cov {r.cov}  ft {r.ft}  corpus {r.corpus}  "
                            f"oom/timeout/crash {r.ooms}/{r.timeouts}/{r.crash_jobs}{state}")
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
        log("== interrupted: stopping the fuzzers")
        for r in runs:
            if r.proc and r.proc.returncode is None:
                stop_group(r, signal.SIGINT)
        deadline = time.time() + 30
        for t in threads:
            t.join(max(0.1, deadline - time.time()))
        for r in runs:
            if r.proc and r.proc.returncode is None:
                stop_group(r, signal.SIGKILL)
        for t in threads:
            t.join(5)
    ran = [r for r in runs if r.started]
    log(f"== results ({'interrupted, ' if interrupted else ''}logs in {rel(os.path.join(args.build, 'fuzz', 'logs'))})")
    table(ran)
    for r in ran:
        for e in sorted(set(r.errors))[:10]:
            log(f"  {r.h}: {e}")
        if r.phase != "fuzzing":
            log(f"  {r.h}: stopped while running its corpus once, before any fuzzing "
                f"(fork mode's first pass is not bounded by its time: give it more)")
        for name, what in sorted(r.reproduced.items()):
            log(f"  {r.h}: {name}: {what}")
        if r.artifacts:
            kinds = {}
            for a in r.artifacts:
                kinds.setdefault(a.split("-")[0], []).append(a)
            log(f"  {r.h}: new in {rel(os.path.join(args.build, 'fuzz', 'artifacts', r.h))}: " +
                ", ".join(f"{len(v)} {k} ({v[0]}{', ...' if len(v) > 1 else ''})"
                          for k, v in sorted(kinds.items())))
    record = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "commit": commit,
              "build": os.path.abspath(args.build), "time_s": args.time, "parallel": args.parallel,
              "interrupted": interrupted, "harnesses": [r.record() for r in ran],
              "total_executions": sum(r.execs for r in ran)}
    with open(os.path.join(args.build, "fuzz", "campaigns.jsonl"), "a") as f:
        f.write(json.dumps(record) + "\n")
    bad = [r.h for r in ran if r.failed() or r.exit_status == -1]
    log(f"{sum(r.execs for r in ran):,} executions; " +
        (f"FAILED: {', '.join(bad)}" if bad else "no crashes, hangs, OOMs or leaks"))
    return 1 if bad else 130 if interrupted else 0


# --- replay ------------------------------------------------------------------

def run_files(binary, files, env, timeout=10):
    """Runs a harness over files, a batch per process: {file: (ok, seconds, output)}.

    libFuzzer runs each file named on its command line once and prints
    `Executed FILE in N ms` after it; after a failure the files not run yet
    go to a new process. A process that fails after running every file
    (LeakSanitizer reports at exit) has each file rerun alone.
    """
    results, pending = {}, list(files)
    while pending:
        cmd = [binary, f"-timeout={timeout}", "-rss_limit_mb=4096"] + pending
        try:
            r = subprocess.run(cmd, capture_output=True, env=env,
                               timeout=timeout * len(pending) + 60)
            out, rc = (r.stdout + r.stderr).decode(errors="replace"), r.returncode
        except subprocess.TimeoutExpired as e:
            out, rc = ((e.stdout or b"") + (e.stderr or b"")).decode(errors="replace"), -9
        done = {m.group(1): int(m.group(2)) / 1000
                for m in re.finditer(r"^Executed (.+) in (\d+) ms", out, re.M)}
        if rc == 0:
            results.update((f, (True, done.get(f, 0.0), "")) for f in pending)
            break
        results.update((f, (True, done[f], "")) for f in pending if f in done)
        not_run = [f for f in pending if f not in done]
        if not_run:
            results[not_run[0]] = (False, 0.0, out[-6000:])
            pending = not_run[1:]
        elif len(pending) == 1:
            results[pending[0]] = (False, done[pending[0]], out[-6000:])
            break
        else:
            for f in pending:
                results.update(run_files(binary, [f], env, timeout))
            break
    return results


def replay_sets(extra):
    sets = {h: files_in(os.path.join(REGRESSION, h)) for h in HARNESSES}
    for item in extra:
        h, sep, path = item.partition("=")
        if not sep:
            for h in HARNESSES:   # a directory holding <h>/ subdirectories
                sets[h] += files_in(os.path.join(item, h))
            continue
        harness_list(h)
        sets[h] += [os.path.abspath(path)] if os.path.isfile(path) else files_in(path)
    return sets


def cmd_replay(args):
    env = sanitizer_env()
    suite = ET.Element("testsuite", name="fuzz-replay")
    failures = total = skipped = 0
    start = time.time()
    for h, files in replay_sets(args.extra).items():
        if not files:
            continue
        binary = harness_binary(args.build, h)
        if not binary:
            case = ET.SubElement(suite, "testcase", classname=f"fuzz.{h}", name="(harness)")
            kind = "skipped" if args.allow_missing else "failure"
            ET.SubElement(case, kind, message=f"no optc-fuzz-{h} in {args.build}/bin")
            failures += kind == "failure"
            skipped += kind == "skipped"
            total += 1
            log(f"  {h}: no harness binary ({kind})")
            continue
        t0 = time.time()
        results = run_files(binary, files, env, args.timeout)
        bad = 0
        for f in files:
            ok, secs, out = results[f]
            name = os.path.relpath(f, REGRESSION) if f.startswith(REGRESSION) else f
            case = ET.SubElement(suite, "testcase", classname=f"fuzz.{h}", name=name,
                                 time=f"{secs:.3f}")
            if not ok:
                bad += 1
                err = ERROR_LINE.search(out) or re.search(r".*\S", out or "no output")
                ET.SubElement(case, "failure", message=err.group(0)[:200]).text = out
                log(f"  FAIL {h}: {name}: {err.group(0)[:160]}")
        total += len(files)
        failures += bad
        log(f"  {h}: {len(files) - bad}/{len(files)} files passed ({time.time() - t0:.1f} s)")
    suite.set("tests", str(total))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("time", f"{time.time() - start:.1f}")
    if args.junit:
        ET.ElementTree(suite).write(args.junit, encoding="utf-8", xml_declaration=True)
    log(f"{total - failures - skipped} passed, {failures} failed, {skipped} skipped")
    return 1 if failures or total == skipped else 0


# --- minimize-crash ----------------------------------------------------------

def cmd_minimize(args):
    h = args.harness or next((h for h in HARNESSES
                              if f"/artifacts/{h}/" in os.path.abspath(args.artifact)), None)
    if not h:
        sys.exit("fuzz.py: say which harness (--harness)")
    binary = harness_binary(args.build, h)
    if not binary:
        sys.exit(f"fuzz.py: no optc-fuzz-{h} in {rel(args.build)}/bin")
    dest = os.path.join(REGRESSION, h, args.name)
    if os.path.exists(dest) and not args.force:
        sys.exit(f"fuzz.py: {rel(dest)} exists (--force replaces it)")
    env = sanitizer_env()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "minimized")
        cmd = [binary, "-minimize_crash=1", f"-runs={args.runs}", "-timeout=10",
               f"-max_total_time={args.max_time}", f"-exact_artifact_path={out}",
               os.path.abspath(args.artifact)]
        log(f"== {' '.join(cmd)}")
        subprocess.run(cmd, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not os.path.exists(out):
            log("  minimization found nothing smaller (or the input does not crash alone); "
                "keeping the original")
            out = args.artifact
        data = open(out, "rb").read()
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as f:
        f.write(data)
    check = subprocess.run([binary, "-timeout=10", dest], capture_output=True, env=env)
    tail = (check.stdout + check.stderr).decode(errors="replace")
    err = ERROR_LINE.search(tail)
    log(f"  {rel(dest)}: {len(data)} bytes (from {os.path.getsize(args.artifact)}); "
        f"it {'still fails: ' + err.group(0)[:160] if check.returncode else 'no longer fails here'}")
    log("  next: fix the cause, check with `scripts/fuzz.py replay`, commit the file with the fix")
    return 0


# --- coverage ----------------------------------------------------------------

def cmd_coverage(args):
    build, corpus_build = os.path.abspath(args.build), os.path.abspath(args.corpus_build)
    targets = [f"optc-fuzz-{h}" for h in HARNESSES]
    if not args.no_build and not os.path.exists(os.path.join(build, "build.ninja")):
        os.makedirs(build, exist_ok=True)
        log(f"== configure {rel(build)}")
        # scripts/sanitize.sh's configure line, without sanitizers.
        subprocess.run(["bash", "-c", '. "$1/scripts/sanitizer-env.sh" && optc_configure_sanitized '
                        '"$2" "" -DOPTC_FUZZ=ON -DOPTC_COVERAGE=ON', "_", ROOT, build],
                       env=dict(os.environ, root=ROOT), check=True)
    if not args.no_build:
        log(f"== build {', '.join(targets)}")
        subprocess.run(["nice", "cmake", "--build", build, "--target", *targets], check=True)
    profiles = os.path.join(build, "fuzz", "profiles")
    shutil.rmtree(profiles, ignore_errors=True)
    os.makedirs(profiles)
    env = sanitizer_env(sanitized=False)
    env["LLVM_PROFILE_FILE"] = os.path.join(profiles, "%p-%m.profraw")
    built = [h for h in HARNESSES if harness_binary(build, h)]
    if not built:
        sys.exit(f"fuzz.py: no harness binaries in {rel(build)}/bin")
    for h in built:
        files = files_in(os.path.join(corpus_build, "fuzz", "corpus", h))
        if not files:
            files = files_in(os.path.join(corpus_build, "fuzz", "seeds", h))
            log(f"  {h}: no corpus yet, the seeds instead")
        files += files_in(os.path.join(REGRESSION, h))
        t0 = time.time()
        # libFuzzer runs each file named on its command line once (as -runs=0
        # does a corpus), 500 a process: a crash loses only its batch's profile.
        results = {}
        for i in range(0, len(files), 500):
            results.update(run_files(os.path.join(build, "bin", f"optc-fuzz-{h}"),
                                     files[i:i + 500], env, 10))
        bad = sum(not ok for ok, _, _ in results.values())
        log(f"  {h}: {len(files)} inputs ran ({bad} failed) in {time.time() - t0:.0f} s")
    merged = os.path.join(build, "fuzz", "merged.profdata")
    raws = [os.path.join(profiles, f) for f in os.listdir(profiles)]
    subprocess.run(["llvm-profdata-22", "merge", "-sparse", "-o", merged, *raws], check=True)
    objects = [harness_binary(build, h) for h in built]
    cov = [objects[0], *(f"-object={o}" for o in objects[1:]), f"-instr-profile={merged}",
           f"-ignore-filename-regex=(^/usr/|{re.escape(build)}/)"]
    exported = json.loads(subprocess.run(["llvm-cov-22", "export", "-summary-only", *cov],
                                         capture_output=True, check=True).stdout)
    sums = {"lib/Import": [0, 0], "dialects": [0, 0], "runtime": [0, 0], "total": [0, 0]}
    for entry in exported["data"][0]["files"]:
        path = os.path.relpath(entry["filename"], ROOT)
        if path.startswith(".."):
            continue
        lines = entry["summary"]["lines"]
        for key in sums:
            if key == "total" or path.startswith(key + "/"):
                sums[key][0] += lines["covered"]
                sums[key][1] += lines["count"]
    report = subprocess.run(["llvm-cov-22", "report", *cov], capture_output=True, text=True).stdout
    with open(os.path.join(build, "fuzz", "coverage-report.txt"), "w") as f:
        f.write(report)
    text = "".join(f"{k:12} {c:7} of {n:7} lines covered ({100 * c / max(n, 1):.1f}%)\n"
                   for k, (c, n) in sums.items())
    with open(os.path.join(build, "fuzz", "coverage.txt"), "w") as f:
        f.write(text)
    log(f"== line coverage of the corpus ({rel(os.path.join(build, 'fuzz', 'coverage-report.txt'))} "
        f"has every file)\n" + text.rstrip())
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("seeds", help="write seed corpora")
    p.add_argument("--build", default="build-asan")
    p.add_argument("--optc", default="build/bin/optc")
    p.add_argument("--harness", type=harness_list, default=list(HARNESSES))
    p.add_argument("--mlir-models", type=int, default=300, help="node tests imported to MLIR")
    p = sub.add_parser("campaign", help="fuzz every harness for a share of the time")
    p.add_argument("--time", type=int, required=True, help="seconds in all")
    p.add_argument("--build", default="build-asan")
    p.add_argument("--harness", type=harness_list, default=list(HARNESSES))
    p.add_argument("--share", help="e.g. onnx=0.6,mlir=0.25,runtime=0.15 (the default)")
    p.add_argument("--parallel", type=int, choices=(1, 2), default=1)
    p.add_argument("--progress", type=int, default=60, help="seconds between progress lines")
    p.add_argument("--allow-internal-errors", action="store_true",
                   help="an internal-error diagnostic is not a crash")
    p = sub.add_parser("replay", help="run the regression corpus once (CI)")
    p.add_argument("extra", nargs="*", help="more inputs: h=FILE_OR_DIR, or a dir with <h>/ subdirs")
    p.add_argument("--build", default="build-asan")
    p.add_argument("--junit", help="JUnit XML report")
    p.add_argument("--timeout", type=int, default=10, help="seconds per input")
    p.add_argument("--allow-missing", action="store_true", help="skip harnesses not built")
    p = sub.add_parser("minimize-crash", help="shrink a crash into the regression corpus")
    p.add_argument("artifact")
    p.add_argument("--harness", choices=HARNESSES)
    p.add_argument("--name", required=True, help="file name, by the cause")
    p.add_argument("--build", default="build-asan")
    p.add_argument("--runs", type=int, default=20000)
    p.add_argument("--max-time", type=int, default=300)
    p.add_argument("--force", action="store_true")
    p = sub.add_parser("coverage", help="llvm-cov line coverage of the corpus")
    p.add_argument("--build", default="build-cov")
    p.add_argument("--corpus-build", default="build-asan")
    p.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    args = ap.parse_args()
    # Paths given on the command line are the caller's; defaults are the
    # repository's. The subcommands then run in the repository.
    defaults = sub.choices[args.command]
    for name in ("build", "corpus_build", "optc", "junit", "artifact"):
        value = getattr(args, name, None)
        if value:
            base = ROOT if value == defaults.get_default(name) else os.getcwd()
            setattr(args, name, os.path.normpath(os.path.join(base, value)))
    if args.command == "replay":
        args.extra = [f"{h}={os.path.abspath(p)}" if sep else os.path.abspath(h)
                      for h, sep, p in (e.partition("=") for e in args.extra)]
    os.chdir(ROOT)
    return {"seeds": cmd_seeds, "campaign": cmd_campaign, "replay": cmd_replay,
            "minimize-crash": cmd_minimize, "coverage": cmd_coverage}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
