//! The demo data of `ordercore seed --demo`.

use super::*;

/// The demo's applications, one per [`ApplicationSlug`]: slug, display name
/// and the role its application token acts in.
const DEMO_APPLICATIONS: [(ApplicationSlug, &str, Role); 3] = [
    (ApplicationSlug::Planoauth, "Plano Auth", Role::Client),
    (ApplicationSlug::Planoorder, "Plano Order", Role::Client),
    (ApplicationSlug::Planox2, "Plano X2", Role::Employee),
];

/// The demo's fixed, published token of an application:
/// `demo-<slug>-application-token`.
pub fn demo_application_token(slug: ApplicationSlug) -> String {
    format!("demo-{}-application-token", slug.as_str())
}

impl SeedFile {
    /// The demo data of `ordercore seed --demo`: the three applications with
    /// fixed tokens, a card-billing client `client@example.com` with a stored
    /// card, an employee `staff@example.com`, a liaison `liaison@example.com`
    /// working for the client (all with password `demo-password`), the
    /// catalogue, and the promotion `WELCOME10` (10 %). The card expires in
    /// December four years after the current year, so the demo never turns
    /// into `card-expired`.
    pub fn demo() -> SeedFile {
        let exp_year = chrono::Datelike::year(&Utc::now()) + 4;
        let email = |s: &str| Email::parse(s).unwrap_or_else(|_| unreachable!("demo e-mail {s}"));
        let service = |slug: &str, name: &str, kind, price_cents| SeedService {
            slug: slug.into(),
            name: name.into(),
            kind,
            price_cents,
            active: true,
        };
        SeedFile {
            applications: DEMO_APPLICATIONS
                .iter()
                .map(|&(slug, name, role)| SeedApplication {
                    slug,
                    name: name.into(),
                    role,
                    token: demo_application_token(slug),
                })
                .collect(),
            users: vec![
                SeedUser {
                    email: email("client@example.com"),
                    password: Some(DEMO_PASSWORD.into()),
                    client: Some(SeedClient {
                        designation: Some("agent".into()),
                        billing: Billing::Card,
                        company_name: Some("Demo Realty".into()),
                        first_name: Some("Dana".into()),
                        last_name: Some("Client".into()),
                        phone: None,
                    }),
                    employee: false,
                    liaison: None,
                },
                SeedUser {
                    email: email("staff@example.com"),
                    password: Some(DEMO_PASSWORD.into()),
                    client: None,
                    employee: true,
                    liaison: None,
                },
                SeedUser {
                    email: email("liaison@example.com"),
                    password: Some(DEMO_PASSWORD.into()),
                    client: None,
                    employee: false,
                    liaison: Some(SeedLiaison {
                        clients: vec![email("client@example.com")],
                    }),
                },
            ],
            services: vec![
                service("photos", "Photos", ServiceKind::Primary, 15000),
                service("floor_plan", "Floor plan", ServiceKind::AddOn, 5000),
                service("3d_tour", "3D tour", ServiceKind::AddOn, 12000),
                service("drone", "Drone photos", ServiceKind::AddOn, 9000),
            ],
            promotions: vec![SeedPromotion {
                code: "WELCOME10".into(),
                kind: SeedPromotionKind::Percent,
                value: 1000,
                active: true,
                starts_at: None,
                ends_at: None,
                designation: None,
                max_redemptions: None,
            }],
            payment_methods: vec![SeedPaymentMethod {
                client_email: email("client@example.com"),
                // Ids in the simulated processor's self-describing format
                // (docs/payments.md), so the demo card works after a restart.
                customer_profile_id: "sim-cust-1".into(),
                payment_profile_id: format!("sim-pp-80202-{exp_year}12-1111-1"),
                brand: "visa".into(),
                last4: "1111".into(),
                exp_month: 12,
                exp_year,
                name: None,
                postal_code: Some("80202".into()),
            }],
        }
    }
}
