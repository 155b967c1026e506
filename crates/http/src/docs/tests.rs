//! The generated documents: every route, escaping, limits and rules shown.

use super::*;
use serde_json::{Value, json};

#[test]
fn openapi_has_every_route() {
    let doc = openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["paths"].as_object().unwrap().len(), ROUTES.len() + 3);
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path}");
    }
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

/// Resolves a local `$ref` of the document (one level).
fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap(),
        None => s,
    }
}

#[test]
fn openapi_types_integers_json_params_and_data() {
    let doc = openapi();
    let submit = &doc["paths"]["/api/v1/orders/authorize_and_submit"]["post"];
    let body = &submit["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["properties"]["payment_method_id"]["type"], "integer");
    let order = &body["properties"]["order"]["properties"];
    let info = &order["property_info"]["anyOf"][0];
    assert_eq!(info["additionalProperties"], false);
    assert_eq!(info["required"], json!(["address"]));
    let address = &info["properties"]["address"];
    assert_eq!(
        address["required"],
        json!(["street", "city", "state", "postal_code"])
    );
    assert_eq!(info["properties"]["bedrooms"]["type"], "integer");
    let as_string = &order["property_info"]["anyOf"][1];
    assert_eq!(as_string["contentMediaType"], "application/json");
    assert_eq!(&as_string["contentSchema"], info);
    let access = &order["property_access"]["anyOf"][0];
    assert_eq!(access["required"], json!(["vacant", "method_of_access"]));
    assert_eq!(access["properties"]["vacant"]["type"], "boolean");
    let windows = &order["appointments"]["anyOf"][0];
    assert_eq!(windows["maxItems"], 3);
    assert_eq!(
        windows["items"]["properties"]["starts_at"]["format"],
        "date-time"
    );
    let ok = &submit["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(ok["properties"]["status"]["const"], "action-successful");
    let data = resolve(&doc, &ok["properties"]["data"]);
    for member in [
        "id",
        "status",
        "total_cents",
        "client",
        "payment",
        "property_info",
    ] {
        assert!(data["properties"][member].is_object(), "{member}: {data}");
    }
    assert_eq!(data["properties"]["total_cents"]["type"], "integer");
    let services = &doc["paths"]["/api/v1/services/index"]["post"]["responses"]["200"]["content"]["application/json"]
        ["schema"]["properties"]["data"];
    assert_eq!(services["type"], "array");
    let service = resolve(&doc, &services["items"]);
    assert!(
        service["properties"]["price_cents"].is_object(),
        "{service}"
    );
}

#[test]
fn sensitive_bodies_are_base64_of_the_described_json() {
    let doc = openapi();
    let card = &doc["paths"]["/api/v1/payment_methods/create"]["post"]["requestBody"]["content"]["text/plain"]
        ["schema"];
    assert_eq!(card["type"], "string");
    assert_eq!(card["contentEncoding"], "base64");
    assert_eq!(card["contentMediaType"], "application/json");
    assert_eq!(card["contentSchema"]["additionalProperties"], false);
    assert!(
        card["contentSchema"]["properties"]["payment_method"].is_object(),
        "{card}"
    );
}

#[test]
fn every_page_and_operation_shows_its_example() {
    use base64::Engine;
    let doc = openapi();
    for r in ROUTES.iter() {
        let path = r.path();
        let page = route_page(r);
        let request = serde_json::to_string_pretty(&r.example.request).unwrap();
        assert!(page.contains(&esc(&request)), "{path}: request example");
        let response = serde_json::to_string_pretty(&r.example.response()).unwrap();
        assert!(page.contains(&esc(&response)), "{path}: response example");
        let op = &doc["paths"][format!("/api/v1/{path}")]["post"];
        let code = r.example.status.http_status().as_u16().to_string();
        assert_eq!(
            op["responses"][code.as_str()]["content"]["application/json"]["example"],
            r.example.response(),
            "{path}"
        );
        let body = &op["requestBody"]["content"][r.content_type()]["example"];
        if r.sensitive {
            // The page and the document give the base64 body actually sent.
            let sent = base64::engine::general_purpose::STANDARD
                .decode(body.as_str().unwrap())
                .unwrap();
            let sent: Value = serde_json::from_slice(&sent).unwrap();
            assert_eq!(sent, r.example.request, "{path}");
            assert!(page.contains(body.as_str().unwrap()), "{path}: base64 body");
        } else {
            assert_eq!(body, &r.example.request, "{path}");
        }
    }
}
