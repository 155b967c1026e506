//! The test harness: a seeded SQLite store and the app built on it.

use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::web::{self, Bytes};
use async_trait::async_trait;
use base64::Engine;
use chrono::{DateTime, Datelike, Duration, Utc};
use ordercore_authorizenet::SimulatedGateway;
use ordercore_crypto::RandomTokens;
use ordercore_domain::Unexpected;
use ordercore_domain::model::{
    ApplicationSlug, Billing, CardDetails, ClientId, Email, OrderId, ServiceKind,
    StoredPaymentProfile, UserAccount,
};
use ordercore_domain::ports::*;
use ordercore_http::{
    AlwaysReady, AppState, DomainPorts, HttpConfig, HttpPorts, Metrics, UseCases, routes,
};
use ordercore_mandrill::LogMailer;
use ordercore_store::Store;
use ordercore_store::seed::{SeedClient, SeedFile, SeedPromotion, SeedPromotionKind, SeedUser};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

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
    inner: SimulatedGateway,
    pub next_error: Mutex<Option<PaymentError>>,
    /// How many authorizations and charges the processor was asked for.
    pub transactions: Mutex<u32>,
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
        self.inner.capture(r).await
    }
    async fn void(&self, o: OrderId, t: &str) -> Result<(), PaymentError> {
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

pub const PASSWORD: &str = "demo-password";

/// A seeded store, the scripted adapters, and the ports a test may swap.
pub struct TestApp {
    pub _dir: tempfile::TempDir,
    pub store: Store,
    pub gateway: Arc<ScriptedGateway>,
    pub mailer: Arc<ScriptedMailer>,
    pub tokens: Arc<RandomTokens>,
    pub clock: Arc<dyn Clock>,
    pub registry: Arc<dyn RouteRegistry>,
    pub sessions: Arc<dyn SessionStore>,
    pub catalog: Arc<dyn CatalogRepository>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// The notifications port of the use cases (the store unless a test
    /// replaces it, e.g. with one that cannot record).
    pub notifications: Arc<dyn NotificationRepository>,
    pub config: HttpConfig,
}

fn user(email: &str, password: Option<&str>, client: Option<Billing>) -> SeedUser {
    SeedUser {
        email: Email::parse(email).unwrap(),
        password: password.map(str::to_string),
        client: client.map(|billing| SeedClient {
            designation: None,
            billing,
            company_name: None,
            first_name: Some("Test".into()),
            last_name: Some("User".into()),
            phone: None,
        }),
        employee: false,
        liaison: None,
    }
}

impl TestApp {
    /// The demo data plus: `invoice@example.com` (client billed by invoice),
    /// `norole@example.com` (no role record), `nopass@example.com` (client
    /// without password), promotion `ENDED` (ended).
    pub async fn new() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url, 4).unwrap();
        store.migrate().await.unwrap();
        let mut seed = SeedFile::demo();
        seed.users.push(user(
            "invoice@example.com",
            Some(PASSWORD),
            Some(Billing::Invoice),
        ));
        seed.users
            .push(user("norole@example.com", Some(PASSWORD), None));
        seed.users
            .push(user("nopass@example.com", None, Some(Billing::Card)));
        seed.promotions.push(SeedPromotion {
            code: "ENDED".into(),
            kind: SeedPromotionKind::Amount,
            value: 500,
            active: true,
            starts_at: None,
            ends_at: Some(Utc::now() - Duration::days(1)),
            designation: None,
            max_redemptions: None,
        });
        let tokens = Arc::new(RandomTokens);
        store.seed(&seed, &PlainHasher, &*tokens).await.unwrap();
        store.register(&routes::registry_pairs()).await.unwrap();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let s = Arc::new(store.clone());
        TestApp {
            _dir: dir,
            gateway: Arc::new(ScriptedGateway {
                inner: SimulatedGateway::new(clock.clone()),
                next_error: Mutex::new(None),
                transactions: Mutex::new(0),
            }),
            mailer: Arc::new(ScriptedMailer::default()),
            tokens,
            clock,
            registry: s.clone(),
            sessions: s.clone(),
            catalog: s.clone(),
            notifications: s.clone(),
            idempotency: s,
            config: HttpConfig::default(),
            store,
        }
    }

    /// The app state over the current ports.
    pub fn state(&self) -> web::Data<AppState> {
        let s = Arc::new(self.store.clone());
        let gateway: Arc<dyn PaymentGateway> = self.gateway.clone();
        let mailer: Arc<dyn Mailer> = self.mailer.clone();
        let tokens: Arc<dyn TokenGenerator> = self.tokens.clone();
        let hasher: Arc<dyn PasswordHasher> = Arc::new(PlainHasher);
        let clock = self.clock.clone();
        let usecases = UseCases::new(&DomainPorts {
            users: s.clone(),
            clients: s.clone(),
            applications: s.clone(),
            sessions: self.sessions.clone(),
            catalog: self.catalog.clone(),
            promotions: s.clone(),
            methods: s.clone(),
            orders: s.clone(),
            outbox: s.clone(),
            notifications: self.notifications.clone(),
            gateway,
            mailer,
            hasher,
            tokens: tokens.clone(),
            clock: clock.clone(),
        });
        let ports = HttpPorts {
            registry: self.registry.clone(),
            idempotency: self.idempotency.clone(),
            tokens,
            clock,
            readiness: Arc::new(AlwaysReady),
        };
        web::Data::new(AppState::new(
            usecases,
            ports,
            self.config.clone(),
            Metrics::new(),
        ))
    }

    /// A session token for `email` in `application`, created `age` ago.
    pub async fn session_aged(
        &self,
        email: &str,
        application: ApplicationSlug,
        age: Duration,
    ) -> String {
        let account = self.account(email).await;
        let token = self.tokens.new_token();
        let at = Utc::now() - age;
        let session = self
            .store
            .create(&NewSession {
                user_id: account.user.id,
                application,
                token_digest: self.tokens.digest(&token),
                remember_me: false,
                created_at: at,
            })
            .await
            .unwrap();
        self.store.touch(session.id, at).await.unwrap();
        token
    }

    pub async fn session(&self, email: &str, application: ApplicationSlug) -> String {
        self.session_aged(email, application, Duration::zero())
            .await
    }

    pub async fn client_token(&self) -> String {
        self.session("client@example.com", ApplicationSlug::Planoorder)
            .await
    }

    pub async fn staff_token(&self) -> String {
        self.session("staff@example.com", ApplicationSlug::Planox2)
            .await
    }

    pub async fn client_id(&self, email: &str) -> ClientId {
        self.account(email).await.roles.client.unwrap().id
    }

    /// The seeded account of `email` (it must exist).
    async fn account(&self, email: &str) -> UserAccount {
        self.store
            .find_account_by_email(&Email::parse(email).unwrap())
            .await
            .unwrap()
            .unwrap()
    }

    /// `(primary id, first add-on id)` of the catalogue.
    pub async fn service_ids(&self) -> (i64, i64) {
        let services = self.store.active_services().await.unwrap();
        let primary = services
            .iter()
            .find(|s| s.kind == ServiceKind::Primary)
            .unwrap();
        let add_on = services
            .iter()
            .find(|s| s.kind == ServiceKind::AddOn)
            .unwrap();
        (primary.id.0, add_on.id.0)
    }

    /// Adds a card through the API; returns its id.
    pub async fn add_card(
        &self,
        state: &web::Data<AppState>,
        token: &str,
        number: &str,
        postal_code: &str,
    ) -> i64 {
        let r = send(
            state,
            post_b64(
                "payment_methods/create",
                &json!({
                    "token": token,
                    "payment_method": card_params(number, postal_code),
                }),
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["data"]["id"].as_i64().unwrap()
    }

    /// A valid order for the submitting routes.
    pub async fn order_params(&self, token: &str, payment_method_id: Option<i64>) -> Value {
        let (primary, add_on) = self.service_ids().await;
        let starts = Utc::now() + Duration::days(2);
        let mut p = json!({
            "token": token,
            "view": "full",
            "order": {
                "primary_service": {"id": primary},
                "add_on_services": [{"id": add_on, "quantity": 1}],
                "property_info": {"address": {"street": "1 Main St", "city": "Denver", "state": "CO", "postal_code": "80202"}},
                "property_access": {"vacant": true, "method_of_access": "lockbox_code", "access_code": "4321", "lockbox_location": "front door"},
                "appointments": [{"starts_at": starts.to_rfc3339(), "ends_at": (starts + Duration::hours(2)).to_rfc3339()}],
            }
        });
        if let Some(id) = payment_method_id {
            p["payment_method_id"] = json!(id);
        }
        p
    }
}

pub fn card_params(number: &str, postal_code: &str) -> Value {
    json!({
        "name_on_card": "Dana Client",
        "card_number": number,
        "cvc": "123",
        "exp_month": 12,
        "exp_year": Utc::now().year() + 4,
        "street": "1 Main St",
        "city": "Denver",
        "province_iso": "us_co",
        "postal_code": postal_code,
    })
}

/// An answer, with its body parsed.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub raw: Bytes,
    pub body: Value,
}

impl Resp {
    /// Asserts status slug, HTTP code, content type and which envelope keys
    /// are present.
    pub fn expect(&self, slug: &str, code: u16, keys: &[&str]) {
        assert_eq!(self.body["status"], slug, "{}", self.body);
        assert_eq!(self.status, code, "{}", self.body);
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        let mut present: Vec<&str> = self
            .body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        present.sort();
        let mut want: Vec<&str> = ["status", "message"].iter().chain(keys).copied().collect();
        want.sort();
        assert_eq!(present, want, "{}", self.body);
    }

    pub fn error_params(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["param"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub fn post_json(route: &str, body: &Value) -> TestRequest {
    TestRequest::post()
        .uri(&format!("/api/v1/{route}"))
        .insert_header(("content-type", "application/json"))
        .set_payload(body.to_string())
}

pub fn post_b64(route: &str, body: &Value) -> TestRequest {
    TestRequest::post()
        .uri(&format!("/api/v1/{route}"))
        .insert_header(("content-type", "text/plain"))
        .set_payload(base64::engine::general_purpose::STANDARD.encode(body.to_string()))
}

pub async fn send(state: &web::Data<AppState>, req: TestRequest) -> Resp {
    let app = test::init_service(ordercore_http::app(state.clone())).await;
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    let headers = res.headers().clone();
    let raw = test::read_body(res).await;
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    let _: StatusCode = status;
    Resp {
        status: status.as_u16(),
        headers,
        raw,
        body,
    }
}
