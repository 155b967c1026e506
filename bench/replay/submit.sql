-- Fewest-statements replay of orders/authorize_and_submit (no promotion):
-- the least SQL the contract (docs/contract.md §6, §7, §12) lets one
-- successful card submission send, written by hand against
-- migrations/postgres. It writes the same rows a real submission writes: the
-- order (with its lines, property info, sealed property access and
-- appointments), the payment, the outbox row, the two events of the webhook
-- feed, and marks the e-mail sent. bench/run.sh runs it with
-- `pgbench -M prepared` beside the replay of the service's own captured SQL.
--
-- Variables (pgbench -D): lo, nclients (the seeded clients are ids
-- lo .. lo+nclients-1; a client's user and card have its id), now_us (a
-- timestamp, µs), primary, addon (service ids). Every statement outside a
-- BEGIN is its own transaction (autocommit): "commit" below is that.
\set cid random(:lo, :lo + :nclients - 1)

-- §3 step "authenticate", §6 sessions: the session by the SHA-256 of its
-- token, with its user and role records (which application, which client).
-- The service hashes the token itself; pgbench cannot, so SQL does (µs).
SELECT s.id, s.user_id, s.application, s.created_at, s.last_used_at, s.remember_me, s.revoked_at,
       u.email, c.id AS client_id, e.id AS employee_id, l.id AS liaison_id
  FROM sessions s JOIN users u ON u.id = s.user_id
  LEFT JOIN clients c ON c.user_id = u.id LEFT JOIN employees e ON e.user_id = u.id
  LEFT JOIN liaisons l ON l.user_id = u.id
 WHERE s.token_digest = encode(sha256(convert_to('bench-tok-' || (:cid)::text, 'UTF8')), 'hex');

-- §7 step 1 (and 2, 4): resolve the client, its card (stored, active, its
-- expiry for card-expired) and the services (active, kind, price), and take
-- the new order's id from its sequence, so the access code can be sealed
-- bound to that id before the INSERT.
SELECT c.id, c.first_name, c.last_name, c.designation, c.billing, c.customer_profile_id, u.email,
       pm.id AS pm_id, pm.client_id AS pm_client_id, pm.brand, pm.last4, pm.exp_month, pm.exp_year,
       pm.active AS pm_active, pm.customer_profile_id AS pm_customer, pm.payment_profile_id, pm.postal_code,
       (SELECT json_agg(json_build_array(sv.id, sv.slug, sv.name, sv.kind, sv.price_cents, sv.active))
          FROM services sv WHERE sv.id IN (:primary, :addon)) AS services,
       nextval('orders_id_seq') AS o_id
  FROM clients c JOIN users u ON u.id = c.user_id
  JOIN payment_methods pm ON pm.id = :cid AND pm.client_id = c.id
 WHERE c.id = :cid \gset r_

-- §7 step 4: record the order first, pending_payment, and commit. (In the
-- JSON literals \072 is ':', which pgbench would otherwise read as a variable.)
INSERT INTO orders (id, client_id, status, subtotal_cents, discount_cents, total_cents, primary_service_id,
                    lines, property_info, property_access, appointments, payment_method_id, created_at, updated_at)
VALUES (:r_o_id, :cid, 'pending_payment', 20000, 0, 20000, :primary,
        E'{"primary"\072{"service_id"\072' || (:primary)::text || E',"slug"\072"photos","name"\072"Photos","quantity"\0721,"unit_price_cents"\07215000},"add_ons"\072[{"service_id"\072' || (:addon)::text || E',"slug"\072"floor_plan","name"\072"Floor plan","quantity"\0721,"unit_price_cents"\0725000}]}',
        E'{"address"\072{"street"\072"1 Main St","street2"\072null,"city"\072"Denver","state"\072"CO","postal_code"\072"80202"},"property_type"\072"single_family","square_footage"\0721800,"bedrooms"\0723,"bathrooms"\0722,"price"\072null,"external_property_id"\072null,"notes"\072null}',
        E'{"vacant"\072true,"method_of_access"\072"lockbox_code","lockbox_location"\072"front door","onsite_contact_name"\072null,"sealed"\072"v1.Zm9yLWJlbmNoLW9ubHktYS1zZWFsZWQtdmFsdWUtb2YtdGhlLXNhbWUtc2l6ZS1hcy10aGUtc2VydmljZXMuLi4uLi4uLi4uLi4uLi4uLi4uLi4"}',
        E'[{"starts_at"\072"2030-01-02T10\07200\07200Z","ends_at"\072"2030-01-02T12\07200\07200Z"}]',
        :cid, :now_us, :now_us);

-- §7 step 5 is the processor call (no SQL). Step 6, in one transaction: the
-- order becomes submitted, its payment is stored, the confirmation e-mail is
-- enqueued in the outbox; one statement, committed.
WITH o AS (UPDATE orders SET status = 'submitted', updated_at = :now_us
            WHERE id = :r_o_id AND status = 'pending_payment' RETURNING id, total_cents),
     p AS (INSERT INTO payments (order_id, kind, status, amount_cents, transaction_id, auth_code, brand, last4,
                                 payment_method_id, created_at, updated_at)
           SELECT o.id, 'authorization', 'authorized', o.total_cents, 'sim-tx-' || o.id::text, 'SIMOK1', 'visa', '1111',
                  :cid, :now_us, :now_us FROM o RETURNING id),
     e AS (INSERT INTO email_outbox (order_id, recipient, attempts, next_attempt_at, created_at)
           SELECT o.id, (:r_email)::text, 0, :now_us, :now_us FROM o RETURNING id),
     -- contract §12 (the webhook feed): the order's two events, with the
     -- service's sealed payloads' sizes, and their deliveries to subscribed
     -- endpoints (the bench subscribes none, as the service's own runs).
     ev AS (INSERT INTO events (kind, order_id, data, created_at)
            SELECT v.kind, o.id, v.data, :now_us
              FROM o CROSS JOIN (VALUES (1, 'order.submitted', repeat('s', 1560)),
                                        (2, 'payment.authorized', repeat('a', 290))) AS v (n, kind, data)
             ORDER BY v.n RETURNING id, kind, order_id),
     d AS (INSERT INTO webhook_deliveries (endpoint_id, event_id, order_id, attempts, next_attempt_at, created_at)
           SELECT w.id, ev.id, ev.order_id, 0, :now_us, :now_us
             FROM ev JOIN webhook_endpoints w
               ON w.enabled AND w.removed_at IS NULL AND (w.events IS NULL OR w.events LIKE '%,' || ev.kind || ',%'))
SELECT p.id AS pay_id, e.id AS ob_id FROM p, e \gset f_

-- §7 step 7: the confirmation e-mail was sent: its outbox row says so; committed.
-- (The service writes this mark for many e-mails in one statement off the
-- request; the replay keeps one per submission, as issue 14 defines the
-- fewest statements.)
UPDATE email_outbox SET sent_at = :now_us, attempts = attempts + 1 WHERE id = :f_ob_id;
