//! Use case errors → [`ApiError`]: every variant of every use case error
//! enum (the pipeline's [`AuthError`] included) is mapped here and only here, to the slug contract §4 gives it (the HTTP
//! code of each slug is decided by [`Slug::http_status`]).

use crate::envelope::ApiError;
use crate::json_params::FieldErrors;
use crate::slug::Slug;
use crate::views::{self, OrderView};
use ordercore_domain::model::{OrderId, OrderStatus};
use ordercore_domain::ports::PaymentError;
use ordercore_domain::usecases::{
    AddPaymentMethodError, AuthError, CreateSessionError, OrderLookupError, PaymentActionError,
    PaymentMethodLookupError, RegisterClientError, SubmitOrderError, ValidatePromotionError,
};
use serde_json::json;
use std::fmt::Display;

/// `application-crash`: logs the cause with a fresh error id and puts the id
/// in the message.
pub fn crash(cause: &dyn Display) -> ApiError {
    let id = uuid::Uuid::new_v4().to_string();
    tracing::error!(error.id = %id, error.cause = %cause, "unexpected error while handling a request");
    ApiError::crash(&id)
}

/// The slug of a processor failure (contract §9).
pub fn payment_slug(e: &PaymentError) -> Slug {
    match e {
        PaymentError::Declined { .. } => Slug::DeclinedPayment,
        PaymentError::CardNumberInvalid { .. } => Slug::CardNumberInvalid,
        PaymentError::CardExpired => Slug::CardExpired,
        PaymentError::Duplicate => Slug::DuplicatePayment,
        PaymentError::Failed { .. } => Slug::FailedPayment,
        PaymentError::InvalidCredentials { .. } => Slug::InvalidPaymentProcessorApiKeys,
        PaymentError::External { .. } | PaymentError::OutcomeUnknown { .. } => {
            Slug::ExternalApplicationError
        }
    }
}

/// The processor does not know the stored profile (Authorize.net E00040,
/// "record not found"): a permanent failure, unlike the other
/// `external-application-error`s.
fn is_unknown_profile(e: &PaymentError) -> bool {
    matches!(e, PaymentError::External { code: Some(code), .. } if code == "E00040")
}

/// A processor failure as answered to the caller: never the processor's
/// own text (it can echo request data).
pub fn payment(e: &PaymentError) -> ApiError {
    let slug = payment_slug(e);
    tracing::warn!(payment.error = %e, status = slug.as_str(), "payment processor refused or failed");
    let message = match slug {
        Slug::DeclinedPayment => "The card was declined.",
        Slug::CardNumberInvalid => "The card number is not valid.",
        Slug::CardExpired => "The card has expired.",
        Slug::DuplicatePayment => {
            "The payment processor flagged this as a duplicate transaction; wait two minutes before retrying."
        }
        Slug::FailedPayment => "The payment processor could not process the transaction.",
        Slug::InvalidPaymentProcessorApiKeys => {
            "The payment processor rejected our credentials; staff have been told."
        }
        _ if is_unknown_profile(e) => {
            "The payment processor does not know this stored card (its payment profile was not found); \
             retrying will not help: add the card again, or pay with another one."
        }
        _ => "The payment processor could not be used right now; try again later.",
    };
    ApiError::new(slug, message)
}

/// The domain's typed field errors, each at its param path.
fn params(domain: ordercore_domain::model::FieldErrors) -> ApiError {
    let mut errs = FieldErrors::default();
    errs.extend_domain(domain);
    ApiError::from_field_errors(errs)
}

/// Step 5: a token that authenticates no one.
pub fn authenticate(e: AuthError) -> ApiError {
    match e {
        AuthError::InvalidToken => ApiError::new(
            Slug::InvalidToken,
            "The token matches no session or application.",
        ),
        AuthError::SessionExpired => ApiError::new(
            Slug::SessionExpired,
            "The session has expired or was ended; log in again.",
        ),
        AuthError::Unexpected(u) => crash(&u),
    }
}

/// sessions/create.
pub fn create_session(e: CreateSessionError) -> ApiError {
    match e {
        CreateSessionError::EmailNotFound => {
            ApiError::new(Slug::EmailNotFound, "No user has this e-mail address.")
        }
        CreateSessionError::UserHasNoPassword => {
            ApiError::new(Slug::UserHasNoPassword, "This user has no password set.")
        }
        CreateSessionError::InvalidPassword => {
            ApiError::new(Slug::InvalidPassword, "The password is not correct.")
        }
        CreateSessionError::UserRequiresRole => ApiError::new(
            Slug::UserRequiresRole,
            "This user has no client, employee or liaison record; register through users/client_register.",
        ),
        CreateSessionError::NoRoleInApplication(application) => ApiError::new(
            Slug::UserRequiresRole,
            format!(
                "This user has no role in the application {}: clients log in through planoorder, employees and liaisons through planox2.",
                application.as_str()
            ),
        ),
        CreateSessionError::UnknownApplication => {
            ApiError::invalid_param("application", "unknown application")
        }
        CreateSessionError::Unexpected(u) => crash(&u),
    }
}

/// users/client_register.
pub fn register_client(e: RegisterClientError) -> ApiError {
    match e {
        RegisterClientError::EmailAlreadyRegistered => ApiError::new(
            Slug::EmailAlreadyRegistered,
            "This e-mail address is already registered; log in instead.",
        ),
        RegisterClientError::Params(errs) => params(errs),
        RegisterClientError::Unexpected(u) => crash(&u),
    }
}

/// payment_methods/create.
pub fn add_payment_method(e: AddPaymentMethodError) -> ApiError {
    match e {
        AddPaymentMethodError::CardNumberInvalid => {
            ApiError::new(Slug::CardNumberInvalid, "The card number is not valid.")
        }
        AddPaymentMethodError::CardExpired => {
            ApiError::new(Slug::CardExpired, "The card has expired.")
        }
        AddPaymentMethodError::Payment(p) => payment(&p),
        AddPaymentMethodError::Params(errs) => params(errs),
        AddPaymentMethodError::Unexpected(u) => crash(&u),
    }
}

/// payment_methods/index and payment_methods/destroy.
pub fn payment_method_lookup(e: PaymentMethodLookupError) -> ApiError {
    match e {
        PaymentMethodLookupError::Params(errs) => params(errs),
        PaymentMethodLookupError::Unexpected(u) => crash(&u),
    }
}

/// promotions/validate.
pub fn validate_promotion(e: ValidatePromotionError) -> ApiError {
    match e {
        ValidatePromotionError::InvalidPromotion(reason) => ApiError::new(
            Slug::InvalidPromotion,
            format!("The promotion code is not valid: {reason}."),
        ),
        ValidatePromotionError::PromotionExpended => ApiError::new(
            Slug::PromotionExpended,
            "This client has already used this promotion code.",
        ),
        ValidatePromotionError::Params(errs) => params(errs),
        ValidatePromotionError::Unexpected(u) => crash(&u),
    }
}

/// `view` decides how the saved order is shown on `mandrill-email-failed`.
pub fn submit_order(e: SubmitOrderError, view: OrderView) -> ApiError {
    match e {
        SubmitOrderError::Params(errs) => params(errs),
        SubmitOrderError::InvalidPromotion(reason) => ApiError::new(
            Slug::InvalidPromotion,
            format!("The promotion code is not valid: {reason}."),
        ),
        SubmitOrderError::PromotionExpended => ApiError::new(
            Slug::PromotionExpended,
            "This client has already used this promotion code.",
        ),
        SubmitOrderError::CardExpired => ApiError::new(Slug::CardExpired, "The card has expired."),
        SubmitOrderError::Payment(p) => payment(&p),
        SubmitOrderError::PaymentOutcomeUnknown { order } => {
            tracing::error!(order.id = %order, payment.outcome = "outcome_unknown", "the processor did not say what it did; the order is reconciled in the background");
            outcome_unknown(order, OrderStatus::PendingPayment)
        }
        SubmitOrderError::MailFailed { order, error } => {
            tracing::warn!(order.id = %order.id, mail.error = %error.name(), "order confirmation e-mail failed");
            ApiError::new(
                Slug::MandrillEmailFailed,
                format!(
                    "Order {} was saved, but its confirmation e-mail could not be sent; it will be retried.",
                    order.id
                ),
            )
            .with_data(views::order(&order, view))
        }
        SubmitOrderError::Unexpected(u) => crash(&u),
    }
}

/// `external-application-error` for an order whose payment the processor
/// may have taken without saying so, or which failed after that: the order
/// is not submitted and any hold is released automatically (contract §7
/// step 5). `data` names the order; its shape is in docs/api.md.
pub fn outcome_unknown(order: OrderId, status: OrderStatus) -> ApiError {
    ApiError::new(
        Slug::ExternalApplicationError,
        format!(
            "The payment processor did not confirm the payment of order {order}: the order was not submitted, and any hold on the card will be released automatically."
        ),
    )
    .with_data(json!({
        "order_id": order.0,
        "order_status": status.as_str(),
        "hold_released_automatically": true,
    }))
}

/// orders/read.
pub fn order_lookup(e: OrderLookupError) -> ApiError {
    match e {
        OrderLookupError::NotFound => ApiError::invalid_param("id", "no order with this id"),
        OrderLookupError::Unexpected(u) => crash(&u),
    }
}

/// payments/capture and payments/void.
pub fn payment_action(e: PaymentActionError) -> ApiError {
    match e {
        PaymentActionError::NotFound => ApiError::invalid_param("id", "no payment with this id"),
        PaymentActionError::NotCapturable => {
            ApiError::invalid_param("id", "this payment is not an open authorization")
        }
        PaymentActionError::NotCancelable => ApiError::new(
            Slug::OrderNotCancelable,
            "This payment is not an open authorization that you may void.",
        ),
        PaymentActionError::AuthorizationExpired { expired_at } => ApiError::new(
            Slug::AuthorizationExpired,
            format!(
                "This authorization expired on {} (authorizations can be captured for 30 days); \
                 retrying cannot help: void it and take a new authorization.",
                expired_at.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
        PaymentActionError::Payment(p) => payment(&p),
        PaymentActionError::Unexpected(u) => crash(&u),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer to a processor failure is our own words: neither the
    /// processor's free text nor its codes reach the caller.
    #[test]
    fn a_processor_failure_is_answered_in_our_own_words() {
        let echoed = "E00027 card 4111111111111111 declined for Jane";
        for e in [
            PaymentError::External {
                code: Some("E00027".into()),
                detail: echoed.into(),
            },
            PaymentError::OutcomeUnknown {
                detail: echoed.into(),
            },
            PaymentError::Failed {
                error_code: Some("E00027".into()),
            },
        ] {
            let answer = payment(&e);
            assert!(!answer.message.contains("4111"), "{}", answer.message);
            assert!(!answer.message.contains("E00027"), "{}", answer.message);
            assert_eq!(answer.slug, payment_slug(&e));
        }
    }
}
