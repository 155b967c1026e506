//! The documentation is generated from the same table that validates.

use crate::support::*;
use actix_web::test::TestRequest;
use ordercore_http::docs::flattened;
use ordercore_http::routes;
use serde_json::{Value, json};

fn attrs(html: &str, attr: &str) -> Vec<String> {
    html.split(&format!("{attr}=\""))
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn authorize_and_submit_page_lists_exactly_what_the_route_validates_and_answers() {
    let t = TestApp::new().await;
    let state = t.state();
    let app = actix_web::test::init_service(ordercore_http::app(state.clone())).await;
    let res = actix_web::test::call_service(
        &app,
        TestRequest::get()
            .uri("/documentation/api/v1/orders/authorize_and_submit")
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = String::from_utf8(actix_web::test::read_body(res).await.to_vec()).unwrap();

    let route = routes::find("orders", "authorize_and_submit").unwrap();
    let documented = attrs(&html, "data-param");
    let validated: Vec<String> = flattened(&route.params)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(documented, validated);
    let top: Vec<&str> = documented
        .iter()
        .filter(|p| !p.contains('.'))
        .map(String::as_str)
        .collect();
    assert_eq!(
        top,
        [
            "view",
            "payment_method_id",
            "promotion_code",
            "order",
            "token",
            "application",
            "session_view"
        ]
    );
    for p in [
        "order.primary_service.id",
        "order.add_on_services[].quantity",
        "order.property_info",
        "order.appointments",
    ] {
        assert!(documented.iter().any(|d| d == p), "{p}");
    }

    // Responses: what the table says the route answers, plus
    // route-non-existent (any other method on its path), split in two.
    let (common_html, uncommon_html) = html
        .split_once("<h2>Uncommon responses</h2>")
        .expect("an Uncommon responses section");
    let common = attrs(common_html, "data-slug");
    let uncommon = attrs(uncommon_html, "data-slug");
    assert_eq!(
        uncommon,
        [
            "no-params-decoded",
            "invalid-encoded-params",
            "route-not-found",
            "identify-request-error",
            "service-not-found"
        ]
    );
    let slugs: Vec<String> = common.iter().chain(&uncommon).cloned().collect();
    let mut listed = slugs.clone();
    listed.sort();
    let mut answered: Vec<String> = route
        .responses()
        .iter()
        .map(|s| s.as_str().to_string())
        .chain(["route-non-existent".to_string()])
        .collect();
    answered.sort();
    assert_eq!(listed, answered);
    assert!(common.iter().any(|s| s == "route-non-existent"));
    // Descriptions render their inline code; no raw backtick on the page.
    assert!(!html.contains('`'));
    assert!(html.contains("<code>{ &quot;id&quot;: integer }</code>: an active primary service."));
    for s in [
        "action-successful",
        "invalid-promotion",
        "promotion-expended",
        "declined-payment",
        "card-number-invalid",
        "duplicate-payment",
        "failed-payment",
        "card-expired",
        "external-application-error",
        "invalid-payment-processor-api-keys",
        "mandrill-email-failed",
        "idempotency-key-conflict",
        "missing-param",
        "invalid-param",
        "permission-denied",
        "route-non-existent",
        "service-not-found",
    ] {
        assert!(slugs.iter().any(|x| x == s), "{s}");
        let code = ordercore_http::Slug::parse(s)
            .unwrap()
            .http_status()
            .as_u16();
        assert!(
            html.contains(&format!(
                "data-slug=\"{s}\"><td><code>{s}</code></td><td>{code}</td>"
            )),
            "{s}"
        );
    }

    // Every param the page lists is one the validator knows: an unknown value
    // for an enum it documents is refused, with the documented name.
    let token = t.client_token().await;
    let r = send(
        &state,
        post_json(
            "orders/authorize_and_submit",
            &json!({"token": token, "view": "huge", "order": {"primary_service": {"id": "x"}}}),
        ),
    )
    .await;
    let errs = r.error_params();
    for e in &errs {
        let generic = e.replace(|c: char| c.is_ascii_digit(), "");
        assert!(documented.contains(&generic), "{e} is not documented");
    }
    assert!(errs.contains(&"view".to_string()));
}

#[actix_web::test]
async fn openapi_index_and_ops_endpoints() {
    let t = TestApp::new().await;
    let state = t.state();
    let app = actix_web::test::init_service(ordercore_http::app(state.clone())).await;
    let get = |uri: &str| TestRequest::get().uri(uri).to_request();

    let res = actix_web::test::call_service(&app, get("/api/v1/openapi.json")).await;
    assert_eq!(res.status(), 200);
    let doc: Value = serde_json::from_slice(&actix_web::test::read_body(res).await).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["paths"].as_object().unwrap().len(),
        routes::ROUTES.len() + 3
    );
    for r in routes::ROUTES.iter() {
        assert!(doc["paths"][format!("/api/v1/{}", r.path())]["post"].is_object());
    }

    let res = actix_web::test::call_service(&app, get("/documentation")).await;
    assert_eq!(res.status(), 200);
    let html = String::from_utf8(actix_web::test::read_body(res).await.to_vec()).unwrap();
    for r in routes::ROUTES.iter() {
        assert!(html.contains(&format!("/documentation/api/v1/{}", r.path())));
    }

    let res = actix_web::test::call_service(&app, get("/healthz")).await;
    assert_eq!(res.status(), 200);
    let res = actix_web::test::call_service(&app, get("/readyz")).await;
    assert_eq!(res.status(), 200);

    let token = t.client_token().await;
    send(
        &state,
        post_json("services/index", &json!({"token": token})),
    )
    .await;
    send(&state, post_json("orders/nope", &json!({"a": 1}))).await;
    let res = actix_web::test::call_service(&app, get("/metrics")).await;
    assert_eq!(res.status(), 200);
    let text = String::from_utf8(actix_web::test::read_body(res).await.to_vec()).unwrap();
    assert!(
        text.contains(
            "ordercore_http_requests_total{code=\"200\",route=\"services/index\",status=\"action-successful\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "ordercore_http_requests_total{code=\"500\",route=\"unknown\",status=\"route-non-existent\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("ordercore_http_request_duration_seconds_count{route=\"services/index\"} 1"),
        "{text}"
    );
}
