# Sourced by bench/lib/load.sh when BENCH_DRIVER names the driver
# experiment's binary (see README.md): orders/read's two statements served by
# each driver model against the bench's database, with the same wrk script
# and read list as the service's orders_read runs (wrk_json, wrk_summary of
# load.sh). Writes WORK/driver.txt.
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
    line=$(wrk_json "http://127.0.0.1:$port" orders_read "$c")
    msg=$(printf 'driver %-6s orders_read c=%-3s %s' "$mode" "$c" "$(wrk_summary "$line")")
    say "$msg"
    echo "$msg" >>"$WORK/driver.txt"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
