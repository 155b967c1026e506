//! The seeding transaction: upserts every list of a [`SeedFile`] by its natural keys, and the
//! error that rolls it back when the file contradicts itself or the database.

use super::{SeedApplication, SeedFile, SeedPromotionKind, SeedSummary};
use crate::db::{DbConnection, DbResult, micros};
use crate::repos::{ensure_user, insert_payment_method};
use crate::schema::{
    applications, clients, employees, liaison_clients, liaisons, payment_methods, promotions,
    services, users,
};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    CardBrand, CardExpiry, ClientId, Email, Promotion, StoredPaymentProfile,
};
use ordercore_domain::ports::NewPaymentMethod;
use std::collections::HashMap;

/// A seed file that contradicts itself or the database; raised inside the
/// transaction (so it rolls back) and turned into [`SeedError::Invalid`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct InvalidSeed(String);

fn invalid(m: String) -> crate::db::Fail {
    crate::db::Fail(StoreError::backend(InvalidSeed(m)))
}

pub(super) fn apply(
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
