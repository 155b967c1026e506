#!/usr/bin/env bash
# `make bench`: the load benchmark of issues 8 and 14. See bench/README.md.
#
# Builds the release `ordercore`, creates a fresh PostgreSQL database, seeds
# clients with simulated-processor cards (and, in SQL, more clients and
# BENCH_ORDERS orders), captures the SQL of one submission, one submission
# with a promotion and one orders/read from PostgreSQL's statement log, then
# runs in the same session: wrk against `ordercore serve` at each
# concurrency, submissions at a fixed offered rate (latency without
# coordinated omission), and pgbench replays at the same concurrencies of
# both the captured SQL and the hand-written fewest-statements scripts of
# bench/replay/. Writes bench/results/<date>.md, .json and one SVG chart per
# route. Drops the database at the end.
#
# Settings (environment): BENCH_DURATION (s per run, default 6),
# BENCH_CONCURRENCY ("1 8 32 64"), BENCH_CLIENTS (1000), BENCH_ORDERS (10000
# orders seeded in SQL; 1000000 for the scale run), BENCH_FIXED_DURATION (s
# per fixed-rate run, 10, after BENCH_FIXED_WARMUP s not counted, 2),
# BENCH_FIXED_SHARE (offered rate as a share of the closed-loop maximum at
# the same concurrency, 0.7), BENCH_SKIP_BUILD=1, BENCH_PG
# (postgres://postgres@127.0.0.1:5432), BENCH_POOL_SIZE, BENCH_TAG (suffix of
# the result files), BENCH_COMPARE (a results .json to compare with; default
# for a tagged run on more than 10,000 orders: today's untagged one),
# BENCH_PROFILE=1, BENCH_PROFILE_MODE,
# BENCH_MODES, BENCH_BIN, BENCH_PG_PARAMS (default ?sslmode=disable),
# BENCH_KEEP_WORK=1, BENCH_SMOKE=1 (every step briefly with the debug binary,
# for `make test`: fails unless every answer had the expected slug),
# BENCH_SETTLE (s of pause before each measured run, 2), BENCH_DRIVER (the
# binary of bench/experiments/driver: its reads after the service's).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
T0=$(date +%s)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
SMOKE=${BENCH_SMOKE:-}
if [ -n "$SMOKE" ]; then
  : "${BENCH_DURATION:=1}" "${BENCH_CONCURRENCY:=4}" "${BENCH_CLIENTS:=200}" "${BENCH_ORDERS:=500}"
  : "${BENCH_FIXED_DURATION:=1}" "${BENCH_FIXED_WARMUP:=0}" "${BENCH_BIN:=$TARGET_DIR/debug/ordercore}"
  BENCH_SKIP_BUILD=1
fi
DUR=${BENCH_DURATION:-6}
CONCS=${BENCH_CONCURRENCY:-"1 8 32 64"}
NCLIENTS=${BENCH_CLIENTS:-1000}
NORDERS=${BENCH_ORDERS:-10000}
FIXED_DUR=${BENCH_FIXED_DURATION:-10}
FIXED_SHARE=${BENCH_FIXED_SHARE:-0.7}
FIXED_WARMUP=${BENCH_FIXED_WARMUP:-2}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PGPARAMS=${BENCH_PG_PARAMS-?sslmode=disable}
DB=ordercore_bench_$$
TAG=${BENCH_TAG:+-$BENCH_TAG}
STAMP=$(date -u +%Y-%m-%d)
WORK=$(mktemp -d /tmp/ordercore-bench.XXXXXX)
RESULTS=$ROOT/bench/results
[ -n "$SMOKE" ] && RESULTS=$WORK/results
BIN=${BENCH_BIN:-$TARGET_DIR/release/ordercore}
# the open-loop load generator (bench/fixed_rate): the smoke run's is a debug build
FIXED_RATE=$TARGET_DIR/release/fixed-rate
[ -n "$SMOKE" ] && FIXED_RATE=$TARGET_DIR/debug/fixed-rate
export PYTHONDONTWRITEBYTECODE=1 # report.py imports charts.py: no __pycache__ in the tree
FIRST=100001 # first user, client and card id (run.sh sets the sequences)
# shellcheck source=bench/lib/common.sh
. bench/lib/common.sh

cleanup() {
  stop_server
  psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  if [ -z "${BENCH_KEEP_WORK:-}" ]; then rm -rf "$WORK"; else say "work files kept in $WORK"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- tools
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if [ -n "$SMOKE" ] && [ "${ORDERCORE_REQUIRE_POSTGRES:-0}" != 1 ]; then
    echo "NOTE: PostgreSQL is not reachable at 127.0.0.1:5432: the bench smoke run was SKIPPED (set ORDERCORE_REQUIRE_POSTGRES=1 to make that a failure)" >&2
    exit 0
  fi
  die "PostgreSQL is not reachable at 127.0.0.1:5432"
fi
# The smoke run (make test) installs nothing: a missing tool is a NOTE and a
# skip, unless ORDERCORE_REQUIRE_TOOLS=1 (.ci/run installs them).
missing_tool() {
  if [ -n "$SMOKE" ] && [ "${ORDERCORE_REQUIRE_TOOLS:-0}" != 1 ]; then
    echo "NOTE: $1: the bench smoke run was SKIPPED (set ORDERCORE_REQUIRE_TOOLS=1 to make that a failure)" >&2
    exit 0
  fi
  die "$1"
}
if ! command -v wrk >/dev/null && [ -z "$SMOKE" ]; then
  say "installing wrk"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
for tool in wrk python3 curl; do command -v "$tool" >/dev/null || missing_tool "$tool is required"; done
# Debian's pgbench wrapper is there without the program (in the server package).
for tool in pgbench psql; do "$tool" --version >/dev/null 2>&1 || missing_tool "$tool is required"; done
PGLOG=${BENCH_PGLOG:-$(pg_lsclusters -h 2>/dev/null | awk '$3 == 5432 {print $7; exit}')}
[ -r "$PGLOG" ] || missing_tool "cannot read PostgreSQL's log file ($PGLOG); set BENCH_PGLOG"

# ---------------------------------------------------------------- build
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  say "cargo build --release -p ordercore-server -p ordercore-bench"
  cargo build --release -p ordercore-server -p ordercore-bench
fi
[ -x "$BIN" ] || die "$BIN not found${SMOKE:+ (the smoke run uses the debug build: cargo build -p ordercore-server)}"
[ -x "$FIXED_RATE" ] || die "$FIXED_RATE not found (cargo build -p ordercore-bench, --release but for the smoke run)"

# ---------------------------------------------------------------- database
say "creating database $DB"
psql_admin -c "CREATE DATABASE $DB" >/dev/null
export ORDERCORE_DATABASE_URL=$PG/$DB$PGPARAMS
export ORDERCORE_PAYMENT_GATEWAY=simulated ORDERCORE_MAILER=log ORDERCORE_LOG=warn
# PostgreSQL needs a data key (docs/security.md); a throw-away one per run.
export ORDERCORE_DATA_KEY="${ORDERCORE_DATA_KEY:-$(head -c 32 /dev/urandom | base64 -w0)}"
export ORDERCORE_RATE_LIMIT_PER_MINUTE=100000000
# invalid_token measures the failed look-up itself, not the throttle past it
export ORDERCORE_AUTH_FAILURES_PER_ADDRESS=1000000000
if [ -n "${BENCH_POOL_SIZE:-}" ]; then export ORDERCORE_DATABASE_POOL_SIZE=$BENCH_POOL_SIZE; fi
"$BIN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; exit 1; }

# Distinctive ids, so the replay extractor can tell an id from an amount:
# users, clients and cards start at 100001 (same order, so a client's card has
# its client's id), promotions at 500001, orders 900001, payments 800001,
# outbox 700001, redemptions 600001.
psql_db -c "SELECT setval('users_id_seq', $FIRST - 1), setval('clients_id_seq', $FIRST - 1),
  setval('payment_methods_id_seq', $FIRST - 1), setval('promotions_id_seq', 500000),
  setval('orders_id_seq', 900000), setval('payments_id_seq', 800000), setval('email_outbox_id_seq', 700000),
  setval('promotion_redemptions_id_seq', 600000)" >/dev/null
NSEED=$(( NCLIENTS < 1000 ? NCLIENTS : 1000 ))
python3 bench/lib/gen_seed.py "$NSEED" "$FIRST" "$WORK/seed.json" 200
say "seeding $NSEED clients with cards, 2 services, promotions BP0..BP199"
"$BIN" seed --file "$WORK/seed.json" >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; exit 1; }
[ "$(psql_db -c "SELECT count(*) FROM promotions WHERE id = 500001 + substr(code, 3)::int")" = 200 ] \
  || die "promotion BP<i> does not have id 500001 + i"
PFIRST=500001
if [ "$NCLIENTS" -gt "$NSEED" ]; then
  say "adding clients $NSEED..$((NCLIENTS - 1)) in SQL"
  psql_db -v first="$FIRST" -v seeded="$NSEED" -v nclients="$NCLIENTS" -v orders=0 -v template=0 \
    -v now_us="$(date +%s%6N)" -f bench/lib/grow.sql >/dev/null
fi

# Sessions are inserted directly (token bench-tok-<user id>, stored as its
# SHA-256 like sessions/create does), to spare N argon2 log-ins.
psql_db -c "INSERT INTO sessions (token_digest, user_id, application, created_at, last_used_at, remember_me)
  SELECT encode(sha256(convert_to('bench-tok-' || u.id, 'UTF8')), 'hex'), u.id, 'planoorder',
         (extract(epoch FROM now()) * 1e6)::bigint, (extract(epoch FROM now()) * 1e6)::bigint, true
  FROM users u WHERE u.email LIKE 'bench%'" >/dev/null
psql_db -F ' ' -c "SELECT 'bench-tok-' || u.id, pm.id, c.id FROM users u
  JOIN clients c ON c.user_id = u.id JOIN payment_methods pm ON pm.client_id = c.id
  WHERE u.email LIKE 'bench%' ORDER BY u.id" >"$WORK/clients.txt"
[ "$(wc -l <"$WORK/clients.txt")" -eq "$NCLIENTS" ] || die "seeding gave $(wc -l <"$WORK/clients.txt") clients"
SAME_IDS=$(awk '$2 != $3 {bad = 1} END {print bad ? "no" : "yes"}' "$WORK/clients.txt")
PRIMARY=$(psql_db -c "SELECT id FROM services WHERE slug = 'photos'")
ADDON=$(psql_db -c "SELECT id FROM services WHERE slug = 'floor_plan'")
export BENCH_CLIENTS_FILE=$WORK/clients.txt BENCH_PRIMARY=$PRIMARY BENCH_ADDON=$ADDON
BENCH_START=$(date -u -d 'tomorrow 10:00' +%Y-%m-%dT%H:%M:%SZ)
BENCH_END=$(date -u -d 'tomorrow 12:00' +%Y-%m-%dT%H:%M:%SZ)
export BENCH_START BENCH_END

# ---------------------------------------------------------------- capture
# shellcheck source=bench/lib/capture.sh
. bench/lib/capture.sh

# ---------------------------------------------------------------- orders in SQL
if [ "$NORDERS" -gt 0 ]; then
  say "adding $NORDERS orders in SQL (template order $TEMPLATE_ID), then VACUUM ANALYZE"
  psql_db -v first="$FIRST" -v seeded="$NCLIENTS" -v nclients="$NCLIENTS" -v orders="$NORDERS" \
    -v template="$TEMPLATE_ID" -v now_us="$(date +%s%6N)" -f bench/lib/grow.sql >/dev/null
fi
psql_db -c "VACUUM ANALYZE" >/dev/null
# The identity tables every request reads (sessions with users and role
# records, cards, catalogue, promotions) stay in a production database's
# buffers; here the seed has just filled them with orders, so without this
# the first runs would measure page-cache misses that shrink as they go
# (at 100,000 clients: a fifth of services/index's rate at one connection).
psql_db -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" >/dev/null
psql_db -c "WITH hot AS (SELECT unnest(ARRAY['sessions', 'users', 'clients', 'employees', 'liaisons',
    'liaison_clients', 'payment_methods', 'services', 'promotions'])::regclass AS rel)
  SELECT sum(pg_prewarm(rel)) FROM (SELECT rel FROM hot
    UNION ALL SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT rel FROM hot)) r" >/dev/null

# ---------------------------------------------------------------- the measured server
say "starting the measured server"
start_server "$WORK/server.log"
sleep 1
IDLE_RSS_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
say "ready in ${READY_MS} ms, idle RSS ${IDLE_RSS_KB} KiB"
# shellcheck source=bench/lib/load.sh
. bench/lib/load.sh
stop_server

# ---------------------------------------------------------------- report
mkdir -p "$RESULTS"
COMPARE=${BENCH_COMPARE:-}
# A tagged run on more than the default 10,000 orders is a scale run:
# compared with today's untagged run unless BENCH_COMPARE names another.
if [ -z "$COMPARE" ] && [ -n "$TAG" ] && [ "$NORDERS" -gt 10000 ] && [ -f "$RESULTS/$STAMP.json" ]; then
  COMPARE=$RESULTS/$STAMP.json
fi
python3 bench/lib/report.py --runs "$WORK/runs.jsonl" --replay "$WORK/replay.json" \
  --ready-ms "$READY_MS" --idle-rss-kb "$IDLE_RSS_KB" --peak-rss-kb "$PEAK_RSS_KB" \
  --duration "$DUR" --clients "$NCLIENTS" --orders "$ORDERS_MADE" --seeded-orders "$NORDERS" \
  --pool-size "${ORDERCORE_DATABASE_POOL_SIZE:-default}" --loadavg "$LOAD_BEFORE -> $LOAD_AFTER" \
  --elapsed "$(($(date +%s) - T0))" --fixed "$FIXED_SHARE x the closed-loop maximum at the same concurrency, ${FIXED_DUR} s measured after ${FIXED_WARMUP} s of warm-up" --compare "$COMPARE" \
  --replay-dir bench/replay --json "$RESULTS/$STAMP$TAG.json" --md "$RESULTS/$STAMP$TAG.md"
if [ -n "$SMOKE" ]; then
  python3 bench/lib/smoke_check.py "$WORK/runs.jsonl" "$RESULTS/$STAMP$TAG.md" $CONCS
  echo "bench-smoke: every step ran and every answer had the expected slug ($(($(date +%s) - T0)) s)"
fi
say "done in $(($(date +%s) - T0)) s: $RESULTS/$STAMP$TAG.md"
