#!/usr/bin/env python3
"""Turns PostgreSQL's statement log of one captured request into pgbench
custom scripts that replay the same statements and commits.

run.sh brackets each captured request with `SELECT 'bench-mark <name>-begin'`
/ `...-end` (psql, log_statement = 'all' on the bench database only; the
server's workers are parked), so every statement logged between two marks of
the bench database, other than the marks, is the request's.

Parameters of extended-protocol statements (DETAIL: parameters: $1 = '...')
are inlined as literals, except the ids that must differ per replayed
transaction so that the replay does not pile onto one row:
  - the client id (also the user and card id: run.sh seeds them equal) becomes
    :cid, drawn at random over the seeded clients;
  - the new order's id becomes :o_id, taken from the INSERT ... RETURNING (or
    the SELECT nextval) of the replayed transaction (\\gset), and the outbox
    row's and the redemption's ids (:ob_id, :rd_id) likewise;
  - with a promotion, the client and the promotion (:cid, :pid, code
    BP<:pidx>) follow the k scheme of replay/submit_promo.sql, since a client
    may redeem a promotion once;
  - the order read by orders/read becomes :oid, at random over the orders.
Everything else (amounts, timestamps, the session digest) stays constant:
those statements only read it, or write it into a fresh row.

usage: extract_replay.py LOG DB WORK --order-id N --payment-id N --outbox-id N
       --client-id N --client-range LO:HI --same-ids yes|no
       --promo-order-id N --promo-outbox-id N --promo-client-id N --promo-payment-id N
       --promo-id N --promo-code C --redemption-id N
writes WORK/replay_{submit,submit_promo,read}.sql, WORK/replay.json
"""
import argparse
import json
import re
import sys

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\S*)@(\S*) (LOG|DETAIL|ERROR|STATEMENT|HINT|WARNING):  (.*)$"
)
STMT = re.compile(r"^(?:statement|execute [^:]+): (.*)$", re.S)
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def parse_log(path, db):
    """Entries [pid, kind, text] of the bench database, continuation lines joined."""
    entries = []
    last = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            m = LINE.match(raw)
            if m:
                if m.group(3) != db:
                    last = None
                    continue
                last = [m.group(1), m.group(4), m.group(5)]
                entries.append(last)
            elif last is not None:
                last[2] += "\n" + raw
    return entries


def statements_between(entries, name):
    """[(sql, params)] logged between the marks of `name`."""
    out, inside = [], False
    for pid, kind, text in entries:
        if kind == "LOG" and f"'bench-mark {name}-begin'" in text:
            inside = True
            continue
        if kind == "LOG" and f"'bench-mark {name}-end'" in text:
            return out
        if not inside:
            continue
        if kind == "LOG":
            m = STMT.match(text)
            if m:
                out.append([m.group(1).strip(), {}])
        elif kind == "DETAIL" and text.startswith("parameters:") and out:
            out[-1][1] = {int(k): v for k, v in PARAM.findall(text)}
        elif kind == "ERROR":
            sys.exit(f"extract_replay: the captured {name} request logged an error: {text}")
    sys.exit(f"extract_replay: no complete '{name}' capture in the log")


def literal(value):
    """A logged parameter as an SQL literal pgbench leaves alone (pgbench
    takes any ':name' for a variable, so colons go in as E'\\072')."""
    if value == "NULL" or ":" not in value:
        return value
    body = value[1:-1].replace("\\", "\\\\").replace(":", "\\072")
    return "E'" + body + "'"


# The store takes order and payment ids from their sequences 32 at a time
# (one `SELECT nextval(...) FROM generate_series(1, $1)` per 32 submissions),
# so a captured request may hold ids that no statement of its own produced.
# The replay takes one id of each per transaction instead (one cheap round
# trip each, at the start) and leaves the block statement out: it returns 32
# rows, and runs once per 32 requests, not once per request.
ID_BLOCK = re.compile(r"nextval\(pg_get_serial_sequence\(\$2, 'id'\)\).*generate_series\(1, \$1\)", re.S)
TAKE_IDS = ["SELECT nextval(pg_get_serial_sequence('orders', 'id')) AS id \\gset o_",
            "SELECT nextval(pg_get_serial_sequence('payments', 'id')) AS id \\gset pay_"]


def names_order_id(sql):
    """The order INSERT names its id (taken ahead) instead of returning it."""
    return re.match(r'INSERT INTO "orders" \("id"', sql) is not None


def takes_ids_ahead(stmts):
    """True when the order id is not produced by one of the statements (ids
    taken ahead in blocks)."""
    return any(names_order_id(sql) for sql, _ in stmts) or not any(
        re.match(r'INSERT INTO "orders"', sql) and "RETURNING" in sql
        or re.match(r"SELECT nextval\(pg_get_serial_sequence\('orders'", sql)
        for sql, _ in stmts)


def to_script(stmts, ids, prologue):
    """pgbench script lines; `ids` maps a captured id (text) to a variable or
    an expression."""
    lines = list(prologue)
    for sql, params in stmts:
        if ID_BLOCK.search(sql):
            continue
        def sub(m):
            n = int(m.group(1))
            v = params.get(n)
            if v is None:
                return m.group(0)
            inner = v[1:-1] if v != "NULL" else None
            if inner is not None and inner in ids:
                return ids[inner]
            if inner is not None and inner.startswith("{") and inner.endswith("}"):
                items = inner[1:-1].split(",")
                if len(items) == 1 and items[0] in ids:
                    return f"ARRAY[({ids[items[0]]})::bigint]"
            return literal(v)

        text = re.sub(r"\$(\d+)", sub, sql).replace("\n", " ")
        gset = ""
        if re.match(r'INSERT INTO "orders"', sql) and "RETURNING" in sql and not names_order_id(sql):
            gset = " \\gset o_"
        elif re.match(r"SELECT nextval\(pg_get_serial_sequence\('orders'", sql):
            gset = " \\gset o_"
        elif re.match(r'INSERT INTO "email_outbox"', sql) and "RETURNING" in sql:
            gset = " \\gset ob_"
        elif re.match(r'INSERT INTO "promotion_redemptions"', sql) and "RETURNING" in sql:
            gset = " \\gset rd_"
        elif sql.lstrip().startswith("WITH") and "AS outbox_id" in sql:
            # The one-statement finalize returns the queued e-mail's id.
            gset = " \\gset f_"
        lines.append(text + (gset if gset else ";"))
    return "\n".join(lines) + "\n"


def summary(stmts):
    kinds = {"select": 0, "insert": 0, "update": 0, "delete": 0, "begin": 0, "commit": 0, "rollback": 0, "ping": 0}
    short = []
    for sql, _ in stmts:
        s = sql.strip()
        head = s.split(None, 1)[0].lower()
        if s == "SELECT 1":
            kinds["ping"] += 1
        elif head in kinds:
            kinds[head] += 1
        tables = re.findall(r'(?:FROM|INTO|UPDATE) \(*"(\w+)"', s) or (["nextval"] if "nextval(" in s else [])
        short.append(f"{s.split(None, 1)[0]} {tables[0] if tables else ''}".strip()
                     if s != "SELECT 1" else "SELECT 1 (pool check-out test)")
    return {"statements": len(stmts), "round_trips": len(stmts), "transactions": kinds["begin"],
            "kinds": kinds, "sequence": short}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("db")
    ap.add_argument("work")
    ap.add_argument("--order-id", required=True)
    ap.add_argument("--payment-id", required=True)
    ap.add_argument("--outbox-id", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--client-range", required=True)
    ap.add_argument("--same-ids", default="yes")
    for name in ("promo-order-id", "promo-outbox-id", "promo-client-id", "promo-id", "promo-code",
                 "redemption-id", "promo-payment-id"):
        ap.add_argument(f"--{name}", required=True)
    a = ap.parse_args()
    entries = parse_log(a.log, a.db)
    submit = statements_between(entries, "submit")
    read = statements_between(entries, "read")
    promo = statements_between(entries, "promo")
    lo, hi = (int(x) for x in a.client_range.split(":"))
    vary_client = a.same_ids == "yes"
    submit_ids = {a.order_id: ":o_id", a.outbox_id: ":ob_id"}
    promo_ids = {a.promo_order_id: ":o_id", a.promo_outbox_id: ":ob_id", a.redemption_id: ":rd_id",
                 a.promo_id: ":pid", a.promo_code: "('BP' || (:pidx)::text)"}
    read_ids = {a.order_id: ":oid"}
    random_client = [f"\\set cid random({lo}, {hi})"] if vary_client else []
    if vary_client:
        submit_ids[a.client_id] = ":cid"
        read_ids[a.client_id] = ":cid"
        promo_ids[a.promo_client_id] = ":cid"
    # pgbench -D kbase, nconc, n=0, lo, nclients, pfirst: see replay/submit_promo.sql
    promo_prologue = ["\\set k :kbase + :n * :nconc + :client_id", "\\set n :n + 1",
                      "\\set cid :lo + :k % :nclients", "\\set pidx :k / :nclients",
                      "\\set pid :pfirst + :pidx"]
    scripts = {"submit": (submit, submit_ids, random_client),
               "submit_promo": (promo, promo_ids, promo_prologue),
               "read": (read, read_ids, random_client + ["\\set oid random(:omin, :omax)"])}
    for name, (stmts, ids, prologue) in scripts.items():
        if name != "read" and takes_ids_ahead(stmts):
            prologue = prologue + TAKE_IDS
            order_id, outbox_id = ((a.order_id, a.outbox_id) if name == "submit"
                                   else (a.promo_order_id, a.promo_outbox_id))
            ids = dict(ids)
            ids[a.payment_id if name == "submit" else a.promo_payment_id] = ":pay_id"
            if any(sql.lstrip().startswith("WITH") and "AS outbox_id" in sql for sql, _ in stmts):
                ids[outbox_id] = ":f_outbox_id"
            assert ids[order_id] == ":o_id"
        script = to_script(stmts, ids, prologue)
        # Statements that ran before the order id existed must not use :o_id.
        first_use = script.find(":o_id")
        if first_use != -1 and first_use < script.find("\\gset o_"):
            sys.exit(f"extract_replay: the order id is used before it is known ({name})")
        with open(f"{a.work}/replay_{name}.sql", "w", encoding="utf-8") as f:
            f.write(script)
    out = {"submit": summary(submit), "read": summary(read), "submit_with_promotion": summary(promo),
           "client_varied": vary_client}
    with open(f"{a.work}/replay.json", "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
    for k in ("submit", "read", "submit_with_promotion"):
        s = out[k]
        print(f"replay {k}: {s['statements']} statements ({s['kinds']['ping']} SELECT 1), "
              f"{s['transactions']} transactions", file=sys.stderr)


if __name__ == "__main__":
    main()
