# Sourced by bench/run.sh once the measured server runs: wrk at each
# concurrency, submissions at a fixed offered rate, then the pgbench replays
# (captured and fewest-statements). Appends to WORK/runs.jsonl; sets
# PEAK_RSS_KB, ORDERS_MADE, LOAD_BEFORE, LOAD_AFTER.
: >"$WORK/runs.jsonl"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
OFFSET=$((NCLIENTS * 2)) # request numbers k < 2N were used by the capture
# Before each measured run, the service's or a replay's: PostgreSQL writes out
# its dirty pages (CHECKPOINT), so no run measures a checkpoint that earlier
# runs' writes caused (a timed one spreads its writes over minutes; CHECKPOINT
# also restarts its timer), then a pause: wrk stops with requests in flight,
# which the server finishes after it left, and the next run should not start
# on their backlog.
settle() {
  [ -n "$SMOKE" ] && return 0
  psql_db -c CHECKPOINT >/dev/null
  sleep "${BENCH_SETTLE:-2}"
}
# wrk_json URL MODE CONC: one closed-loop wrk run of bench/wrk/api.lua; prints
# its WRKJSON result (dies with wrk's output when there is none).
wrk_json() {
  local out line
  out=$(BENCH_MODE=$2 BENCH_OFFSET=$OFFSET BENCH_READS=$WORK/reads.txt \
    wrk -t1 -c"$3" -d"${DUR}s" --timeout 10s -s bench/wrk/api.lua "$1" 2>&1) || { echo "$out" >&2; exit 1; }
  line=$(grep '^WRKJSON ' <<<"$out" | sed 's/^WRKJSON //')
  [ -n "$line" ] || { echo "$out" >&2; die "wrk printed no result"; }
  echo "$line"
}
# wrk_summary JSON: rate, p50, p99 and unexpected answers, for the log.
wrk_summary() {
  python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print("%8.1f/s p50 %.2f ms p99 %.2f ms unexpected %d %s" % (r["rps"], r["p50_us"] / 1000, r["p99_us"] / 1000, r["unexpected"], r["first_unexpected"]))' "$1"
}
run_wrk() { # MODE CONC
  local line perf_pids=""
  settle
  if [ -n "${BENCH_PROFILE:-}" ] && [ "$1" = "${BENCH_PROFILE_MODE:-authorize_and_submit}" ] && [ "$2" = 32 ]; then
    # CPU split between processes (system-wide), and the server's own stacks.
    perf record -q -a -e cpu-clock -F 499 -o "$WORK/perf-system.data" -- sleep "$DUR" >/dev/null 2>&1 &
    perf_pids="$!"
    perf record -q -e cpu-clock -F 199 --call-graph dwarf,16384 -p "$SERVER_PID" -o "$WORK/perf-server.data" \
      -- sleep "$DUR" >/dev/null 2>&1 &
    perf_pids="$perf_pids $!"
  fi
  line=$(wrk_json "$BASE" "$1" "$2")
  for p in $perf_pids; do wait "$p" || true; done
  # submissions use request numbers k; the other modes leave them alone
  [[ $1 != *submit* ]] || OFFSET=$((OFFSET + $(json_field "$line" '["generated"]') + 64))
  local hwm; hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status")
  echo "{\"tool\":\"wrk\",\"concurrency\":$2,\"hwm_kb\":$hwm,\"result\":$line}" >>"$WORK/runs.jsonl"
  say "$(printf '%-26s c=%-3s %s' "$1" "$2" "$(wrk_summary "$line")")"
}
MODES=" ${BENCH_MODES:-healthz services_index invalid_token authorize_and_submit pay_and_submit authorize_and_submit_promo orders_read} "
for mode in healthz services_index invalid_token authorize_and_submit pay_and_submit authorize_and_submit_promo; do
  [[ $MODES == *" $mode "* ]] || continue
  for c in $CONCS; do run_wrk "$mode" "$c"; done
done

# Fixed offered rate (latency from the time each request was due): at
# FIXED_SHARE of the authorize_and_submit rate wrk measured at the same
# concurrency, at 8 and 32 connections (those of BENCH_CONCURRENCY; the smoke
# run uses its one).
if [[ $MODES == *" authorize_and_submit "* ]]; then
  FIXED_CONCS=""
  for c in $CONCS; do case $c in 8 | 32) FIXED_CONCS="$FIXED_CONCS $c" ;; esac; done
  [ -n "$SMOKE" ] && FIXED_CONCS=$CONCS
  for c in $FIXED_CONCS; do
    MAX_RPS=$(python3 -c 'import json, sys
best = 0
for line in open(sys.argv[1]):
    run = json.loads(line)
    r = run["result"]
    if r["mode"] == "authorize_and_submit" and run["concurrency"] == int(sys.argv[2]): best = max(best, r["rps"])
print(best)' "$WORK/runs.jsonl" "$c")
    RATE=$(python3 -c "print(max(1.0, round($MAX_RPS * $FIXED_SHARE, 1)))")
    settle
    line=$("$FIXED_RATE" "$BASE" "$WORK/clients.txt" "$RATE" "$c" "$FIXED_DUR" --warmup "$FIXED_WARMUP" --offset "$OFFSET" \
      --primary "$PRIMARY" --addon "$ADDON" --start "$BENCH_START" --end "$BENCH_END" \
      --trace "$WORK/fixed_trace_$c.txt")
    echo "$line" >>"$WORK/runs.jsonl"
    OFFSET=$((OFFSET + $(json_field "$line" '["result"]["generated"]') + 64))
    say "$(printf 'fixed rate %-15s c=%-3s %s' "$RATE/s" "$c" "$(python3 -c 'import json, sys; r = json.loads(sys.argv[1])["result"]; print("%8.1f/s p50 %.2f ms p99 %.2f ms (uncorrected %.2f) unexpected %d %s" % (r["rps"], r["p50_us"] / 1000, r["p99_us"] / 1000, r["p99_uncorrected_us"] / 1000, r["unexpected"], r["first_unexpected"]))' "$line")")"
  done
fi
[ "$OFFSET" -lt $((NCLIENTS * 100)) ] || say "WARNING: wrk request numbers reached $OFFSET >= 100 N: add-on quantities over 100 were refused"

# orders/read reads orders at random over the whole table (seeded and made),
# with their client's token.
psql_db -F ' ' -c "SELECT 'bench-tok-' || c.user_id, o.id FROM orders o JOIN clients c ON c.id = o.client_id
  WHERE o.status = 'submitted' ORDER BY random() LIMIT 20000" >"$WORK/reads.txt"
if [[ $MODES == *" orders_read "* ]]; then for c in $CONCS; do run_wrk orders_read "$c"; done; fi
# The driver experiment (bench/experiments/driver/README.md), on request.
if [ -n "${BENCH_DRIVER:-}" ]; then
  # shellcheck source=bench/experiments/driver/measure.sh
  . bench/experiments/driver/measure.sh
fi
PEAK_RSS_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status")
ORDERS_MADE=$(psql_db -c "SELECT count(*) FROM orders")
if [ -f "$WORK/perf-system.data" ]; then
  perf report -i "$WORK/perf-system.data" --stdio --sort comm 2>/dev/null | grep -v '^#' | grep -v '^$' >"$WORK/perf-by-process.txt" || true
  perf report -i "$WORK/perf-server.data" --stdio --no-children --sort dso,symbol 2>/dev/null | grep -E '^ +[0-9]' | head -60 >"$WORK/perf-server-symbols.txt" || true
  perf report -i "$WORK/perf-server.data" --stdio --no-children --sort dso 2>/dev/null | grep -E '^ +[0-9]' | head -30 >"$WORK/perf-server-dso.txt" || true
  say "profile written to $WORK/perf-*.txt"
fi

# pgbench replays. A client redeems a promotion once, so the promotion
# replays number their transactions (k, from 100 N up: promotions BP100 and
# later, which wrk never uses) and KPG moves past the numbers each run used.
cp bench/replay/submit.sql "$WORK/replay_fewest_submit.sql"
cp bench/replay/submit_promo.sql "$WORK/replay_fewest_submit_promo.sql"
cp bench/replay/read.sql "$WORK/replay_fewest_read.sql"
read -r OMIN OMAX <<<"$(psql_db -F ' ' -c "SELECT min(id), max(id) FROM orders")"
KPG=$((NCLIENTS * 100))
for script in submit submit_promo read fewest_submit fewest_submit_promo fewest_read; do
  for c in $CONCS; do
    j=$(( c < 2 ? 1 : 2 ))
    rm -f "$WORK"/pgb_"$script"_"$c".*
    settle
    out=$(cd "$WORK" && pgbench -n -M prepared -c "$c" -j "$j" -T "$DUR" -D lo="$FIRST" -D nclients="$NCLIENTS" \
      -D now_us="$(date +%s%6N)" -D primary="$PRIMARY" -D addon="$ADDON" -D kbase="$KPG" -D nconc="$c" -D n=0 \
      -D pfirst="$PFIRST" -D omin="$OMIN" -D omax="$OMAX" \
      -l --log-prefix="pgb_${script}_${c}" -f "$WORK/replay_$script.sql" "$PG/$DB$PGPARAMS" 2>&1) \
      || { echo "$out" >&2; exit 1; }
    python3 bench/lib/pgbench_result.py "$script" "$c" "$WORK" <<<"$out" >>"$WORK/runs.jsonl"
    if [[ $script == *promo ]]; then
      # per-client transaction numbers start at 0: the next run starts past them
      nmax=$(cat "$WORK"/pgb_"$script"_"$c".* | awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}')
      KPG=$((KPG + (nmax + 2) * c))
      [ "$KPG" -lt $((NCLIENTS * 200)) ] || die "the promotion replays ran out of promotions (k = $KPG): seed more"
    fi
    say "$(printf 'pgbench %-20s c=%-3s %s' "$script" "$c" "$(grep -E '^tps' <<<"$out" | head -1)")"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
