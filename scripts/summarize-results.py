#!/usr/bin/env python3
"""Sums JUnit XML reports of the test suites into one line.

Usage: summarize-results.py SUITE=REPORT.xml=EXIT_STATUS ...

Prints per-suite counts and ends with `N passed, N failed, N skipped`;
exits 1 when anything failed. Besides failing test cases, these count as one
failure each: a report that is missing or unreadable (the runner crashed),
a runner that exited non-zero although its report shows no failure, and a
suite that ran no tests at all.
"""
import sys
import xml.etree.ElementTree as ET


def count(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    passed = failed = skipped = 0
    for suite in suites:
        for case in suite.iter("testcase"):
            kinds = {child.tag for child in case}
            if kinds & {"failure", "error"}:
                failed += 1
            elif "skipped" in kinds or case.get("status") == "notrun":
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def main(argv):
    total = [0, 0, 0]
    for arg in argv:
        name, path, status = arg.split("=")
        notes = []
        try:
            p, f, s = count(path)
        except (OSError, ET.ParseError) as err:
            p, f, s = 0, 0, 0
            notes.append(f"no report ({err})")
        if int(status) != 0 and f == 0:
            notes.append(f"runner exited with status {status}")
        if p + f + s == 0 and not notes:
            notes.append("no tests ran")
        if notes:
            f += 1
        line = f"  {name:8} {p} passed, {f} failed, {s} skipped"
        print(line + (f"  ({'; '.join(notes)}: counted as a failure)" if notes else ""))
        total = [total[0] + p, total[1] + f, total[2] + s]
    print(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
