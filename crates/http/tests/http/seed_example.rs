//! The example of docs/seed-file.md works as documented: it seeds, and its
//! client orders with its stored card on the simulated processor.

use crate::support::*;
use ordercore_store::seed::SeedFile;
use serde_json::json;

/// The first ```json block of docs/seed-file.md.
fn documented_example() -> &'static str {
    let page = include_str!("../../../../docs/seed-file.md");
    let start = page.find("```json\n").expect("a json block") + "```json\n".len();
    let len = page[start..].find("```").expect("its end");
    &page[start..start + len]
}

#[actix_web::test]
async fn the_seed_file_example_seeds_and_orders() {
    let t = TestApp::new().await;
    let file = SeedFile::from_json(documented_example()).unwrap();
    t.store.seed(&file, &PlainHasher, &*t.tokens).await.unwrap();
    let state = t.state();
    let login = send(
        &state,
        post_b64(
            "sessions/create",
            &json!({"email": "agent@example.com", "password": "agent-password", "application": "planoorder"}),
        ),
    )
    .await;
    login.expect("action-successful", 200, &["data"]);
    let token = login.body["data"]["token"].as_str().unwrap().to_string();
    let cards = send(
        &state,
        post_json("payment_methods/index", &json!({"token": token})),
    )
    .await;
    cards.expect("action-successful", 200, &["data", "session"]);
    let card = cards.body["data"][0]["id"]
        .as_i64()
        .expect("the seeded card");
    let params = t.order_params(&token, Some(card)).await;
    let order = send(&state, post_json("orders/authorize_and_submit", &params)).await;
    order.expect("action-successful", 200, &["data", "session"]);
}
