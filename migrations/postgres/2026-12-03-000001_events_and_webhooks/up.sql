-- Events (docs/webhooks.md): written in the transaction of the change they
-- report; data is the JSON of the resource's default view, never a secret.
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    order_id BIGINT,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_order ON events (order_id);

-- Webhook endpoints; the signing secret is sealed (docs/storage.md).
-- events: NULL for every kind, else ",kind,kind," (matched with LIKE).
CREATE TABLE webhook_endpoints (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT,
    secret_sealed TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    failing_since BIGINT,
    disabled_at BIGINT,
    removed_at BIGINT,
    created_at BIGINT NOT NULL
);

-- One row per (endpoint, event): its attempts and next attempt (a lease while
-- a worker holds it).
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id),
    event_id BIGINT NOT NULL REFERENCES events (id),
    order_id BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    delivered_at BIGINT,
    failed_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, order_id, event_id) WHERE delivered_at IS NULL AND failed_at IS NULL;
