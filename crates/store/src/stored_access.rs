//! The stored JSON form of an order's property access (column
//! `orders.property_access`). The access code and the on-site contact's
//! e-mail and phone are stored sealed (member `sealed`, see
//! [`crate::sealing`]): the `full` view shows the code back, so it is
//! encrypted, not dropped. Members are written in alphabetical order, as rows
//! written before this type existed; rows of earlier versions hold the three
//! secrets in clear, are read as they are, and are sealed by
//! `ordercore keys rotate`.

use crate::db::{DbResult, backend_fail, parse_json, to_json};
use crate::sealing::{Sealer, access_aad};
use ordercore_domain::model::{AccessMethod, Email, PropertyAccess, Secret};
use serde::{Deserialize, Serialize};

/// `orders.property_access` as stored (and, opened, as read).
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
    /// The three secrets, sealed under the data key (JSON of [`Secrets`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed: Option<String>,
    vacant: bool,
}

/// What `sealed` holds.
#[derive(Default, Serialize, Deserialize)]
struct Secrets {
    #[serde(default)]
    access_code: Option<String>,
    #[serde(default)]
    onsite_contact_email: Option<String>,
    #[serde(default)]
    onsite_contact_phone: Option<String>,
}

impl Secrets {
    fn is_empty(&self) -> bool {
        self.access_code.is_none()
            && self.onsite_contact_email.is_none()
            && self.onsite_contact_phone.is_none()
    }
}

/// Whether `a` holds anything that is stored sealed.
pub(crate) fn has_secrets(a: &PropertyAccess) -> bool {
    a.access_code.is_some() || a.onsite_contact_email.is_some() || a.onsite_contact_phone.is_some()
}

impl StoredAccess {
    /// The clear form of `a`, secrets included (held in memory only).
    pub(crate) fn from_domain(a: &PropertyAccess) -> StoredAccess {
        StoredAccess {
            access_code: a.access_code.as_ref().map(|c| c.expose().clone()),
            lockbox_location: a.lockbox_location.clone(),
            method_of_access: a.method.as_str().to_string(),
            onsite_contact_email: a.onsite_contact_email.as_ref().map(|e| e.as_str().into()),
            onsite_contact_name: a.onsite_contact_name.clone(),
            onsite_contact_phone: a.onsite_contact_phone.clone(),
            sealed: None,
            vacant: a.vacant,
        }
    }

    /// The JSON without the secrets: what the INSERT writes before the row
    /// has the id the sealed part is bound to.
    pub(crate) fn without_secrets_json(&self) -> DbResult<String> {
        to_json("property access", &self.without_secrets(None))
    }

    /// A copy without the three secrets, with `sealed` as given.
    fn without_secrets(&self, sealed: Option<String>) -> StoredAccess {
        StoredAccess {
            access_code: None,
            lockbox_location: self.lockbox_location.clone(),
            method_of_access: self.method_of_access.clone(),
            onsite_contact_email: None,
            onsite_contact_name: self.onsite_contact_name.clone(),
            onsite_contact_phone: None,
            sealed,
            vacant: self.vacant,
        }
    }

    /// The clear JSON (in memory only: what `order_from_row` reads).
    pub(crate) fn clear_json(&self) -> DbResult<String> {
        to_json("property access", self)
    }

    /// The stored text for order `order_id`: the secrets sealed under the
    /// current key, nothing of them in clear.
    pub(crate) fn sealed_json(&self, sealer: &Sealer, order_id: i64) -> DbResult<String> {
        let secrets = Secrets {
            access_code: self.access_code.clone(),
            onsite_contact_email: self.onsite_contact_email.clone(),
            onsite_contact_phone: self.onsite_contact_phone.clone(),
        };
        let sealed = if secrets.is_empty() {
            None
        } else {
            let plain = to_json("property access secrets", &secrets)?;
            Some(sealer.seal(&plain, &access_aad(order_id))?)
        };
        to_json("property access", &self.without_secrets(sealed))
    }

    /// Reads the stored text of order `order_id`, opening its sealed part.
    pub(crate) fn open(stored: &str, sealer: &Sealer, order_id: i64) -> DbResult<StoredAccess> {
        let mut access: StoredAccess = parse_json("property access", stored)?;
        if let Some(sealed) = access.sealed.take() {
            let secrets: Secrets = parse_json(
                "property access secrets",
                &sealer.open(&sealed, &access_aad(order_id))?,
            )?;
            access.access_code = secrets.access_code;
            access.onsite_contact_email = secrets.onsite_contact_email;
            access.onsite_contact_phone = secrets.onsite_contact_phone;
        }
        Ok(access)
    }

    /// Whether the stored text needs sealing under the current key: secrets
    /// in clear (an earlier version's row) or sealed under an older key.
    pub(crate) fn needs_reseal(stored: &str, sealer: &Sealer) -> DbResult<bool> {
        let access: StoredAccess = parse_json("property access", stored)?;
        let clear = access.access_code.is_some()
            || access.onsite_contact_email.is_some()
            || access.onsite_contact_phone.is_some();
        Ok(clear || access.sealed.is_some_and(|s| !sealer.is_current(&s)))
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
