//! Reply bodies of the Authorize.net JSON API: one permissive shape that
//! covers every call we make. Every field is optional, unknown fields are
//! ignored, so a reply is readable as long as it is a JSON object; what it
//! *means* is decided in [`crate::mapping`].

use serde::Deserialize;

/// Any reply we read. Card data in replies is masked by the processor
/// (`XXXX1111`) and we never log it anyway.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiReply {
    pub ref_id: Option<String>,
    pub messages: Option<Messages>,
    pub transaction_response: Option<TransactionResponse>,
    /// createCustomerProfile (and the E00039 duplicate of createCustomerPaymentProfile).
    pub customer_profile_id: Option<String>,
    /// createCustomerPaymentProfile, also present on its E00039 duplicate.
    pub customer_payment_profile_id: Option<String>,
    /// createCustomerPaymentProfile with validationMode: the validation
    /// transaction as a comma-separated "direct response".
    pub validation_direct_response: Option<String>,
    /// getUnsettledTransactionList.
    pub transactions: Option<Vec<TransactionSummary>>,
}

/// The top-level `messages`: `resultCode` `Ok` or `Error`, and E000xx/I000xx codes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Messages {
    #[serde(default)]
    pub result_code: String,
    #[serde(default)]
    pub message: Vec<Message>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Message {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub text: String,
}

/// `transactionResponse` of createTransaction.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionResponse {
    pub response_code: Option<String>,
    pub auth_code: Option<String>,
    pub trans_id: Option<String>,
    #[serde(default)]
    pub errors: Option<Vec<TransactionError>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionError {
    #[serde(default)]
    pub error_code: String,
    #[serde(default)]
    pub error_text: String,
}

/// One entry of getUnsettledTransactionList.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionSummary {
    #[serde(default)]
    pub trans_id: String,
    #[serde(default)]
    pub transaction_status: String,
    pub invoice_number: Option<String>,
}

impl ApiReply {
    /// The first top-level message, if any.
    pub fn first_message(&self) -> Option<&Message> {
        self.messages.as_ref().and_then(|m| m.message.first())
    }

    /// True when `messages.resultCode` is `Error`.
    pub fn is_error(&self) -> bool {
        self.messages
            .as_ref()
            .is_some_and(|m| m.result_code.eq_ignore_ascii_case("error"))
    }
}

impl TransactionResponse {
    /// `errors[0].errorCode`, the processor's reason code.
    pub fn first_error_code(&self) -> Option<&str> {
        self.errors
            .as_ref()
            .and_then(|e| e.first())
            .map(|e| e.error_code.as_str())
            .filter(|c| !c.is_empty())
    }
}
