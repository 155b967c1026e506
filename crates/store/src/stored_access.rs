//! The stored JSON form of an order's property access (column
//! `orders.property_access`). The access code is stored: the `full` order
//! view shows it back. Members are written in alphabetical order, as rows
//! written before this type existed.

use crate::db::{DbResult, backend_fail};
use ordercore_domain::model::{AccessMethod, Email, PropertyAccess, Secret};
use serde::{Deserialize, Serialize};

/// `orders.property_access` as stored.
#[derive(Serialize, Deserialize)]
pub(crate) struct StoredAccess {
    #[serde(default)]
    access_code: Option<String>,
    #[serde(default)]
    lockbox_location: Option<String>,
    method_of_access: String,
    #[serde(default)]
    onsite_contact_email: Option<String>,
    #[serde(default)]
    onsite_contact_name: Option<String>,
    #[serde(default)]
    onsite_contact_phone: Option<String>,
    vacant: bool,
}

impl StoredAccess {
    /// The stored form of `a`, access code included.
    pub(crate) fn from_domain(a: &PropertyAccess) -> StoredAccess {
        StoredAccess {
            access_code: a.access_code.as_ref().map(|c| c.expose().clone()),
            lockbox_location: a.lockbox_location.clone(),
            method_of_access: a.method.as_str().to_string(),
            onsite_contact_email: a.onsite_contact_email.as_ref().map(|e| e.as_str().into()),
            onsite_contact_name: a.onsite_contact_name.clone(),
            onsite_contact_phone: a.onsite_contact_phone.clone(),
            vacant: a.vacant,
        }
    }

    /// Back to the domain value; fails on a value no version of ordercore
    /// wrote.
    pub(crate) fn into_domain(self) -> DbResult<PropertyAccess> {
        let method = AccessMethod::parse(&self.method_of_access).ok_or_else(|| {
            backend_fail(format!(
                "stored access method {} unknown",
                self.method_of_access
            ))
        })?;
        let onsite_contact_email = self
            .onsite_contact_email
            .map(|e| Email::parse(&e))
            .transpose()
            .map_err(|e| backend_fail(format!("stored onsite contact e-mail: {}", e.reason)))?;
        Ok(PropertyAccess {
            vacant: self.vacant,
            method,
            access_code: self.access_code.map(Secret::new),
            lockbox_location: self.lockbox_location,
            onsite_contact_name: self.onsite_contact_name,
            onsite_contact_email,
            onsite_contact_phone: self.onsite_contact_phone,
        })
    }
}
