//! The mailer failing, then recovering: the order stands, staff are told, and
//! the outbox delivers the confirmation later.

use crate::{eventually, with_stubs};
use ordercore_e2e::api::{DEMO_CLIENT, DEMO_PASSWORD};
use ordercore_e2e::db::Backend;
use ordercore_e2e::stubs::{AuthorizeNetStub, MandrillStub};

/// The first retry is set to one second (`ORDERCORE_OUTBOX_FIRST_RETRY_MS`)
/// and the test waits for the real retry rather than faking time in the binary.
#[tokio::test]
async fn the_mailer_failing_then_recovering() {
    let anet = AuthorizeNetStub::start().await;
    anet.approve_authorizations().await;
    let mail = MandrillStub::start().await;
    mail.fail_next(1).await;
    mail.accept().await;
    let mut instance = with_stubs(Backend::Sqlite, "mailer_recovering", &anet, &mail).unwrap();
    instance.set("ORDERCORE_OUTBOX_FIRST_RETRY_MS", "1000");
    let server = instance.start();
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;

    let r = server.authorize_and_submit(&token, card, None).await;
    assert_eq!(r.slug(), "mandrill-email-failed", "{}", r.body);
    assert_eq!(r.http, 500);
    // The order exists and is paid: it is in `data`.
    let order_id = r.body["data"]["id"].as_i64().expect("order in data");
    assert_eq!(r.body["data"]["status"], "submitted");
    assert_eq!(mail.sends().await.len(), 1);

    // Staff see a notification naming the order and Mandrill's error name.
    let notes = server.cli(&["notifications", "list", "--json"]);
    let note = notes
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|n| n["kind"] == "mandrill-email-failed")
        .unwrap_or_else(|| panic!("no mandrill-email-failed notification in:\n{notes}"));
    assert_eq!(note["context"]["order_id"], order_id, "{note}");
    assert!(note.to_string().contains("GeneralError"), "{note}");
    assert!(
        !note.to_string().contains("4321"),
        "access code leaked: {note}"
    );

    // The outbox worker retries after the back-off and Mandrill accepts.
    let delivered = eventually(100, || async { mail.sends().await.len() >= 2 }).await;
    assert!(
        delivered,
        "the outbox did not retry; server log:\n{}",
        server.log()
    );
    assert_eq!(mail.sends().await.len(), 2);
}
