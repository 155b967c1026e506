//! The staff console in a real browser: headless Chromium over WebDriver
//! against the real binary. SKIPPED when Chromium or chromedriver is missing,
//! unless `ORDERCORE_REQUIRE_TOOLS=1` (set by `.ci/run`, which installs
//! them). A failing test leaves a screenshot in `target/console-screenshots/`.

use crate::with_stubs;
use ordercore_e2e::api::{DEMO_CLIENT, DEMO_EMPLOYEE, DEMO_PASSWORD};
use ordercore_e2e::browser::{Browser, Client, Locator};
use ordercore_e2e::db::Backend;
use ordercore_e2e::server::TestServer;
use ordercore_e2e::stubs::{AuthorizeNetStub, MandrillStub};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// A server with the demo data, a processor that approves and a mailer
/// that fails once; the stubs live as long as the server.
async fn server(test: &str) -> (TestServer, AuthorizeNetStub, MandrillStub) {
    let anet = AuthorizeNetStub::start().await;
    anet.approve_authorizations().await;
    let mail = MandrillStub::start().await;
    mail.fail_next(1).await;
    mail.accept().await;
    let mut instance = with_stubs(Backend::Sqlite, test, &anet, &mail).expect("SQLite");
    // No retry during the test: the failed e-mail stays failed.
    instance.set("ORDERCORE_OUTBOX_FIRST_RETRY_MS", "600000");
    (instance.start(), anet, mail)
}

async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// The text of `css` once it reads `expected`, or the last text seen after
/// `WAIT`: after a click that posts a form, the old page (with its own
/// notice) is still there for a moment, so reading at once would race the
/// navigation.
async fn text_becomes(c: &Client, css: &str, expected: &str) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let seen = match c.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if seen == expected || std::time::Instant::now() >= deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn click(c: &Client, css: &str) {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn log_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/console/login")).await.unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(DEMO_PASSWORD)
        .await
        .unwrap();
    click(c, "#log-in").await;
}

/// Log in, see the failed e-mail's notification, open its order, resolve
/// the notification there, capture the order.
#[tokio::test]
async fn staff_resolve_a_failed_emails_notification_and_capture_its_order() {
    let (server, _anet, _mail) = server("console_resolve_capture").await;
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;
    let r = server.authorize_and_submit(&token, card, None).await;
    assert_eq!(r.slug(), "mandrill-email-failed", "{}", r.body);
    let order = r.body["data"]["id"].as_i64().expect("the order");
    let Some(browser) = Browser::start().await else {
        return;
    };
    let base = server.base.clone();
    browser
        .run("staff_resolve_and_capture", move |c| async move {
            log_in(&c, &base, DEMO_EMPLOYEE).await;
            let row = c
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css(
                    "tr.notification[data-kind=\"mandrill-email-failed\"]",
                ))
                .await
                .expect("the failed e-mail's notification");
            assert_eq!(text_of(&c, "#unresolved-count").await, "1");
            row.find(Locator::Css("a.order-link"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();

            assert_eq!(text_of(&c, "h1").await, format!("Order {order}"));
            assert_eq!(text_of(&c, ".delivery-state").await, "waiting");
            assert_eq!(text_of(&c, "#payment-status").await, "authorized");
            click(&c, "tr.notification button.resolve").await;
            assert_eq!(
                text_becomes(&c, "#notice", "Notification resolved.").await,
                "Notification resolved."
            );
            assert!(
                text_of(&c, "tr.notification .handling")
                    .await
                    .contains(&format!("resolved by {DEMO_EMPLOYEE}"))
            );
            assert_eq!(text_of(&c, "#unresolved-count").await, "0");

            click(&c, "#capture").await;
            assert_eq!(
                text_becomes(&c, "#notice", "Payment captured.").await,
                "Payment captured."
            );
            assert_eq!(text_of(&c, "#payment-status").await, "captured");

            // A resolved notification leaves the default list.
            click(&c, "nav a[href=\"/console/notifications\"]").await;
            text_of(&c, "#no-notifications").await;
        })
        .await;
}

/// A form whose CSRF token was taken out is refused, and nothing changes.
#[tokio::test]
async fn a_form_posted_without_its_csrf_token_is_refused() {
    let (server, _anet, _mail) = server("console_csrf").await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let base = server.base.clone();
    browser
        .run("csrf_refused", move |c| async move {
            log_in(&c, &base, DEMO_EMPLOYEE).await;
            click(&c, "nav a[href=\"/console/switches\"]").await;
            assert_eq!(text_of(&c, "#service-orders .state").await, "deployed");
            c.execute(
                "document.querySelectorAll('#service-orders input[name=csrf]').forEach(e => e.remove());",
                vec![],
            )
            .await
            .unwrap();
            click(&c, "#service-orders button").await;
            assert!(text_of(&c, "#refusal").await.contains("CSRF token"));
            c.goto(&format!("{base}/console/switches")).await.unwrap();
            assert_eq!(text_of(&c, "#service-orders .state").await, "deployed", "nothing changed");
            // With its token the same form works.
            click(&c, "#service-orders button").await;
            assert_eq!(text_becomes(&c, "#notice", "Switch changed.").await, "Switch changed.");
            assert_eq!(text_of(&c, "#service-orders .state").await, "DISABLED");
        })
        .await;
    let services = server.cli(&["services", "list"]);
    assert!(
        services
            .lines()
            .any(|l| l.starts_with("orders ") && l.contains("DISABLED")),
        "the same switch as the CLI's:\n{services}"
    );
}

/// A client's credentials are refused, and the browser holds no session.
#[tokio::test]
async fn a_clients_credentials_are_refused() {
    let (server, _anet, _mail) = server("console_client_refused").await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let base = server.base.clone();
    browser
        .run("client_refused", move |c| async move {
            log_in(&c, &base, DEMO_CLIENT).await;
            assert!(text_of(&c, "#refusal").await.contains("employees only"));
            let cookies = c.get_all_cookies().await.unwrap();
            assert!(
                cookies.iter().all(|k| k.name() != "ordercore_console"),
                "{cookies:?}"
            );
            c.goto(&format!("{base}/console/notifications"))
                .await
                .unwrap();
            c.wait()
                .at_most(WAIT)
                .for_element(Locator::Id("login-form"))
                .await
                .expect("back at the log-in page");
        })
        .await;
}
