#!/usr/bin/env python3
"""Sums JUnit XML reports of the test suites into one line.

Usage: summarize-results.py SUITE=REPORT.xml=EXIT_STATUS ...

Prints per-suite counts and ends with
`N passed, N failed, N skipped, N expected failures`; exits 1 when anything
failed. A test case skipped with a type ending in "xfail" (pytest's xfail,
the ONNX conformance runner's known failures) is an expected failure, not a
skip. A conformance test marked with the property status=folded passes (its
constant matched) and is counted among the passes; the per-suite line says
how many of them were folded. Besides failing test cases, these count as
one failure each: a report that is missing or unreadable (the runner
crashed), a runner that exited non-zero although its report shows no
failure, and a suite that ran no tests at all.
"""
import sys
import xml.etree.ElementTree as ET


def count(path):
    """(passed, failed, skipped, expected failures, folded) of a report."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    passed = failed = skipped = xfailed = folded = 0
    for suite in suites:
        for case in suite.iter("testcase"):
            kinds = {child.tag for child in case}
            skip = case.find("skipped")
            if kinds & {"failure", "error"}:
                failed += 1
            elif skip is not None and (skip.get("type") or "").endswith("xfail"):
                xfailed += 1
            elif skip is not None or case.get("status") == "notrun":
                skipped += 1
            else:
                passed += 1
                if any(p.get("name") == "status" and p.get("value") == "folded"
                       for p in case.iter("property")):
                    folded += 1
    return passed, failed, skipped, xfailed, folded


def main(argv):
    total = [0, 0, 0, 0]
    for arg in argv:
        name, path, status = arg.split("=")
        notes = []
        try:
            p, f, s, x, folded = count(path)
        except (OSError, ET.ParseError) as err:
            p, f, s, x, folded = 0, 0, 0, 0, 0
            notes.append(f"no report ({err})")
        if int(status) != 0 and f == 0:
            notes.append(f"runner exited with status {status}")
        if p + f + s + x == 0 and not notes:
            notes.append("no tests ran")
        if notes:
            f += 1
        line = (f"  {name:8} {p} passed{f' ({folded} folded)' if folded else ''}, "
                f"{f} failed, {s} skipped, {x} expected failures")
        print(line + (f"  ({'; '.join(notes)}: counted as a failure)" if notes else ""))
        total = [total[0] + p, total[1] + f, total[2] + s, total[3] + x]
    print(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped, "
          f"{total[3]} expected failures")
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
