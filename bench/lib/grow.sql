-- Grows the bench database past what the seed file holds, fast, in SQL
-- (bench/run.sh, psql -v ...). Every row copies the shape of one the service
-- itself wrote, so the service reads them back like its own.
--
--   :first      id of the first seeded client (its user and card share it)
--   :seeded     clients the seed file made (ids first .. first+seeded-1)
--   :nclients   clients wanted in all
--   :orders     orders to add (0: none)
--   :template   id of an order the service wrote with no secret in its
--               property access (a sealed access code is bound to its own
--               order id, so it cannot be copied)
--   :now_us     now, µs since the epoch
\set ON_ERROR_STOP on

-- Clients 'seeded' .. nclients-1: user, client and card like the seeded
-- client number 0 (bench<n>@example.com, card sim-pp-...-<n+1>), and a session
-- (token bench-tok-<user id>, inserted by run.sh for every bench user).
INSERT INTO users (id, email, created_at)
SELECT :first + i, 'bench' || CASE WHEN i < 100000 THEN lpad(i::text, 5, '0') ELSE i::text END || '@example.com',
       t.created_at
  FROM users t, generate_series(:seeded, :nclients - 1) i WHERE t.id = :first;
INSERT INTO clients (id, user_id, first_name, last_name, phone, company_name, designation, billing,
                     customer_profile_id, created_at)
SELECT :first + i, :first + i, t.first_name, 'Client' || i, t.phone, t.company_name, t.designation, t.billing,
       'sim-cust-' || (:first + i), t.created_at
  FROM clients t, generate_series(:seeded, :nclients - 1) i WHERE t.id = :first;
INSERT INTO payment_methods (id, client_id, name, brand, last4, exp_month, exp_year, is_default, active,
                             customer_profile_id, payment_profile_id, postal_code, created_at)
SELECT :first + i, :first + i, t.name, t.brand, t.last4, t.exp_month, t.exp_year, t.is_default, t.active,
       'sim-cust-' || (:first + i), regexp_replace(t.payment_profile_id, '-[0-9]+$', '-' || (i + 1)),
       t.postal_code, t.created_at
  FROM payment_methods t, generate_series(:seeded, :nclients - 1) i WHERE t.id = :first;
SELECT setval('users_id_seq', greatest(:first + :nclients - 1, (SELECT max(id) FROM users))),
       setval('clients_id_seq', greatest(:first + :nclients - 1, (SELECT max(id) FROM clients))),
       setval('payment_methods_id_seq', greatest(:first + :nclients - 1, (SELECT max(id) FROM payment_methods)));

-- Orders: two years of history, oldest first. Clients are skewed (the
-- square of a uniform draw: low ids order far more often, as regulars do);
-- 92 % submitted, 5 % payment_failed, 3 % cancelled. Submitted orders have
-- an authorization (captured after 30 days) and a sent confirmation e-mail;
-- cancelled ones a voided authorization.
CREATE TEMP TABLE grown AS
SELECT g, :first + floor(:nclients * power(random(), 2))::bigint AS client_id,
       (:now_us - (:orders - g + 1)::bigint * (63072000000000 / greatest(:orders, 1)))::bigint AS at,
       CASE WHEN random() < 0.92 THEN 'submitted' WHEN random() < 0.625 THEN 'payment_failed' ELSE 'cancelled' END
         AS status
  FROM generate_series(1, :orders) g;
SELECT coalesce(max(id), 0) AS before FROM orders \gset
INSERT INTO orders (client_id, status, subtotal_cents, discount_cents, total_cents, primary_service_id, lines,
                    property_info, property_access, appointments, payment_method_id, created_at, updated_at)
SELECT n.client_id, n.status, t.subtotal_cents, t.discount_cents, t.total_cents, t.primary_service_id, t.lines,
       t.property_info, t.property_access, t.appointments, n.client_id, n.at, n.at
  FROM orders t, grown n WHERE t.id = :template ORDER BY n.g;
INSERT INTO payments (order_id, kind, status, amount_cents, transaction_id, auth_code, brand, last4,
                      payment_method_id, created_at, updated_at)
SELECT o.id, 'authorization',
       CASE WHEN o.status = 'cancelled' THEN 'voided'
            WHEN o.created_at < :now_us - 2592000000000 THEN 'captured' ELSE 'authorized' END,
       o.total_cents, 'sim-tx-grown-' || o.id, 'SIMOK1', 'visa', '1111', o.payment_method_id, o.created_at,
       o.updated_at
  FROM orders o WHERE o.id > :before AND o.status IN ('submitted', 'cancelled') ORDER BY o.id;
INSERT INTO email_outbox (order_id, recipient, attempts, next_attempt_at, sent_at, created_at)
SELECT o.id, u.email, 1, o.created_at, o.created_at, o.created_at
  FROM orders o JOIN users u ON u.id = o.client_id
 WHERE o.id > :before AND o.status = 'submitted' ORDER BY o.id;

-- Promotions of the past: one grown submitted order in ten redeemed one of
-- 50 old codes (GROWN0..GROWN49, inactive, so no bench request can use
-- them), each client a code at most once. promotion_redemptions then holds
-- the rows a real history would, and its statistics — and so the plans of
-- the statements that look redemptions up — are those of a used table: with
-- an empty one at ANALYZE, PostgreSQL planned sequential scans that grew
-- with every redemption the run made.
INSERT INTO promotions (code, kind, value, active, created_at)
SELECT 'GROWN' || i, 'amount', 250, false, :now_us FROM generate_series(0, 49) i
ON CONFLICT (code) DO NOTHING;
INSERT INTO promotion_redemptions (promotion_id, client_id, order_id, status, created_at)
SELECT p.id, o.client_id, o.id, 'recorded', o.created_at
  FROM (SELECT id, client_id, created_at,
               row_number() OVER (PARTITION BY client_id ORDER BY id) - 1 AS nth
          FROM orders WHERE id > :before AND status = 'submitted' AND id % 10 = 0) o
  JOIN promotions p ON p.code = 'GROWN' || o.nth
 WHERE o.nth < 50;
