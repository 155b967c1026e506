//! Request bodies of the Authorize.net JSON API.
//!
//! Authorize.net validates JSON requests against its XML schema
//! (`AnetApiSchema.xsd`), so **the order of keys is part of the contract**:
//! a key out of schema order fails with E00003. Every body is therefore an
//! ordered struct whose field order is the schema's sequence; serde writes
//! struct fields in declaration order. Never use maps or `json!` here.
//!
//! Types holding the transaction key or card data deliberately do not
//! implement `Debug`, so they cannot end up in a log line.

use serde::Serialize;

/// `merchantAuthenticationType`: name, transactionKey.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MerchantAuthentication<'a> {
    pub name: &'a str,
    pub transaction_key: &'a str,
}

/// `{"createTransactionRequest": {...}}`.
#[derive(Serialize)]
pub(crate) struct CreateTransactionEnvelope<'a> {
    #[serde(rename = "createTransactionRequest")]
    pub request: CreateTransactionRequest<'a>,
}

/// Schema sequence: merchantAuthentication, refId, transactionRequest.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateTransactionRequest<'a> {
    pub merchant_authentication: MerchantAuthentication<'a>,
    pub ref_id: String,
    pub transaction_request: TransactionRequest<'a>,
}

/// `transactionRequestType`, the subset we send. Schema sequence:
/// transactionType, amount, currencyCode, payment, profile, solution, callId,
/// terminalNumber, authCode, refTransId, splitTenderId, order, lineItems, …
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TransactionRequest<'a> {
    pub transaction_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<CustomerProfilePayment<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref_trans_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderInfo>,
}

/// `customerProfilePaymentType`: customerProfileId, paymentProfile.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomerProfilePayment<'a> {
    pub customer_profile_id: &'a str,
    pub payment_profile: PaymentProfileRef<'a>,
}

/// `paymentProfile`: paymentProfileId.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentProfileRef<'a> {
    pub payment_profile_id: &'a str,
}

/// `orderType`: invoiceNumber (max 20 characters), description.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderInfo {
    pub invoice_number: String,
}

/// `{"createCustomerProfileRequest": {...}}`.
#[derive(Serialize)]
pub(crate) struct CreateCustomerProfileEnvelope<'a> {
    #[serde(rename = "createCustomerProfileRequest")]
    pub request: CreateCustomerProfileRequest<'a>,
}

/// Schema sequence: merchantAuthentication, refId, profile, validationMode.
/// No payment profile is sent here, so no validationMode either.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateCustomerProfileRequest<'a> {
    pub merchant_authentication: MerchantAuthentication<'a>,
    pub profile: CustomerProfile<'a>,
}

/// `customerProfileType`: merchantCustomerId, description, email.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomerProfile<'a> {
    pub merchant_customer_id: String,
    pub description: &'a str,
    pub email: &'a str,
}

/// `{"createCustomerPaymentProfileRequest": {...}}`.
#[derive(Serialize)]
pub(crate) struct CreatePaymentProfileEnvelope<'a> {
    #[serde(rename = "createCustomerPaymentProfileRequest")]
    pub request: CreatePaymentProfileRequest<'a>,
}

/// Schema sequence: merchantAuthentication, refId, customerProfileId,
/// paymentProfile, validationMode.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatePaymentProfileRequest<'a> {
    pub merchant_authentication: MerchantAuthentication<'a>,
    pub customer_profile_id: &'a str,
    pub payment_profile: PaymentProfile<'a>,
    pub validation_mode: &'static str,
}

/// `customerPaymentProfileType`: customerType, billTo, payment, …
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentProfile<'a> {
    pub bill_to: BillTo,
    pub payment: Payment<'a>,
}

/// `customerAddressType`: firstName, lastName, company, address, city, state,
/// zip, country, phoneNumber, faxNumber, email.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BillTo {
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
}

/// `paymentType`: creditCard.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Payment<'a> {
    pub credit_card: CreditCard<'a>,
}

/// `creditCardType`: cardNumber, expirationDate (`YYYY-MM`), cardCode.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreditCard<'a> {
    pub card_number: &'a str,
    pub expiration_date: String,
    pub card_code: &'a str,
}

/// `{"deleteCustomerPaymentProfileRequest": {...}}`.
#[derive(Serialize)]
pub(crate) struct DeletePaymentProfileEnvelope<'a> {
    #[serde(rename = "deleteCustomerPaymentProfileRequest")]
    pub request: DeletePaymentProfileRequest<'a>,
}

/// Schema sequence: merchantAuthentication, refId, customerProfileId,
/// customerPaymentProfileId.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeletePaymentProfileRequest<'a> {
    pub merchant_authentication: MerchantAuthentication<'a>,
    pub customer_profile_id: &'a str,
    pub customer_payment_profile_id: &'a str,
}

/// `{"getUnsettledTransactionListRequest": {...}}`.
#[derive(Serialize)]
pub(crate) struct UnsettledListEnvelope<'a> {
    #[serde(rename = "getUnsettledTransactionListRequest")]
    pub request: UnsettledListRequest<'a>,
}

/// Schema sequence: merchantAuthentication, refId, status, sorting, paging.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UnsettledListRequest<'a> {
    pub merchant_authentication: MerchantAuthentication<'a>,
    pub sorting: Sorting,
    pub paging: Paging,
}

/// `{"getTransactionListForCustomerRequest": {...}}`.
#[derive(Serialize)]
pub(crate) struct CustomerListEnvelope<'a> {
    #[serde(rename = "getTransactionListForCustomerRequest")]
    pub request: CustomerListRequest<'a>,
}

/// Schema sequence: merchantAuthentication, refId, customerProfileId,
/// customerPaymentProfileId, sorting, paging.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomerListRequest<'a> {
    pub merchant_authentication: MerchantAuthentication<'a>,
    pub customer_profile_id: &'a str,
    pub customer_payment_profile_id: &'a str,
    pub sorting: Sorting,
    pub paging: Paging,
}

/// `TransactionListSorting`: orderBy, orderDescending.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Sorting {
    pub order_by: &'static str,
    pub order_descending: bool,
}

/// `Paging`: limit (1–1000), offset (1-based page number).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Paging {
    pub limit: u32,
    pub offset: u32,
}
