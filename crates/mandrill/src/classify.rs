//! The one place where a Mandrill reply becomes success or a [`MailError`].

use crate::wire::{RecipientResult, ReplyBody};
use ordercore_domain::ports::MailError;

/// Error names of Mandrill's error object that describe a passing problem on
/// Mandrill's side, so another attempt may succeed. Every other name
/// (`Invalid_Key`, `ValidationError`, `PaymentRequired`, `Unknown_Subaccount`,
/// `PoorReputation`, names we do not know yet, …) is permanent: the same
/// request would fail the same way until someone changes the configuration.
pub const RETRYABLE_API_ERRORS: &[&str] = &["GeneralError", "ServiceUnavailable"];

/// Recipient statuses that mean Mandrill accepted the message for delivery.
const ACCEPTED: &[&str] = &["sent", "queued", "scheduled"];

/// What came back from one `messages/send` call.
#[derive(Debug)]
pub enum MandrillReply<'a> {
    /// A complete HTTP reply: status code and raw body.
    Received { status: u16, body: &'a [u8] },
    /// No complete reply: the request or reading the body failed.
    Transport(&'a reqwest::Error),
}

/// Mandrill's ids of the accepted messages, one per recipient (for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub message_ids: Vec<String>,
}

/// Classifies a reply, in this order:
///
/// | reply | result | retryable |
/// |---|---|---|
/// | no reply in time (request or connect timeout) | `Timeout` | yes |
/// | connection failed, body could not be read | `Unreadable` | yes |
/// | error object `{"status":"error","name":N}`, any HTTP status | `Api{name: N}` | if N is in [`RETRYABLE_API_ERRORS`] or HTTP is 429 |
/// | other HTTP status outside 2xx | `Http{status}` | 5xx and 429 |
/// | 2xx, every recipient `sent`/`queued`/`scheduled` | `Ok` | — |
/// | 2xx, a recipient `rejected` (first failing recipient decides) | `Rejected{reason: reject_reason}` | no |
/// | 2xx, a recipient `invalid` | `InvalidRecipient` | no |
/// | 2xx, unknown recipient status, empty list, not JSON or another shape | `Unreadable` | yes |
///
/// Neither the body nor Mandrill's free-text `message` is copied into the
/// error: only the error name, the recipient's reject reason and fixed texts.
pub fn classify_reply(reply: MandrillReply<'_>) -> Result<Accepted, MailError> {
    let (status, body) = match reply {
        MandrillReply::Transport(err) if err.is_timeout() => return Err(MailError::Timeout),
        MandrillReply::Transport(err) => {
            return Err(MailError::Unreadable {
                detail: describe_transport_error(err),
            });
        }
        MandrillReply::Received { status, body } => (status, body),
    };
    let success = (200..300).contains(&status);
    match serde_json::from_slice::<ReplyBody>(body) {
        Ok(ReplyBody::Error(e)) if e.status == "error" => Err(MailError::Api {
            retryable: RETRYABLE_API_ERRORS.contains(&e.name.as_str()) || status == 429,
            name: e.name,
        }),
        _ if !success => Err(MailError::Http { status }),
        Ok(ReplyBody::Recipients(recipients)) => classify_recipients(recipients),
        Ok(ReplyBody::Error(_)) => Err(unreadable("the reply is an object that is not an error")),
        Err(e) if e.is_syntax() || e.is_eof() => Err(unreadable("the reply is not JSON")),
        Err(_) => Err(unreadable(
            "the reply is neither a recipient list nor an error object",
        )),
    }
}

fn classify_recipients(recipients: Vec<RecipientResult>) -> Result<Accepted, MailError> {
    if recipients.is_empty() {
        return Err(unreadable("the reply lists no recipients"));
    }
    let mut message_ids = Vec::with_capacity(recipients.len());
    for r in recipients {
        match r.status.as_str() {
            s if ACCEPTED.contains(&s) => message_ids.extend(r.id),
            "rejected" => {
                return Err(MailError::Rejected {
                    reason: r.reject_reason.unwrap_or_else(|| "unknown".into()),
                });
            }
            "invalid" => return Err(MailError::InvalidRecipient),
            other => {
                let shown: String = other.chars().take(32).collect();
                return Err(unreadable(&format!("unknown recipient status `{shown}`")));
            }
        }
    }
    Ok(Accepted { message_ids })
}

fn unreadable(detail: &str) -> MailError {
    MailError::Unreadable {
        detail: detail.to_string(),
    }
}

/// What went wrong, from reqwest's error chain, without the URL (it names
/// only the endpoint, but the chain says more).
fn describe_transport_error(err: &reqwest::Error) -> String {
    let what = if err.is_connect() {
        "could not connect to Mandrill"
    } else if err.is_body() || err.is_decode() {
        "reading Mandrill's reply failed"
    } else {
        "the request to Mandrill failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    match causes.last() {
        Some(root) => format!("{what}: {root}"),
        None => what.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(status: u16, body: &str) -> Result<Accepted, MailError> {
        classify_reply(MandrillReply::Received {
            status,
            body: body.as_bytes(),
        })
    }

    #[test]
    fn recipient_statuses() {
        for s in ["sent", "queued", "scheduled"] {
            let body = format!(r#"[{{"email":"a@b.co","status":"{s}","_id":"x1"}}]"#);
            assert_eq!(
                classify(200, &body).unwrap().message_ids,
                vec!["x1".to_string()]
            );
        }
        assert_eq!(
            classify(
                200,
                r#"[{"email":"a@b.co","status":"rejected","reject_reason":"spam"}]"#
            ),
            Err(MailError::Rejected {
                reason: "spam".into()
            })
        );
        assert_eq!(
            classify(200, r#"[{"email":"a@b.co","status":"invalid"}]"#),
            Err(MailError::InvalidRecipient)
        );
    }

    #[test]
    fn error_objects_and_http_errors() {
        let err =
            |name: &str| format!(r#"{{"status":"error","code":-1,"name":"{name}","message":"m"}}"#);
        for (status, name, retryable) in [
            (500, "Invalid_Key", false),
            (401, "Invalid_Key", false),
            (500, "ValidationError", false),
            (500, "PaymentRequired", false),
            (500, "Unknown_Subaccount", false),
            (500, "GeneralError", true),
            (500, "ServiceUnavailable", true),
            (429, "Something_New", true),
            (200, "Invalid_Key", false),
        ] {
            assert_eq!(
                classify(status, &err(name)),
                Err(MailError::Api {
                    name: name.into(),
                    retryable
                }),
                "{status} {name}"
            );
        }
        assert_eq!(
            classify(502, "<html>Bad Gateway</html>"),
            Err(MailError::Http { status: 502 })
        );
        assert_eq!(classify(404, ""), Err(MailError::Http { status: 404 }));
    }

    #[test]
    fn unreadable_replies_do_not_echo_the_body() {
        for body in [
            "",
            "<html>secret-ish</html>",
            "[]",
            r#"{"status":"ok"}"#,
            r#"[{"status":"teleported"}]"#,
            r#"{"whatever":"secret-ish"}"#,
        ] {
            match classify(200, body) {
                Err(MailError::Unreadable { detail }) => {
                    assert!(!detail.contains("secret-ish"), "{detail}")
                }
                other => panic!("{body}: {other:?}"),
            }
        }
    }
}
