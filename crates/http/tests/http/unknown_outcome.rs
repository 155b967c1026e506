//! An unknown processor outcome and `Idempotency-Key`: the client is told
//! `external-application-error` naming the order; a retry with the same key
//! — from the same session, after a new log-in, or after the first answer
//! could not be stored — is answered from that order and never reaches the
//! processor again (contract §7).

use crate::support::*;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use ordercore_domain::StoreError;
use ordercore_domain::model::{ApplicationSlug, OrderId};
use ordercore_domain::ports::{
    Clock, IdempotencyBegin, IdempotencyStore, OrderRepository, PaymentError,
};
use ordercore_store::Store;
use serde_json::Value;
use std::sync::Arc;

fn unknown() -> PaymentError {
    PaymentError::OutcomeUnknown {
        detail: "timed out".into(),
    }
}

/// The same order request every time (its appointment is fixed once).
async fn order_request(app: &TestApp, token: &str, card: Option<i64>) -> Value {
    app.order_params(token, card).await
}

async fn submit(app: &TestApp, token: &str, params: &Value, key: &str) -> Resp {
    let mut params = params.clone();
    params["token"] = Value::String(token.to_string());
    send(
        &app.state(),
        post_json("orders/authorize_and_submit", &params).insert_header(("Idempotency-Key", key)),
    )
    .await
}

fn transactions(app: &TestApp) -> u32 {
    *app.gateway.transactions.lock().unwrap()
}

fn order_named(r: &Resp) -> i64 {
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.body["status"], "external-application-error", "{}", r.body);
    assert_eq!(
        r.body["data"]["hold_released_automatically"], true,
        "{}",
        r.body
    );
    r.body["data"]["order_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no order in {}", r.body))
}

#[actix_web::test]
async fn a_retry_after_an_unknown_outcome_names_the_same_order_from_any_session_of_the_user() {
    let app = TestApp::new().await;
    let token = app.client_token().await;
    let card = app
        .add_card(&app.state(), &token, "4111111111111111", "80202")
        .await;
    let params = order_request(&app, &token, Some(card)).await;
    app.gateway.fail_next(unknown());

    let first = submit(&app, &token, &params, "k-unknown").await;
    let order = order_named(&first);
    assert_eq!(first.body["data"]["order_status"], "pending_payment");
    assert!(
        first.body["message"]
            .as_str()
            .unwrap()
            .contains(&order.to_string())
    );
    assert_eq!(transactions(&app), 1);
    // The order is kept pending (its reservation too) for the reconcile
    // worker.
    let stored = OrderRepository::find(&app.store, OrderId(order))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status.as_str(), "pending_payment");

    // Same session: the stored answer, byte for byte.
    let again = submit(&app, &token, &params, "k-unknown").await;
    assert_eq!(again.raw, first.raw);
    // A new log-in of the same user: the same key is the same request.
    let token2 = app.client_token().await;
    assert_ne!(token, token2);
    let other_session = submit(&app, &token2, &params, "k-unknown").await;
    assert_eq!(order_named(&other_session), order);
    assert_eq!(transactions(&app), 1, "a retry reached the processor");

    // Another user's key of the same name is another request (it runs:
    // neither a replay nor a conflict).
    let invoice = app
        .session("invoice@example.com", ApplicationSlug::Planoorder)
        .await;
    let theirs = submit(
        &app,
        &invoice,
        &order_request(&app, &invoice, None).await,
        "k-unknown",
    )
    .await;
    assert_eq!(
        theirs.body["status"], "action-successful",
        "{}",
        theirs.body
    );
}

/// The idempotency store with a `complete` that always fails: the first
/// answer is never stored.
struct CannotComplete(Store);

#[async_trait]
impl IdempotencyStore for CannotComplete {
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError> {
        self.0.begin(scope, key, fingerprint, now).await
    }
    async fn bind_order(&self, scope: &str, key: &str, order: OrderId) -> Result<bool, StoreError> {
        self.0.bind_order(scope, key, order).await
    }
    async fn complete(&self, _: &str, _: &str, _: &str, _: &str) -> Result<(), StoreError> {
        Err(StoreError::backend("the database went away"))
    }
    async fn abandon(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        self.0.abandon(scope, key).await
    }
}

/// Real time shifted by `ahead`.
struct Ahead(Duration);

impl Clock for Ahead {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

/// The first answer could not be stored: while it may still be running the
/// key is in flight; once it counts as abandoned the bound order answers —
/// the key is never freed for a second authorization.
#[actix_web::test]
async fn a_bound_key_whose_answer_was_lost_is_answered_from_its_order() {
    for (fail, expected) in [
        (true, "external-application-error"),
        (false, "action-successful"),
    ] {
        let mut app = TestApp::new().await;
        app.idempotency = Arc::new(CannotComplete(app.store.clone()));
        let token = app.client_token().await;
        let card = app
            .add_card(&app.state(), &token, "4111111111111111", "80202")
            .await;
        let params = order_request(&app, &token, Some(card)).await;
        if fail {
            app.gateway.fail_next(unknown());
        }
        let first = submit(&app, &token, &params, "k-lost").await;
        assert_eq!(first.body["status"], expected, "{}", first.body);

        let soon = submit(&app, &token, &params, "k-lost").await;
        assert_eq!(
            soon.body["status"], "idempotency-key-conflict",
            "{}",
            soon.body
        );

        app.clock = Arc::new(Ahead(Duration::minutes(11)));
        let later = submit(&app, &token, &params, "k-lost").await;
        assert_eq!(later.body["status"], expected, "{}", later.body);
        if fail {
            assert_eq!(order_named(&later), order_named(&first));
        } else {
            let id = first.body["data"]["id"].clone();
            assert_eq!(later.body["data"]["id"], id);
            assert_eq!(later.body["data"]["status"], "submitted");
            assert_eq!(
                later.body["message"],
                Value::String(format!("Order {id} submitted."))
            );
            // The view of the request (`full`) is kept.
            assert_eq!(
                later.body["data"]["property_access"]["access_code"],
                first.body["data"]["property_access"]["access_code"]
            );
        }
        assert_eq!(transactions(&app), 1, "a retry reached the processor");
    }
}
