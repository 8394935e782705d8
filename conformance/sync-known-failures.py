#!/usr/bin/env python3
"""Brings conformance/known-failures.tsv in line with a ratchet run (developer tool).

For every unit in RESULTS (results.tsv of the run): entries of tests that no longer fail are
dropped, reasons of tests still failing are kept, and new failures are added with the reason
"UNEXPLAINED" (replace it before committing). Units not in the run are left alone.
Usage: sync-known-failures.py RESULTS_TSV FAILED_TXT [KNOWN_TSV]
"""
import re
import sys

results, failed = sys.argv[1], sys.argv[2]
known_path = sys.argv[3] if len(sys.argv) > 3 else "conformance/known-failures.tsv"
run_units = {line.split("\t")[0] for line in open(results) if line.strip()}
now_failing = []
for line in open(failed):
    if "\t" not in line:
        continue
    unit, rest = line.rstrip("\n").split("\t", 1)
    name = re.sub(r" in tests/.*$", "", rest)
    if (unit, name) not in now_failing:
        now_failing.append((unit, name))
header, entries = [], []
for line in open(known_path):
    if line.startswith("#"):
        header.append(line)
    elif line.strip():
        entries.append(line.rstrip("\n").split("\t", 2))
reasons = {(u, t): r for u, t, r in entries}
out = [e for e in entries if e[0] not in run_units]
for unit, name in now_failing:
    out.append([unit, name, reasons.get((unit, name), reasons.get((unit, "*"), "UNEXPLAINED"))])
with open(known_path, "w") as f:
    f.writelines(header)
    for e in out:
        f.write("\t".join(e) + "\n")
print(f"known failures: {len(out)} entries; unexplained: {sum(1 for e in out if e[2] == 'UNEXPLAINED')}")
