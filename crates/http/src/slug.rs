//! The status slugs of contract §4 and their HTTP codes: the one place where slugs
//! meet status codes. Everything else names a [`Slug`] and lets
//! [`Slug::http_status`] decide.

use actix_web::http::StatusCode;

macro_rules! slugs {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, $code:literal, $meaning:literal; )*) => {
        /// One status slug of contract §4.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Slug {
            $( $(#[$doc])* $variant, )*
        }

        impl Slug {
            /// Every slug, in the order of contract §4.
            pub const ALL: &'static [Slug] = &[ $( Slug::$variant, )* ];

            /// The slug as it appears in `status`.
            pub fn as_str(self) -> &'static str {
                match self { $( Slug::$variant => $text, )* }
            }

            /// The HTTP code contract §4 gives this slug.
            pub fn http_status(self) -> StatusCode {
                let code: u16 = match self { $( Slug::$variant => $code, )* };
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }

            /// When the slug is answered, for the documentation pages.
            pub fn meaning(self) -> &'static str {
                match self { $( Slug::$variant => $meaning, )* }
            }
        }
    };
}

slugs! {
    ActionSuccessful = "action-successful", 200, "success; result in `data`";
    InvalidPromotion = "invalid-promotion", 400, "code unknown, inactive, outside its dates, exhausted, or for another designation";
    PromotionExpended = "promotion-expended", 400, "this client has already used this code";
    DeclinedPayment = "declined-payment", 400, "the processor declined the card (incl. AVS/CVV declines)";
    CardNumberInvalid = "card-number-invalid", 400, "the processor says the card number is invalid";
    DuplicatePayment = "duplicate-payment", 400, "the processor flagged a duplicate transaction (it clears after its duplicate window, 2 minutes by default)";
    FailedPayment = "failed-payment", 400, "the processor returned an error for the transaction not covered above";
    CardExpired = "card-expired", 400, "the card is expired (checked locally first, then by the processor)";
    ExternalApplicationError = "external-application-error", 400, "the processor answered with an error that is not about the card (bad request, profile not found, processor down)";
    InvalidPaymentProcessorApiKeys = "invalid-payment-processor-api-keys", 500, "the processor rejected our API credentials";
    InvalidToken = "invalid-token", 401, "token unknown";
    SessionExpired = "session-expired", 401, "session older than 7 days, idle for 72 hours, or revoked; `remember_me` sessions never age out";
    ClientRequired = "client-required", 401, "the user has no client, employee or liaison record; register through `users/client_register`";
    PermissionDenied = "permission-denied", 403, "authenticated, but the role in use may not do this";
    MissingParam = "missing-param", 400, "a required param is absent";
    InvalidParam = "invalid-param", 400, "a param is present but wrong";
    ApplicationCrash = "application-crash", 500, "unexpected internal error";
    MandrillEmailFailed = "mandrill-email-failed", 500, "the e-mail could not be sent; the order itself is saved and a notification is recorded";
    InvalidContentType = "invalid-content-type", 400, "wrong Content-Type for the route";
    RouteNonExistent = "route-non-existent", 500, "no such HTTP route";
    NoParamsDecoded = "no-params-decoded", 400, "body decoded, but no params in it";
    InvalidEncodedParams = "invalid-encoded-params", 400, "body could not be decoded (bad base64 on a sensitive route, or not a JSON object)";
    RouteNotFound = "route-not-found", 404, "the route's registry record is missing or not deployed";
    IdentifyRequestError = "identify-request-error", 500, "internal failure before the route was identified";
    ServiceNotFound = "service-not-found", 503, "the route's API service record is missing or not deployed";
    RateLimitExceeded = "rate-limit-exceeded", 429, "too many requests for this token";
    PayloadTooLarge = "payload-too-large", 413, "body over 256 KiB";
    IdempotencyKeyConflict = "idempotency-key-conflict", 409, "an `Idempotency-Key` was reused with different params, or its first request is still running";
    EmailNotFound = "email-not-found", 400, "no user with this e-mail";
    InvalidPassword = "invalid-password", 400, "wrong password";
    UserHasNoPassword = "user-has-no-password", 400, "the user has no password set";
    UserRequiresRole = "user-requires-role", 400, "the user has no client, employee or liaison record";
    EmailAlreadyRegistered = "email-already-registered", 400, "e-mail already belongs to a client";
    OrderNotCancelable = "order-not-cancelable", 400, "the payment is not an open authorization that this caller may void";
    AuthorizationExpired = "authorization-expired", 400, "payments/capture of an authorization 30 days old or older: the processor no longer captures it; void it and take a new authorization";
}

impl Slug {
    /// Whether an envelope with this status carries `data` (contract §2).
    pub fn carries_data(self) -> bool {
        matches!(
            self,
            Slug::ActionSuccessful | Slug::MandrillEmailFailed | Slug::ExternalApplicationError
        )
    }

    /// Whether an envelope with this status carries `errors` (contract §2).
    pub fn carries_errors(self) -> bool {
        matches!(self, Slug::MissingParam | Slug::InvalidParam)
    }

    /// The slug with this text, if it is one of contract §4.
    pub fn parse(s: &str) -> Option<Slug> {
        Slug::ALL.iter().copied().find(|slug| slug.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::Slug;

    #[test]
    fn every_slug_of_the_spec_with_its_code() {
        assert_eq!(Slug::ALL.len(), 35);
        let codes: Vec<(&str, u16)> = Slug::ALL
            .iter()
            .map(|s| (s.as_str(), s.http_status().as_u16()))
            .collect();
        assert!(codes.contains(&("route-non-existent", 500)));
        assert!(codes.contains(&("service-not-found", 503)));
        assert!(codes.contains(&("payload-too-large", 413)));
        assert!(codes.contains(&("idempotency-key-conflict", 409)));
        assert!(codes.contains(&("mandrill-email-failed", 500)));
        assert!(codes.contains(&("authorization-expired", 400)));
        for s in Slug::ALL {
            assert_eq!(Slug::parse(s.as_str()), Some(*s));
        }
    }
}
