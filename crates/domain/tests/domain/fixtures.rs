//! Shared values and mock wiring for the use case tests: one fixed instant,
//! one client with one card, a small catalogue, and builders for requests and
//! recorded orders.

use chrono::{DateTime, Duration, Utc};
use ordercore_domain::model::{
    AccessMethod, Address, AppointmentWindow, Billing, CardBrand, CardExpiry, Client, ClientId,
    ClientRef, Discount, Email, NewOrder, Order, OrderId, OrderLine, OrderStatus, Payment,
    PaymentId, PaymentKind, PaymentMethod, PaymentMethodId, PaymentStatus, PostalCode, Pricing,
    Promotion, PromotionId, PropertyAccess, PropertyInfo, Secret, Service, ServiceId, ServiceKind,
    StoredPaymentProfile, UsState, UserId,
};
use ordercore_domain::model::{Money, NewNotification};
use ordercore_domain::ports::{MockClock, MockNotificationRepository};
use ordercore_domain::rules::promotions::InvalidReason;
use ordercore_domain::usecases::{Notifier, OrderRequest};
use std::sync::Arc;

/// The instant every test runs at.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
        .unwrap()
        .to_utc()
}

/// A clock stopped at [`now`].
pub fn clock() -> Arc<MockClock> {
    clock_at(now())
}

pub fn clock_at(at: DateTime<Utc>) -> Arc<MockClock> {
    let mut c = MockClock::new();
    c.expect_now().return_const(at);
    Arc::new(c)
}

pub fn money(cents: i64) -> Money {
    Money::from_cents(cents).unwrap()
}

pub fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

pub const CLIENT: ClientId = ClientId(7);
pub const OTHER_CLIENT: ClientId = ClientId(8);
pub const ORDER: OrderId = OrderId(1042);
pub const METHOD: PaymentMethodId = PaymentMethodId(11);
pub const PHOTOS: ServiceId = ServiceId(1);
pub const FLOOR_PLAN: ServiceId = ServiceId(2);
pub const TOUR: ServiceId = ServiceId(3);
pub const PROMO: PromotionId = PromotionId(21);

/// A card-paying agent with a processor customer profile.
pub fn client() -> Client {
    Client {
        id: CLIENT,
        user_id: UserId(70),
        email: email("ann@example.com"),
        first_name: "Ann".into(),
        last_name: "Agent".into(),
        phone: None,
        company_name: None,
        designation: Some("agent".into()),
        billing: Billing::Card,
        customer_profile_id: Some("cust-7".into()),
    }
}

pub fn invoice_client() -> Client {
    Client {
        billing: Billing::Invoice,
        ..client()
    }
}

fn service(id: ServiceId, slug: &str, kind: ServiceKind, cents: i64) -> Service {
    Service {
        id,
        slug: slug.into(),
        name: slug.replace('_', " "),
        kind,
        price: money(cents),
        active: true,
    }
}

/// Primary, $150.00.
pub fn photos() -> Service {
    service(PHOTOS, "photos", ServiceKind::Primary, 15_000)
}

/// Add-on, $25.00.
pub fn floor_plan() -> Service {
    service(FLOOR_PLAN, "floor_plan", ServiceKind::AddOn, 2_500)
}

/// Add-on, $99.99.
pub fn tour() -> Service {
    service(TOUR, "tour", ServiceKind::AddOn, 9_999)
}

pub fn catalogue() -> Vec<Service> {
    vec![photos(), floor_plan(), tour()]
}

pub fn profile() -> StoredPaymentProfile {
    StoredPaymentProfile {
        customer_profile_id: "cust-7".into(),
        payment_profile_id: "pay-11".into(),
    }
}

/// The client's active Visa, valid through 12/2030.
pub fn method() -> PaymentMethod {
    PaymentMethod {
        id: METHOD,
        client_id: CLIENT,
        name: "visa ending in 1111".into(),
        brand: CardBrand::Visa,
        last4: "1111".into(),
        expiry: CardExpiry::new(12, 2030).unwrap(),
        is_default: true,
        active: true,
        profile: profile(),
        postal_code: Some("80202".into()),
    }
}

pub fn promotion(discount: Discount) -> Promotion {
    Promotion {
        id: PROMO,
        code: "SPRING".into(),
        discount,
        active: true,
        starts_at: Some(now() - Duration::days(1)),
        ends_at: Some(now() + Duration::days(1)),
        designation: None,
        max_redemptions: Some(100),
        redemptions: 3,
    }
}

/// What the repository may hold for a code, each with the reason it is
/// refused at [`now`]: none at all, then `base` inactive, not started,
/// ended, used up and for another designation.
pub fn invalid_promotions(base: Promotion) -> Vec<(Option<Promotion>, InvalidReason)> {
    let changed = |f: fn(&mut Promotion)| {
        let mut p = base.clone();
        f(&mut p);
        Some(p)
    };
    vec![
        (None, InvalidReason::Unknown),
        (changed(|p| p.active = false), InvalidReason::Inactive),
        (
            changed(|p| p.starts_at = Some(now() + Duration::seconds(1))),
            InvalidReason::NotStarted,
        ),
        (changed(|p| p.ends_at = Some(now())), InvalidReason::Ended),
        (
            changed(|p| {
                p.max_redemptions = Some(3);
                p.redemptions = 3;
            }),
            InvalidReason::Exhausted,
        ),
        (
            changed(|p| p.designation = Some("broker".into())),
            InvalidReason::OtherDesignation,
        ),
    ]
}

pub fn property_info() -> PropertyInfo {
    PropertyInfo {
        address: Address {
            street: "1 Main St".into(),
            street2: None,
            city: "Denver".into(),
            state: UsState::parse("CO").unwrap(),
            postal_code: PostalCode::parse("80202").unwrap(),
        },
        property_type: None,
        square_footage: Some(1200),
        bedrooms: None,
        bathrooms: None,
        price: None,
        external_property_id: None,
        notes: None,
    }
}

/// The access code every order carries; it must never reach an e-mail.
pub const ACCESS_CODE: &str = "8642";

pub fn property_access() -> PropertyAccess {
    PropertyAccess {
        vacant: true,
        method: AccessMethod::Keypad,
        access_code: Some(Secret::new(ACCESS_CODE.to_string())),
        lockbox_location: None,
        onsite_contact_name: None,
        onsite_contact_email: None,
        onsite_contact_phone: None,
    }
}

pub fn window() -> AppointmentWindow {
    AppointmentWindow::new(
        now() + Duration::days(2),
        now() + Duration::days(2) + Duration::hours(3),
        now(),
    )
    .unwrap()
}

/// Builds an [`OrderRequest`]: by default photos + one floor plan for the
/// client's own account, paid with [`method`], no promotion.
#[derive(Debug, Clone)]
pub struct RequestBuilder(OrderRequest);

pub fn request() -> RequestBuilder {
    RequestBuilder(OrderRequest {
        client_id: None,
        primary_service_id: PHOTOS,
        add_ons: vec![(FLOOR_PLAN, 1)],
        property_info: property_info(),
        property_access: property_access(),
        appointments: vec![window()],
        payment_method_id: Some(METHOD),
        promotion_code: None,
        idempotency: None,
    })
}

impl RequestBuilder {
    pub fn client(mut self, id: ClientId) -> Self {
        self.0.client_id = Some(id);
        self
    }
    pub fn primary(mut self, id: ServiceId) -> Self {
        self.0.primary_service_id = id;
        self
    }
    pub fn add_ons(mut self, add_ons: &[(ServiceId, u32)]) -> Self {
        self.0.add_ons = add_ons.to_vec();
        self
    }
    pub fn method(mut self, id: Option<PaymentMethodId>) -> Self {
        self.0.payment_method_id = id;
        self
    }
    pub fn promotion(mut self, code: &str) -> Self {
        self.0.promotion_code = Some(code.into());
        self
    }
    pub fn build(self) -> OrderRequest {
        self.0
    }
}

/// `new` as the repository would record it.
pub fn recorded(new: &NewOrder, status: OrderStatus) -> Order {
    Order {
        id: ORDER,
        status,
        client: new.client.clone(),
        primary_service: new.primary_service.clone(),
        add_on_services: new.add_on_services.clone(),
        property_info: new.property_info.clone(),
        property_access: new.property_access.clone(),
        appointments: new.appointments.clone(),
        promotion: new.promotion.clone(),
        pricing: new.pricing,
        payment_method_id: new.payment_method_id,
        payment: None,
        created_at: now(),
        updated_at: now(),
    }
}

/// A submitted order of `client_id` with an open authorization of $175.00.
pub fn stored_order(client_id: ClientId) -> Order {
    let line = |s: Service, quantity| OrderLine {
        service_id: s.id,
        slug: s.slug,
        name: s.name,
        quantity,
        unit_price: s.price,
    };
    Order {
        id: ORDER,
        status: OrderStatus::Submitted,
        client: ClientRef {
            id: client_id,
            name: "Ann Agent".into(),
            email: email("ann@example.com"),
        },
        primary_service: line(photos(), 1),
        add_on_services: vec![line(floor_plan(), 1)],
        property_info: property_info(),
        property_access: property_access(),
        appointments: vec![window()],
        promotion: None,
        pricing: Pricing {
            subtotal: money(17_500),
            discount: Money::ZERO,
            total: money(17_500),
        },
        payment_method_id: Some(METHOD),
        payment: Some(payment(PaymentStatus::Authorized)),
        created_at: now() - Duration::hours(1),
        updated_at: now() - Duration::hours(1),
    }
}

pub const PAYMENT: PaymentId = PaymentId(31);

pub fn payment(status: PaymentStatus) -> Payment {
    Payment {
        id: PAYMENT,
        order_id: ORDER,
        kind: PaymentKind::Authorization,
        status,
        amount: money(17_500),
        transaction_id: "tx-900".into(),
        auth_code: Some("AUTH1".into()),
        brand: CardBrand::Visa,
        last4: "1111".into(),
        payment_method_id: METHOD,
        created_at: now() - Duration::hours(1),
    }
}

pub fn stored_notification(
    n: &NewNotification,
    at: DateTime<Utc>,
) -> ordercore_domain::model::Notification {
    ordercore_domain::model::Notification {
        id: ordercore_domain::model::NotificationId(1),
        kind: n.kind,
        severity: n.severity,
        message: n.message.clone(),
        context: n.context.clone(),
        created_at: at,
        acknowledged_at: None,
        acknowledged_by: None,
        resolved_at: None,
        resolved_by: None,
    }
}

pub fn notifier(repo: MockNotificationRepository) -> Notifier {
    Notifier::new(Arc::new(repo), clock())
}

mod submit_mocks;
pub use submit_mocks::SubmitMocks;
