#!/usr/bin/env python3
"""Reads pgbench's summary (stdin) and its per-transaction logs
(WORK/pgb_<script>_<conc>.*) and prints one JSON line for runs.jsonl.

usage: pgbench_result.py SCRIPT CONCURRENCY WORK_DIR < pgbench-output
"""
import glob
import json
import re
import sys


def percentile(sorted_values, p):
    if not sorted_values:
        return 0
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def main() -> None:
    script, conc, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    text = sys.stdin.read()
    tps = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", text, re.M)
    processed = re.search(r"number of transactions actually processed: (\d+)", text)
    failed = re.search(r"number of failed transactions: (\d+)", text)
    lat = []
    for path in glob.glob(f"{work}/pgb_{script}_{conc}.*"):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[2].isdigit():
                    lat.append(int(parts[2]))
    lat.sort()
    result = {
        "mode": f"replay_{script}",
        "requests": int(processed.group(1)) if processed else len(lat),
        "rps": float(tps.group(1)) if tps else 0.0,
        "p50_us": percentile(lat, 50),
        "p90_us": percentile(lat, 90),
        "p99_us": percentile(lat, 99),
        "max_us": lat[-1] if lat else 0,
        "mean_us": (sum(lat) / len(lat)) if lat else 0.0,
        "failed": int(failed.group(1)) if failed else 0,
    }
    print(json.dumps({"tool": "pgbench", "concurrency": conc, "result": result}))


if __name__ == "__main__":
    main()
