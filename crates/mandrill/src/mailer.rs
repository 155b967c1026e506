use crate::classify::{MandrillReply, classify_reply};
use crate::config::MandrillConfig;
use crate::render::render_order_confirmation;
use crate::wire::{Message, Metadata, ORDER_CONFIRMATION_TAG, Recipient, SendRequest};
use async_trait::async_trait;
use ordercore_domain::ports::{MailError, Mailer, OrderConfirmation};
use std::collections::BTreeMap;

/// Sends order confirmations through Mandrill's `messages/send` API.
///
/// One call per e-mail, no retries here: the outbox decides whether to try
/// again from [`MailError::is_retryable`]. Note that a `Timeout` leaves the
/// outcome unknown (Mandrill may have accepted the message), so a retry can
/// deliver the e-mail twice; that is preferred to not delivering it.
#[derive(Debug, Clone)]
pub struct MandrillMailer {
    config: MandrillConfig,
    http: reqwest::Client,
}

impl MandrillMailer {
    /// `http` may be shared with other adapters; the configured request
    /// `timeout` is applied to every call regardless of the client's own.
    /// Build it with [`MandrillConfig::http_client`] to also apply the
    /// connect timeout.
    pub fn new(config: MandrillConfig, http: reqwest::Client) -> MandrillMailer {
        MandrillMailer { config, http }
    }

    fn request_body<'a>(
        &'a self,
        confirmation: &'a OrderConfirmation,
        subject: &'a str,
        text: &'a str,
        html: &'a str,
    ) -> SendRequest<'a> {
        let mut headers = BTreeMap::new();
        if let Some(reply_to) = &self.config.reply_to {
            headers.insert("Reply-To", reply_to.as_str());
        }
        SendRequest {
            key: self.config.api_key.expose(),
            message: Message {
                html,
                text,
                subject,
                from_email: self.config.from_email.as_str(),
                from_name: &self.config.from_name,
                to: vec![Recipient {
                    email: confirmation.to.as_str(),
                    name: &confirmation.to_name,
                    kind: "to",
                }],
                headers,
                tags: vec![ORDER_CONFIRMATION_TAG],
                metadata: Metadata {
                    order_id: confirmation.order_id.to_string(),
                },
            },
        }
    }
}

#[async_trait]
impl Mailer for MandrillMailer {
    async fn send_order_confirmation(
        &self,
        confirmation: &OrderConfirmation,
    ) -> Result<(), MailError> {
        let email = render_order_confirmation(confirmation);
        let body = self.request_body(confirmation, &email.subject, &email.text, &email.html);
        let sent = self
            .http
            .post(self.config.send_url())
            .timeout(self.config.timeout)
            .json(&body)
            .send()
            .await;
        let outcome = match sent {
            Err(err) => classify_reply(MandrillReply::Transport(&err)),
            Ok(response) => {
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(bytes) => classify_reply(MandrillReply::Received {
                        status,
                        body: &bytes,
                    }),
                    Err(err) => classify_reply(MandrillReply::Transport(&err)),
                }
            }
        };
        // Failures are logged once, by the caller that handles them (the
        // outbox); here only the acceptance is recorded, with Mandrill's ids.
        let accepted = outcome?;
        tracing::info!(
            target: "ordercore::mail",
            { order.id = confirmation.order_id, mandrill.message_ids = ?accepted.message_ids },
            "order confirmation accepted by Mandrill"
        );
        Ok(())
    }
}
