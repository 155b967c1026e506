//! Criterion benchmarks of the pure pieces every request goes through, so a
//! regression shows without a database (`cargo bench -p ordercore-http --bench pipeline`).
//!
//! - `order_params/*`: step 4 (decode) and step 8 (the generic parameter
//!   check) of `orders/authorize_and_submit`. The route-specific `json` check
//!   (`handlers::orders::check_order_json`) is in a private module; its
//!   nearest public pieces, the domain parsers it calls, are measured as
//!   `order_params/domain_json`.
//! - `envelope/*`: serialising the answer (`Outcome::body`) of a submission in
//!   the `default` view with its `session` member, and of `invalid-token`.
//!   The order's `data` is built once from a JSON literal shaped like the
//!   default view (the handler's model-to-JSON step is private).
//! - `token/digest`: the SHA-256 hex digest of a session token, as the server
//!   wires it (`ordercore_crypto::RandomTokens` behind `HttpPorts::tokens`),
//!   run on every authenticated request (session look-up and rate-limit key).
//! - `rate_limit/check`, `idempotency/fingerprint`: step 7, and the
//!   `Idempotency-Key` fingerprint.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ordercore_crypto::RandomTokens;
use ordercore_domain::model::AppointmentWindow;
use ordercore_domain::ports::TokenGenerator;
use ordercore_http::envelope::{Outcome, Success};
use ordercore_http::json_params::FieldErrors;
use ordercore_http::pipeline::rate_limit::RateLimiter;
use ordercore_http::pipeline::steps;
use ordercore_http::{ApiError, Slug, idempotency, params, routes};
use serde_json::{Value, json};
use std::hint::black_box;

fn order_body() -> String {
    let start = (Utc::now() + Duration::days(1)).format("%Y-%m-%dT10:00:00Z");
    let end = (Utc::now() + Duration::days(1)).format("%Y-%m-%dT12:00:00Z");
    json!({
        "token": "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4",
        "view": "summary",
        "payment_method_id": 100003,
        "promotion_code": "BENCH10",
        "order": {
            "primary_service": {"id": 1},
            "add_on_services": [{"id": 2, "quantity": 2}, {"id": 3}],
            "property_info": {
                "address": {"street": "1 Main St", "city": "Denver", "state": "CO", "postal_code": "80202"},
                "property_type": "single_family", "square_footage": 1800, "bedrooms": 3, "bathrooms": 2
            },
            "property_access": {"vacant": true, "method_of_access": "lockbox_code",
                                "access_code": "4321", "lockbox_location": "front door"},
            "appointments": [{"starts_at": start.to_string(), "ends_at": end.to_string()}]
        }
    })
    .to_string()
}

fn order_params(c: &mut Criterion) {
    let route = routes::find("orders", "authorize_and_submit").expect("route");
    let body = order_body();
    let raw = steps::decode(route, body.as_bytes()).unwrap();
    let mut g = c.benchmark_group("order_params");
    g.bench_function("decode", |b| {
        b.iter(|| steps::decode(route, black_box(body.as_bytes())).unwrap())
    });
    g.bench_function("validate", |b| {
        b.iter(|| {
            let mut errs = FieldErrors::default();
            let out = params::validate(&route.params, black_box(&raw), "", &mut errs);
            assert!(errs.is_empty());
            out
        })
    });
    g.bench_function("decode_and_validate", |b| {
        b.iter(|| {
            let raw = steps::decode(route, black_box(body.as_bytes())).unwrap();
            let mut errs = FieldErrors::default();
            params::validate(&route.params, &raw, "", &mut errs)
        })
    });
    let order = raw["order"].as_object().unwrap().clone();
    let now = Utc::now();
    let starts = now + Duration::days(1);
    g.bench_function("domain_json", |b| {
        b.iter(|| {
            let info = ordercore_http::property_json::parse_property_info(black_box(
                &order["property_info"],
            ))
            .unwrap();
            let access = ordercore_http::property_json::parse_property_access(black_box(
                &order["property_access"],
            ))
            .unwrap();
            let window = AppointmentWindow::new(starts, starts + Duration::hours(2), now).unwrap();
            (info, access, window)
        })
    });
    g.finish();
}

fn order_data() -> Value {
    json!({
        "id": 900123, "status": "submitted",
        "client": {"id": 100003, "name": "Bench Client3"},
        "subtotal_cents": 25000, "discount_cents": 2500, "total_cents": 22500, "currency": "USD",
        "created_at": "2026-11-28T13:28:27Z",
        "primary_service": {"id": 1, "slug": "photos", "name": "Photos", "quantity": 1,
                            "unit_price_cents": 15000, "total_cents": 15000},
        "add_on_services": [{"id": 2, "slug": "floor_plan", "name": "Floor plan", "quantity": 2,
                             "unit_price_cents": 5000, "total_cents": 10000}],
        "property_info": {"address": {"street": "1 Main St", "street2": null, "city": "Denver",
                                      "state": "CO", "postal_code": "80202"},
                          "property_type": "single_family", "square_footage": 1800, "bedrooms": 3,
                          "bathrooms": 2, "price": null, "external_property_id": null, "notes": null},
        "property_access": {"vacant": true, "method_of_access": "lockbox_code",
                            "lockbox_location": "front door", "onsite_contact_name": null,
                            "onsite_contact_email": null, "onsite_contact_phone": null},
        "appointments": [{"starts_at": "2026-11-29T10:00:00Z", "ends_at": "2026-11-29T12:00:00Z"}],
        "promotion": {"code": "BENCH10", "discount_cents": 2500},
        "payment": {"id": 800123, "kind": "authorization", "status": "authorized", "amount_cents": 22500,
                    "brand": "visa", "last4": "1111", "transaction_id": "1795872507389"}
    })
}

fn session_data() -> Value {
    json!({
        "created_at": "2026-11-28T13:28:22Z", "last_used_at": "2026-11-28T13:28:22Z",
        "expires_at": null, "remember_me": true, "application": "planoorder",
        "user": {"id": 100003, "email": "bench00002@example.com", "roles": ["client"]}
    })
}

fn envelope(c: &mut Criterion) {
    let data = order_data();
    let session = session_data();
    let mut g = c.benchmark_group("envelope");
    g.bench_function("order_default_with_session", |b| {
        b.iter(|| {
            Outcome::success(Success::new(
                "Order 900123 submitted.",
                black_box(data.clone()),
            ))
            .with_session(Some(session.clone()))
            .body()
        })
    });
    g.bench_function("invalid_token", |b| {
        b.iter(|| {
            Outcome::error(ApiError::new(
                Slug::InvalidToken,
                black_box("The token is not valid."),
            ))
            .body()
        })
    });
    g.finish();
}

fn tokens(c: &mut Criterion) {
    let t = RandomTokens;
    let token = t.new_token();
    c.bench_function("token/digest", |b| b.iter(|| t.digest(black_box(&token))));
}

fn rate_limit(c: &mut Criterion) {
    let limiter = RateLimiter::new(u32::MAX);
    let keys: Vec<String> = (0..1000)
        .map(|i| format!("token:{}", RandomTokens.digest(&format!("k{i}"))))
        .collect();
    let mut i = 0usize;
    c.bench_function("rate_limit/check_1000_keys", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            limiter.check(black_box(&keys[i])).unwrap()
        })
    });
}

fn fingerprint(c: &mut Criterion) {
    let route = routes::find("orders", "authorize_and_submit").expect("route");
    let raw = steps::decode(route, order_body().as_bytes()).unwrap();
    let mut errs = FieldErrors::default();
    let validated = params::validate(&route.params, &raw, "", &mut errs);
    let key = idempotency::FingerprintKey::random();
    c.bench_function("idempotency/fingerprint", |b| {
        b.iter(|| idempotency::fingerprint(&key, &route.params, black_box(&validated)))
    });
}

criterion_group!(
    benches,
    order_params,
    envelope,
    tokens,
    rate_limit,
    fingerprint
);
criterion_main!(benches);
