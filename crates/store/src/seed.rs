//! Seeding (contract §11): `ordercore seed --demo` and `ordercore seed --file F.json`.
//!
//! The file format is [`SeedFile`], documented in docs/seed-file.md. Seeding
//! upserts by natural keys (application slug, user e-mail, service slug,
//! promotion code, client + payment profile id) in one transaction, so running
//! it twice changes nothing.

use crate::Store;
use crate::db::{DbConnection, DbResult, micros, write_tx};
use crate::repos::{ensure_user, insert_payment_method};
use crate::schema::{
    applications, clients, employees, liaison_clients, liaisons, payment_methods, promotions,
    services, users,
};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    ApplicationSlug, Billing, CardBrand, CardExpiry, ClientId, Email, Promotion, Role, ServiceKind,
    StoredPaymentProfile,
};
use ordercore_domain::ports::{NewPaymentMethod, PasswordHasher, TokenGenerator};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;

/// The seed file: every list is optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    #[serde(default)]
    pub applications: Vec<SeedApplication>,
    #[serde(default)]
    pub users: Vec<SeedUser>,
    #[serde(default)]
    pub services: Vec<SeedService>,
    #[serde(default)]
    pub promotions: Vec<SeedPromotion>,
    #[serde(default)]
    pub payment_methods: Vec<SeedPaymentMethod>,
}

/// An application record and its server-to-server token (stored as SHA-256).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedApplication {
    pub slug: ApplicationSlug,
    pub name: String,
    /// The role the application token acts in.
    pub role: Role,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    pub email: Email,
    /// Hashed with argon2id; an existing hash that already matches is kept.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub client: Option<SeedClient>,
    /// `true` (or an object, e.g. `{}`) gives the user an employee record.
    #[serde(default, deserialize_with = "flag")]
    pub employee: bool,
    #[serde(default)]
    pub liaison: Option<SeedLiaison>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedClient {
    /// Market segment promotions may target; `null` for none.
    #[serde(default)]
    pub designation: Option<String>,
    pub billing: Billing,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedLiaison {
    /// E-mails of users with a client record (in this file or already stored).
    #[serde(default)]
    pub clients: Vec<Email>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedService {
    pub slug: String,
    pub name: String,
    pub kind: ServiceKind,
    pub price_cents: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedPromotionKind {
    /// `value` in basis points: 1000 = 10 %.
    Percent,
    /// `value` in cents.
    Amount,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPromotion {
    /// Stored upper-cased.
    pub code: String,
    pub kind: SeedPromotionKind,
    pub value: i64,
    pub active: bool,
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub designation: Option<String>,
    #[serde(default)]
    pub max_redemptions: Option<u32>,
}

/// A card already stored at the processor: profile ids and display data only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPaymentMethod {
    pub client_email: Email,
    pub customer_profile_id: String,
    pub payment_profile_id: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
    /// Display name; default "<Brand> ending in <last4>".
    #[serde(default)]
    pub name: Option<String>,
    /// Billing postal code (the simulated processor declines 46282).
    #[serde(default)]
    pub postal_code: Option<String>,
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    use serde::de::Error;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) | Some(serde_json::Value::Bool(false)) => Ok(false),
        Some(serde_json::Value::Bool(true)) | Some(serde_json::Value::Object(_)) => Ok(true),
        Some(_) => Err(D::Error::custom("must be true, false or an object")),
    }
}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The file is readable but says something impossible (names the record).
    #[error("invalid seed data: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// What a seed run saw; `inserted` is 0 on a second run of the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeedSummary {
    pub applications: usize,
    pub users: usize,
    pub services: usize,
    pub promotions: usize,
    pub payment_methods: usize,
    /// Rows created by this run.
    pub inserted: usize,
}

/// The demo password of every demo user.
pub const DEMO_PASSWORD: &str = "demo-password";

impl SeedFile {
    /// Parses a seed file (JSON).
    pub fn from_json(text: &str) -> Result<SeedFile, SeedError> {
        serde_json::from_str(text).map_err(|e| SeedError::Invalid(e.to_string()))
    }

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
        let app = |slug, name: &str, role, token: &str| SeedApplication {
            slug,
            name: name.into(),
            role,
            token: token.into(),
        };
        let service = |slug: &str, name: &str, kind, price_cents| SeedService {
            slug: slug.into(),
            name: name.into(),
            kind,
            price_cents,
            active: true,
        };
        SeedFile {
            applications: vec![
                app(
                    ApplicationSlug::Planoauth,
                    "Plano Auth",
                    Role::Client,
                    "demo-planoauth-application-token",
                ),
                app(
                    ApplicationSlug::Planoorder,
                    "Plano Order",
                    Role::Client,
                    "demo-planoorder-application-token",
                ),
                app(
                    ApplicationSlug::Planox2,
                    "Plano X2",
                    Role::Employee,
                    "demo-planox2-application-token",
                ),
            ],
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

    fn validate(&self) -> Result<(), SeedError> {
        let bad = |m: String| Err(SeedError::Invalid(m));
        for s in &self.services {
            if s.slug.trim().is_empty() || s.price_cents < 0 {
                return bad(format!(
                    "service {:?}: slug required, price_cents >= 0",
                    s.slug
                ));
            }
        }
        for p in &self.promotions {
            let code = Promotion::normalize_code(&p.code);
            if code.is_empty() || p.value < 0 {
                return bad(format!("promotion {:?}: code required, value >= 0", p.code));
            }
            if p.kind == SeedPromotionKind::Percent && p.value > 10_000 {
                return bad(format!(
                    "promotion {code}: percent value is in basis points (<= 10000)"
                ));
            }
        }
        for m in &self.payment_methods {
            if m.last4.len() != 4 || !m.last4.bytes().all(|b| b.is_ascii_digit()) {
                return bad(format!(
                    "payment method of {}: last4 must be 4 digits",
                    m.client_email
                ));
            }
            if let Err(e) = CardExpiry::new(i64::from(m.exp_month), i64::from(m.exp_year)) {
                return bad(format!("payment method of {}: expiry {e}", m.client_email));
            }
        }
        Ok(())
    }
}

impl Store {
    /// Loads `file`, idempotently (see the module doc). Passwords are hashed
    /// with `hasher`, application tokens digested with `tokens`.
    pub async fn seed(
        &self,
        file: &SeedFile,
        hasher: &dyn PasswordHasher,
        tokens: &dyn TokenGenerator,
    ) -> Result<SeedSummary, SeedError> {
        file.validate()?;
        // Password hashes are salted: keep a stored hash that already matches,
        // so a second run does not rewrite it.
        let mut new_hashes: HashMap<String, String> = HashMap::new();
        for user in &file.users {
            let Some(password) = &user.password else {
                continue;
            };
            let email = user.email.as_str().to_string();
            let lookup = email.clone();
            let stored: Option<String> = self
                .run(move |c| {
                    Ok(users::table
                        .filter(users::email.eq(lookup))
                        .select(users::password_hash)
                        .first::<Option<String>>(c)
                        .optional()?
                        .flatten())
                })
                .await?;
            let matches = match &stored {
                Some(phc) => hasher.verify(password, phc).await,
                None => false,
            };
            if !matches {
                let hash = hasher
                    .hash(password)
                    .await
                    .map_err(|e| SeedError::Hash(e.to_string()))?;
                new_hashes.insert(email, hash);
            }
        }
        let digests: Vec<String> = file
            .applications
            .iter()
            .map(|a| tokens.digest(&a.token))
            .collect();
        let file = file.clone();
        let now = Utc::now();
        let result = self
            .run(move |c| write_tx(c, |c| apply(c, &file, &digests, &new_hashes, now)))
            .await;
        match result {
            Ok(summary) => Ok(summary),
            Err(StoreError::Backend(cause)) if cause.is::<InvalidSeed>() => {
                Err(SeedError::Invalid(cause.to_string()))
            }
            Err(e) => Err(SeedError::Store(e)),
        }
    }
}

/// A seed file that contradicts itself or the database; raised inside the
/// transaction (so it rolls back) and turned into [`SeedError::Invalid`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct InvalidSeed(String);

fn invalid(m: String) -> crate::db::Fail {
    crate::db::Fail(StoreError::backend(InvalidSeed(m)))
}

fn apply(
    c: &mut DbConnection,
    file: &SeedFile,
    digests: &[String],
    new_hashes: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> DbResult<SeedSummary> {
    let now_us = micros(now);
    let mut inserted = 0;

    for (a, digest) in file.applications.iter().zip(digests) {
        let values = (
            applications::name.eq(&a.name),
            applications::token_role.eq(a.token_role_str()),
            applications::token_digest.eq(digest),
        );
        let n = diesel::update(applications::table.filter(applications::slug.eq(a.slug.as_str())))
            .set(values)
            .execute(c)?;
        if n == 0 {
            diesel::insert_into(applications::table)
                .values((applications::slug.eq(a.slug.as_str()), values))
                .execute(c)?;
            inserted += 1;
        }
    }

    let mut user_ids: HashMap<String, i64> = HashMap::new();
    for u in &file.users {
        let existed = users::table
            .filter(users::email.eq(u.email.as_str()))
            .count()
            .get_result::<i64>(c)?
            > 0;
        let new_hash = new_hashes.get(u.email.as_str()).map(String::as_str);
        let id = ensure_user(c, &u.email, new_hash, now)?;
        if !existed {
            inserted += 1;
        } else if let Some(hash) = new_hash {
            diesel::update(users::table.filter(users::id.eq(id)))
                .set(users::password_hash.eq(hash))
                .execute(c)?;
        }
        user_ids.insert(u.email.as_str().to_string(), id);

        if let Some(cl) = &u.client {
            let first_name = cl.first_name.clone().unwrap_or_default();
            let last_name = cl.last_name.clone().unwrap_or_default();
            let values = (
                clients::first_name.eq(&first_name),
                clients::last_name.eq(&last_name),
                clients::phone.eq(&cl.phone),
                clients::company_name.eq(&cl.company_name),
                clients::designation.eq(&cl.designation),
                clients::billing.eq(cl.billing.as_str()),
            );
            let n = diesel::update(clients::table.filter(clients::user_id.eq(id)))
                .set(values)
                .execute(c)?;
            if n == 0 {
                diesel::insert_into(clients::table)
                    .values((
                        clients::user_id.eq(id),
                        values,
                        clients::created_at.eq(now_us),
                    ))
                    .execute(c)?;
                inserted += 1;
            }
        }
        if u.employee {
            inserted += insert_role(c, RoleTable::Employee, id, now_us)?;
        }
        if u.liaison.is_some() {
            inserted += insert_role(c, RoleTable::Liaison, id, now_us)?;
        }
    }
    // Liaison links once every user of the file exists.
    for u in &file.users {
        let Some(l) = &u.liaison else { continue };
        let user_id = user_ids[u.email.as_str()];
        let liaison_id = liaisons::table
            .filter(liaisons::user_id.eq(user_id))
            .select(liaisons::id)
            .first::<i64>(c)?;
        for client_email in &l.clients {
            let client_id = client_id_by_email(c, client_email)?;
            let linked = liaison_clients::table
                .filter(liaison_clients::liaison_id.eq(liaison_id))
                .filter(liaison_clients::client_id.eq(client_id.0))
                .count()
                .get_result::<i64>(c)?
                > 0;
            if !linked {
                diesel::insert_into(liaison_clients::table)
                    .values((
                        liaison_clients::liaison_id.eq(liaison_id),
                        liaison_clients::client_id.eq(client_id.0),
                    ))
                    .execute(c)?;
                inserted += 1;
            }
        }
    }

    for s in &file.services {
        let values = (
            services::name.eq(&s.name),
            services::kind.eq(s.kind.as_str()),
            services::price_cents.eq(s.price_cents),
            services::active.eq(s.active),
        );
        let n = diesel::update(services::table.filter(services::slug.eq(&s.slug)))
            .set(values)
            .execute(c)?;
        if n == 0 {
            diesel::insert_into(services::table)
                .values((services::slug.eq(&s.slug), values))
                .execute(c)?;
            inserted += 1;
        }
    }

    for p in &file.promotions {
        let code = Promotion::normalize_code(&p.code);
        let kind = match p.kind {
            SeedPromotionKind::Percent => "percent",
            SeedPromotionKind::Amount => "amount",
        };
        let values = (
            promotions::kind.eq(kind),
            promotions::value.eq(p.value),
            promotions::active.eq(p.active),
            promotions::starts_at.eq(p.starts_at.map(micros)),
            promotions::ends_at.eq(p.ends_at.map(micros)),
            promotions::designation.eq(&p.designation),
            promotions::max_redemptions.eq(p.max_redemptions.map(i64::from)),
        );
        let n = diesel::update(promotions::table.filter(promotions::code.eq(&code)))
            .set(values)
            .execute(c)?;
        if n == 0 {
            diesel::insert_into(promotions::table)
                .values((
                    promotions::code.eq(&code),
                    values,
                    promotions::created_at.eq(now_us),
                ))
                .execute(c)?;
            inserted += 1;
        }
    }

    for m in &file.payment_methods {
        let client_id = client_id_by_email(c, &m.client_email)?;
        let brand = CardBrand::parse(&m.brand.to_lowercase());
        let name = m
            .name
            .clone()
            .unwrap_or_else(|| format!("{} ending in {}", brand_label(brand), m.last4));
        let month = i32::try_from(m.exp_month).map_err(|_| invalid("bad exp_month".into()))?;
        let n = diesel::update(
            payment_methods::table
                .filter(payment_methods::client_id.eq(client_id.0))
                .filter(payment_methods::payment_profile_id.eq(&m.payment_profile_id)),
        )
        .set((
            payment_methods::name.eq(&name),
            payment_methods::brand.eq(brand.as_str()),
            payment_methods::last4.eq(&m.last4),
            payment_methods::exp_month.eq(month),
            payment_methods::exp_year.eq(m.exp_year),
            payment_methods::customer_profile_id.eq(&m.customer_profile_id),
            payment_methods::postal_code.eq(&m.postal_code),
            payment_methods::active.eq(true),
        ))
        .execute(c)?;
        if n == 0 {
            let expiry = CardExpiry::new(i64::from(m.exp_month), i64::from(m.exp_year))
                .map_err(|e| invalid(e.to_string()))?;
            insert_payment_method(
                c,
                &NewPaymentMethod {
                    client_id,
                    name,
                    brand,
                    last4: m.last4.clone(),
                    expiry,
                    is_default: false,
                    profile: StoredPaymentProfile {
                        customer_profile_id: m.customer_profile_id.clone(),
                        payment_profile_id: m.payment_profile_id.clone(),
                    },
                    postal_code: m.postal_code.clone(),
                },
                now_us,
            )?;
            inserted += 1;
        }
        diesel::update(
            clients::table
                .filter(clients::id.eq(client_id.0))
                .filter(clients::customer_profile_id.is_null()),
        )
        .set(clients::customer_profile_id.eq(&m.customer_profile_id))
        .execute(c)?;
    }

    Ok(SeedSummary {
        applications: file.applications.len(),
        users: file.users.len(),
        services: file.services.len(),
        promotions: file.promotions.len(),
        payment_methods: file.payment_methods.len(),
        inserted,
    })
}

impl SeedApplication {
    fn token_role_str(&self) -> &'static str {
        self.role.as_str()
    }
}

enum RoleTable {
    Employee,
    Liaison,
}

/// Inserts the role record when missing; returns how many rows it created.
fn insert_role(c: &mut DbConnection, table: RoleTable, user_id: i64, now: i64) -> DbResult<usize> {
    Ok(match table {
        RoleTable::Employee => {
            let exists = employees::table
                .filter(employees::user_id.eq(user_id))
                .count()
                .get_result::<i64>(c)?
                > 0;
            if exists {
                0
            } else {
                diesel::insert_into(employees::table)
                    .values((
                        employees::user_id.eq(user_id),
                        employees::created_at.eq(now),
                    ))
                    .execute(c)?
            }
        }
        RoleTable::Liaison => {
            let exists = liaisons::table
                .filter(liaisons::user_id.eq(user_id))
                .count()
                .get_result::<i64>(c)?
                > 0;
            if exists {
                0
            } else {
                diesel::insert_into(liaisons::table)
                    .values((liaisons::user_id.eq(user_id), liaisons::created_at.eq(now)))
                    .execute(c)?
            }
        }
    })
}

fn client_id_by_email(c: &mut DbConnection, email: &Email) -> DbResult<ClientId> {
    clients::table
        .inner_join(users::table)
        .filter(users::email.eq(email.as_str()))
        .select(clients::id)
        .first::<i64>(c)
        .optional()?
        .map(ClientId)
        .ok_or_else(|| invalid(format!("{email} has no client record")))
}

fn brand_label(brand: CardBrand) -> &'static str {
    match brand {
        CardBrand::Visa => "Visa",
        CardBrand::Mastercard => "Mastercard",
        CardBrand::Amex => "American Express",
        CardBrand::Discover => "Discover",
        CardBrand::Jcb => "JCB",
        CardBrand::DinersClub => "Diners Club",
        CardBrand::Unknown => "Card",
    }
}
