#!/usr/bin/env python3
"""Writes bench/results/<date>.md and .json from run.sh's runs.jsonl and the
replay summary, and says which targets of issue 8 are met."""
import argparse
import datetime
import json
import os
import platform
import subprocess

TARGET_CONC = 32
API_MODES = ["authorize_and_submit", "pay_and_submit", "orders_read", "services_index", "invalid_token"]
ROUTE_NAMES = {
    "healthz": "GET /healthz (HTTP floor)",
    "services_index": "services/index",
    "invalid_token": "services/index, invalid-token (failed auth)",
    "authorize_and_submit": "orders/authorize_and_submit",
    "pay_and_submit": "orders/pay_and_submit",
    "orders_read": "orders/read",
    "replay_submit": "pgbench replay of one submission",
    "replay_read": "pgbench replay of one orders/read",
}
REPLAY_OF = {"authorize_and_submit": "replay_submit", "pay_and_submit": "replay_submit",
             "orders_read": "replay_read"}


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:  # noqa: BLE001 - only descriptive
        return ""


def ms(us):
    return f"{us / 1000:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    for name in ("runs", "replay", "json", "md", "pool-size", "loadavg"):
        ap.add_argument(f"--{name}", required=True)
    for name in ("ready-ms", "idle-rss-kb", "peak-rss-kb", "duration", "clients", "orders", "elapsed"):
        ap.add_argument(f"--{name}", type=int, required=True)
    a = ap.parse_args()

    runs = {}
    hwm = {}
    with open(a.runs, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            res = r["result"]
            runs.setdefault(res["mode"], {})[r["concurrency"]] = res
            if "hwm_kb" in r:
                hwm[(res["mode"], r["concurrency"])] = r["hwm_kb"]
    with open(a.replay, encoding="utf-8") as f:
        replay = json.load(f)
    concs = sorted({c for m in runs.values() for c in m})

    def rps(mode, c):
        return runs.get(mode, {}).get(c, {}).get("rps", 0.0)

    rows = []
    for mode in ["healthz", "services_index", "invalid_token", "authorize_and_submit", "pay_and_submit",
                 "orders_read", "replay_submit", "replay_read"]:
        for c in concs:
            r = runs.get(mode, {}).get(c)
            if not r:
                continue
            row = {"route": mode, "concurrency": c, "rps": round(r["rps"], 1),
                   "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
                   "p99_over_p50": round(r["p99_us"] / r["p50_us"], 2) if r["p50_us"] else None,
                   "requests": r["requests"]}
            if mode in REPLAY_OF and rps(REPLAY_OF[mode], c):
                row["ratio_to_replay"] = round(r["rps"] / rps(REPLAY_OF[mode], c), 3)
            if not mode.startswith("replay") and mode != "healthz" and rps("healthz", c):
                row["ratio_to_floor"] = round(r["rps"] / rps("healthz", c), 3)
            if "unexpected" in r:
                row["unexpected"] = r["unexpected"]
                row["first_unexpected"] = r["first_unexpected"]
                row["socket_errors"] = r.get("socket_errors", 0)
            if "failed" in r:
                row["failed"] = r["failed"]
            rows.append(row)

    # ---- targets
    c = TARGET_CONC if TARGET_CONC in concs else max(concs)
    targets = []
    rep = rps("replay_submit", c)
    for mode in ("authorize_and_submit", "pay_and_submit"):
        sub = rps(mode, c)
        targets.append({
            "target": f"{mode} requests/s >= 50% of the pgbench replay of a submission at {c} clients",
            "value": f"{sub:.0f}/s = {sub / rep:.0%} of {rep:.0f}/s" if rep else "no replay",
            "met": bool(rep) and sub >= 0.5 * rep})
    bad = [f"{r['route']}@{r['concurrency']} ({r['p99_over_p50']}x)" for r in rows
           if r["route"] in API_MODES and r["p99_over_p50"] and r["p99_over_p50"] > 4]
    worst = max((r["p99_over_p50"] or 0 for r in rows if r["route"] in API_MODES), default=0)
    targets.append({
        "target": "p99 <= 4x p50 (every API route, every concurrency)",
        "value": f"worst {worst}x" + (f"; over 4x: {', '.join(bad)}" if bad else ""),
        "met": not bad})
    rd, rr = rps("orders_read", c), rps("replay_read", c)
    targets.append({
        "target": f"orders/read >= 60% of its pgbench replay at {c} clients",
        "value": f"{rd:.0f}/s = {rd / rr:.0%} of {rr:.0f}/s" if rr else "no replay",
        "met": bool(rr) and rd >= 0.6 * rr})
    targets.append({"target": "idle RSS <= 50 MiB", "value": f"{a.idle_rss_kb / 1024:.1f} MiB",
                    "met": a.idle_rss_kb <= 50 * 1024})
    targets.append({"target": "ready <= 1 s (start to /readyz 200)", "value": f"{a.ready_ms} ms",
                    "met": a.ready_ms <= 1000})

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
                     "pool_size": a.pool_size, "load_generator": "wrk -t1 (one thread, Lua)",
                     "replay": "pgbench -M prepared -j min(c,2)"},
        "startup": {"ready_ms": a.ready_ms, "idle_rss_kib": a.idle_rss_kb, "peak_rss_kib": a.peak_rss_kb},
        "orders_created": a.orders, "elapsed_s": a.elapsed,
        "results": rows, "replay": replay, "targets": targets,
        "peak_rss_kib_after": {f"{m}@{cc}": v for (m, cc), v in hwm.items()},
    }
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)

    # ---- markdown
    L = []
    L.append(f"# ordercore load benchmark — {now[:10]}")
    L.append("")
    L.append(f"Generated by `make bench` (bench/run.sh) at {now}, commit `{commit}`"
             f"{' (crates modified, uncommitted)' if dirty else ''}, in {a.elapsed} s. "
             f"Machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB, "
             f"PostgreSQL {machine['postgres']} on the same machine, all traffic over loopback. "
             f"Load: {machine['wrk'] or 'wrk'} with one thread, {a.duration} s per run; "
             f"{a.clients} seeded clients; pool size {'default (10)' if a.pool_size == 'default' else a.pool_size}. "
             f"Server: release build, simulated processor, log mailer, ORDERCORE_LOG=warn, rate limit off (10^8/min). "
             f"Load average before -> after the measured runs: {a.loadavg} (the server, PostgreSQL, wrk and "
             f"pgbench share the {machine['cpus']} CPUs; anything else running skews the numbers).")
    L.append("")
    L.append("## Targets")
    L.append("")
    L.append("| target | measured | met |")
    L.append("|---|---|---|")
    for t in targets:
        L.append(f"| {t['target']} | {t['value']} | {'**yes**' if t['met'] else '**NO**'} |")
    L.append("")
    L.append(f"Start to `/readyz` ready: **{a.ready_ms} ms** (includes migrations check and route registration). "
             f"Idle RSS 1 s after ready: **{a.idle_rss_kb / 1024:.1f} MiB**. "
             f"Peak RSS over the whole run (VmHWM): **{a.peak_rss_kb / 1024:.1f} MiB**.")
    L.append("")
    L.append("## Results")
    L.append("")
    L.append("Throughput in requests (or replayed transactions) per second; latencies in ms. "
             "`vs replay` = requests/s ÷ pgbench replay of the same SQL at the same concurrency; "
             "`vs floor` = requests/s ÷ `/healthz` at the same concurrency. "
             "`unexpected` = answers whose status slug was not the expected one "
             "(`action-successful`, or `invalid-token` for the failed-auth path).")
    L.append("")
    L.append("| route | conc | req/s | p50 | p90 | p99 | p99/p50 | vs replay | vs floor | unexpected |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        unexpected = ""
        if "unexpected" in r:
            unexpected = str(r["unexpected"]) + (f" ({r['first_unexpected']})" if r["unexpected"] else "")
            if r.get("socket_errors"):
                unexpected += f", {r['socket_errors']} socket errors"
        if "failed" in r:
            unexpected = f"{r['failed']} failed"
        L.append(f"| {ROUTE_NAMES[r['route']]} | {r['concurrency']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | "
                 f"{r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['p99_over_p50']} | "
                 f"{r.get('ratio_to_replay', '') if 'ratio_to_replay' in r else ''} | "
                 f"{r.get('ratio_to_floor', '')} | {unexpected} |")
    L.append("")
    L.append("## What one request costs the database")
    L.append("")
    L.append("Captured from PostgreSQL's statement log (`ALTER DATABASE … SET log_statement = 'all'` on the "
             "bench database only, on a separate server process that is stopped before the measured one starts). "
             "Every statement is one round trip.")
    L.append("")
    L.append("| request | statements | of which `SELECT 1` | transactions | sequence |")
    L.append("|---|---:|---:|---:|---|")
    for key, label in (("submit", "orders/authorize_and_submit"), ("submit_with_promotion", "… with a promotion code"),
                       ("read", "orders/read")):
        s = replay[key]
        L.append(f"| {label} | {s['statements']} | {s['kinds']['ping']} | {s['transactions']} | "
                 f"{'; '.join(s['sequence'])} |")
    L.append("")
    L.append("The replay scripts run these statements with the captured parameters inlined, except the client id "
             "(random over the seeded clients), the new order's id and the outbox row's id (taken from the "
             "replayed INSERT … RETURNING), so concurrent replays do not contend on one row. The replay has no "
             "application work, no HTTP and no processor: it is the database's own limit for this SQL on this machine.")
    L.append("")
    L.append(f"Orders in the database at the end: {a.orders}. Machine-readable: `{os.path.basename(a.json)}`.")
    L.append("")
    with open(a.md, "w", encoding="utf-8") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    main()
