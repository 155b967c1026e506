//! The generated documents: every route, escaping, limits and rules shown.

use super::*;

#[test]
fn openapi_has_every_route() {
    let doc = openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["paths"].as_object().unwrap().len(), ROUTES.len());
    let submit = &doc["paths"]["/api/v1/orders/authorize_and_submit"]["post"];
    let body = &submit["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["required"], json!(["order", "token"]));
    assert!(
        submit["responses"]["409"]["x-ordercore-statuses"]
            .as_array()
            .unwrap()
            .contains(&json!("idempotency-key-conflict"))
    );
    let login = &doc["paths"]["/api/v1/sessions/create"]["post"]["requestBody"]["content"];
    assert!(login.get("text/plain").is_some());
}

#[test]
fn inline_code_is_rendered_and_escaped() {
    assert_eq!(
        inline("a `{\"id\": <n>}` & `b`"),
        "a <code>{&quot;id&quot;: &lt;n&gt;}</code> &amp; <code>b</code>"
    );
    assert_eq!(inline("odd ` tick"), "odd  tick");
}

#[test]
fn no_page_shows_a_raw_backtick() {
    for r in ROUTES.iter() {
        let page = route_page(r);
        assert!(!page.contains('`'), "{}", r.path());
    }
    assert!(!index_page().contains('`'));
    let read = route_page(crate::routes::find("orders", "read").unwrap());
    assert!(read.contains("result in <code>data</code>"), "{read}");
}

#[test]
fn every_page_states_the_limits_and_the_unknown_key_rule() {
    for r in ROUTES.iter() {
        let page = route_page(r);
        assert!(page.contains("Received unknown parameter"), "{}", r.path());
        assert!(page.contains("never dropped or cut"), "{}", r.path());
    }
    let submit = route_page(crate::routes::find("orders", "pay_and_submit").unwrap());
    let row = |name: &str| {
        let start = submit.find(&format!("data-param=\"{name}\"")).unwrap();
        submit[start..start + submit[start..].find("</tr>").unwrap()].to_string()
    };
    assert!(row("order.add_on_services[].quantity").contains("1 to 100"));
    assert!(row("order.add_on_services").contains("20 items"));
    assert!(row("order.appointments").contains("3 items"));
    let doc = openapi();
    let body = &doc["paths"]["/api/v1/orders/pay_and_submit"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    assert_eq!(body["additionalProperties"], false);
    let add_ons = &body["properties"]["order"]["properties"]["add_on_services"];
    assert_eq!(add_ons["maxItems"], 20);
    assert_eq!(add_ons["items"]["properties"]["quantity"]["maximum"], 100);
}
