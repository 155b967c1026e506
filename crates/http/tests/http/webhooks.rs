//! webhooks/create, webhooks/index, webhooks/destroy and events/index: staff
//! only; the secret is answered once; an event's `data` is the resource's
//! `default` view as `orders/read` shows it, without the access code.

use crate::support::{TestApp, post_json, send};
use serde_json::{Value, json};

#[actix_web::test]
async fn staff_manage_endpoints_and_the_secret_is_shown_once() {
    let t = TestApp::new().await;
    let state = t.state();
    let staff = t.staff_token().await;
    let r = send(
        &state,
        post_json(
            "webhooks/create",
            &json!({"token": staff, "url": "https://hooks.example.com/x", "events": "order.submitted, payment.voided"}),
        ),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    let secret = r.body["data"]["secret"].as_str().unwrap().to_string();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    assert_eq!(
        r.body["data"]["events"],
        json!(["order.submitted", "payment.voided"])
    );
    let id = r.body["data"]["id"].as_i64().unwrap();

    let r = send(
        &state,
        post_json("webhooks/index", &json!({"token": staff})),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    assert_eq!(r.body["data"][0]["id"], id);
    assert_eq!(r.body["data"][0]["enabled"], true);
    assert!(r.body["data"][0].get("secret").is_none());
    assert!(!r.body.to_string().contains(&secret[6..]), "never listed");

    let r = send(
        &state,
        post_json("webhooks/destroy", &json!({"token": staff, "id": id})),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    let r = send(
        &state,
        post_json("webhooks/destroy", &json!({"token": staff, "id": id})),
    )
    .await;
    r.expect("invalid-param", 400, &["errors", "session"]);
    assert_eq!(r.body["errors"][0]["param"], "id");
    let r = send(
        &state,
        post_json("webhooks/index", &json!({"token": staff})),
    )
    .await;
    assert_eq!(r.body["data"], json!([]));
}

#[actix_web::test]
async fn bad_urls_and_unknown_kinds_are_invalid_params() {
    let t = TestApp::new().await;
    let state = t.state();
    let staff = t.staff_token().await;
    for (params, param) in [
        (json!({"url": "ftp://hooks.example.com"}), "url"),
        (
            json!({"url": "https://hooks.example.com", "events": "order.shipped"}),
            "events",
        ),
        (
            json!({"url": "https://hooks.example.com", "events": " , "}),
            "events",
        ),
    ] {
        let mut body = params.clone();
        body["token"] = json!(staff);
        let r = send(&state, post_json("webhooks/create", &body)).await;
        r.expect("invalid-param", 400, &["errors", "session"]);
        assert_eq!(r.body["errors"][0]["param"], param, "{params}");
    }
}

#[actix_web::test]
async fn clients_may_not_see_events_or_endpoints() {
    let t = TestApp::new().await;
    let state = t.state();
    let client = t.client_token().await;
    for route in ["webhooks/index", "events/index"] {
        let r = send(&state, post_json(route, &json!({"token": client}))).await;
        r.expect("permission-denied", 403, &["session"]);
    }
}

#[actix_web::test]
async fn the_feed_pages_through_events_in_order_with_the_default_views() {
    let t = TestApp::new().await;
    let state = t.state();
    let client = t.client_token().await;
    let r = t
        .submit_with_new_card(&state, &client, "orders/authorize_and_submit", "80202")
        .await;
    r.expect("action-successful", 200, &["data", "session"]);
    let order_id = r.body["data"]["id"].as_i64().unwrap();
    let payment_id = r.body["data"]["payment"]["id"].as_i64().unwrap();
    let staff = t.staff_token().await;
    let void = send(
        &state,
        post_json("payments/void", &json!({"token": staff, "id": payment_id})),
    )
    .await;
    void.expect("action-successful", 200, &["data", "session"]);

    let feed = |after: i64, per_page: i64| {
        let state = state.clone();
        let staff = staff.clone();
        async move {
            let r = send(
                &state,
                post_json(
                    "events/index",
                    &json!({"token": staff, "after": after, "per_page": per_page}),
                ),
            )
            .await;
            r.expect("action-successful", 200, &["data", "session"]);
            r.body["data"].as_array().unwrap().clone()
        }
    };
    let all = feed(0, 100).await;
    let kinds: Vec<&str> = all.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "order.submitted",
            "payment.authorized",
            "payment.voided",
            "order.cancelled"
        ]
    );
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    // Pages: two at a time, each after the last id seen.
    let first = feed(0, 2).await;
    let second = feed(first[1]["id"].as_i64().unwrap(), 2).await;
    assert_eq!([first, second].concat(), all);
    assert!(feed(ids[3], 10).await.is_empty());

    // The cancellation's data is the order's default view now (it has not
    // changed since), member for member; no event has the access code.
    let read = send(
        &state,
        post_json("orders/read", &json!({"token": staff, "id": order_id})),
    )
    .await;
    assert_eq!(all[3]["data"], read.body["data"]);
    assert_eq!(all[0]["data"]["status"], "submitted", "as it was then");
    assert_eq!(all[0]["data"]["payment"]["status"], "authorized");
    assert_eq!(all[2]["data"]["order_id"], order_id);
    assert_eq!(all[2]["data"]["status"], "voided");
    let text = Value::Array(all).to_string();
    assert!(!text.contains("4321") && !text.contains("access_code"));
}
