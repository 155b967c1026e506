//! The payment processor and mailer settings: which adapter, and the
//! settings that adapter needs.

use super::{ConfigError, MailerConfig, Merged, PaymentConfig, at_least};
use ordercore_authorizenet::{AuthorizeNetConfig, Endpoint};
use ordercore_domain::model::{Email, Secret};
use ordercore_mandrill::MandrillConfig;
use std::time::Duration;

/// The processor `payment_gateway` names, with its settings checked.
pub(super) fn payment(m: &Merged) -> Result<PaymentConfig, ConfigError> {
    let s = &m.settings;
    match s.payment_gateway.to_ascii_lowercase().as_str() {
        "simulated" => Ok(PaymentConfig::Simulated),
        "authorizenet" | "authorize.net" => {
            let why = "when ORDERCORE_PAYMENT_GATEWAY=authorizenet";
            let login_id = required(
                m,
                "authorizenet_login_id",
                s.authorizenet_login_id.as_ref(),
                why,
            )?;
            let key = required(
                m,
                "authorizenet_transaction_key",
                s.authorizenet_transaction_key.as_ref().map(|k| &k.0),
                why,
            )?;
            let endpoint = Endpoint::parse(&s.authorizenet_endpoint)
                .map_err(|e| m.error("authorizenet_endpoint", e.to_string()))?;
            let timeout = at_least(
                m,
                "authorizenet_timeout_secs",
                s.authorizenet_timeout_secs,
                1,
            )?;
            Ok(PaymentConfig::AuthorizeNet(
                AuthorizeNetConfig::new(endpoint, login_id, Secret::new(key))
                    .with_timeout(Duration::from_secs(timeout)),
            ))
        }
        other => Err(m.error(
            "payment_gateway",
            format!("unknown payment gateway {other:?}: expected simulated or authorizenet"),
        )),
    }
}

/// A setting needed only in some configurations (`None` when not set).
fn required(
    m: &Merged,
    key: &str,
    value: Option<&String>,
    why: &str,
) -> Result<String, ConfigError> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| m.error(key, format!("required {why}, but not set")))
}

/// The mailer `mailer` names, with its settings checked.
pub(super) fn mailer(m: &Merged, from: &Email) -> Result<MailerConfig, ConfigError> {
    let s = &m.settings;
    match s.mailer.to_ascii_lowercase().as_str() {
        "log" => Ok(MailerConfig::Log),
        "mandrill" => {
            let key = required(
                m,
                "mandrill_api_key",
                s.mandrill_api_key.as_ref().map(|k| &k.0),
                "when ORDERCORE_MAILER=mandrill",
            )?;
            let endpoint = s.mandrill_endpoint.clone();
            if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                return Err(m.error(
                    "mandrill_endpoint",
                    format!("{endpoint:?} is not an http(s) URL"),
                ));
            }
            let mut config = MandrillConfig::new(Secret::new(key), from.clone());
            config.endpoint = endpoint;
            config.from_name = s.mail_from_name.clone();
            config.timeout = Duration::from_secs(at_least(
                m,
                "mandrill_timeout_secs",
                s.mandrill_timeout_secs,
                1,
            )?);
            Ok(MailerConfig::Mandrill(config))
        }
        other => Err(m.error(
            "mailer",
            format!("unknown mailer {other:?}: expected log or mandrill"),
        )),
    }
}
