#!/usr/bin/env python3
"""Sums JUnit XML reports of the test suites into one line.

Usage: summarize-results.py SUITE=REPORT.xml ...

A suite whose report is missing or unreadable (the runner crashed before
writing it) counts as one failure. Prints per-suite counts and ends with
`N passed, N failed, N skipped`; exits 1 when anything failed.
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
            elif "skipped" in kinds:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def main(argv):
    total = [0, 0, 0]
    for arg in argv:
        name, _, path = arg.partition("=")
        try:
            p, f, s = count(path)
        except (OSError, ET.ParseError) as err:
            print(f"  {name:8} no report ({err}): counted as 1 failure")
            p, f, s = 0, 1, 0
        print(f"  {name:8} {p} passed, {f} failed, {s} skipped")
        total = [total[0] + p, total[1] + f, total[2] + s]
    print(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
