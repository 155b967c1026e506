-- ordercore initial schema (PostgreSQL). Keep in step with migrations/sqlite.
-- Timestamps are BIGINT microseconds since the Unix epoch, UTC (docs/storage.md).
-- Money is BIGINT cents. Enumerations are TEXT with CHECK constraints.

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    password_hash TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE clients (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    phone TEXT,
    company_name TEXT,
    designation TEXT,
    billing TEXT NOT NULL CHECK (billing IN ('card', 'invoice')),
    customer_profile_id TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE employees (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE liaisons (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE liaison_clients (
    liaison_id BIGINT NOT NULL REFERENCES liaisons (id),
    client_id BIGINT NOT NULL REFERENCES clients (id),
    PRIMARY KEY (liaison_id, client_id)
);

CREATE TABLE applications (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE CHECK (slug IN ('planoauth', 'planoorder', 'planox2')),
    name TEXT NOT NULL,
    token_role TEXT NOT NULL CHECK (token_role IN ('client', 'employee', 'liaison')),
    token_digest TEXT NOT NULL UNIQUE
);

CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    token_digest TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    application TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    remember_me BOOLEAN NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE services (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('primary', 'add_on')),
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    active BOOLEAN NOT NULL
);

CREATE TABLE promotions (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (code = upper(code)),
    kind TEXT NOT NULL CHECK (kind IN ('percent', 'amount')),
    value BIGINT NOT NULL CHECK (value >= 0),
    active BOOLEAN NOT NULL,
    starts_at BIGINT,
    ends_at BIGINT,
    designation TEXT,
    max_redemptions BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE payment_methods (
    id BIGSERIAL PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    name TEXT NOT NULL,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL CHECK (length(last4) = 4),
    exp_month INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
    exp_year INTEGER NOT NULL,
    is_default BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    customer_profile_id TEXT NOT NULL,
    payment_profile_id TEXT NOT NULL,
    postal_code TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX payment_methods_client_id ON payment_methods (client_id);

CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    status TEXT NOT NULL CHECK (status IN ('pending_payment', 'submitted', 'payment_failed', 'cancelled')),
    subtotal_cents BIGINT NOT NULL CHECK (subtotal_cents >= 0),
    discount_cents BIGINT NOT NULL CHECK (discount_cents >= 0),
    total_cents BIGINT NOT NULL CHECK (total_cents >= 0),
    primary_service_id BIGINT NOT NULL REFERENCES services (id),
    lines TEXT NOT NULL,
    property_info TEXT NOT NULL,
    property_access TEXT NOT NULL,
    appointments TEXT NOT NULL,
    promotion_id BIGINT REFERENCES promotions (id),
    promotion_code TEXT,
    promotion_discount_cents BIGINT,
    payment_method_id BIGINT REFERENCES payment_methods (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orders_client_id ON orders (client_id, id);
CREATE INDEX orders_pending ON orders (created_at) WHERE status = 'pending_payment';

CREATE TABLE promotion_redemptions (
    id BIGSERIAL PRIMARY KEY,
    promotion_id BIGINT NOT NULL REFERENCES promotions (id),
    client_id BIGINT NOT NULL REFERENCES clients (id),
    order_id BIGINT REFERENCES orders (id),
    status TEXT NOT NULL CHECK (status IN ('reserved', 'recorded')),
    created_at BIGINT NOT NULL,
    CONSTRAINT promotion_redemptions_promotion_client UNIQUE (promotion_id, client_id)
);
CREATE INDEX promotion_redemptions_order_id ON promotion_redemptions (order_id);

CREATE TABLE payments (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL CHECK (kind IN ('authorization', 'charge')),
    status TEXT NOT NULL CHECK (status IN ('authorized', 'held_for_review', 'captured', 'voided')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    transaction_id TEXT NOT NULL,
    auth_code TEXT,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    payment_method_id BIGINT NOT NULL REFERENCES payment_methods (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX payments_order_id ON payments (order_id);

CREATE TABLE email_outbox (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    recipient TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    sent_at BIGINT,
    failed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    message TEXT NOT NULL,
    context TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT
);

CREATE TABLE api_services (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    deployed BOOLEAN NOT NULL
);

CREATE TABLE api_routes (
    id BIGSERIAL PRIMARY KEY,
    route TEXT NOT NULL UNIQUE,
    service_name TEXT NOT NULL,
    deployed BOOLEAN NOT NULL
);

CREATE TABLE idempotency_keys (
    id BIGSERIAL PRIMARY KEY,
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'done')),
    http_status INTEGER,
    body TEXT,
    created_at BIGINT NOT NULL,
    CONSTRAINT idempotency_keys_scope_key UNIQUE (scope, key)
);
