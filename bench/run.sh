#!/usr/bin/env bash
# `make bench`: the load benchmark of issue 8. See bench/README.md.
#
# Builds the release `ordercore`, creates a fresh PostgreSQL database, seeds
# N clients with simulated-processor cards, captures the SQL of one order
# submission and one orders/read from PostgreSQL's statement log, then runs in
# the same session: wrk against `ordercore serve` at each concurrency, and
# pgbench replays of the captured SQL at the same concurrencies. Writes
# bench/results/<date>.md and .json. Drops the database at the end.
#
# Settings (environment): BENCH_DURATION (s per run, default 6),
# BENCH_CONCURRENCY ("1 8 32 64"), BENCH_CLIENTS (1000), BENCH_SKIP_BUILD=1,
# BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_POOL_SIZE (unset: the
# server's default), BENCH_TAG (suffix of the result files), BENCH_PROFILE=1
# (perf record during authorize_and_submit at 32 connections; with
# BENCH_KEEP_WORK=1 the perf-*.txt summaries stay in the work folder),
# BENCH_MODES (subset of the wrk modes, for A/B runs), BENCH_BIN (binary to run),
# BENCH_PG_PARAMS (appended to the database URL of the server and pgbench, e.g.
# "?sslmode=disable").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DUR=${BENCH_DURATION:-6}
CONCS=${BENCH_CONCURRENCY:-"1 8 32 64"}
NCLIENTS=${BENCH_CLIENTS:-1000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=ordercore_bench_$$
TAG=${BENCH_TAG:+-$BENCH_TAG}
STAMP=$(date -u +%Y-%m-%d)
RESULTS=$ROOT/bench/results
WORK=$(mktemp -d /tmp/ordercore-bench.XXXXXX)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BENCH_BIN:-$TARGET_DIR/release/ordercore}
T0=$(date +%s)

say() { printf '[bench %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
PGPARAMS=${BENCH_PG_PARAMS:-}
psql_db() { psql "$PG/$DB$PGPARAMS" -X -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_admin() { psql "$PG/postgres" -X -v ON_ERROR_STOP=1 -qAt "$@"; }

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  if [ -z "${BENCH_KEEP_WORK:-}" ]; then rm -rf "$WORK"; else say "work files kept in $WORK"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- tools
if ! command -v wrk >/dev/null; then
  say "installing wrk"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
for tool in wrk pgbench psql python3 curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "bench: PostgreSQL is not reachable at 127.0.0.1:5432" >&2; exit 1; }
# The server's log file, where log_statement output goes.
PGLOG=${BENCH_PGLOG:-$(pg_lsclusters -h 2>/dev/null | awk '$3 == 5432 {print $7; exit}')}
[ -r "$PGLOG" ] || { echo "bench: cannot read PostgreSQL's log file ($PGLOG); set BENCH_PGLOG" >&2; exit 1; }

# ---------------------------------------------------------------- build
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  say "cargo build --release -p ordercore-server"
  cargo build --release -p ordercore-server
fi
[ -x "$BIN" ] || { echo "bench: $BIN not found" >&2; exit 1; }

# ---------------------------------------------------------------- database
say "creating database $DB"
psql_admin -c "CREATE DATABASE $DB" >/dev/null
export ORDERCORE_DATABASE_URL=$PG/$DB$PGPARAMS
export ORDERCORE_PAYMENT_GATEWAY=simulated ORDERCORE_MAILER=log ORDERCORE_LOG=warn
# PostgreSQL needs a data key (docs/security.md); a throw-away one per run.
export ORDERCORE_DATA_KEY="${ORDERCORE_DATA_KEY:-$(head -c 32 /dev/urandom | base64 -w0)}"
export ORDERCORE_RATE_LIMIT_PER_MINUTE=100000000
if [ -n "${BENCH_POOL_SIZE:-}" ]; then export ORDERCORE_DATABASE_POOL_SIZE=$BENCH_POOL_SIZE; fi
"$BIN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; exit 1; }

# Distinctive ids, so the replay extractor can tell an id from an amount:
# users, clients and cards start at 100001 (same order, so a client's card has
# its client's id), orders at 900001, payments 800001, outbox 700001.
psql_db -c "SELECT setval('users_id_seq', 100000), setval('clients_id_seq', 100000),
  setval('payment_methods_id_seq', 100000), setval('orders_id_seq', 900000),
  setval('payments_id_seq', 800000), setval('email_outbox_id_seq', 700000),
  setval('promotion_redemptions_id_seq', 600000)" >/dev/null
python3 bench/lib/gen_seed.py "$NCLIENTS" 100001 "$WORK/seed.json"
say "seeding $NCLIENTS clients with cards, 2 services, promotion BENCH10"
"$BIN" seed --file "$WORK/seed.json" >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; exit 1; }

# Sessions are inserted directly (token bench-tok-<user id>, stored as its
# SHA-256 like sessions/create does), to spare N argon2 log-ins.
psql_db -c "INSERT INTO sessions (token_digest, user_id, application, created_at, last_used_at, remember_me)
  SELECT encode(sha256(convert_to('bench-tok-' || u.id, 'UTF8')), 'hex'), u.id, 'planoorder',
         (extract(epoch FROM now()) * 1e6)::bigint, (extract(epoch FROM now()) * 1e6)::bigint, true
  FROM users u WHERE u.email LIKE 'bench%'" >/dev/null
psql_db -F ' ' -c "SELECT 'bench-tok-' || u.id, pm.id, c.id FROM users u
  JOIN clients c ON c.user_id = u.id JOIN payment_methods pm ON pm.client_id = c.id
  WHERE u.email LIKE 'bench%' ORDER BY u.email" >"$WORK/clients.txt"
[ "$(wc -l <"$WORK/clients.txt")" -eq "$NCLIENTS" ] || { echo "bench: seeding gave $(wc -l <"$WORK/clients.txt") clients" >&2; exit 1; }
SAME_IDS=$(awk '$2 != $3 {bad = 1} END {print bad ? "no" : "yes"}' "$WORK/clients.txt")
PRIMARY=$(psql_db -c "SELECT id FROM services WHERE slug = 'photos'")
ADDON=$(psql_db -c "SELECT id FROM services WHERE slug = 'floor_plan'")
export BENCH_CLIENTS_FILE=$WORK/clients.txt BENCH_PRIMARY=$PRIMARY BENCH_ADDON=$ADDON
BENCH_START=$(date -u -d 'tomorrow 10:00' +%Y-%m-%dT%H:%M:%SZ)
BENCH_END=$(date -u -d 'tomorrow 12:00' +%Y-%m-%dT%H:%M:%SZ)
export BENCH_START BENCH_END

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_server LOGFILE [ENV=VALUE...]: sets SERVER_PID, BASE, READY_MS.
start_server() {
  local log=$1; shift
  local port; port=$(free_port)
  BASE=http://127.0.0.1:$port
  local t_start; t_start=$(date +%s%N)
  env ORDERCORE_BIND="127.0.0.1:$port" "$@" "$BIN" serve >"$log" 2>&1 &
  SERVER_PID=$!
  local i
  for i in $(seq 3000); do
    if curl -sf -o /dev/null --max-time 1 "$BASE/readyz"; then
      READY_MS=$(( ($(date +%s%N) - t_start) / 1000000 ))
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; echo "bench: server exited" >&2; exit 1; }
    sleep 0.005
  done
  echo "bench: server not ready after 15 s" >&2; exit 1
}

# body CLIENT_LINE_NO QUANTITY [PROMO] [VIEW]: an order submission body.
body() {
  local line; line=$(sed -n "${1}p" "$WORK/clients.txt")
  local tok=${line%% *} rest=${line#* }; local pm=${rest%% *}
  local promo=${3:+\"promotion_code\":\"$3\",}
  printf '{"token":"%s","view":"%s",%s"payment_method_id":%s,"order":{"primary_service":{"id":%s},"add_on_services":[{"id":%s,"quantity":%s}],"property_info":{"address":{"street":"1 Main St","city":"Denver","state":"CO","postal_code":"80202"},"property_type":"single_family","square_footage":1800,"bedrooms":3,"bathrooms":2},"property_access":{"vacant":true,"method_of_access":"lockbox_code","access_code":"4321","lockbox_location":"front door"},"appointments":[{"starts_at":"%s","ends_at":"%s"}]}}' \
    "$tok" "${4:-summary}" "$promo" "$pm" "$PRIMARY" "$ADDON" "$2" "$BENCH_START" "$BENCH_END"
}
post() { curl -sS --max-time 10 -H 'Content-Type: application/json' -d "$2" "$BASE/api/v1/$1"; }
expect_ok() { grep -q '^{"status":"action-successful"' <<<"$2" || { echo "bench: $1 answered: ${2:0:300}" >&2; exit 1; }; }
mark() { psql_db -c "SELECT 'bench-mark $1'" >/dev/null; }

# ---------------------------------------------------------------- capture
# One submission and one orders/read with log_statement = 'all' on this
# database only, on a server of its own (its pool connections keep the
# setting, so the measured server is a new process started after RESET).
# Workers are parked so that only the request's SQL lies between the marks.
say "capturing the SQL of one submission and one orders/read"
psql_admin -c "ALTER DATABASE $DB SET log_statement = 'all'" >/dev/null
LOG_OFFSET=$(stat -c %s "$PGLOG")
start_server "$WORK/capture-server.log" ORDERCORE_OUTBOX_INTERVAL_MS=3600000 ORDERCORE_SWEEPER_INTERVAL_MS=3600000
# warm-up: route registry cache, prepared statements; the promotion once
R=$(post orders/authorize_and_submit "$(body 1 1 BENCH10)"); expect_ok "warm-up submission with promotion" "$R"
R=$(post orders/authorize_and_submit "$(body 2 1)"); expect_ok "warm-up submission" "$R"
WARM_ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["data"]["id"])' "$R")
R=$(post orders/read "{\"token\":\"$(sed -n 2p "$WORK/clients.txt" | cut -d' ' -f1)\",\"id\":$WARM_ID}"); expect_ok "warm-up read" "$R"
mark submit-begin
CAP_SUBMIT=$(post orders/authorize_and_submit "$(body 3 1 '' default)")
mark submit-end
expect_ok "captured submission" "$CAP_SUBMIT"
CAP_ORDER=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1])["data"]; print(d["id"], d["payment"]["id"])' "$CAP_SUBMIT")
read -r CAP_ORDER_ID CAP_PAYMENT_ID <<<"$CAP_ORDER"
CAP_TOKEN=$(sed -n 3p "$WORK/clients.txt" | cut -d' ' -f1)
mark read-begin
R=$(post orders/read "{\"token\":\"$CAP_TOKEN\",\"id\":$CAP_ORDER_ID}")
mark read-end
expect_ok "captured read" "$R"
mark promo-begin
R=$(post orders/authorize_and_submit "$(body 4 1 BENCH10)")
mark promo-end
expect_ok "captured submission with promotion" "$R"
stop_server
psql_admin -c "ALTER DATABASE $DB RESET log_statement" >/dev/null
sleep 0.5
CAP_OUTBOX_ID=$(psql_db -c "SELECT coalesce(max(id), 0) FROM email_outbox WHERE order_id = $CAP_ORDER_ID")
CAP_CLIENT_ID=$(sed -n 3p "$WORK/clients.txt" | cut -d' ' -f3)
tail -c +"$((LOG_OFFSET + 1))" "$PGLOG" >"$WORK/statements.log"
python3 bench/lib/extract_replay.py "$WORK/statements.log" "$DB" "$WORK" \
  --order-id "$CAP_ORDER_ID" --payment-id "$CAP_PAYMENT_ID" --outbox-id "$CAP_OUTBOX_ID" \
  --client-id "$CAP_CLIENT_ID" --client-range "100001:$((100000 + NCLIENTS))" --same-ids "$SAME_IDS"

# ---------------------------------------------------------------- the measured server
say "starting the measured server"
start_server "$WORK/server.log"
sleep 1
IDLE_RSS_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
say "ready in ${READY_MS} ms, idle RSS ${IDLE_RSS_KB} KiB"

: >"$WORK/runs.jsonl"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
OFFSET=$((NCLIENTS * 2))  # quantities 1-2 were used by the capture
run_wrk() { # MODE CONC
  local out perf_pids=""
  if [ -n "${BENCH_PROFILE:-}" ] && [ "$1" = "${BENCH_PROFILE_MODE:-authorize_and_submit}" ] && [ "$2" = 32 ]; then
    # CPU split between processes (system-wide), and the server's own stacks.
    perf record -q -a -e cpu-clock -F 499 -o "$WORK/perf-system.data" -- sleep "$DUR" >/dev/null 2>&1 &
    perf_pids="$!"
    perf record -q -e cpu-clock -F 199 --call-graph dwarf,16384 -p "$SERVER_PID" -o "$WORK/perf-server.data" \
      -- sleep "$DUR" >/dev/null 2>&1 &
    perf_pids="$perf_pids $!"
  fi
  out=$(BENCH_MODE=$1 BENCH_OFFSET=$OFFSET BENCH_READS=$WORK/reads.txt \
    wrk -t1 -c"$2" -d"${DUR}s" --timeout 10s -s bench/wrk/api.lua "$BASE" 2>&1) || { echo "$out" >&2; exit 1; }
  for p in $perf_pids; do wait "$p" || true; done
  local line; line=$(grep '^WRKJSON ' <<<"$out" | sed 's/^WRKJSON //')
  [ -n "$line" ] || { echo "$out" >&2; echo "bench: wrk printed no result" >&2; exit 1; }
  local gen; gen=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["generated"])' "$line")
  OFFSET=$((OFFSET + gen + 1000))
  local hwm; hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status")
  echo "{\"tool\":\"wrk\",\"concurrency\":$2,\"hwm_kb\":$hwm,\"result\":$line}" >>"$WORK/runs.jsonl"
  say "$(printf '%-22s c=%-3s %s' "$1" "$2" "$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print("%8.1f/s p50 %.2f ms p99 %.2f ms unexpected %d %s" % (r["rps"], r["p50_us"] / 1000, r["p99_us"] / 1000, r["unexpected"], r["first_unexpected"]))' "$line")")"
}
MODES=" ${BENCH_MODES:-healthz services_index invalid_token authorize_and_submit pay_and_submit orders_read} "
for mode in healthz services_index invalid_token authorize_and_submit pay_and_submit; do
  [[ $MODES == *" $mode "* ]] || continue
  for c in $CONCS; do run_wrk "$mode" "$c"; done
done
# orders/read reads the orders the submissions made (client token, order id)
psql_db -F ' ' -c "SELECT 'bench-tok-' || c.user_id, o.id FROM orders o JOIN clients c ON c.id = o.client_id
  WHERE o.status = 'submitted' ORDER BY o.id DESC LIMIT 20000" >"$WORK/reads.txt"
if [[ $MODES == *" orders_read "* ]]; then for c in $CONCS; do run_wrk orders_read "$c"; done; fi
PEAK_RSS_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status")
ORDERS_MADE=$(psql_db -c "SELECT count(*) FROM orders")

# ---------------------------------------------------------------- pgbench replay
for script in submit read; do
  for c in $CONCS; do
    j=$(( c < 2 ? 1 : 2 ))
    rm -f "$WORK"/pgb_"$script"_"$c".*
    out=$(cd "$WORK" && pgbench -n -M prepared -c "$c" -j "$j" -T "$DUR" -D nclients="$NCLIENTS" \
      -l --log-prefix="pgb_${script}_${c}" -f "$WORK/replay_$script.sql" "$PG/$DB$PGPARAMS" 2>&1) \
      || { echo "$out" >&2; exit 1; }
    python3 bench/lib/pgbench_result.py "$script" "$c" "$WORK" <<<"$out" >>"$WORK/runs.jsonl"
    say "$(printf 'pgbench %-14s c=%-3s %s' "$script" "$c" "$(grep -E '^tps' <<<"$out" | head -1)")"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -f "$WORK/perf-system.data" ]; then
  perf report -i "$WORK/perf-system.data" --stdio --sort comm 2>/dev/null | grep -v '^#' | grep -v '^$' >"$WORK/perf-by-process.txt" || true
  perf report -i "$WORK/perf-server.data" --stdio --no-children --sort dso,symbol 2>/dev/null | grep -E '^ +[0-9]' | head -60 >"$WORK/perf-server-symbols.txt" || true
  perf report -i "$WORK/perf-server.data" --stdio --no-children --sort dso 2>/dev/null | grep -E '^ +[0-9]' | head -30 >"$WORK/perf-server-dso.txt" || true
  say "profile written to $WORK/perf-*.txt"
fi
stop_server

# ---------------------------------------------------------------- report
mkdir -p "$RESULTS"
python3 bench/lib/report.py --runs "$WORK/runs.jsonl" --replay "$WORK/replay.json" \
  --ready-ms "$READY_MS" --idle-rss-kb "$IDLE_RSS_KB" --peak-rss-kb "$PEAK_RSS_KB" \
  --duration "$DUR" --clients "$NCLIENTS" --orders "$ORDERS_MADE" \
  --pool-size "${ORDERCORE_DATABASE_POOL_SIZE:-default}" --loadavg "$LOAD_BEFORE -> $LOAD_AFTER" --elapsed "$(($(date +%s) - T0))" \
  --json "$RESULTS/$STAMP$TAG.json" --md "$RESULTS/$STAMP$TAG.md"
say "done in $(($(date +%s) - T0)) s: $RESULTS/$STAMP$TAG.md"
