-- The authorization-expiry watch warns staff once per open authorization:
-- `expiry_warned_at` (UTC microseconds; NULL = not warned yet) is set by a
-- conditional update, so of concurrent watchers exactly one warns. The
-- partial index holds only the open authorizations not warned yet, oldest
-- first: the watch reads it without touching settled payments.
ALTER TABLE payments ADD COLUMN expiry_warned_at BIGINT;
CREATE INDEX payments_expiry_unwarned ON payments (created_at, id)
    WHERE status = 'authorized' AND expiry_warned_at IS NULL;
