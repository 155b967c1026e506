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

mod adapters;
mod logs;
mod requests;

pub use adapters::*;
pub use logs::Captured;
pub use requests::*;

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
        let cipher =
            ordercore_crypto::DataCipher::new(ordercore_crypto::DataKey::generate(), vec![]);
        let store = Store::connect(&url, 4)
            .unwrap()
            .with_cipher(std::sync::Arc::new(cipher));
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
                hold_changes: Mutex::new(0),
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
            submission: s.clone(),
            methods: s.clone(),
            orders: s.clone(),
            outbox: s.clone(),
            notifications: self.notifications.clone(),
            events: s.clone(),
            webhooks: s.clone(),
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
        let token = self.tokens.new_token();
        self.session_with_token(email, application, &token, age)
            .await;
        token
    }

    /// A session for `email` in `application` whose token is `token`,
    /// created `age` ago.
    pub async fn session_with_token(
        &self,
        email: &str,
        application: ApplicationSlug,
        token: &str,
        age: Duration,
    ) {
        let account = self.account(email).await;
        let at = Utc::now() - age;
        let session = self
            .store
            .create(&NewSession {
                user_id: account.user.id,
                application,
                token_digest: self.tokens.digest(token),
                remember_me: false,
                created_at: at,
            })
            .await
            .unwrap();
        self.store.touch(session.id, at).await.unwrap();
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

    /// Adds the test card (`4111111111111111`, billing postal code
    /// `postal_code`) for the caller of `token`; returns a valid order
    /// paying with it.
    pub async fn order_with_new_card(
        &self,
        state: &web::Data<AppState>,
        token: &str,
        postal_code: &str,
    ) -> Value {
        let card = self
            .add_card(state, token, "4111111111111111", postal_code)
            .await;
        self.order_params(token, Some(card)).await
    }

    /// [`TestApp::order_with_new_card`], submitted through `route`
    /// (`orders/authorize_and_submit` or `orders/pay_and_submit`).
    pub async fn submit_with_new_card(
        &self,
        state: &web::Data<AppState>,
        token: &str,
        route: &str,
        postal_code: &str,
    ) -> Resp {
        let order = self.order_with_new_card(state, token, postal_code).await;
        send(state, post_json(route, &order)).await
    }
}
