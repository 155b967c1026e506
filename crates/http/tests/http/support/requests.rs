//! Building requests (JSON and base64 bodies, card parameters) and sending them, with the
//! answer's body parsed.

use super::*;

pub fn card_params(number: &str, postal_code: &str) -> Value {
    json!({
        "name_on_card": "Dana Client",
        "card_number": number,
        "cvc": "123",
        "exp_month": 12,
        "exp_year": Utc::now().year() + 4,
        "street": "1 Main St",
        "city": "Denver",
        "province_iso": "us_co",
        "postal_code": postal_code,
    })
}

/// An answer, with its body parsed.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub raw: Bytes,
    pub body: Value,
}

impl Resp {
    /// Asserts status slug, HTTP code, content type and which envelope keys
    /// are present.
    pub fn expect(&self, slug: &str, code: u16, keys: &[&str]) {
        assert_eq!(self.body["status"], slug, "{}", self.body);
        assert_eq!(self.status, code, "{}", self.body);
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        let mut present: Vec<&str> = self
            .body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        present.sort();
        let mut want: Vec<&str> = ["status", "message"].iter().chain(keys).copied().collect();
        want.sort();
        assert_eq!(present, want, "{}", self.body);
    }

    pub fn error_params(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["param"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub fn post_json(route: &str, body: &Value) -> TestRequest {
    TestRequest::post()
        .uri(&format!("/api/v1/{route}"))
        .insert_header(("content-type", "application/json"))
        .set_payload(body.to_string())
}

pub fn post_b64(route: &str, body: &Value) -> TestRequest {
    TestRequest::post()
        .uri(&format!("/api/v1/{route}"))
        .insert_header(("content-type", "text/plain"))
        .set_payload(base64::engine::general_purpose::STANDARD.encode(body.to_string()))
}

pub async fn send(state: &web::Data<AppState>, req: TestRequest) -> Resp {
    let app = test::init_service(ordercore_http::app(state.clone())).await;
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    let headers = res.headers().clone();
    let raw = test::read_body(res).await;
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    let _: StatusCode = status;
    Resp {
        status: status.as_u16(),
        headers,
        raw,
        body,
    }
}
