//! [`ProcessorStub`]: a stateful stand-in for Authorize.net for the crash
//! and timeout tests. It speaks the real JSON API for the calls ordercore
//! makes (createCustomerProfile, createCustomerPaymentProfile,
//! createTransaction authOnly / authCapture / priorAuthCapture / void,
//! getUnsettledTransactionList, getTransactionListForCustomer), keeps a
//! ledger of every transaction it made, and can answer late: after a random
//! delay, or — for money-moving calls — only after the client gave up, so
//! the processor acted but the client does not know.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::AUTHORIZENET_PATH;

/// What a transaction became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerState {
    /// authOnly: a hold (`authorizedPendingCapture`).
    Authorized,
    /// authCapture, or an authorization captured (`capturedPendingSettlement`).
    Captured,
    /// `voided`: nothing is held.
    Voided,
}

/// One transaction the stub approved, as the processor would remember it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub trans_id: String,
    /// `authOnlyTransaction` or `authCaptureTransaction`.
    pub transaction_type: String,
    pub state: LedgerState,
    /// The amount authorized (and captured), in cents.
    pub amount_cents: i64,
    pub customer_profile_id: String,
    pub payment_profile_id: String,
    /// `order.invoiceNumber` and `refId` as sent (ordercore: the order id).
    pub invoice_number: Option<String>,
    pub ref_id: Option<String>,
    /// When the request that made it arrived (before any delayed answer).
    pub at: std::time::Instant,
}

impl LedgerEntry {
    fn status(&self) -> &'static str {
        match self.state {
            LedgerState::Authorized => "authorizedPendingCapture",
            LedgerState::Captured => "capturedPendingSettlement",
            LedgerState::Voided => "voided",
        }
    }
}

#[derive(Debug, Default)]
struct Books {
    /// Oldest first.
    ledger: Vec<LedgerEntry>,
    /// merchantCustomerId → customer profile id.
    customers: HashMap<String, String>,
    /// Payment profile id → customer profile id.
    payment_profiles: HashMap<String, String>,
    next_id: u64,
    /// Every answer waits a random 0..=max_delay.
    max_delay: Duration,
    /// Money-moving calls act, then answer only after this.
    late_by: Option<Duration>,
    rng: u64,
}

impl Books {
    fn id(&mut self) -> String {
        self.next_id += 1;
        (60_157_190_000 + self.next_id).to_string()
    }

    fn random_delay(&mut self) -> Duration {
        // xorshift64: enough jitter for tests, no dependency.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let max = u64::try_from(self.max_delay.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(self.rng % max.saturating_add(1))
    }
}

/// The stub: a wiremock server whose one responder keeps [`Books`].
pub struct ProcessorStub {
    pub server: MockServer,
    books: Arc<Mutex<Books>>,
}

impl ProcessorStub {
    /// Approves everything on known profiles, answering at once.
    pub async fn start() -> ProcessorStub {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
        let books = Arc::new(Mutex::new(Books {
            rng: seed,
            ..Books::default()
        }));
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(AUTHORIZENET_PATH))
            .respond_with(Responder(books.clone()))
            .mount(&server)
            .await;
        ProcessorStub { server, books }
    }

    /// `ORDERCORE_AUTHORIZENET_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("{}{AUTHORIZENET_PATH}", self.server.uri())
    }

    /// Every transaction approved so far, oldest first, in its current state.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.books().ledger.clone()
    }

    /// The ledger entries whose invoiceNumber is `order_id`.
    pub fn ledger_of(&self, order_id: i64) -> Vec<LedgerEntry> {
        let invoice = order_id.to_string();
        self.ledger()
            .into_iter()
            .filter(|e| e.invoice_number.as_deref() == Some(invoice.as_str()))
            .collect()
    }

    /// Every answer waits a random 0..=`max` first.
    pub fn with_random_delay(&self, max: Duration) -> &ProcessorStub {
        self.books().max_delay = max;
        self
    }

    /// Money-moving calls (authOnly, authCapture, priorAuthCapture, void)
    /// take effect at once but are answered only after `after`: set it above
    /// the client's timeout to make "the processor acted, the client does
    /// not know". `None` answers on time again.
    pub fn answer_money_calls_after(&self, after: Option<Duration>) -> &ProcessorStub {
        self.books().late_by = after;
        self
    }

    /// The bodies of the requests received whose text contains `marker`.
    pub async fn requests(&self, marker: &str) -> Vec<Value> {
        super::received(&self.server, marker).await
    }

    fn books(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Responder(Arc<Mutex<Books>>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut books = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let (name, req) = match body.as_object().and_then(|o| o.iter().next()) {
            Some((name, req)) => (name.as_str(), req),
            None => ("", &Value::Null),
        };
        let (reply, moves_money) = match name {
            "createCustomerProfileRequest" => (create_customer(&mut books, req), false),
            "createCustomerPaymentProfileRequest" => {
                (create_payment_profile(&mut books, req), false)
            }
            "createTransactionRequest" => (transaction(&mut books, req), true),
            "getUnsettledTransactionListRequest" => (list(&books, req, None), false),
            "getTransactionListForCustomerRequest" => {
                let profile = (
                    text(&req["customerProfileId"]),
                    text(&req["customerPaymentProfileId"]),
                );
                (list(&books, req, Some(profile)), false)
            }
            _ => (error("E00003", "The request could not be parsed."), false),
        };
        let mut delay = books.random_delay();
        if moves_money && let Some(late) = books.late_by {
            delay += late;
        }
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(reply.to_string().into_bytes());
        ResponseTemplate::new(200)
            .set_body_raw(bytes, "application/json; charset=utf-8")
            .set_delay(delay)
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn ok() -> Value {
    json!({"resultCode": "Ok", "message": [{"code": "I00001", "text": "Successful."}]})
}

fn error(code: &str, message: &str) -> Value {
    json!({"messages": {"resultCode": "Error", "message": [{"code": code, "text": message}]}})
}

fn create_customer(books: &mut Books, req: &Value) -> Value {
    let merchant_id = text(&req["profile"]["merchantCustomerId"]);
    if let Some(existing) = books.customers.get(&merchant_id) {
        return error(
            "E00039",
            &format!("A duplicate record with ID {existing} already exists."),
        );
    }
    let id = books.id();
    books.customers.insert(merchant_id, id.clone());
    json!({
        "customerProfileId": id,
        "customerPaymentProfileIdList": [],
        "customerShippingAddressIdList": [],
        "validationDirectResponseList": [],
        "messages": ok(),
    })
}

fn create_payment_profile(books: &mut Books, req: &Value) -> Value {
    let customer = text(&req["customerProfileId"]);
    if !books.customers.values().any(|c| *c == customer) {
        return error("E00040", "The record cannot be found.");
    }
    let id = books.id();
    books.payment_profiles.insert(id.clone(), customer.clone());
    json!({
        "customerProfileId": customer,
        "customerPaymentProfileId": id,
        "validationDirectResponse": "1,1,1,This transaction has been approved.,000000,P,0,none,Test transaction for ValidateCustomerPaymentProfile.,0.00,CC,auth_only,none,,,,,,,,,,,,,,,,,,,,0.00,0.00,0.00,FALSE,none,,,,,,,,,,,,,,XXXX1111,Visa,,,,,,,,,,,,,,,,",
        "messages": ok(),
    })
}

fn transaction(books: &mut Books, req: &Value) -> Value {
    let tx = &req["transactionRequest"];
    let ref_id = req.get("refId").map(text);
    let kind = text(&tx["transactionType"]);
    let cents = |v: &Value| {
        text(v)
            .parse::<f64>()
            .map(|d| (d * 100.0).round() as i64)
            .ok()
    };
    let outcome = match kind.as_str() {
        "authOnlyTransaction" | "authCaptureTransaction" => {
            let customer = text(&tx["profile"]["customerProfileId"]);
            let payment = text(&tx["profile"]["paymentProfile"]["paymentProfileId"]);
            if books.payment_profiles.get(&payment) != Some(&customer) {
                return error("E00040", "The record cannot be found.");
            }
            let Some(amount) = cents(&tx["amount"]) else {
                return error("E00003", "The amount is invalid.");
            };
            let trans_id = books.id();
            books.ledger.push(LedgerEntry {
                trans_id: trans_id.clone(),
                transaction_type: kind.clone(),
                state: if kind == "authOnlyTransaction" {
                    LedgerState::Authorized
                } else {
                    LedgerState::Captured
                },
                amount_cents: amount,
                customer_profile_id: customer,
                payment_profile_id: payment,
                invoice_number: tx["order"].get("invoiceNumber").map(text),
                ref_id: ref_id.clone(),
                at: std::time::Instant::now(),
            });
            Ok(trans_id)
        }
        "priorAuthCaptureTransaction" | "voidTransaction" => {
            let ref_trans = text(&tx["refTransId"]);
            let amount = cents(&tx["amount"]);
            match books.ledger.iter_mut().find(|e| e.trans_id == ref_trans) {
                None => Err("16"),
                Some(e) if e.state == LedgerState::Voided => Err("310"),
                Some(e) if kind == "voidTransaction" => {
                    e.state = LedgerState::Voided;
                    Ok(ref_trans)
                }
                Some(e) if e.state == LedgerState::Captured => Err("311"),
                Some(e) if amount.is_some_and(|a| a > e.amount_cents) => Err("47"),
                Some(e) => {
                    e.state = LedgerState::Captured;
                    Ok(ref_trans)
                }
            }
        }
        _ => return error("E00003", "The transaction type is not supported."),
    };
    transaction_reply(outcome, ref_id)
}

fn transaction_reply(outcome: Result<String, &str>, ref_id: Option<String>) -> Value {
    let (response, messages) = match outcome {
        Ok(trans_id) => (
            json!({
                "responseCode": "1", "authCode": "STUB01", "avsResultCode": "Y",
                "cvvResultCode": "P", "cavvResultCode": "2", "transId": trans_id,
                "refTransID": "", "transHash": "", "testRequest": "0",
                "accountNumber": "XXXX1111", "accountType": "Visa",
                "messages": [{"code": "1", "description": "This transaction has been approved."}],
            }),
            ok(),
        ),
        Err(code) => (
            json!({
                "responseCode": "3", "authCode": "", "avsResultCode": "P",
                "cvvResultCode": "", "cavvResultCode": "", "transId": "0",
                "refTransID": "", "transHash": "", "testRequest": "0",
                "accountNumber": "", "accountType": "",
                "errors": [{"errorCode": code, "errorText": "The transaction was refused."}],
            }),
            json!({"resultCode": "Error", "message": [{"code": "E00027", "text": "The transaction was unsuccessful."}]}),
        ),
    };
    let mut reply = json!({"transactionResponse": response, "messages": messages});
    if let Some(ref_id) = ref_id {
        reply["refId"] = json!(ref_id);
    }
    reply
}

/// A transaction list, newest first, one page of it (`paging.limit`,
/// `paging.offset` from 1).
fn list(books: &Books, req: &Value, profile: Option<(String, String)>) -> Value {
    let matching: Vec<&LedgerEntry> = books
        .ledger
        .iter()
        .rev()
        .filter(|e| {
            profile.as_ref().is_none_or(|(customer, payment)| {
                e.customer_profile_id == *customer
                    && (payment.is_empty() || e.payment_profile_id == *payment)
            })
        })
        .collect();
    let limit = text(&req["paging"]["limit"])
        .parse::<usize>()
        .unwrap_or(1000)
        .clamp(1, 1000);
    let offset = text(&req["paging"]["offset"])
        .parse::<usize>()
        .unwrap_or(1)
        .max(1);
    let page: Vec<Value> = matching
        .iter()
        .skip((offset - 1) * limit)
        .take(limit)
        .map(|e| {
            json!({
                "transId": e.trans_id,
                "submitTimeUTC": "2026-01-01T00:00:00Z",
                "submitTimeLocal": "2025-12-31T17:00:00",
                "transactionStatus": e.status(),
                "invoiceNumber": e.invoice_number,
                "firstName": "", "lastName": "",
                "accountType": "Visa", "accountNumber": "XXXX1111",
                "settleAmount": e.amount_cents as f64 / 100.0,
                "marketType": "eCommerce", "product": "Card Not Present",
                "profile": {"customerProfileId": e.customer_profile_id,
                            "customerPaymentProfileId": e.payment_profile_id},
            })
        })
        .collect();
    if page.is_empty() {
        return json!({"messages": {"resultCode": "Ok", "message": [{"code": "I00004", "text": "No records found."}]}});
    }
    json!({"transactions": page, "totalNumInResultSet": matching.len(), "messages": ok()})
}

#[cfg(test)]
mod tests;
