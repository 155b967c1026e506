#!/usr/bin/env bash
# The README walkthrough. README.md quotes the part between the two "walkthrough"
# markers verbatim, and the black-box suite (tests/e2e/readme.rs) runs this file
# against a server started the way `make run` starts one, so neither can rot.
# Needs bash, curl, base64 and GNU date. BASE defaults to `make run`'s address.
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}

# --- walkthrough ---
# The whole walkthrough is one subshell with `set -e`: pasted into a terminal,
# it stops at the first failure and your shell stays open.
(
set -euo pipefail
# Every answer is a JSON envelope; stop at the first one that is not a success.
ok() { grep -q '"status":"action-successful"' <<<"$1" || { echo "unexpected answer: $1" >&2; return 1; }; }

# 1. Log in as the demo client. sessions/create is a *sensitive* route: the body
#    is the base64 of the JSON object, sent as text/plain.
LOGIN=$(echo -n '{"email":"client@example.com","password":"demo-password","application":"planoorder"}' \
  | base64 -w0 \
  | curl -sS -H 'Content-Type: text/plain' --data-binary @- "$BASE/api/v1/sessions/create")
ok "$LOGIN"
TOKEN=$(sed -E 's/.*"token":"([^"]+)".*/\1/' <<<"$LOGIN")

# 2. A card to pay with. The first run stores the sandbox test card
#    4007000000027 (storing is sensitive too; the simulated processor approves
#    it; it expires in December, four years from now); later runs find it in
#    the client's cards and reuse it.
CARDS=$(curl -sS -H 'Content-Type: application/json' -d "{\"token\":\"$TOKEN\"}" "$BASE/api/v1/payment_methods/index")
ok "$CARDS"
CARD_ID=$(sed -nE 's/.*"id":([0-9]+),"last4":"0027".*/\1/p' <<<"$CARDS")
if [ -z "$CARD_ID" ]; then
  EXP_YEAR=$(( $(date +%Y) + 4 ))
  CARD=$(echo -n "{\"token\":\"$TOKEN\",\"payment_method\":{\"name_on_card\":\"Dana Client\",\"card_number\":\"4007000000027\",\"cvc\":\"123\",\"exp_month\":12,\"exp_year\":$EXP_YEAR,\"street\":\"1 Main St\",\"city\":\"Denver\",\"province_iso\":\"us_co\",\"postal_code\":\"80202\"}}" \
    | base64 -w0 \
    | curl -sS -H 'Content-Type: text/plain' --data-binary @- "$BASE/api/v1/payment_methods/create")
  ok "$CARD"
  CARD_ID=$(sed -E 's/.*"data":\{[^}]*"id":([0-9]+).*/\1/' <<<"$CARD")
fi
echo "card: $CARD_ID"

# 3. The catalogue: one primary service (photos) and add-ons.
SERVICES=$(curl -sS -H 'Content-Type: application/json' -d "{\"token\":\"$TOKEN\"}" "$BASE/api/v1/services/index")
ok "$SERVICES"
echo "$SERVICES"
PHOTOS=$(grep -oE '"id":[0-9]+,"kind":"primary","name":"Photos"' <<<"$SERVICES" | grep -oE '[0-9]+')
FLOOR_PLAN=$(grep -oE '"id":[0-9]+,"kind":"add_on","name":"Floor plan"' <<<"$SERVICES" | grep -oE '[0-9]+')

# 4. Order photos and a floor plan with the promotion WELCOME10 (10 % off),
#    paid by an authorization hold on the card, for an appointment tomorrow.
START=$(date -u -d 'tomorrow 10:00' +%Y-%m-%dT%H:%M:%SZ)
END=$(date -u -d 'tomorrow 12:00' +%Y-%m-%dT%H:%M:%SZ)
ORDER=$(curl -sS -H 'Content-Type: application/json' "$BASE/api/v1/orders/authorize_and_submit" -d "{
  \"token\": \"$TOKEN\",
  \"payment_method_id\": $CARD_ID,
  \"promotion_code\": \"WELCOME10\",
  \"order\": {
    \"primary_service\": {\"id\": $PHOTOS},
    \"add_on_services\": [{\"id\": $FLOOR_PLAN, \"quantity\": 1}],
    \"property_info\": {\"address\": {\"street\": \"1 Main St\", \"city\": \"Denver\", \"state\": \"CO\", \"postal_code\": \"80202\"}},
    \"property_access\": {\"vacant\": true, \"method_of_access\": \"lockbox_code\", \"access_code\": \"4321\", \"lockbox_location\": \"front door\"},
    \"appointments\": [{\"starts_at\": \"$START\", \"ends_at\": \"$END\"}]
  }
}")
ok "$ORDER"
echo "$ORDER"
ORDER_ID=$(sed -E 's/.*"message":"Order ([0-9]+) submitted.*/\1/' <<<"$ORDER")

# 5. Read it back (view "summary"; "default" has the details, "full" adds the access code).
READ=$(curl -sS -H 'Content-Type: application/json' -d "{\"token\":\"$TOKEN\",\"id\":$ORDER_ID,\"view\":\"summary\"}" "$BASE/api/v1/orders/read")
ok "$READ"
echo "$READ"
)
# --- end of walkthrough ---
