//! The Diesel schema, shared by both backends: only types that PostgreSQL and
//! SQLite both support (BigInt, Integer, Text, Bool). Timestamps are BigInt
//! microseconds since the Unix epoch (UTC); money is BigInt cents.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    clients (id) {
        id -> BigInt,
        user_id -> BigInt,
        first_name -> Text,
        last_name -> Text,
        phone -> Nullable<Text>,
        company_name -> Nullable<Text>,
        designation -> Nullable<Text>,
        billing -> Text,
        customer_profile_id -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    employees (id) {
        id -> BigInt,
        user_id -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    liaisons (id) {
        id -> BigInt,
        user_id -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    liaison_clients (liaison_id, client_id) {
        liaison_id -> BigInt,
        client_id -> BigInt,
    }
}

diesel::table! {
    applications (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        token_role -> Text,
        token_digest -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_digest -> Text,
        user_id -> BigInt,
        application -> Text,
        created_at -> BigInt,
        last_used_at -> BigInt,
        remember_me -> Bool,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    services (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        kind -> Text,
        price_cents -> BigInt,
        active -> Bool,
    }
}

diesel::table! {
    promotions (id) {
        id -> BigInt,
        code -> Text,
        kind -> Text,
        value -> BigInt,
        active -> Bool,
        starts_at -> Nullable<BigInt>,
        ends_at -> Nullable<BigInt>,
        designation -> Nullable<Text>,
        max_redemptions -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    payment_methods (id) {
        id -> BigInt,
        client_id -> BigInt,
        name -> Text,
        brand -> Text,
        last4 -> Text,
        exp_month -> Integer,
        exp_year -> Integer,
        is_default -> Bool,
        active -> Bool,
        customer_profile_id -> Text,
        payment_profile_id -> Text,
        postal_code -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        client_id -> BigInt,
        status -> Text,
        subtotal_cents -> BigInt,
        discount_cents -> BigInt,
        total_cents -> BigInt,
        primary_service_id -> BigInt,
        lines -> Text,
        property_info -> Text,
        property_access -> Text,
        appointments -> Text,
        promotion_id -> Nullable<BigInt>,
        promotion_code -> Nullable<Text>,
        promotion_discount_cents -> Nullable<BigInt>,
        payment_method_id -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
        reconcile_after -> Nullable<BigInt>,
        reconcile_attempts -> Integer,
    }
}

diesel::table! {
    promotion_redemptions (id) {
        id -> BigInt,
        promotion_id -> BigInt,
        client_id -> BigInt,
        order_id -> Nullable<BigInt>,
        status -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        order_id -> BigInt,
        kind -> Text,
        status -> Text,
        amount_cents -> BigInt,
        transaction_id -> Text,
        auth_code -> Nullable<Text>,
        brand -> Text,
        last4 -> Text,
        payment_method_id -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
        expiry_warned_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> BigInt,
        order_id -> BigInt,
        recipient -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<BigInt>,
        failed_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        kind -> Text,
        severity -> Text,
        message -> Text,
        context -> Text,
        created_at -> BigInt,
        resolved_at -> Nullable<BigInt>,
        acknowledged_at -> Nullable<BigInt>,
        acknowledged_by -> Nullable<BigInt>,
        resolved_by -> Nullable<BigInt>,
        order_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    api_services (id) {
        id -> BigInt,
        name -> Text,
        deployed -> Bool,
    }
}

diesel::table! {
    api_routes (id) {
        id -> BigInt,
        route -> Text,
        service_name -> Text,
        deployed -> Bool,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        scope -> Text,
        key -> Text,
        fingerprint -> Text,
        state -> Text,
        status -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> BigInt,
        order_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(clients -> users (user_id));
diesel::joinable!(employees -> users (user_id));
diesel::joinable!(liaisons -> users (user_id));
diesel::joinable!(liaison_clients -> liaisons (liaison_id));
diesel::joinable!(liaison_clients -> clients (client_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(payment_methods -> clients (client_id));
diesel::table! {
    events (id) {
        id -> BigInt,
        kind -> Text,
        order_id -> Nullable<BigInt>,
        data -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        url -> Text,
        events -> Nullable<Text>,
        secret_sealed -> Text,
        enabled -> Bool,
        failing_since -> Nullable<BigInt>,
        disabled_at -> Nullable<BigInt>,
        removed_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event_id -> BigInt,
        order_id -> Nullable<BigInt>,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<BigInt>,
        failed_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> events (event_id));
diesel::joinable!(orders -> clients (client_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(email_outbox -> orders (order_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    clients,
    employees,
    liaisons,
    liaison_clients,
    applications,
    sessions,
    services,
    promotions,
    payment_methods,
    orders,
    promotion_redemptions,
    payments,
    email_outbox,
    notifications,
    api_services,
    api_routes,
    idempotency_keys,
    events,
    webhook_endpoints,
    webhook_deliveries,
);
