//! The development mailer writes the e-mail to the log and always succeeds.

use crate::capture::Capture;
use crate::support::confirmation;
use ordercore_domain::ports::Mailer;
use ordercore_mandrill::LogMailer;

#[tokio::test]
async fn log_mailer_writes_the_email_to_the_log() {
    let capture = Capture::default();
    let guard = capture.install();
    let outcome = LogMailer::new()
        .send_order_confirmation(&confirmation())
        .await;
    drop(guard);
    assert_eq!(outcome, Ok(()));
    let events = capture.events();
    let mail: Vec<_> = events
        .iter()
        .filter(|e| e.starts_with("ordercore::mail|INFO|"))
        .collect();
    assert_eq!(mail.len(), 1, "{events:#?}");
    for expected in [
        "order.id=1042",
        "mail.to=recipient@example.com",
        "mail.subject=Your order #1042 is confirmed",
        "To: Ann Agent <recipient@example.com>",
        "Subject: Your order #1042 is confirmed",
        "HDR Photos: 1 \u{d7} $199.00 = $199.00",
        "Total: $315.00",
        "12 Main St, Denver, CO 80202",
        "Tue 1 Dec 2026, 09:00\u{2013}11:00 UTC",
    ] {
        assert!(
            mail[0].contains(expected),
            "{expected:?} not in {}",
            mail[0]
        );
    }
    assert!(!mail[0].contains("<html"), "only the text body is logged");
}
