#!/usr/bin/env python3
"""Writes bench/results/<date>.md, .json and one SVG chart per route from
run.sh's runs.jsonl and the replay summary, and says which targets of issue
14 are met."""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess

from charts import route_chart

TARGET_CONC = 32
API_MODES = ["authorize_and_submit", "pay_and_submit", "authorize_and_submit_promo", "orders_read",
             "services_index", "invalid_token"]
ROUTE_NAMES = {
    "healthz": "GET /healthz (HTTP floor)",
    "services_index": "services/index",
    "invalid_token": "services/index, invalid-token (failed auth)",
    "authorize_and_submit": "orders/authorize_and_submit",
    "pay_and_submit": "orders/pay_and_submit",
    "authorize_and_submit_promo": "orders/authorize_and_submit with a promotion",
    "orders_read": "orders/read",
    "replay_submit": "replay: captured SQL of a submission",
    "replay_submit_promo": "replay: captured SQL of a submission with a promotion",
    "replay_read": "replay: captured SQL of orders/read",
    "replay_fewest_submit": "replay: fewest statements, submission",
    "replay_fewest_submit_promo": "replay: fewest statements, submission with a promotion",
    "replay_fewest_read": "replay: fewest statements, orders/read",
}
# route -> (replay of its captured SQL, fewest-statements replay)
REPLAY_OF = {"authorize_and_submit": ("replay_submit", "replay_fewest_submit"),
             "pay_and_submit": ("replay_submit", "replay_fewest_submit"),
             "authorize_and_submit_promo": ("replay_submit_promo", "replay_fewest_submit_promo"),
             "orders_read": ("replay_read", "replay_fewest_read")}
ORDER = ["healthz", "services_index", "invalid_token", "authorize_and_submit", "pay_and_submit",
         "authorize_and_submit_promo", "orders_read", "replay_submit", "replay_fewest_submit",
         "replay_submit_promo", "replay_fewest_submit_promo", "replay_read", "replay_fewest_read"]


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:  # noqa: BLE001 - only descriptive
        return ""


def fewest_sequence(path):
    """The statements of a hand-written replay script, one short label each."""
    with open(path, encoding="utf-8") as f:
        text = "\n".join(l for l in f.read().splitlines()
                         if not l.lstrip().startswith("--") and not l.lstrip().startswith("\\set"))
    labels = []
    for stmt in re.split(r";\s*\n|\\gset[^\n]*\n", text):
        s = " ".join(stmt.split())
        if not s:
            continue
        writes = re.findall(r"(INSERT INTO|UPDATE) (\w+)", s)
        if s.startswith("WITH") or len(writes) > 1:
            labels.append("one statement: " + " + ".join(f"{k.split()[0]} {t}" for k, t in writes))
        elif writes:
            labels.append(f"{writes[0][0].split()[0]} {writes[0][1]}")
        else:
            tables = re.findall(r"(?:FROM|JOIN) (\w+)", s)
            labels.append("SELECT " + ", ".join(dict.fromkeys(t for t in tables if t != "LATERAL")))
    return labels


def main() -> None:
    ap = argparse.ArgumentParser()
    for name in ("runs", "replay", "json", "md", "pool-size", "loadavg", "fixed", "compare", "replay-dir"):
        ap.add_argument(f"--{name}", required=True)
    for name in ("ready-ms", "idle-rss-kb", "peak-rss-kb", "duration", "clients", "orders", "seeded-orders",
                 "elapsed"):
        ap.add_argument(f"--{name}", type=int, required=True)
    a = ap.parse_args()

    runs, fixed, hwm = {}, {}, {}
    with open(a.runs, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            res = r["result"]
            if r["tool"] == "fixed_rate":
                fixed[r["concurrency"]] = res
                continue
            runs.setdefault(res["mode"], {})[r["concurrency"]] = res
            if "hwm_kb" in r:
                hwm[f"{res['mode']}@{r['concurrency']}"] = r["hwm_kb"]
    with open(a.replay, encoding="utf-8") as f:
        replay = json.load(f)
    concs = sorted({c for m in runs.values() for c in m})

    def rps(mode, c):
        return runs.get(mode, {}).get(c, {}).get("rps", 0.0)

    rows = []
    for mode in ORDER:
        for c in concs:
            r = runs.get(mode, {}).get(c)
            if not r:
                continue
            row = {"route": mode, "concurrency": c, "rps": round(r["rps"], 1),
                   "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
                   "p99_over_p50": round(r["p99_us"] / r["p50_us"], 2) if r["p50_us"] else None,
                   "requests": r["requests"]}
            if mode in REPLAY_OF:
                cap, few = REPLAY_OF[mode]
                if rps(cap, c):
                    row["ratio_to_captured_replay"] = round(r["rps"] / rps(cap, c), 3)
                if rps(few, c):
                    row["ratio_to_fewest_replay"] = round(r["rps"] / rps(few, c), 3)
            for key in ("unexpected", "first_unexpected", "socket_errors", "failed"):
                if key in r:
                    row[key] = r[key]
            rows.append(row)

    # ---- targets (issue 14)
    c = TARGET_CONC if TARGET_CONC in concs else max(concs)
    targets = []
    for mode, share in (("authorize_and_submit", 0.6), ("pay_and_submit", 0.6),
                        ("authorize_and_submit_promo", 0.5), ("orders_read", 0.6)):
        val, few = rps(mode, c), rps(REPLAY_OF[mode][1], c)
        targets.append({"target": f"{mode} >= {share:.0%} of its fewest-statements replay at {c} connections",
                        "value": f"{val:.0f}/s = {val / few:.0%} of {few:.0f}/s" if few else "no replay",
                        "met": bool(few) and val >= share * few})
    for fc in sorted(fixed):
        r = fixed[fc]
        ratio = r["p99_us"] / r["p50_us"] if r["p50_us"] else 0
        # An offered rate the server could not keep up with is an overload,
        # not a latency measurement: the target is then not met.
        kept_up = r["rps"] >= 0.95 * r["offered_rps"]
        targets.append({"target": f"submissions p99 <= 3x p50 at {fc} connections, fixed offered rate "
                                  f"{r['offered_rps']:.0f}/s (latency from the due time)",
                        "value": f"p50 {r['p50_us'] / 1000:.1f} ms, p99 {r['p99_us'] / 1000:.1f} ms = {ratio:.2f}x"
                                 + ("" if kept_up else f"; only {r['rps']:.0f}/s achieved: overloaded"),
                        "met": 0 < ratio <= 3 and kept_up})
    targets.append({"target": "idle RSS <= 25 MiB", "value": f"{a.idle_rss_kb / 1024:.1f} MiB",
                    "met": a.idle_rss_kb <= 25 * 1024})
    targets.append({"target": "ready <= 100 ms (start to /readyz 200)", "value": f"{a.ready_ms} ms",
                    "met": a.ready_ms <= 100})
    compare = None
    if a.compare and os.path.exists(a.compare):
        with open(a.compare, encoding="utf-8") as f:
            compare = json.load(f)
        base = {(r["route"], r["concurrency"]): r["rps"] for r in compare["results"]}
        for mode in ("authorize_and_submit", "orders_read"):
            small, big = base.get((mode, c), 0), rps(mode, c)
            # "stay within 10 %": a slowdown of at most 10 %; faster is no
            # failure (at this size it is the spread of runs).
            targets.append({"target": f"{mode} at {c} connections at most 10 % slower than on the small "
                                      f"database ({os.path.basename(a.compare)})",
                            "value": f"{big:.0f}/s vs {small:.0f}/s = {big / small - 1:+.0%}" if small else "n/a",
                            "met": bool(small) and big / small - 1 >= -0.10})

    fewest = {name: fewest_sequence(os.path.join(a.replay_dir, f"{name}.sql"))
              for name in ("submit", "submit_promo", "read")}
    stem = os.path.splitext(os.path.basename(a.md))[0]
    charts = {}
    for mode in ("authorize_and_submit", "pay_and_submit", "authorize_and_submit_promo", "orders_read"):
        if mode not in runs:
            continue
        series = [(label, {cc: rr["rps"] for cc, rr in runs.get(m, {}).items()},
                   {cc: rr["p99_us"] / 1000 for cc, rr in runs.get(m, {}).items()})
                  for label, m in (("the service (wrk)", mode), ("replay of its captured SQL", REPLAY_OF[mode][0]),
                                   ("fewest-statements replay", REPLAY_OF[mode][1]))]
        charts[mode] = f"{stem}-{mode}.svg"
        route_chart(os.path.join(os.path.dirname(a.md), charts[mode]), ROUTE_NAMES[mode], concs, series)

    commit = sh("git rev-parse --short HEAD")
    dirty = sh("git status --porcelain --untracked-files=no -- crates Cargo.toml Cargo.lock")
    machine = {
        "cpus": os.cpu_count(),
        "cpu_model": sh("awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo"),
        "memory_gib": round(int(sh("awk '/MemTotal/ {print $2}' /proc/meminfo") or 0) / 1048576, 1),
        "kernel": platform.release(),
        "postgres": sh("psql -X -qAt -h 127.0.0.1 -U postgres -d postgres -c 'show server_version'"),
        "wrk": sh("wrk -v 2>&1 | head -1").split(" Copyright")[0],
    }
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = {
        "generated_at": now, "commit": commit, "source_dirty": bool(dirty), "machine": machine,
        "loadavg_before_after": a.loadavg,
        "settings": {"duration_s": a.duration, "concurrency": concs, "clients": a.clients,
                     "seeded_orders": a.seeded_orders, "pool_size": a.pool_size,
                     "load_generator": "wrk -t1 (one thread, Lua)", "fixed_rate": a.fixed,
                     "replay": "pgbench -M prepared -j min(c,2)"},
        "startup": {"ready_ms": a.ready_ms, "idle_rss_kib": a.idle_rss_kb, "peak_rss_kib": a.peak_rss_kb},
        "orders_at_end": a.orders, "elapsed_s": a.elapsed, "results": rows,
        "fixed_rate": {str(k): v for k, v in sorted(fixed.items())},
        "replay": replay, "fewest_statements": fewest, "targets": targets, "charts": charts,
        "peak_rss_kib_after": hwm, "compared_with": os.path.basename(a.compare) if compare else None,
    }
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
    with open(a.md, "w", encoding="utf-8") as f:
        f.write(markdown(a, doc, rows, fixed, replay, fewest, charts, now, c))


def markdown(a, doc, rows, fixed, replay, fewest, charts, now, c):
    m = doc["machine"]
    L = [f"# ordercore load benchmark — {now[:10]}", ""]
    L.append(f"Generated by `make bench` (bench/run.sh) at {now}, commit `{doc['commit']}`"
             f"{' (crates modified, uncommitted)' if doc['source_dirty'] else ''}, in {a.elapsed} s. "
             f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, PostgreSQL {m['postgres']} "
             f"on the same machine, all traffic over loopback. Load: {m['wrk'] or 'wrk'} with one thread, "
             f"{a.duration} s per run; {a.clients} clients, {a.seeded_orders} orders seeded in SQL, "
             f"{a.orders} orders at the end; pool size "
             f"{'default (10)' if a.pool_size == 'default' else a.pool_size}. Server: release build, simulated "
             f"processor, log mailer, ORDERCORE_LOG=warn, rate limit off (10^8/min). Load average before -> "
             f"after the measured runs: {a.loadavg} (the server, PostgreSQL, wrk and pgbench share the "
             f"{m['cpus']} CPUs; anything else running skews the numbers).")
    L += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for t in doc["targets"]:
        L.append(f"| {t['target']} | {t['value']} | {'**yes**' if t['met'] else '**NO**'} |")
    L += ["", f"Start to `/readyz` ready: **{a.ready_ms} ms**. Idle RSS 1 s after ready: "
              f"**{a.idle_rss_kb / 1024:.1f} MiB**. Peak RSS over the whole run (VmHWM): "
              f"**{a.peak_rss_kb / 1024:.1f} MiB**.", ""]
    if charts:
        L += ["## Charts", "", "Requests/s and p99 against connections, the service beside both replays:", ""]
        L += [f"- [{ROUTE_NAMES[k]}]({v})" for k, v in charts.items()] + [""]
    L += ["## Results", "",
          "Throughput in requests (or replayed transactions) per second; latencies in ms (wrk and pgbench: "
          "closed loop, from the send). `vs captured` = requests/s ÷ pgbench replay of the service's own "
          "captured SQL; `vs fewest` = ÷ the hand-written fewest-statements replay (bench/replay/), both at "
          "the same concurrency. `unexpected` = answers whose status slug was not the expected one.", "",
          "| route | conc | req/s | p50 | p90 | p99 | p99/p50 | vs captured | vs fewest | unexpected |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        bad = ""
        if "unexpected" in r:
            bad = str(r["unexpected"]) + (f" ({r['first_unexpected']})" if r["unexpected"] else "")
            if r.get("socket_errors"):
                bad += f", {r['socket_errors']} socket errors"
        if "failed" in r:
            bad = f"{r['failed']} failed"
        L.append(f"| {ROUTE_NAMES[r['route']]} | {r['concurrency']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | "
                 f"{r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['p99_over_p50']} | "
                 f"{r.get('ratio_to_captured_replay', '')} | {r.get('ratio_to_fewest_replay', '')} | {bad} |")
    if fixed:
        L += ["", "## Submissions at a fixed offered rate", "",
              f"orders/authorize_and_submit at {a.fixed} (bench/fixed_rate, one thread): request i is due at "
              "t0 + i/rate whatever happened before, and its latency counts from that due time, so a stall "
              "shows in the percentiles instead of slowing the load down (no coordinated omission). "
              "`uncorrected` counts from the send, as wrk does. The warm-up is sent at the same rate and not "
              "counted (connections opening; the first writes to each page after the run's CHECKPOINT).", "",
              "| conn | offered/s | achieved/s | p50 | p90 | p99 | p99/p50 | p50 uncorrected | p99 uncorrected "
              "| unexpected |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for fc, r in sorted(fixed.items()):
            ratio = round(r["p99_us"] / r["p50_us"], 2) if r["p50_us"] else ""
            L.append(f"| {fc} | {r['offered_rps']:.0f} | {r['rps']:.0f} | {r['p50_us'] / 1000:.2f} | "
                     f"{r['p90_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} | {ratio} | "
                     f"{r['p50_uncorrected_us'] / 1000:.2f} | {r['p99_uncorrected_us'] / 1000:.2f} | "
                     f"{r['unexpected']}{' (' + r['first_unexpected'] + ')' if r['first_unexpected'] else ''}"
                     f"{', %d never sent (overload)' % r['unsent'] if r.get('unsent') else ''} |")
    L += ["", "## What one request costs the database", "",
          "**The service, captured** from PostgreSQL's statement log (`ALTER DATABASE … SET log_statement = "
          "'all'` on the bench database only, on a separate server process stopped before the measured one "
          "starts). Every statement is one round trip.", "",
          "| request | statements | of which `SELECT 1` | transactions | sequence |", "|---|---:|---:|---:|---|"]
    for key, label in (("submit", "orders/authorize_and_submit"), ("submit_with_promotion", "… with a promotion"),
                       ("read", "orders/read")):
        s = replay[key]
        L.append(f"| {label} | {s['statements']} | {s['kinds']['ping']} | {s['transactions']} | "
                 f"{'; '.join(s['sequence'])} |")
    L += ["", "**The fewest statements the contract needs**, hand-written (bench/replay/*.sql, a comment per "
              "statement naming its contract step); each statement outside BEGIN commits on its own:", "",
          "| request | statements | sequence |", "|---|---:|---|"]
    for key, label in (("submit", "orders/authorize_and_submit"), ("submit_promo", "… with a promotion"),
                       ("read", "orders/read")):
        L.append(f"| {label} | {len(fewest[key])} | {'; '.join(fewest[key])} |")
    L += ["", "The captured replays run the service's statements with the captured parameters inlined, except "
              "the client (random over the clients), the new order's, outbox row's and redemption's ids (from the "
              "replayed statements), the promotion (a fresh client and promotion pair per transaction) and the "
              "order read (random over all orders). Neither replay has application work, HTTP or a processor: "
              "they are the database's own limit for that SQL on this machine.", ""]
    if doc["compared_with"]:
        L += [f"Compared with `{doc['compared_with']}` (the small database) in the targets above.", ""]
    L.append(f"Machine-readable: `{os.path.basename(a.json)}`.")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
