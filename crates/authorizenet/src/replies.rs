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
    /// getUnsettledTransactionList, getTransactionListForCustomer.
    pub transactions: Option<Vec<TransactionSummary>>,
    /// The list calls: how many transactions match in all pages.
    pub total_num_in_result_set: Option<u64>,
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

/// `errors[]` of a transaction. Its `errorText` is deliberately not read:
/// free text never reaches an error or a log line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionError {
    #[serde(default)]
    pub error_code: String,
}

/// One entry of getUnsettledTransactionList / getTransactionListForCustomer
/// (`transactionSummaryType`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionSummary {
    #[serde(default)]
    pub trans_id: String,
    #[serde(default)]
    pub transaction_status: String,
    pub invoice_number: Option<String>,
    /// The amount authorized or captured (a JSON number, e.g. `123.45`).
    pub settle_amount: Option<serde_json::Value>,
    /// The customer profile the transaction was made on, when it was.
    pub profile: Option<SummaryProfile>,
}

/// `transactionSummaryType.profile`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryProfile {
    pub customer_profile_id: Option<String>,
    pub customer_payment_profile_id: Option<String>,
}

/// The processor's codes in one reply, for the log line: only values that
/// look like codes (see [`crate::mapping::code_only`]), never free text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyCodes {
    pub http_status: Option<u16>,
    /// `messages.resultCode`: `Ok` or `Error`.
    pub result_code: Option<String>,
    /// `messages.message[0].code`: I00001, E00040, …
    pub message_code: Option<String>,
    /// `transactionResponse.responseCode`: 1–4.
    pub response_code: Option<String>,
    /// `transactionResponse.errors[0].errorCode`.
    pub error_code: Option<String>,
    /// `transactionResponse.transId`.
    pub trans_id: Option<String>,
}

impl ReplyCodes {
    /// Copies the codes of `reply`.
    pub fn read(&mut self, reply: &ApiReply) {
        use crate::mapping::code_only;
        self.result_code = reply
            .messages
            .as_ref()
            .and_then(|m| code_only(&m.result_code));
        self.message_code = reply.first_message().and_then(|m| code_only(&m.code));
        if let Some(tx) = &reply.transaction_response {
            self.response_code = tx.response_code.as_deref().and_then(code_only);
            self.error_code = tx.first_error_code().and_then(code_only);
            self.trans_id = tx.trans_id.as_deref().and_then(code_only);
        }
    }
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
