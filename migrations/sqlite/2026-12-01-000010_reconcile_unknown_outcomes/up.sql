-- An order whose processor outcome is unknown stays `pending_payment` and is
-- looked up in the background: when (`reconcile_after`, UTC microseconds;
-- NULL = no look-up scheduled) and how many look-ups failed so far.
ALTER TABLE orders ADD COLUMN reconcile_after BIGINT;
ALTER TABLE orders ADD COLUMN reconcile_attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_reconcile_due ON orders (reconcile_after) WHERE reconcile_after IS NOT NULL;
