# Helpers of bench/run.sh (sourced): logging, psql, the server, request bodies.
# Uses the caller's T0, PG, DB, PGPARAMS, WORK, BIN, PRIMARY, ADDON,
# BENCH_START, BENCH_END.

say() { printf '[bench %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }
psql_db() { psql "$PG/$DB$PGPARAMS" -X -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_admin() { psql "$PG/postgres" -X -v ON_ERROR_STOP=1 -qAt "$@"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json_field() { python3 -c 'import json, sys; print(eval("json.loads(sys.argv[1])" + sys.argv[2]))' "$1" "$2"; }

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
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; die "server exited"; }
    sleep 0.005
  done
  die "server not ready after 15 s"
}

# body CLIENT_LINE_NO QUANTITY [PROMO] [VIEW] [ACCESS]: an order submission
# body; ACCESS=none orders with no_access_needed (no secret to seal).
body() {
  local line; line=$(sed -n "${1}p" "$WORK/clients.txt")
  local tok=${line%% *} rest=${line#* }; local pm=${rest%% *}
  local promo=${3:+\"promotion_code\":\"$3\",}
  local access='{"vacant":true,"method_of_access":"lockbox_code","access_code":"4321","lockbox_location":"front door"}'
  [ "${5:-}" = none ] && access='{"vacant":true,"method_of_access":"no_access_needed"}'
  printf '{"token":"%s","view":"%s",%s"payment_method_id":%s,"order":{"primary_service":{"id":%s},"add_on_services":[{"id":%s,"quantity":%s}],"property_info":{"address":{"street":"1 Main St","city":"Denver","state":"CO","postal_code":"80202"},"property_type":"single_family","square_footage":1800,"bedrooms":3,"bathrooms":2},"property_access":%s,"appointments":[{"starts_at":"%s","ends_at":"%s"}]}}' \
    "$tok" "${4:-summary}" "$promo" "$pm" "$PRIMARY" "$ADDON" "$2" "$access" "$BENCH_START" "$BENCH_END"
}
post() { curl -sS --max-time 10 -H 'Content-Type: application/json' -d "$2" "$BASE/api/v1/$1"; }
expect_ok() { grep -q '^{"status":"action-successful"' <<<"$2" || die "$1 answered: ${2:0:300}"; }
mark() { psql_db -c "SELECT 'bench-mark $1'" >/dev/null; }
