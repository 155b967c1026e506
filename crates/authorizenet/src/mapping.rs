//! contract §9 as one table: from what happened on the wire to the domain outcome.
//!
//! [`map_exchange`] is the only place where a processor answer becomes an
//! [`Approval`] or a [`PaymentError`]. Rows are tried top to bottom; the
//! first that matches decides. `docs/payments.md` lists each row with the
//! test that covers it.
//!
//! A *money-moving* call ([`CallKind::MovesMoney`]: authorize, charge,
//! capture, void) only fails definitely when the processor said so, or when
//! the request never left. Any other reply that does not tell us what the
//! processor did is `OutcomeUnknown`: the processor may have acted.
//!
//! | # | what happened | outcome |
//! |---|---|---|
//! | 1 | request sent, then timeout or connection lost | `OutcomeUnknown` |
//! | 2 | request never sent (connection refused, DNS, connect timeout) | `External` |
//! | 3 | HTTP 5xx | money-moving: `OutcomeUnknown`; other calls: `External { code: None }` |
//! | 3b | other HTTP status outside 2xx (the request was refused unprocessed) | `External { code: None }` |
//! | 4 | body (after the UTF-8 BOM) is not a JSON reply object | money-moving: `OutcomeUnknown`; other calls: `External { code: None }` |
//! | 5 | `transactionResponse.responseCode` 1 | `Approval` |
//! | 6 | responseCode 4 | `Approval { held_for_review: true }` |
//! | 7 | responseCode 2 | `Declined { error_code }` (the first errorCode) |
//! | 8 | `errors[0].errorCode` 6 or 37 | `CardNumberInvalid` |
//! | 9 | errorCode 8 | `CardExpired` |
//! | 10 | errorCode 11 | `Duplicate` |
//! | 11 | any other responseCode 3 | `Failed { error_code }` |
//! | 12 | any other responseCode | money-moving: `OutcomeUnknown`; other calls: `External` |
//! | 13 | no transactionResponse, a `validationDirectResponse` whose responseCode is not 1/4 | rows 7–11 on its fields 1 and 3 |
//! | 14 | `messages` Error E00007 / E00008 | `InvalidCredentials` |
//! | 15 | `messages` Error E00039 naming the existing record | success with that id |
//! | 16 | `messages` Error E00027 whose text names a card problem | `CardNumberInvalid` / `CardExpired` / `Declined` |
//! | 17 | any other `messages` Error (E00003, E00040, …) | `External { code: E000xx }` |
//! | 18 | `messages` Ok | success (no approval unless rows 5–6); money-moving without a transaction: `OutcomeUnknown` |
//! | 19 | no `messages` at all | money-moving: `OutcomeUnknown`; other calls: `External { code: None }` |
//!
//! Rows 13, 15 and 16 only occur on the customer-profile calls: a
//! transaction always carries its outcome in `transactionResponse`.
//!
//! The processor's free text (message texts, errorText, bodies) can echo
//! request data, so it never goes into an error: errors carry the
//! processor's codes ([`code_only`]) and our own words.

use crate::replies::{ApiReply, ReplyCodes};
use ordercore_domain::ports::{Approval, PaymentError};

/// The UTF-8 byte-order mark Authorize.net puts before every JSON reply.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What happened to one request on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exchange {
    /// The processor answered (any HTTP status).
    Replied { status: u16, body: Vec<u8> },
    /// The request never left: nothing can have happened at the processor.
    NotSent { detail: String },
    /// The request was (or may have been) sent, then the answer was lost:
    /// timeout, connection reset, body cut off.
    Lost { detail: String },
}

/// A successful answer: the decoded reply, and the approval when the reply
/// carried an approved transaction (rows 5, 6).
#[derive(Debug, Clone)]
pub struct Mapped {
    pub approval: Option<Approval>,
    pub reply: ApiReply,
}

/// Whether a call can move money. For those, a reply that does not say what
/// the processor did is an unknown outcome rather than a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// authOnly, authCapture, priorAuthCapture, void.
    MovesMoney,
    /// Profile calls and look-ups: nothing to reconcile if the answer is lost.
    Other,
}

/// [`map_exchange`] without the codes (for callers that do not log).
pub fn map_reply(exchange: Exchange, kind: CallKind) -> Result<Mapped, PaymentError> {
    map_exchange(exchange, kind).0
}

/// contract §9's table (see the module documentation for the rows, in order),
/// and the processor's codes found in the reply, for the log line.
pub fn map_exchange(
    exchange: Exchange,
    kind: CallKind,
) -> (Result<Mapped, PaymentError>, ReplyCodes) {
    let mut codes = ReplyCodes::default();
    let result = map_into(exchange, kind, &mut codes);
    (result, codes)
}

fn map_into(
    exchange: Exchange,
    kind: CallKind,
    codes: &mut ReplyCodes,
) -> Result<Mapped, PaymentError> {
    let money = kind == CallKind::MovesMoney;
    // `money`: the reply does not say what happened → unknown, else external.
    let unknown_or_external = |detail: String| {
        if money {
            PaymentError::OutcomeUnknown { detail }
        } else {
            external(None, detail)
        }
    };
    let (status, body) = match exchange {
        // Row 1.
        Exchange::Lost { detail } => return Err(PaymentError::OutcomeUnknown { detail }),
        // Row 2.
        Exchange::NotSent { detail } => return Err(external(None, detail)),
        Exchange::Replied { status, body } => (status, body),
    };
    codes.http_status = Some(status);
    // Row 3.
    if (500..600).contains(&status) {
        return Err(unknown_or_external(format!(
            "HTTP status {status} from the processor"
        )));
    }
    // Row 3b.
    if !(200..300).contains(&status) {
        return Err(external(
            None,
            format!("HTTP status {status} from the processor"),
        ));
    }
    // Row 4.
    let mut reply = parse_reply(&body).ok_or_else(|| {
        unknown_or_external("the processor's reply is not readable JSON".to_string())
    })?;
    codes.read(&reply);

    // Rows 5–12: a transaction outcome decides, whatever `messages` says.
    if let Some(tx) = reply
        .transaction_response
        .as_ref()
        .filter(|tx| tx.response_code.as_deref().is_some_and(|c| !c.is_empty()))
    {
        let approval = transaction_outcome(
            kind,
            tx.response_code.as_deref().unwrap_or_default(),
            tx.first_error_code(),
            tx.trans_id.as_deref(),
            tx.auth_code.as_deref(),
        )?;
        return Ok(Mapped {
            approval: Some(approval),
            reply,
        });
    }

    // Row 13: the card validation of createCustomerPaymentProfile.
    if let Some(direct) = reply.validation_direct_response.as_deref() {
        let fields: Vec<&str> = direct.split(',').collect();
        let code = fields.first().copied().unwrap_or_default();
        if !matches!(code, "1" | "4" | "") {
            let reason = fields.get(2).copied().filter(|c| !c.is_empty());
            transaction_outcome(CallKind::Other, code, reason, None, None)?;
        }
    }

    let Some(messages) = reply.messages.as_ref() else {
        // Row 19.
        return Err(unknown_or_external(
            "the processor's reply has no messages".to_string(),
        ));
    };
    if reply.is_error() {
        let first = messages.message.first();
        let code = first.and_then(|m| code_only(&m.code)).unwrap_or_default();
        // Read for ids and card problems only; never copied into an error.
        let text = first.map(|m| m.text.clone()).unwrap_or_default();
        match code.as_str() {
            // Row 14.
            "E00007" | "E00008" => return Err(PaymentError::InvalidCredentials { code }),
            // Row 15.
            "E00039" => {
                if reply.customer_payment_profile_id.is_none()
                    && reply.customer_profile_id.is_none()
                {
                    reply.customer_profile_id = existing_record_id(&text);
                }
                if reply.customer_payment_profile_id.is_some()
                    || reply.customer_profile_id.is_some()
                {
                    return Ok(Mapped {
                        approval: None,
                        reply,
                    });
                }
                return Err(refused(code));
            }
            // Row 16.
            "E00027" => {
                if let Some(err) = card_problem_in_text(&text) {
                    return Err(err);
                }
                return Err(refused(code));
            }
            // Row 17.
            _ => return Err(refused(code)),
        }
    }
    // Row 18. A money-moving call must carry its transaction's outcome.
    if money {
        return Err(PaymentError::OutcomeUnknown {
            detail: "the processor's reply carries no transaction outcome".to_string(),
        });
    }
    Ok(Mapped {
        approval: None,
        reply,
    })
}

/// Rows 5–12: a transaction's responseCode and first error code.
fn transaction_outcome(
    kind: CallKind,
    response_code: &str,
    error_code: Option<&str>,
    trans_id: Option<&str>,
    auth_code: Option<&str>,
) -> Result<Approval, PaymentError> {
    let approval = |held_for_review| Approval {
        transaction_id: trans_id.unwrap_or_default().to_string(),
        auth_code: auth_code.filter(|c| !c.is_empty()).map(str::to_string),
        held_for_review,
    };
    let owned = || error_code.and_then(code_only);
    match (response_code, error_code) {
        ("1", _) => Ok(approval(false)),
        ("4", _) => Ok(approval(true)),
        ("2", _) => Err(PaymentError::Declined {
            error_code: owned(),
        }),
        (_, Some(code @ ("6" | "37"))) => Err(PaymentError::CardNumberInvalid {
            error_code: code.to_string(),
        }),
        (_, Some("8")) => Err(PaymentError::CardExpired),
        (_, Some("11")) => Err(PaymentError::Duplicate),
        ("3", _) => Err(PaymentError::Failed {
            error_code: owned(),
        }),
        (other, _) => {
            let detail = match code_only(other) {
                Some(code) => format!("unknown transaction responseCode {code}"),
                None => "unreadable transaction responseCode".to_string(),
            };
            Err(match kind {
                CallKind::MovesMoney => PaymentError::OutcomeUnknown { detail },
                CallKind::Other => external(None, detail),
            })
        }
    }
}

/// Row 16: the texts Authorize.net uses in E00027 replies to a payment
/// profile validation that carries no direct response.
fn card_problem_in_text(text: &str) -> Option<PaymentError> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("card number is invalid") {
        Some(PaymentError::CardNumberInvalid {
            error_code: "6".to_string(),
        })
    } else if lower.contains("card has expired") || lower.contains("expiration date is invalid") {
        Some(PaymentError::CardExpired)
    } else if lower.contains("has been declined") {
        Some(PaymentError::Declined {
            error_code: Some("2".to_string()),
        })
    } else {
        None
    }
}

/// Row 15: "A duplicate record with ID 1505346070 already exists." → `1505346070`.
pub fn existing_record_id(text: &str) -> Option<String> {
    let after = &text[text.find("ID ")? + 3..];
    let id: String = after.chars().take_while(char::is_ascii_digit).collect();
    (!id.is_empty()).then_some(id)
}

/// Strips the byte-order mark and reads the body as a reply object.
fn parse_reply(body: &[u8]) -> Option<ApiReply> {
    let body = body.strip_prefix(BOM).unwrap_or(body);
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if !value.is_object() {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// Rows 15–17: the processor refused the request with `code` (E000xx).
fn refused(code: String) -> PaymentError {
    if code.is_empty() {
        return external(None, "the processor refused the request without a code");
    }
    let detail = format!("the processor refused the request with {code}");
    external(Some(code), detail)
}

/// A processor code as we keep it: 1–32 ASCII letters and digits (E00040,
/// I00001, 2, 60157186398, capturedPendingSettlement). Anything else may be
/// free text and is dropped.
pub fn code_only(raw: &str) -> Option<String> {
    let raw = raw.trim();
    (!raw.is_empty() && raw.len() <= 32 && raw.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| raw.to_string())
}

fn external(code: Option<String>, detail: impl Into<String>) -> PaymentError {
    PaymentError::External {
        code,
        detail: detail.into(),
    }
}

/// A short, stable name for an outcome, for log fields and metrics.
pub fn outcome_name(outcome: &Result<Option<&Approval>, &PaymentError>) -> &'static str {
    match outcome {
        Ok(Some(a)) if a.held_for_review => "held_for_review",
        Ok(Some(_)) => "approved",
        Ok(None) => "ok",
        Err(PaymentError::Declined { .. }) => "declined",
        Err(PaymentError::CardNumberInvalid { .. }) => "card_number_invalid",
        Err(PaymentError::CardExpired) => "card_expired",
        Err(PaymentError::Duplicate) => "duplicate",
        Err(PaymentError::Failed { .. }) => "failed",
        Err(PaymentError::InvalidCredentials { .. }) => "invalid_credentials",
        Err(PaymentError::External { .. }) => "external_error",
        Err(PaymentError::OutcomeUnknown { .. }) => "outcome_unknown",
    }
}

/// The processor code an error carries, for log fields.
pub fn error_code(error: &PaymentError) -> Option<&str> {
    match error {
        PaymentError::Declined { error_code } | PaymentError::Failed { error_code } => {
            error_code.as_deref()
        }
        PaymentError::CardNumberInvalid { error_code } => Some(error_code),
        PaymentError::CardExpired => Some("8"),
        PaymentError::Duplicate => Some("11"),
        PaymentError::InvalidCredentials { code } => Some(code),
        PaymentError::External { code, .. } => code.as_deref(),
        PaymentError::OutcomeUnknown { .. } => None,
    }
}

#[cfg(test)]
mod tests;
