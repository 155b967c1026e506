//! The documented example of every route (`RouteDef::example`, shown on its
//! page and in the OpenAPI document), sent as documented to the app on
//! freshly seeded demo data: the answer has the documented status, HTTP
//! code and message, and its `data` the documented shape — the same keys at
//! every level, values of the same JSON types. The test walks the route
//! table, so a route cannot go without a working example.

use crate::support::*;
use actix_web::test::TestRequest;
use actix_web::web;
use chrono::Duration;
use ordercore_domain::model::ApplicationSlug;
use ordercore_http::AppState;
use ordercore_http::docs::example_body;
use ordercore_http::routes::{self, Given, ROUTES, RouteDef, example};
use serde_json::{Value, json};

/// Sends `r`'s example exactly as its page documents it.
async fn send_example(state: &web::Data<AppState>, r: &RouteDef) -> Resp {
    let req = TestRequest::post()
        .uri(&format!("/api/v1/{}", r.path()))
        .insert_header(("content-type", r.content_type()))
        .set_payload(example_body(r));
    send(state, req).await
}

/// The example of `orders/authorize_and_submit`, which other examples
/// build on; its answer must have `slug`.
async fn place_example_order(state: &web::Data<AppState>, slug: &str) {
    let submit = routes::find("orders", "authorize_and_submit").unwrap();
    let r = send_example(state, submit).await;
    assert_eq!(r.body["status"], slug, "{}", r.body);
}

/// Sets up what `given` says must hold before the example is sent.
async fn arrange(t: &TestApp, state: &web::Data<AppState>, given: Given) {
    match given {
        Given::DemoData => {}
        Given::ClientSession => {
            t.session_with_token(
                "client@example.com",
                ApplicationSlug::Planoorder,
                example::SESSION_TOKEN,
                Duration::zero(),
            )
            .await;
        }
        Given::AuthorizedOrder => place_example_order(state, "action-successful").await,
        Given::FailedConfirmation => {
            *t.mailer.fail.lock().unwrap() = true;
            place_example_order(state, "mandrill-email-failed").await;
            *t.mailer.fail.lock().unwrap() = false;
        }
        Given::WebhookEndpoint => {
            let create = ordercore_http::routes::find("webhooks", "create").unwrap();
            let answer = send_example(state, create).await;
            assert_eq!(
                answer.body["status"], "action-successful",
                "{}",
                answer.body
            );
        }
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where `got` differs in shape from `want`: keys of objects, emptiness of
/// arrays (every item of `got` against the first of `want`), JSON types.
fn shape_differences(path: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            let wk: Vec<&String> = w.keys().collect();
            let gk: Vec<&String> = g.keys().collect();
            if wk != gk {
                out.push(format!("{path}: documented keys {wk:?}, answered {gk:?}"));
            }
            for (k, wv) in w {
                if let Some(gv) = g.get(k) {
                    shape_differences(&format!("{path}.{k}"), wv, gv, out);
                }
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.is_empty() != g.is_empty() {
                out.push(format!(
                    "{path}: documented {} items, answered {}",
                    w.len(),
                    g.len()
                ));
            }
            if let Some(first) = w.first() {
                for (i, gv) in g.iter().enumerate() {
                    shape_differences(&format!("{path}[{i}]"), first, gv, out);
                }
            }
        }
        _ if json_type(want) != json_type(got) => out.push(format!(
            "{path}: documented {}, answered {}",
            json_type(want),
            json_type(got)
        )),
        _ => {}
    }
}

#[actix_web::test]
async fn every_route_answers_its_documented_example() {
    let mut failures = Vec::new();
    for r in ROUTES.iter() {
        // A fresh demo database for each: the ids the examples name.
        let t = TestApp::new().await;
        let state = t.state();
        arrange(&t, &state, r.example.given).await;
        let answer = send_example(&state, r).await;
        let e = &r.example;
        let path = r.path();
        if answer.body["status"] != e.status.as_str()
            || answer.status != e.status.http_status().as_u16()
        {
            failures.push(format!(
                "{path}: documented {} (HTTP {}), answered HTTP {} {}",
                e.status.as_str(),
                e.status.http_status().as_u16(),
                answer.status,
                answer.body
            ));
            continue;
        }
        if answer.body["message"] != e.message.as_str() {
            failures.push(format!(
                "{path}: documented message {:?}, answered {}",
                e.message, answer.body["message"]
            ));
        }
        let mut shape = Vec::new();
        shape_differences("data", &e.data, &answer.body["data"], &mut shape);
        failures.extend(shape.into_iter().map(|d| format!("{path}: {d}")));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_shape_difference_is_found_at_any_depth() {
    let want = json!({"a": [{"b": 1, "c": null}], "d": "x"});
    let mut out = Vec::new();
    shape_differences("data", &want, &want, &mut out);
    assert!(out.is_empty(), "{out:?}");
    for got in [
        json!({"a": [{"b": 1}], "d": "x"}),
        json!({"a": [{"b": "1", "c": null}], "d": "x"}),
        json!({"a": [], "d": "x"}),
        json!({"a": [{"b": 1, "c": null}], "d": "x", "e": 2}),
        json!({"a": [{"b": 1, "c": null}, {"b": 2, "c": 3}], "d": "x"}),
    ] {
        let mut out = Vec::new();
        shape_differences("data", &want, &got, &mut out);
        assert_eq!(out.len(), 1, "{got}: {out:?}");
    }
}
