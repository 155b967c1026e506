//! Whole flows over a real socket: the app served by actix's HttpServer on a
//! free port, driven with reqwest.

use crate::support::*;
use actix_web::HttpServer;
use base64::Engine;
use serde_json::{Value, json};

struct Served {
    base: String,
    http: reqwest::Client,
    handle: actix_web::dev::ServerHandle,
}

impl Served {
    async fn start(t: &TestApp) -> Served {
        let state = t.state();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || ordercore_http::app(state.clone()))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Served {
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            handle,
        }
    }

    async fn call(&self, route: &str, body: &Value, key: Option<&str>) -> (u16, String, Value) {
        let sensitive = routes_sensitive(route);
        let mut req = self.http.post(format!("{}/api/v1/{route}", self.base));
        req = if sensitive {
            req.header("content-type", "text/plain")
                .body(base64::engine::general_purpose::STANDARD.encode(body.to_string()))
        } else {
            req.header("content-type", "application/json; charset=utf-8")
                .body(body.to_string())
        };
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        assert_eq!(res.headers()["content-type"], "application/json");
        let text = res.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap();
        (status, text, v)
    }

    async fn ok(&self, route: &str, body: &Value) -> Value {
        let (status, _, v) = self.call(route, body, None).await;
        assert_eq!(
            (status, v["status"].as_str()),
            (200, Some("action-successful")),
            "{route}: {v}"
        );
        v
    }
}

fn routes_sensitive(route: &str) -> bool {
    let (r, a) = route.split_once('/').unwrap();
    ordercore_http::routes::find(r, a).is_some_and(|d| d.sensitive)
}

#[actix_web::test]
async fn a_client_and_staff_over_http() {
    let t = TestApp::new().await;
    let s = Served::start(&t).await;

    // Log in (base64 body) and register a new client.
    let login = s.ok("sessions/create", &json!({"email": "client@example.com", "password": PASSWORD, "application": "planoorder"})).await;
    assert!(login["data"]["token"].is_string());
    let reg = s.ok("users/client_register", &json!({
        "application": "planoorder",
        "client": {"email": "new@example.com", "password": "a good password", "first_name": "Nia", "last_name": "New"}
    })).await;
    assert_eq!(reg["data"]["email"], "new@example.com");
    let token = reg["session"]["token"].as_str().unwrap().to_string();

    // Add a card, list services and cards, preview a discount.
    let card = s
        .ok(
            "payment_methods/create",
            &json!({"token": token, "payment_method": card_params("4111 1111 1111 1111", "80202")}),
        )
        .await;
    assert_eq!(card["data"]["last4"], "1111");
    let card_id = card["data"]["id"].as_i64().unwrap();
    let services = s.ok("services/index", &json!({"token": token})).await;
    assert!(
        services["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "primary")
    );
    let cards = s
        .ok("payment_methods/index", &json!({"token": token}))
        .await;
    assert_eq!(cards["data"].as_array().unwrap().len(), 1);
    let (primary, add_on) = t.service_ids().await;
    let quote = s.ok("promotions/validate", &json!({"token": token, "promotion_code": "welcome10", "order": {"primary_service": {"id": primary}}})).await;
    assert_eq!(quote["data"]["discount_cents"], 1500);

    // authorize_and_submit with an Idempotency-Key, replayed byte for byte.
    let mut order = t.order_params(&token, Some(card_id)).await;
    order["promotion_code"] = json!("WELCOME10");
    let (st1, body1, first) = s
        .call("orders/authorize_and_submit", &order, Some("key-1"))
        .await;
    assert_eq!(st1, 200, "{first}");
    assert_eq!(first["data"]["payment"]["status"], "authorized");
    assert_eq!(first["data"]["property_access"]["access_code"], "4321");
    let (st2, body2, _) = s
        .call("orders/authorize_and_submit", &order, Some("key-1"))
        .await;
    assert_eq!((st2, &body2), (st1, &body1));
    let index = s
        .ok("orders/index", &json!({"token": token, "view": "summary"}))
        .await;
    assert_eq!(
        index["data"].as_array().unwrap().len(),
        1,
        "one order for two requests"
    );
    assert_eq!(*t.mailer.sent.lock().unwrap(), 1, "one e-mail");

    // pay_and_submit (another amount, so no duplicate), read and list.
    let mut pay = t.order_params(&token, Some(card_id)).await;
    pay["order"]["add_on_services"] = json!([{"id": add_on, "quantity": 2}]);
    let paid = s.ok("orders/pay_and_submit", &pay).await;
    assert_eq!(paid["data"]["payment"]["status"], "captured");
    let read = s
        .ok(
            "orders/read",
            &json!({"token": token, "id": first["data"]["id"]}),
        )
        .await;
    assert!(
        read["data"]["property_access"].get("access_code").is_none(),
        "default view hides the access code"
    );
    let index = s.ok("orders/index", &json!({"token": token})).await;
    assert_eq!(index["data"].as_array().unwrap().len(), 2);

    // Staff capture the hold; a new hold is voided.
    let staff = s
        .ok(
            "sessions/create",
            &json!({"email": "staff@example.com", "password": PASSWORD, "application": "planox2"}),
        )
        .await;
    let staff = staff["data"]["token"].as_str().unwrap().to_string();
    let captured = s
        .ok(
            "payments/capture",
            &json!({"token": staff, "id": first["data"]["payment"]["id"]}),
        )
        .await;
    assert_eq!(captured["data"]["payment"]["status"], "captured");
    let mut hold = t.order_params(&token, Some(card_id)).await;
    hold["order"]["add_on_services"] = json!([{"id": add_on, "quantity": 3}]);
    let held = s.ok("orders/authorize_and_submit", &hold).await;
    let voided = s
        .ok(
            "payments/void",
            &json!({"token": staff, "id": held["data"]["payment"]["id"]}),
        )
        .await;
    assert_eq!(voided["data"]["status"], "cancelled");
    let (status, _, v) = s
        .call(
            "payments/void",
            &json!({"token": staff, "id": held["data"]["payment"]["id"]}),
            None,
        )
        .await;
    assert_eq!(
        (status, v["status"].as_str()),
        (400, Some("order-not-cancelable"))
    );

    // Log out.
    s.ok("sessions/destroy", &json!({"token": token})).await;
    let (status, _, v) = s
        .call("services/index", &json!({"token": token}), None)
        .await;
    assert_eq!(
        (status, v["status"].as_str()),
        (401, Some("session-expired"))
    );
    s.handle.stop(true).await;
}

#[actix_web::test]
async fn the_rate_limit_over_http() {
    let mut t = TestApp::new().await;
    t.config.rate_limit_per_minute = 3;
    let s = Served::start(&t).await;
    let token = t.client_token().await;
    for _ in 0..3 {
        s.ok("services/index", &json!({"token": token})).await;
    }
    let res = s
        .http
        .post(format!("{}/api/v1/services/index", s.base))
        .header("content-type", "application/json")
        .body(json!({"token": token}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().get("retry-after").is_some());
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "rate-limit-exceeded");
    s.handle.stop(true).await;
}

#[actix_web::test]
async fn a_body_over_256_kib_is_refused_over_http() {
    let t = TestApp::new().await;
    let s = Served::start(&t).await;
    let res = s
        .http
        .post(format!("{}/api/v1/orders/read", s.base))
        .header("content-type", "application/json")
        .body(vec![b' '; 257 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 413);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "payload-too-large");
    s.handle.stop(true).await;
}

#[actix_web::test]
async fn two_concurrent_submits_with_one_key_charge_once() {
    let t = TestApp::new().await;
    let s = Served::start(&t).await;
    let token = t.client_token().await;
    let state = t.state();
    let order = t.order_with_new_card(&state, &token, "80202").await;
    let (a, b) = futures_util::future::join(
        s.call("orders/pay_and_submit", &order, Some("same-key")),
        s.call("orders/pay_and_submit", &order, Some("same-key")),
    )
    .await;
    let mut outcomes = [
        (a.0, a.2["status"].as_str().unwrap().to_string()),
        (b.0, b.2["status"].as_str().unwrap().to_string()),
    ];
    outcomes.sort();
    assert_eq!(outcomes[0], (200, "action-successful".to_string()));
    assert!(
        outcomes[1] == (200, "action-successful".to_string())
            || outcomes[1] == (409, "idempotency-key-conflict".to_string()),
        "{outcomes:?}"
    );
    if a.0 == 200 && b.0 == 200 {
        assert_eq!(a.1, b.1, "the second is a replay");
    }
    assert_eq!(
        *t.gateway.transactions.lock().unwrap(),
        1,
        "the processor was asked for exactly one charge"
    );
    let index = s.ok("orders/index", &json!({"token": token})).await;
    assert_eq!(index["data"].as_array().unwrap().len(), 1, "one order");
    s.handle.stop(true).await;
}

/// A client's void and staff's captures racing on one authorization: the
/// claim (`capturing` / `voiding`) lets exactly one reach the processor.
#[actix_web::test]
async fn fifty_concurrent_captures_and_voids_change_the_hold_once() {
    let t = TestApp::new().await;
    let s = Served::start(&t).await;
    let token = t.client_token().await;
    let staff = t.staff_token().await;
    let state = t.state();
    let order = t.order_with_new_card(&state, &token, "80202").await;
    let placed = s.ok("orders/authorize_and_submit", &order).await;
    let payment = placed["data"]["payment"]["id"].clone();
    let calls = (0..50).map(|i| {
        let route = if i % 2 == 0 {
            "payments/capture"
        } else {
            "payments/void"
        };
        let body = json!({"token": staff, "id": payment});
        let s = &s;
        async move { (route, s.call(route, &body, None).await) }
    });
    let answers = futures_util::future::join_all(calls).await;
    let won: Vec<&str> = answers
        .iter()
        .filter(|(_, (status, _, v))| *status == 200 && v["status"] == "action-successful")
        .map(|(route, _)| *route)
        .collect();
    assert_eq!(won.len(), 1, "exactly one call wins: {answers:?}");
    assert_eq!(
        *t.gateway.hold_changes.lock().unwrap(),
        1,
        "the processor was asked to change the hold exactly once"
    );
    let read = s
        .ok(
            "orders/read",
            &json!({"token": token, "id": placed["data"]["id"]}),
        )
        .await;
    let expected = if won[0] == "payments/capture" {
        ("submitted", "captured")
    } else {
        ("cancelled", "voided")
    };
    assert_eq!(
        (
            read["data"]["status"].as_str().unwrap(),
            read["data"]["payment"]["status"].as_str().unwrap()
        ),
        expected,
        "the order records what the winner did"
    );
    s.handle.stop(true).await;
}
