DROP INDEX orders_reconcile_due;
ALTER TABLE orders DROP COLUMN reconcile_attempts;
ALTER TABLE orders DROP COLUMN reconcile_after;
