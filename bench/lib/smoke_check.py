#!/usr/bin/env python3
"""The assertion of `BENCH_SMOKE=1 bench/run.sh` (make bench-smoke, part of
make test): every step of the bench ran, at every concurrency, made requests,
and every answer had the expected status slug (no pgbench failure); the report
and its charts were written. Numbers are not asserted.

usage: smoke_check.py RUNS.jsonl REPORT.md CONC...
"""
import json
import os
import re
import sys

WRK = ["healthz", "services_index", "invalid_token", "authorize_and_submit", "pay_and_submit",
       "authorize_and_submit_promo", "orders_read"]
REPLAYS = ["replay_submit", "replay_submit_promo", "replay_read", "replay_fewest_submit",
           "replay_fewest_submit_promo", "replay_fewest_read"]


def main() -> None:
    runs_path, md_path, concs = sys.argv[1], sys.argv[2], [int(c) for c in sys.argv[3:]]
    seen, problems = set(), []
    with open(runs_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            res, c = r["result"], r["concurrency"]
            seen.add((res["mode"], c))
            where = f"{res['mode']} at {c} connections"
            if res["requests"] <= 0:
                problems.append(f"{where}: no request completed")
            if res.get("unexpected"):
                problems.append(f"{where}: {res['unexpected']} answers with another slug "
                                f"(first: {res['first_unexpected']})")
            if res.get("socket_errors"):
                problems.append(f"{where}: {res['socket_errors']} socket errors")
            if res.get("failed"):
                problems.append(f"{where}: {res['failed']} failed transactions")
    for mode in WRK + REPLAYS + ["fixed_authorize_and_submit"]:
        for c in concs:
            if (mode, c) not in seen:
                problems.append(f"{mode} at {c} connections did not run")
    with open(md_path, encoding="utf-8") as f:
        md = f.read()
    charts = re.findall(r"\]\(([^)]+\.svg)\)", md)
    if len(charts) != 4:
        problems.append(f"the report links {len(charts)} charts, not 4")
    for chart in charts:
        path = os.path.join(os.path.dirname(md_path), chart)
        if not os.path.exists(path) or "<polyline" not in open(path, encoding="utf-8").read() and len(concs) > 1:
            problems.append(f"chart {chart} missing or empty")
    if problems:
        print("bench-smoke FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
