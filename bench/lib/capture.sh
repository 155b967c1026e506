# Sourced by bench/run.sh: captures the SQL of one submission, one submission
# with a promotion and one orders/read with log_statement = 'all' on the bench
# database only, on a server of its own (its pool connections keep the
# setting, so the measured server is a new process started after RESET).
# Workers are parked so that only the request's SQL lies between the marks.
# Also makes TEMPLATE_ID: an order with no secret in its access, which
# lib/grow.sql copies. Writes WORK/replay_*.sql and WORK/replay.json.
say "capturing the SQL of one submission (also with a promotion) and one orders/read"
psql_admin -c "ALTER DATABASE $DB SET log_statement = 'all'" >/dev/null
LOG_OFFSET=$(stat -c %s "$PGLOG")
# Every worker documented with an ORDERCORE_*_INTERVAL_MS is parked.
mapfile -t PARKED < <(grep -o 'ORDERCORE_[A-Z_]*_INTERVAL_MS' docs/configuration.md | sort -u | sed 's/$/=3600000/')
# The sent marks' writer must wait less than the outbox's grace and lease:
# those are parked longer still.
PARKED+=(ORDERCORE_OUTBOX_DIRECT_SEND_GRACE_MS=7200000 ORDERCORE_OUTBOX_LEASE_SECS=7200)
start_server "$WORK/capture-server.log" "${PARKED[@]}"
# Warm-up: route registry cache, prepared statements, the promotion path once.
# Client lines 1-5 with promotion BP0 or quantities 1-2: request numbers k < 2N
# of the wrk scheme, which starts at 2N.
R=$(post orders/authorize_and_submit "$(body 1 1 BP0)"); expect_ok "warm-up submission with promotion" "$R"
R=$(post orders/authorize_and_submit "$(body 2 1)"); expect_ok "warm-up submission" "$R"
WARM_ID=$(json_field "$R" '["data"]["id"]')
R=$(post orders/read "{\"token\":\"$(sed -n 2p "$WORK/clients.txt" | cut -d' ' -f1)\",\"id\":$WARM_ID}")
expect_ok "warm-up read" "$R"
R=$(post orders/authorize_and_submit "$(body 5 2 '' summary none)"); expect_ok "template order" "$R"
TEMPLATE_ID=$(json_field "$R" '["data"]["id"]')
mark submit-begin
CAP_SUBMIT=$(post orders/authorize_and_submit "$(body 3 1)") # the summary view, as wrk asks
mark submit-end
expect_ok "captured submission" "$CAP_SUBMIT"
CAP_ORDER_ID=$(json_field "$CAP_SUBMIT" '["data"]["id"]')
CAP_TOKEN=$(sed -n 3p "$WORK/clients.txt" | cut -d' ' -f1)
mark read-begin
R=$(post orders/read "{\"token\":\"$CAP_TOKEN\",\"id\":$CAP_ORDER_ID}")
mark read-end
expect_ok "captured read" "$R"
mark promo-begin
R=$(post orders/authorize_and_submit "$(body 4 1 BP0)")
mark promo-end
expect_ok "captured submission with promotion" "$R"
PROMO_ORDER_ID=$(json_field "$R" '["data"]["id"]')
stop_server
psql_admin -c "ALTER DATABASE $DB RESET log_statement" >/dev/null
sleep 0.5
CAP_PAYMENT_ID=$(psql_db -c "SELECT coalesce(max(id), 0) FROM payments WHERE order_id = $CAP_ORDER_ID")
CAP_OUTBOX_ID=$(psql_db -c "SELECT coalesce(max(id), 0) FROM email_outbox WHERE order_id = $CAP_ORDER_ID")
PROMO_OUTBOX_ID=$(psql_db -c "SELECT coalesce(max(id), 0) FROM email_outbox WHERE order_id = $PROMO_ORDER_ID")
PROMO_PAYMENT_ID=$(psql_db -c "SELECT coalesce(max(id), 0) FROM payments WHERE order_id = $PROMO_ORDER_ID")
REDEMPTION_ID=$(psql_db -c "SELECT coalesce(max(id), 0) FROM promotion_redemptions WHERE order_id = $PROMO_ORDER_ID")
CAP_CLIENT_ID=$(sed -n 3p "$WORK/clients.txt" | cut -d' ' -f3)
PROMO_CLIENT_ID=$(sed -n 4p "$WORK/clients.txt" | cut -d' ' -f3)
tail -c +"$((LOG_OFFSET + 1))" "$PGLOG" >"$WORK/statements.log"
python3 bench/lib/extract_replay.py "$WORK/statements.log" "$DB" "$WORK" \
  --order-id "$CAP_ORDER_ID" --payment-id "$CAP_PAYMENT_ID" --outbox-id "$CAP_OUTBOX_ID" \
  --client-id "$CAP_CLIENT_ID" --client-range "$FIRST:$((FIRST + NCLIENTS - 1))" --same-ids "$SAME_IDS" \
  --promo-order-id "$PROMO_ORDER_ID" --promo-outbox-id "$PROMO_OUTBOX_ID" --promo-client-id "$PROMO_CLIENT_ID" \
  --promo-payment-id "$PROMO_PAYMENT_ID" \
  --promo-id "$PFIRST" --promo-code BP0 --redemption-id "$REDEMPTION_ID"
