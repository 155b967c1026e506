//! Shared test data: the demo seed plus builders for orders and payments.

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use ordercore_domain::Unexpected;
use ordercore_domain::model::{
    AccessMethod, AppliedPromotion, AppointmentWindow, CardBrand, Client, ClientRef, Email, Money,
    NewOrder, NewPayment, Order, OrderLine, PaymentKind, PaymentMethod, PaymentStatus, Pricing,
    Promotion, PropertyAccess, PropertyInfo, Secret, Service, ServiceKind,
};
use ordercore_domain::ports::{
    CatalogRepository, NewOutboxEmail, OrderRepository, PasswordHasher, PaymentMethodRepository,
    PromotionRepository, TokenGenerator, UserRepository,
};
use ordercore_store::{SeedFile, Store};

/// A fast stand-in for argon2id: salted like the real one, so re-hashing
/// changes the stored string (which the seed must avoid).
pub struct FakeHasher;

#[async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: &str) -> Result<String, Unexpected> {
        Ok(format!("fake${}${password}", uuid::Uuid::new_v4().simple()))
    }

    async fn verify(&self, password: &str, phc: &str) -> bool {
        phc.rsplit_once('$').is_some_and(|(_, p)| p == password)
    }
}

pub struct FakeTokens;

impl TokenGenerator for FakeTokens {
    fn new_token(&self) -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }

    fn digest(&self, token: &str) -> String {
        format!("digest-of-{token}")
    }
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

pub fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

/// The demo records, looked up after seeding.
pub struct Demo {
    pub client: Client,
    pub primary: Service,
    pub add_on: Service,
    pub promotion: Promotion,
    pub card: PaymentMethod,
}

pub async fn seed_demo(store: &Store) -> Demo {
    store
        .seed(&SeedFile::demo(), &FakeHasher, &FakeTokens)
        .await
        .unwrap();
    let account = store
        .find_account_by_email(&email("client@example.com"))
        .await
        .unwrap()
        .unwrap();
    let client = account.roles.client.unwrap();
    let services = store.active_services().await.unwrap();
    let primary = services
        .iter()
        .find(|s| s.kind == ServiceKind::Primary)
        .unwrap()
        .clone();
    let add_on = services
        .iter()
        .find(|s| s.slug == "floor_plan")
        .unwrap()
        .clone();
    let promotion = store.find_by_code("welcome10").await.unwrap().unwrap();
    let card = store.list_active(client.id).await.unwrap().remove(0);
    Demo {
        client,
        primary,
        add_on,
        promotion,
        card,
    }
}

pub fn line(s: &Service, quantity: u32) -> OrderLine {
    OrderLine {
        service_id: s.id,
        slug: s.slug.clone(),
        name: s.name.clone(),
        quantity,
        unit_price: s.price,
    }
}

pub fn new_order(demo: &Demo, with_promotion: bool) -> NewOrder {
    new_order_for(demo, &demo.client, with_promotion)
}

pub fn new_order_for(demo: &Demo, client: &Client, with_promotion: bool) -> NewOrder {
    let primary = line(&demo.primary, 1);
    let add_on = line(&demo.add_on, 2);
    let subtotal = primary
        .total()
        .unwrap()
        .checked_add(add_on.total().unwrap())
        .unwrap();
    let discount = if with_promotion {
        Money::from_cents(subtotal.cents() / 10).unwrap()
    } else {
        Money::ZERO
    };
    let property_info: PropertyInfo = serde_json::from_value(serde_json::json!({
        "address": {"street": "1 Main St", "street2": "Unit 2", "city": "Denver",
                    "state": "CO", "postal_code": "80202"},
        "property_type": "condo_townhouse", "square_footage": 1200, "bedrooms": 2,
        "notes": "Blue door"
    }))
    .unwrap();
    let property_access = PropertyAccess {
        vacant: true,
        method: AccessMethod::LockboxCode,
        access_code: Some(Secret::new("4321".into())),
        lockbox_location: Some("Back door".into()),
        onsite_contact_name: None,
        onsite_contact_email: Some(Email::parse("Agent@Example.com").unwrap()),
        onsite_contact_phone: None,
    };
    let start = t0() + Duration::days(2);
    NewOrder {
        client: ClientRef {
            id: client.id,
            name: client.display_name(),
            email: client.email.clone(),
        },
        primary_service: primary,
        add_on_services: vec![add_on],
        property_info,
        property_access,
        appointments: vec![
            AppointmentWindow::from_stored(start, start + Duration::hours(2)),
            AppointmentWindow::from_stored(
                start + Duration::days(1),
                start + Duration::days(1) + Duration::hours(3),
            ),
        ],
        promotion: with_promotion.then(|| AppliedPromotion {
            id: demo.promotion.id,
            code: demo.promotion.code.clone(),
            discount,
        }),
        pricing: Pricing {
            subtotal,
            discount,
            total: subtotal.saturating_sub(discount),
        },
        payment_method_id: Some(demo.card.id),
    }
}

pub fn outbox_email(demo: &Demo, at: DateTime<Utc>) -> NewOutboxEmail {
    NewOutboxEmail {
        recipient: demo.client.email.clone(),
        next_attempt_at: at,
    }
}

pub fn authorization(demo: &Demo, amount: Money, transaction_id: &str) -> NewPayment {
    NewPayment {
        kind: PaymentKind::Authorization,
        status: PaymentStatus::Authorized,
        amount,
        transaction_id: transaction_id.into(),
        auth_code: Some("ABC123".into()),
        brand: CardBrand::Visa,
        last4: demo.card.last4.clone(),
        payment_method_id: demo.card.id,
    }
}

/// `new_order(demo, with_promotion)` placed and paid at `at`: recorded
/// pending, then finalized with an authorization of its total under
/// `transaction_id` and its confirmation e-mail.
pub async fn paid_order(
    store: &Store,
    demo: &Demo,
    with_promotion: bool,
    transaction_id: &str,
    at: DateTime<Utc>,
) -> Order {
    let pending = store
        .create_pending(&new_order(demo, with_promotion), at)
        .await
        .unwrap();
    let (order, _) = store
        .finalize_payment(
            &pending,
            &authorization(demo, pending.pricing.total, transaction_id),
            &outbox_email(demo, at),
            at,
        )
        .await
        .unwrap()
        .unwrap();
    order
}

/// Registers another card-billing client; returns it.
pub async fn another_client(store: &Store, address: &str) -> Client {
    use ordercore_domain::model::{Billing, ClientProfile};
    use ordercore_domain::ports::NewClientRegistration;
    let (_, client) = store
        .register_client(
            &NewClientRegistration {
                email: email(address),
                password_hash: "fake$x$pw".into(),
                profile: ClientProfile {
                    first_name: "Other".into(),
                    last_name: "Client".into(),
                    phone: None,
                    company_name: None,
                    designation: None,
                    billing: Billing::Card,
                },
            },
            t0(),
        )
        .await
        .unwrap();
    client
}
