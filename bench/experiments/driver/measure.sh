# Sourced by bench/lib/load.sh when BENCH_DRIVER names the driver
# experiment's binary (see README.md): orders/read's two statements served by
# each driver model against the bench's database, with the same wrk script
# and read list as the service's orders_read runs. Writes WORK/driver.txt.
for mode in sync2 sync1 async; do
  port=$(free_port)
  "$BENCH_DRIVER" "$PG/$DB$PGPARAMS" "$mode" "127.0.0.1:$port" >"$WORK/driver-$mode.log" 2>&1 &
  pid=$!
  for _ in $(seq 500); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break
    sleep 0.01
  done
  for c in $CONCS; do
    settle
    out=$(BENCH_MODE=orders_read BENCH_READS=$WORK/reads.txt \
      wrk -t1 -c"$c" -d"${DUR}s" --timeout 10s -s bench/wrk/api.lua "http://127.0.0.1:$port" 2>&1) \
      || { echo "$out" >&2; exit 1; }
    line=$(grep '^WRKJSON ' <<<"$out" | sed 's/^WRKJSON //')
    msg=$(printf 'driver %-6s orders_read c=%-3s %s' "$mode" "$c" "$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print("%8.1f/s p50 %.2f ms p99 %.2f ms unexpected %d %s" % (r["rps"], r["p50_us"] / 1000, r["p99_us"] / 1000, r["unexpected"], r["first_unexpected"]))' "$line")")
    say "$msg"
    echo "$msg" >>"$WORK/driver.txt"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
