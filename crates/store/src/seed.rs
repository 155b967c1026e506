//! Seeding (contract §11): `ordercore seed --demo` and `ordercore seed --file F.json`.
//!
//! The file format is [`SeedFile`], documented in docs/seed-file.md. Seeding
//! upserts by natural keys (application slug, user e-mail, service slug,
//! promotion code, client + payment profile id) in one transaction, so running
//! it twice changes nothing.

mod apply;
mod demo;

pub use demo::demo_application_token;

use crate::Store;
use crate::db::write_tx;
use crate::schema::users;
use apply::{InvalidSeed, apply};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    ApplicationSlug, Billing, CardExpiry, Email, Promotion, Role, ServiceKind,
};
use ordercore_domain::ports::{PasswordHasher, TokenGenerator};
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
        // The seed may have changed services: the next read loads them.
        self.catalog.invalidate();
        match result {
            Ok(summary) => Ok(summary),
            Err(StoreError::Backend(cause)) if cause.is::<InvalidSeed>() => {
                Err(SeedError::Invalid(cause.to_string()))
            }
            Err(e) => Err(SeedError::Store(e)),
        }
    }
}
