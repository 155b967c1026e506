-- Staff acknowledge and resolve notifications from the console: who and when.
-- The user ids are kept as written (an audit record), without a foreign key.
-- `order_id` copies the context's order, so an order's notifications are
-- found by index.
ALTER TABLE notifications ADD COLUMN acknowledged_at BIGINT;
ALTER TABLE notifications ADD COLUMN acknowledged_by BIGINT;
ALTER TABLE notifications ADD COLUMN resolved_by BIGINT;
ALTER TABLE notifications ADD COLUMN order_id BIGINT;
UPDATE notifications SET order_id = json_extract(context, '$.order_id')
    WHERE json_extract(context, '$.order_id') IS NOT NULL;
CREATE INDEX notifications_unresolved ON notifications (created_at) WHERE resolved_at IS NULL;
CREATE INDEX notifications_order_id ON notifications (order_id) WHERE order_id IS NOT NULL;
-- The console's order page lists an order's e-mails; its search filters by status.
CREATE INDEX email_outbox_order_id ON email_outbox (order_id);
CREATE INDEX orders_status ON orders (status, created_at);
