ALTER TABLE idempotency_keys ADD COLUMN http_status INTEGER;
UPDATE idempotency_keys SET http_status = CASE status
    WHEN 'action-successful' THEN 200
    WHEN 'invalid-token' THEN 401
    WHEN 'session-expired' THEN 401
    WHEN 'client-required' THEN 401
    WHEN 'permission-denied' THEN 403
    WHEN 'route-not-found' THEN 404
    WHEN 'idempotency-key-conflict' THEN 409
    WHEN 'payload-too-large' THEN 413
    WHEN 'rate-limit-exceeded' THEN 429
    WHEN 'invalid-payment-processor-api-keys' THEN 500
    WHEN 'application-crash' THEN 500
    WHEN 'mandrill-email-failed' THEN 500
    WHEN 'route-non-existent' THEN 500
    WHEN 'identify-request-error' THEN 500
    WHEN 'service-not-found' THEN 503
    ELSE 400
END
WHERE state = 'done';
ALTER TABLE idempotency_keys DROP COLUMN status;
