//! The development mailer always succeeds.

use crate::support::confirmation;
use ordercore_domain::ports::Mailer;
use ordercore_mandrill::LogMailer;

#[tokio::test]
async fn log_mailer_accepts_every_confirmation() {
    assert_eq!(
        LogMailer::new()
            .send_order_confirmation(&confirmation())
            .await,
        Ok(())
    );
}
