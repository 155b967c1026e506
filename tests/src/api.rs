//! Talking to the server as contract §1 says: JSON bodies, or the base64 of the
//! JSON as text/plain on sensitive routes. Plus the demo data of `seed --demo`.

use crate::server::TestServer;
use base64::Engine as _;
use serde_json::{Value, json};

pub const DEMO_PASSWORD: &str = "demo-password";
pub const DEMO_CLIENT: &str = "client@example.com";
pub const DEMO_EMPLOYEE: &str = "staff@example.com";
pub const DEMO_PROMOTION: &str = "WELCOME10";

/// An answer: HTTP status and the envelope.
#[derive(Debug, Clone)]
pub struct Reply {
    pub http: u16,
    pub body: Value,
}

impl Reply {
    /// The envelope's `status` slug.
    pub fn slug(&self) -> &str {
        self.body["status"].as_str().unwrap_or("")
    }

    /// Asserts `action-successful` and returns `data`.
    pub fn data(&self) -> &Value {
        assert_eq!(
            self.slug(),
            "action-successful",
            "unexpected answer: {}",
            self.body
        );
        &self.body["data"]
    }
}

impl TestServer {
    /// POST a JSON body.
    pub async fn post(&self, route: &str, body: &Value) -> Reply {
        let res = self
            .http
            .post(self.url(route))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {route}: {e}"));
        reply(route, res).await
    }

    /// POST to a sensitive route: base64 of the JSON, as text/plain.
    pub async fn post_sensitive(&self, route: &str, body: &Value) -> Reply {
        let encoded = base64::engine::general_purpose::STANDARD.encode(body.to_string());
        let res = self
            .http
            .post(self.url(route))
            .header("Content-Type", "text/plain")
            .body(encoded)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {route}: {e}"));
        reply(route, res).await
    }

    /// Logs in; returns the session token.
    pub async fn login(&self, email: &str, password: &str, application: &str) -> String {
        let r = self
            .post_sensitive(
                "sessions/create",
                &json!({"email": email, "password": password, "application": application}),
            )
            .await;
        r.data()["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in {}", r.body))
            .to_string()
    }

    /// Registers a new client through `users/client_register`; returns the
    /// new session token.
    pub async fn register_client(&self, email: &str, password: &str) -> String {
        let r = self
            .post_sensitive(
                "users/client_register",
                &json!({
                    "application": "planoorder",
                    "client": {"email": email, "password": password,
                               "first_name": "Robin", "last_name": "Agent"}
                }),
            )
            .await;
        let token = r.body["session"]["token"]
            .as_str()
            .or_else(|| r.body["data"]["session"]["token"].as_str());
        token
            .unwrap_or_else(|| panic!("no session token in {}", r.body))
            .to_string()
    }

    /// Stores a card for the session's client; returns the payment method id.
    pub async fn add_card(&self, token: &str, number: &str, postal_code: &str) -> i64 {
        let r = self
            .post_sensitive(
                "payment_methods/create",
                &json!({"token": token, "payment_method": card(number, postal_code)}),
            )
            .await;
        r.data()["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no payment method id in {}", r.body))
    }

    /// The id of the active service with this slug.
    pub async fn service_id(&self, token: &str, slug: &str) -> i64 {
        let r = self.post("services/index", &json!({"token": token})).await;
        r.data()
            .as_array()
            .and_then(|list| list.iter().find(|s| s["slug"] == slug))
            .and_then(|s| s["id"].as_i64())
            .unwrap_or_else(|| panic!("no service {slug} in {}", r.body))
    }

    /// `orders/authorize_and_submit` of photos + a floor plan.
    pub async fn authorize_and_submit(
        &self,
        token: &str,
        payment_method_id: i64,
        promotion: Option<&str>,
    ) -> Reply {
        let photos = self.service_id(token, "photos").await;
        let floor_plan = self.service_id(token, "floor_plan").await;
        let mut body = json!({
            "token": token,
            "payment_method_id": payment_method_id,
            "order": order(photos, floor_plan),
        });
        if let Some(code) = promotion {
            body["promotion_code"] = json!(code);
        }
        self.post("orders/authorize_and_submit", &body).await
    }
}

async fn reply(route: &str, res: reqwest::Response) -> Reply {
    let http = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{route}: answer is not JSON ({e}): {text}"));
    Reply { http, body }
}

/// A card as `payment_methods/create` takes it, expiring four years after
/// the current one (a fixed year would turn every order test into
/// `card-expired` once it passed).
pub fn card(number: &str, postal_code: &str) -> Value {
    json!({
        "name_on_card": "Robin Agent",
        "card_number": number,
        "cvc": "123",
        "exp_month": 12,
        "exp_year": chrono::Datelike::year(&chrono::Utc::now()) + 4,
        "street": "1 Main St",
        "city": "Denver",
        "province_iso": "us_co",
        "postal_code": postal_code,
    })
}

/// An order of `primary` and one `add_on`, with an appointment tomorrow.
pub fn order(primary: i64, add_on: i64) -> Value {
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
    let at = |h: u32| format!("{}T{h:02}:00:00Z", day.format("%Y-%m-%d"));
    json!({
        "primary_service": {"id": primary},
        "add_on_services": [{"id": add_on, "quantity": 1}],
        "property_info": {"address": {"street": "1 Main St", "city": "Denver",
                                      "state": "CO", "postal_code": "80202"}},
        "property_access": {"vacant": true, "method_of_access": "lockbox_code",
                            "access_code": "4321", "lockbox_location": "front door"},
        "appointments": [{"starts_at": at(10), "ends_at": at(12)}],
    })
}
