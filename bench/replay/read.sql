-- Fewest-statements replay of orders/read: the least SQL the contract
-- (docs/contract.md §3, §6, §8 orders/read, §7 order views) lets one read
-- send, written by hand against migrations/postgres: authenticate, then one
-- select of the order with its client and its payment (the `default` view
-- needs all three; whether the caller may see it is decided on the row).
--
-- Variables (pgbench -D): lo, nclients (seeded clients, as in submit.sql),
-- omin, omax (the range of order ids to read, at random).
\set cid random(:lo, :lo + :nclients - 1)
\set oid random(:omin, :omax)

-- §3 step "authenticate", §6 sessions: the session by the SHA-256 of its
-- token, with its user and role records. The service hashes the token
-- itself; pgbench cannot, so SQL does (µs).
SELECT s.id, s.user_id, s.application, s.created_at, s.last_used_at, s.remember_me, s.revoked_at,
       u.email, c.id AS client_id, e.id AS employee_id, l.id AS liaison_id
  FROM sessions s JOIN users u ON u.id = s.user_id
  LEFT JOIN clients c ON c.user_id = u.id LEFT JOIN employees e ON e.user_id = u.id
  LEFT JOIN liaisons l ON l.user_id = u.id
 WHERE s.token_digest = encode(sha256(convert_to('bench-tok-' || (:cid)::text, 'UTF8')), 'hex');

-- orders/read: the order (all its columns: lines, property, sealed access,
-- appointments, promotion), its client (id, name) and its payment (id, kind,
-- status, amount, brand, last 4, transaction id), in one select.
SELECT o.*, c.first_name, c.last_name, c.user_id AS client_user_id,
       p.id AS pay_id, p.kind, p.status AS pay_status, p.amount_cents, p.brand, p.last4, p.transaction_id
  FROM orders o JOIN clients c ON c.id = o.client_id
  LEFT JOIN LATERAL (SELECT * FROM payments p WHERE p.order_id = o.id ORDER BY p.id DESC LIMIT 1) p ON true
 WHERE o.id = :oid;
