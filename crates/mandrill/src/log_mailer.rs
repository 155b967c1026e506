use crate::render::render_order_confirmation;
use async_trait::async_trait;
use ordercore_domain::ports::{MailError, Mailer, OrderConfirmation};

/// The development mailer: writes each e-mail (To, Subject and the plain-text
/// body) to the log at `info` level under the target `ordercore::mail`, and
/// always succeeds. The body holds no secret: an [`OrderConfirmation`] has no
/// access code.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogMailer;

impl LogMailer {
    pub fn new() -> LogMailer {
        LogMailer
    }
}

#[async_trait]
impl Mailer for LogMailer {
    async fn send_order_confirmation(
        &self,
        confirmation: &OrderConfirmation,
    ) -> Result<(), MailError> {
        let email = render_order_confirmation(confirmation);
        tracing::info!(
            target: "ordercore::mail",
            { order.id = confirmation.order_id, mail.to = %confirmation.to, mail.subject = %email.subject },
            "e-mail not sent (log mailer)\nTo: {} <{}>\nSubject: {}\n\n{}",
            confirmation.to_name,
            confirmation.to,
            email.subject,
            email.text
        );
        Ok(())
    }
}
