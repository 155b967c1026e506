//! Input is never dropped silently: a value out of its range or a key the
//! route does not define is `invalid-param` naming it, and the card is not
//! charged (contract §5).

use crate::with_stubs;
use ordercore_e2e::api::{DEMO_CLIENT, DEMO_PASSWORD, card, order};
use ordercore_e2e::db::Backend;
use ordercore_e2e::server::TestServer;
use ordercore_e2e::stubs::{AuthorizeNetStub, MandrillStub};
use serde_json::{Value, json};

/// Every processor transaction is a `createTransactionRequest`.
const TRANSACTION: &str = "createTransactionRequest";

async fn submit(server: &TestServer, token: &str, card: i64, edit: impl Fn(&mut Value)) -> Value {
    let photos = server.service_id(token, "photos").await;
    let floor_plan = server.service_id(token, "floor_plan").await;
    let mut body = json!({
        "token": token,
        "payment_method_id": card,
        "order": order(photos, floor_plan),
    });
    edit(&mut body);
    let r = server.post("orders/pay_and_submit", &body).await;
    assert_eq!(r.http, 400, "{}", r.body);
    assert_eq!(r.slug(), "invalid-param", "{}", r.body);
    r.body
}

fn params(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["param"].as_str().unwrap().to_string(),
                e["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn out_of_range_values_and_unknown_keys_are_refused_and_nothing_is_charged() {
    let anet = AuthorizeNetStub::start().await;
    anet.approve_authorizations().await;
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let server = with_stubs(Backend::Sqlite, "input_limits", &anet, &mail)
        .unwrap()
        .start();
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card_id = server.add_card(&token, "4111111111111111", "80202").await;

    // A quantity that does not fit u32 is refused, not dropped.
    let b = submit(&server, &token, card_id, |b| {
        b["order"]["add_on_services"][0]["quantity"] = json!(5_000_000_000_i64);
    })
    .await;
    assert_eq!(
        params(&b),
        [(
            "order.add_on_services[0].quantity".to_string(),
            "must be from 1 to 100".to_string()
        )]
    );
    // 21 add-ons, 4 appointments.
    let b = submit(&server, &token, card_id, |b| {
        let one = b["order"]["add_on_services"][0].clone();
        b["order"]["add_on_services"] = json!(vec![one; 21]);
        let window = b["order"]["appointments"][0].clone();
        b["order"]["appointments"] = json!(vec![window; 4]);
    })
    .await;
    let names: Vec<String> = params(&b).into_iter().map(|(p, _)| p).collect();
    assert_eq!(names, ["order.add_on_services", "order.appointments"]);
    // Typos, at the top and nested.
    let b = submit(&server, &token, card_id, |b| {
        b["promo_code"] = json!("SPRING25");
        let add_ons = b["order"]["add_on_services"].take();
        b["order"]["add_ons"] = add_ons;
        b["order"]["property_info"]["address"]["zip"] = json!("80202");
    })
    .await;
    let mut unknown = params(&b);
    unknown.sort();
    let reason = "Received unknown parameter".to_string();
    assert_eq!(
        unknown,
        [
            ("order.add_ons".to_string(), reason.clone()),
            (
                "order.property_info.address.zip".to_string(),
                reason.clone()
            ),
            ("promo_code".to_string(), reason.clone()),
        ]
    );
    assert!(
        anet.requests(TRANSACTION).await.is_empty(),
        "a card was charged"
    );
    assert!(mail.sends().await.is_empty());
    // A typo on the card route stores nothing at the processor.
    let before = anet
        .requests("createCustomerPaymentProfileRequest")
        .await
        .len();
    let mut bad_card = card("4111111111111111", "80202");
    bad_card["cvv"] = json!("123");
    let r = server
        .post_sensitive(
            "payment_methods/create",
            &json!({"token": token, "payment_method": bad_card}),
        )
        .await;
    assert_eq!(r.slug(), "invalid-param", "{}", r.body);
    assert_eq!(params(&r.body)[0].0, "payment_method.cvv");
    assert_eq!(
        anet.requests("createCustomerPaymentProfileRequest")
            .await
            .len(),
        before
    );
}
