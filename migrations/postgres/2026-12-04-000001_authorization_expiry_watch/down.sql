DROP INDEX payments_expiry_unwarned;
ALTER TABLE payments DROP COLUMN expiry_warned_at;
