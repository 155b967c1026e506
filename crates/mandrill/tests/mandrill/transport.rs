//! No usable reply: timeouts and connection failures.

use crate::support::*;
use ordercore_domain::ports::{MailError, Mailer};
use ordercore_mandrill::MandrillMailer;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_slow_reply_is_a_retryable_timeout() {
    let reply = json_reply(200, "sent.json").set_delay(Duration::from_secs(3));
    let started = Instant::now();
    let (outcome, requests) =
        send_to_stub_with(reply, |c| c.timeout = Duration::from_millis(200)).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the timeout was applied"
    );
    assert_failure(outcome, &requests, MailError::Timeout, true);
}

#[tokio::test]
async fn a_refused_connection_is_unreadable_and_retryable() {
    // A port held bound but not listening: refused, and nobody can take it.
    let (_held, port) = refusing_port();
    let config = config(format!("http://127.0.0.1:{port}/api/1.0"));
    let http = config.http_client().unwrap();
    let err = MandrillMailer::new(config, http)
        .send_order_confirmation(&confirmation())
        .await
        .expect_err("nothing listens");
    match &err {
        MailError::Unreadable { detail } => {
            assert!(
                detail.starts_with("could not connect to Mandrill"),
                "{detail}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable());
    assert_no_secret_in(&err);
}
