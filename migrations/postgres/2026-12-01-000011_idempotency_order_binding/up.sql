-- Once the processor may have acted, an Idempotency-Key belongs to the order
-- its first request recorded: a retry is answered from that order.
ALTER TABLE idempotency_keys ADD COLUMN order_id BIGINT;
