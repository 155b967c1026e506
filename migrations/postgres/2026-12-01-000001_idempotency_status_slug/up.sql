-- A stored first answer keeps its status slug, not an HTTP code: the HTTP
-- layer derives the code from the slug. Existing answers take the slug their
-- stored envelope carries; a finished record whose body has none is dropped
-- (its key is then free again).
ALTER TABLE idempotency_keys ADD COLUMN status TEXT;
UPDATE idempotency_keys SET status = body::jsonb ->> 'status' WHERE state = 'done';
DELETE FROM idempotency_keys WHERE state = 'done' AND status IS NULL;
ALTER TABLE idempotency_keys DROP COLUMN http_status;
