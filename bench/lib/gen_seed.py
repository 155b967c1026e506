#!/usr/bin/env python3
"""Writes the bench seed file (docs/seed-file.md): the three applications, one
primary service and one add-on, promotions BP0 .. BP<P-1> ($2.50 off, no cap: a
client may redeem each once, so the bench gives every submission with a
promotion a (client, promotion) pair of its own), and N clients each with a
card the simulated processor approves (payment profile id
sim-pp-<postal>-<yyyymm>-<last4>-<n>, docs/payments.md). More clients are
added in SQL by lib/grow.sql, in the same shape.

usage: gen_seed.py N FIRST_CLIENT_ID OUT.json [P]
FIRST_CLIENT_ID is the id the first client will get (run.sh sets the sequence),
used only for the simulator's customer profile id sim-cust-<client id>.
"""
import datetime
import json
import sys


def main() -> None:
    n, first_id, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    n_promos = int(sys.argv[4]) if len(sys.argv) > 4 else 200
    # Four years ahead of today, so the cards never expire under the bench.
    exp_year = datetime.date.today().year + 4
    seed = {
        "applications": [
            {"slug": "planoauth", "name": "Plano Auth", "role": "client", "token": "bench-application-token-planoauth-0000000000"},
            {"slug": "planoorder", "name": "Plano Order", "role": "client", "token": "bench-application-token-planoorder-0000000000"},
            {"slug": "planox2", "name": "Plano X2", "role": "employee", "token": "bench-application-token-planox2-0000000000"},
        ],
        "services": [
            {"slug": "photos", "name": "Photos", "kind": "primary", "price_cents": 15000, "active": True},
            {"slug": "floor_plan", "name": "Floor plan", "kind": "add_on", "price_cents": 5000, "active": True},
        ],
        "promotions": [
            # $2.50 off: every amount without a promotion is a multiple of
            # $50 (15000 + 5000 q cents), so no discounted amount equals one
            # of them and the simulated 120 s duplicate rule (same payment
            # profile, same amount) never refuses a promotion submission
            # after the plain ones. A percentage could: 10 % off with
            # quantity 7 is the plain amount with quantity 6.
            {"code": f"BP{i}", "kind": "amount", "value": 250, "active": True} for i in range(n_promos)
        ],
        "users": [],
        "payment_methods": [],
    }
    for i in range(n):
        email = f"bench{i:05d}@example.com"
        seed["users"].append({
            "email": email,
            "client": {"designation": "agent", "billing": "card",
                       "first_name": "Bench", "last_name": f"Client{i}"},
        })
        seed["payment_methods"].append({
            "client_email": email,
            "customer_profile_id": f"sim-cust-{first_id + i}",
            "payment_profile_id": f"sim-pp-80202-{exp_year}12-1111-{i + 1}",
            "brand": "visa", "last4": "1111", "exp_month": 12, "exp_year": exp_year,
            "postal_code": "80202",
        })
    with open(out, "w", encoding="utf-8") as f:
        json.dump(seed, f)


if __name__ == "__main__":
    main()
