-- Capture and void claim a payment (`capturing` / `voiding`) before they call
-- the processor. SQLite cannot alter a CHECK: the table is rebuilt (no table
-- references payments).
CREATE TABLE payments_next (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL CHECK (kind IN ('authorization', 'charge')),
    status TEXT NOT NULL CHECK (status IN ('authorized', 'held_for_review', 'capturing', 'voiding', 'captured', 'voided')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    transaction_id TEXT NOT NULL,
    auth_code TEXT,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    payment_method_id BIGINT NOT NULL REFERENCES payment_methods (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO payments_next (id, order_id, kind, status, amount_cents, transaction_id, auth_code,
    brand, last4, payment_method_id, created_at, updated_at)
SELECT id, order_id, kind, status, amount_cents, transaction_id, auth_code,
    brand, last4, payment_method_id, created_at, updated_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_next RENAME TO payments;
CREATE INDEX payments_order_id ON payments (order_id);
