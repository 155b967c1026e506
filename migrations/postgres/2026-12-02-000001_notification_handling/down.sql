DROP INDEX orders_status;
DROP INDEX email_outbox_order_id;
DROP INDEX notifications_order_id;
DROP INDEX notifications_unresolved;
ALTER TABLE notifications DROP COLUMN order_id;
ALTER TABLE notifications DROP COLUMN resolved_by;
ALTER TABLE notifications DROP COLUMN acknowledged_by;
ALTER TABLE notifications DROP COLUMN acknowledged_at;
