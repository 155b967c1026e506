//! [`AuthorizeNetGateway`]: the `PaymentGateway` port over the Authorize.net
//! JSON API (contract §9).

use crate::config::AuthorizeNetConfig;
use crate::log::call_outcome_with_codes;
use crate::mapping::{CallKind, Exchange, Mapped, map_exchange};
use crate::requests::*;
use async_trait::async_trait;
use ordercore_domain::model::{CardDetails, OrderId, StoredPaymentProfile};
use ordercore_domain::ports::{
    Approval, CaptureRequest, CustomerProfileRequest, OrderTransaction, PaymentError,
    PaymentGateway, TransactionRequest as PortTransactionRequest,
};
use serde::Serialize;

const GATEWAY: &str = "authorizenet";

/// The real payment processor. Every call is one POST of a JSON body to the
/// configured endpoint, bounded by `config.timeout`; its reply goes through
/// [`crate::mapping::map_reply`].
#[derive(Debug, Clone)]
pub struct AuthorizeNetGateway {
    config: AuthorizeNetConfig,
    http: reqwest::Client,
}

impl AuthorizeNetGateway {
    /// `http` may be shared with other adapters; the request timeout of
    /// `config` is applied to each call regardless. Build it with
    /// [`AuthorizeNetGateway::http_client`] to get the connect timeout too.
    pub fn new(config: AuthorizeNetConfig, http: reqwest::Client) -> AuthorizeNetGateway {
        AuthorizeNetGateway { config, http }
    }

    /// A reqwest client with the config's connect and request timeouts.
    pub fn http_client(config: &AuthorizeNetConfig) -> reqwest::Result<reqwest::Client> {
        reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .build()
    }

    pub fn config(&self) -> &AuthorizeNetConfig {
        &self.config
    }

    pub(crate) fn auth(&self) -> MerchantAuthentication<'_> {
        MerchantAuthentication {
            name: &self.config.login_id,
            transaction_key: self.config.transaction_key.expose(),
        }
    }

    /// POSTs `body` and reports what happened on the wire.
    async fn send<T: Serialize>(&self, body: &T) -> Exchange {
        let bytes = match serde_json::to_vec(body) {
            Ok(bytes) => bytes,
            Err(e) => {
                return Exchange::NotSent {
                    detail: format!("could not encode the request: {e}"),
                };
            }
        };
        let sent = self
            .http
            .post(self.config.endpoint.url())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(self.config.timeout)
            .body(bytes)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => return lost_or_not_sent(&e),
        };
        let status = response.status().as_u16();
        match response.bytes().await {
            Ok(body) => Exchange::Replied {
                status,
                body: body.to_vec(),
            },
            Err(e) => Exchange::Lost {
                detail: describe(&e),
            },
        }
    }

    /// One call: send, map, log.
    pub(crate) async fn call<T: Serialize>(
        &self,
        call: &'static str,
        kind: CallKind,
        order_id: Option<OrderId>,
        body: &T,
    ) -> Result<Mapped, PaymentError> {
        let (mapped, codes) = map_exchange(self.send(body).await, kind);
        call_outcome_with_codes(
            GATEWAY,
            call,
            order_id,
            mapped.as_ref().map(|m| m.approval.as_ref()),
            &codes,
        );
        mapped
    }

    /// A createTransactionRequest whose reply must carry a transaction.
    async fn transaction(
        &self,
        call: &'static str,
        order_id: OrderId,
        request: TransactionRequest<'_>,
    ) -> Result<Approval, PaymentError> {
        let body = CreateTransactionEnvelope {
            request: CreateTransactionRequest {
                merchant_authentication: self.auth(),
                ref_id: order_id.to_string(),
                transaction_request: request,
            },
        };
        let mapped = self
            .call(call, CallKind::MovesMoney, Some(order_id), &body)
            .await?;
        // map_exchange already answers OutcomeUnknown for a money-moving
        // reply without a transaction; kept so this can never be a success.
        mapped.approval.ok_or_else(|| PaymentError::OutcomeUnknown {
            detail: "the processor's reply carries no transaction".to_string(),
        })
    }

    async fn profile_transaction(
        &self,
        transaction_type: &'static str,
        request: &PortTransactionRequest,
    ) -> Result<Approval, PaymentError> {
        let tx = TransactionRequest {
            transaction_type,
            amount: Some(request.amount.to_decimal_string()),
            profile: Some(CustomerProfilePayment {
                customer_profile_id: &request.profile.customer_profile_id,
                payment_profile: PaymentProfileRef {
                    payment_profile_id: &request.profile.payment_profile_id,
                },
            }),
            ref_trans_id: None,
            order: Some(OrderInfo {
                invoice_number: request.order_id.to_string(),
            }),
        };
        self.transaction(transaction_type, request.order_id, tx)
            .await
    }
}

#[async_trait]
impl PaymentGateway for AuthorizeNetGateway {
    /// createCustomerProfileRequest with `merchantCustomerId` = our client
    /// id. E00039 ("A duplicate record with ID … already exists.") returns
    /// the existing profile id.
    async fn create_customer_profile(
        &self,
        request: &CustomerProfileRequest,
    ) -> Result<String, PaymentError> {
        let body = CreateCustomerProfileEnvelope {
            request: CreateCustomerProfileRequest {
                merchant_authentication: self.auth(),
                profile: CustomerProfile {
                    merchant_customer_id: request.client_id.to_string(),
                    description: truncate(&request.description, 255),
                    email: request.email.as_str(),
                },
            },
        };
        let mapped = self
            .call("createCustomerProfileRequest", CallKind::Other, None, &body)
            .await?;
        mapped
            .reply
            .customer_profile_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| missing("customerProfileId"))
    }

    /// createCustomerPaymentProfileRequest with billTo, the card and the
    /// configured validationMode. A card refused by the validation maps as
    /// in contract §9 (mapping rows 13 and 16); E00039 (the same card already
    /// stored under this profile) returns the existing payment profile id.
    async fn create_payment_profile(
        &self,
        customer_profile_id: &str,
        card: &CardDetails,
    ) -> Result<String, PaymentError> {
        let body = CreatePaymentProfileEnvelope {
            request: CreatePaymentProfileRequest {
                merchant_authentication: self.auth(),
                customer_profile_id,
                payment_profile: PaymentProfile {
                    bill_to: bill_to(card),
                    payment: Payment {
                        credit_card: CreditCard {
                            card_number: card.number.expose(),
                            expiration_date: card.expiry.to_processor_format(),
                            card_code: card.cvc.expose(),
                        },
                    },
                },
                validation_mode: self.config.validation_mode.as_str(),
            },
        };
        let mapped = self
            .call(
                "createCustomerPaymentProfileRequest",
                CallKind::Other,
                None,
                &body,
            )
            .await?;
        mapped
            .reply
            .customer_payment_profile_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| missing("customerPaymentProfileId"))
    }

    /// deleteCustomerPaymentProfileRequest.
    async fn delete_payment_profile(
        &self,
        profile: &StoredPaymentProfile,
    ) -> Result<(), PaymentError> {
        let body = DeletePaymentProfileEnvelope {
            request: DeletePaymentProfileRequest {
                merchant_authentication: self.auth(),
                customer_profile_id: &profile.customer_profile_id,
                customer_payment_profile_id: &profile.payment_profile_id,
            },
        };
        self.call(
            "deleteCustomerPaymentProfileRequest",
            CallKind::Other,
            None,
            &body,
        )
        .await
        .map(|_| ())
    }

    /// authOnlyTransaction against the stored profile; refId and
    /// invoiceNumber are the order id.
    async fn authorize(&self, request: &PortTransactionRequest) -> Result<Approval, PaymentError> {
        self.profile_transaction("authOnlyTransaction", request)
            .await
    }

    /// authCaptureTransaction against the stored profile.
    async fn charge(&self, request: &PortTransactionRequest) -> Result<Approval, PaymentError> {
        self.profile_transaction("authCaptureTransaction", request)
            .await
    }

    /// priorAuthCaptureTransaction of `transaction_id` for `amount`.
    async fn capture(&self, request: &CaptureRequest) -> Result<Approval, PaymentError> {
        let tx = TransactionRequest {
            transaction_type: "priorAuthCaptureTransaction",
            amount: Some(request.amount.to_decimal_string()),
            profile: None,
            ref_trans_id: Some(&request.transaction_id),
            order: None,
        };
        self.transaction("priorAuthCaptureTransaction", request.order_id, tx)
            .await
    }

    /// voidTransaction of `transaction_id`.
    async fn void(&self, order_id: OrderId, transaction_id: &str) -> Result<(), PaymentError> {
        let tx = TransactionRequest {
            transaction_type: "voidTransaction",
            amount: None,
            profile: None,
            ref_trans_id: Some(transaction_id),
            order: None,
        };
        self.transaction("voidTransaction", order_id, tx)
            .await
            .map(|_| ())
    }

    /// getUnsettledTransactionListRequest, newest first, every page until
    /// the newest live transaction whose invoiceNumber is the order id.
    async fn find_unsettled_transaction(
        &self,
        order_id: OrderId,
    ) -> Result<Option<String>, PaymentError> {
        self.unsettled_transaction_of(order_id).await
    }

    /// getTransactionListForCustomerRequest on the profile, newest first,
    /// every page; the entries whose invoiceNumber is the order id.
    async fn find_order_transactions(
        &self,
        order_id: OrderId,
        profile: &StoredPaymentProfile,
    ) -> Result<Vec<OrderTransaction>, PaymentError> {
        self.transactions_of(order_id, profile).await
    }
}

/// A reqwest failure: was anything sent?
fn lost_or_not_sent(error: &reqwest::Error) -> Exchange {
    if error.is_connect() || error.is_builder() {
        Exchange::NotSent {
            detail: describe(error),
        }
    } else {
        Exchange::Lost {
            detail: describe(error),
        }
    }
}

/// A reqwest error without its URL (which is only the endpoint, but keep
/// log lines short and free of anything request-specific).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    format!("the payment processor request {kind}")
}

fn missing(field: &str) -> PaymentError {
    PaymentError::External {
        code: None,
        detail: format!("the processor's reply has no {field}"),
    }
}

/// billTo from the card holder's details, cut to the schema's lengths.
fn bill_to(card: &CardDetails) -> BillTo {
    let name = card.name_on_card.trim();
    let (first, last) = match name.rsplit_once(' ') {
        Some((first, last)) => (first.trim(), last.trim()),
        None => ("", name),
    };
    let address = match card.street2.as_deref().map(str::trim) {
        Some(s2) if !s2.is_empty() => format!("{} {}", card.street.trim(), s2),
        _ => card.street.trim().to_string(),
    };
    let (country, state) = match card.province_iso.split_once(['_', '-']) {
        Some((country, state)) => (country.to_ascii_uppercase(), state.to_ascii_uppercase()),
        None => ("US".to_string(), card.province_iso.to_ascii_uppercase()),
    };
    BillTo {
        first_name: truncate(first, 50).to_string(),
        last_name: truncate(last, 50).to_string(),
        address: truncate(&address, 60).to_string(),
        city: truncate(card.city.trim(), 40).to_string(),
        state: truncate(&state, 40).to_string(),
        zip: truncate(card.postal_code.trim(), 20).to_string(),
        country: truncate(&country, 60).to_string(),
    }
}

/// At most `max` characters, cut on a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
