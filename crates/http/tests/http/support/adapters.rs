//! Test stand-ins for the ports: the system clock, a fast password hasher, and the
//! simulated processor and log mailer with failures a test can script.

use super::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{Order, Session, SessionId};
use std::sync::atomic::{AtomicU32, Ordering};

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A fast stand-in for argon2 (debug builds hash slowly).
pub struct PlainHasher;

#[async_trait]
impl PasswordHasher for PlainHasher {
    async fn hash(&self, password: &str) -> Result<String, Unexpected> {
        Ok(format!("plain${password}"))
    }
    async fn verify(&self, password: &str, phc: &str) -> bool {
        phc.strip_prefix("plain$") == Some(password)
    }
}

/// The simulated processor, with a failure that the next transaction or
/// card call answers instead.
pub struct ScriptedGateway {
    pub(super) inner: SimulatedGateway,
    pub next_error: Mutex<Option<PaymentError>>,
    /// How many authorizations and charges the processor was asked for.
    pub transactions: Mutex<u32>,
    /// How many captures and voids (calls that change a hold) it was asked for.
    pub hold_changes: Mutex<u32>,
}

impl ScriptedGateway {
    pub fn fail_next(&self, e: PaymentError) {
        *self.next_error.lock().unwrap() = Some(e);
    }
    fn scripted(&self) -> Option<PaymentError> {
        self.next_error.lock().unwrap().take()
    }
}

#[async_trait]
impl PaymentGateway for ScriptedGateway {
    async fn create_customer_profile(
        &self,
        r: &CustomerProfileRequest,
    ) -> Result<String, PaymentError> {
        self.inner.create_customer_profile(r).await
    }
    async fn create_payment_profile(
        &self,
        c: &str,
        card: &CardDetails,
    ) -> Result<String, PaymentError> {
        match self.scripted() {
            Some(e) => Err(e),
            None => self.inner.create_payment_profile(c, card).await,
        }
    }
    async fn delete_payment_profile(&self, p: &StoredPaymentProfile) -> Result<(), PaymentError> {
        self.inner.delete_payment_profile(p).await
    }
    async fn authorize(&self, r: &TransactionRequest) -> Result<Approval, PaymentError> {
        *self.transactions.lock().unwrap() += 1;
        match self.scripted() {
            Some(e) => Err(e),
            None => self.inner.authorize(r).await,
        }
    }
    async fn charge(&self, r: &TransactionRequest) -> Result<Approval, PaymentError> {
        *self.transactions.lock().unwrap() += 1;
        match self.scripted() {
            Some(e) => Err(e),
            None => self.inner.charge(r).await,
        }
    }
    async fn capture(&self, r: &CaptureRequest) -> Result<Approval, PaymentError> {
        *self.hold_changes.lock().unwrap() += 1;
        self.inner.capture(r).await
    }
    async fn void(&self, o: OrderId, t: &str) -> Result<(), PaymentError> {
        *self.hold_changes.lock().unwrap() += 1;
        self.inner.void(o, t).await
    }
    async fn find_unsettled_transaction(&self, o: OrderId) -> Result<Option<String>, PaymentError> {
        self.inner.find_unsettled_transaction(o).await
    }
    async fn find_order_transactions(
        &self,
        o: OrderId,
        p: &StoredPaymentProfile,
    ) -> Result<Vec<OrderTransaction>, PaymentError> {
        self.inner.find_order_transactions(o, p).await
    }
}

/// The log mailer, or a Mandrill-like failure when switched.
#[derive(Default)]
pub struct ScriptedMailer {
    pub fail: Mutex<bool>,
    pub sent: Mutex<u32>,
}

#[async_trait]
impl Mailer for ScriptedMailer {
    async fn send_order_confirmation(&self, c: &OrderConfirmation) -> Result<(), MailError> {
        if *self.fail.lock().unwrap() {
            return Err(MailError::Api {
                name: "Invalid_Key".into(),
                retryable: false,
            });
        }
        *self.sent.lock().unwrap() += 1;
        LogMailer::new().send_order_confirmation(c).await
    }
}

/// The real session store, counting its token look-ups.
pub struct CountingSessions {
    inner: Arc<dyn SessionStore>,
    /// Look-ups of the session alone.
    pub lookups: AtomicU32,
    /// Look-ups of the session with an order.
    pub with_order: AtomicU32,
}

impl CountingSessions {
    pub fn new(inner: Arc<dyn SessionStore>) -> CountingSessions {
        CountingSessions {
            inner,
            lookups: AtomicU32::new(0),
            with_order: AtomicU32::new(0),
        }
    }
}

#[async_trait]
impl SessionStore for CountingSessions {
    async fn create(&self, s: &NewSession) -> Result<Session, StoreError> {
        self.inner.create(s).await
    }
    async fn find_by_token_digest(&self, digest: &str) -> Result<Option<Session>, StoreError> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        self.inner.find_by_token_digest(digest).await
    }
    async fn find_with_user(&self, digest: &str) -> Result<Option<SessionWithUser>, StoreError> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        self.inner.find_with_user(digest).await
    }
    async fn find_with_user_and_order(
        &self,
        digest: &str,
        order: OrderId,
    ) -> Result<(Option<SessionWithUser>, Option<Order>), StoreError> {
        self.with_order.fetch_add(1, Ordering::SeqCst);
        self.inner.find_with_user_and_order(digest, order).await
    }
    async fn touch(&self, id: SessionId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.inner.touch(id, at).await
    }
    async fn revoke(&self, id: SessionId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.inner.revoke(id, at).await
    }
}
