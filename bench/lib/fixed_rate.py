#!/usr/bin/env python3
"""Open-loop load at a fixed offered rate, latency without coordinated
omission (bench/run.sh, the p99 target of issue 14).

wrk sends a connection's next request only when the previous answer came
back, so when the server stalls it simply asks less, and its p99 misses the
requests that would have waited: coordinated omission. Here request i is due
at t0 + i / RATE whatever happened before; C keep-alive connections take the
due requests in order, and a request's latency is counted from the time it was
*due*, not from when a free connection sent it (what wrk2 -R and oha
--latency-correction do). The uncorrected latency (from the send) is reported
beside it.

Request k orders for client k mod N with add-on quantity 1 + k div N (the
same scheme as wrk/api.lua, from --offset), so no two requests share a
payment profile and amount, and every answer's status slug must be
`action-successful`. oha cannot do that: it picks bodies at random from a
file, so some submissions would repeat and meet the simulated processor's
120 s duplicate rule.

usage: fixed_rate.py URL CLIENTS_FILE RATE CONNECTIONS DURATION_S --offset K
       --primary ID --addon ID --start ISO --end ISO [--route authorize_and_submit]
       [--trace FILE]
prints one JSON line (the runs.jsonl format) on stdout.
"""
import argparse
import asyncio
import json
import time
import urllib.parse


def percentile(sorted_values, p):
    if not sorted_values:
        return 0
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def submit_body(clients, k, a):
    n = len(clients)
    tok, pm = clients[k % n][0], clients[k % n][1]
    return (
        '{"token":"%s","view":"summary","payment_method_id":%s,"order":{'
        '"primary_service":{"id":%s},"add_on_services":[{"id":%s,"quantity":%d}],'
        '"property_info":{"address":{"street":"1 Main St","city":"Denver","state":"CO","postal_code":"80202"},'
        '"property_type":"single_family","square_footage":1800,"bedrooms":3,"bathrooms":2},'
        '"property_access":{"vacant":true,"method_of_access":"lockbox_code","access_code":"4321",'
        '"lockbox_location":"front door"},'
        '"appointments":[{"starts_at":"%s","ends_at":"%s"}]}}'
        % (tok, pm, a.primary, a.addon, 1 + k // n, a.start, a.end)
    ).encode()


async def read_answer(reader):
    """(HTTP status, body) of one HTTP/1.1 answer with a Content-Length."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "transfer-encoding":
            raise RuntimeError("chunked answers are not supported")
    body = await reader.readexactly(length) if length else b""
    return status, body


async def run(a):
    url = urllib.parse.urlsplit(a.url)
    path = f"/api/v1/orders/{a.route}"
    with open(a.clients_file, encoding="utf-8") as f:
        clients = [line.split() for line in f if line.strip()]
    total = int(a.rate * a.duration)
    corrected, uncorrected = [], []
    trace = []  # (due since t0, corrected, uncorrected) in s, for --trace
    state = {"next": 0, "unexpected": 0, "first": "", "errors": 0}
    loop = asyncio.get_running_loop()
    t0 = loop.time() + 0.2

    async def worker():
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        while True:
            i = state["next"]
            # An overloaded server would keep a run going far past its
            # duration: requests still unsent at twice it are never sent.
            if i >= total or loop.time() > t0 + 2 * a.duration + 1:
                break
            state["next"] = i + 1
            due = t0 + i / a.rate
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            body = submit_body(clients, a.offset + i, a)
            req = (f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            sent = loop.time()
            try:
                writer.write(req)
                await writer.drain()
                status, answer = await read_answer(reader)
            except (OSError, asyncio.IncompleteReadError, RuntimeError, ValueError) as e:
                state["errors"] += 1
                state["first"] = state["first"] or type(e).__name__
                writer.close()
                reader, writer = await asyncio.open_connection(url.hostname, url.port)
                continue
            done = loop.time()
            trace.append((due - t0, done - due, done - sent))
            corrected.append(int((done - due) * 1e6))
            uncorrected.append(int((done - sent) * 1e6))
            slug = answer[:80].decode("utf-8", "replace").split('"status":"', 1)[-1].split('"', 1)[0]
            if not answer.startswith(b'{"status":"action-successful"'):
                state["unexpected"] += 1
                state["first"] = state["first"] or (slug or str(status))
        writer.close()

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(a.connections)))
    elapsed = time.monotonic() - start - 0.2
    if a.trace:
        with open(a.trace, "w", encoding="utf-8") as f:
            for due, lat, unc in sorted(trace):
                f.write("%.4f %.2f %.2f\n" % (due, lat * 1000, unc * 1000))
    corrected.sort()
    uncorrected.sort()
    return {
        "mode": f"fixed_{a.route}",
        "requests": len(corrected),
        "offered_rps": a.rate,
        "rps": round(len(corrected) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_us": percentile(corrected, 50), "p90_us": percentile(corrected, 90),
        "p99_us": percentile(corrected, 99), "max_us": corrected[-1] if corrected else 0,
        "mean_us": sum(corrected) / len(corrected) if corrected else 0.0,
        "p50_uncorrected_us": percentile(uncorrected, 50), "p99_uncorrected_us": percentile(uncorrected, 99),
        "ok": len(corrected) - state["unexpected"], "unexpected": state["unexpected"],
        "first_unexpected": state["first"], "generated": state["next"], "unsent": total - state["next"],
        "socket_errors": state["errors"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("clients_file")
    ap.add_argument("rate", type=float)
    ap.add_argument("connections", type=int)
    ap.add_argument("duration", type=float)
    ap.add_argument("--offset", type=int, required=True)
    ap.add_argument("--primary", required=True)
    ap.add_argument("--addon", required=True)
    ap.add_argument("--start", required=True)
    ap.add_argument("--end", required=True)
    ap.add_argument("--route", default="authorize_and_submit")
    ap.add_argument("--trace", help="write each request's due time (s from start) and latencies (ms) here")
    a = ap.parse_args()
    result = asyncio.run(run(a))
    print(json.dumps({"tool": "fixed_rate", "concurrency": a.connections, "result": result}))


if __name__ == "__main__":
    main()
