//! What is being photographed and how to get in. Both arrive as JSON objects
//! (`json` params, contract §5/§7) and are parsed here, every problem reported with
//! its path relative to the object so the HTTP layer can prefix it.

use super::{Address, Email, InvalidValue, PostalCode, Secret, UsState};
use crate::rules::params::{FieldErrors, JsonObject};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyType {
    SingleFamily,
    CondoTownhouse,
    DuplexTownhouse,
    Commercial,
    Land,
}

impl PropertyType {
    pub const NAMES: [&'static str; 5] = [
        "single_family",
        "condo_townhouse",
        "duplex_townhouse",
        "commercial",
        "land",
    ];

    pub fn parse(s: &str) -> Option<PropertyType> {
        Some(match s {
            "single_family" => PropertyType::SingleFamily,
            "condo_townhouse" => PropertyType::CondoTownhouse,
            "duplex_townhouse" => PropertyType::DuplexTownhouse,
            "commercial" => PropertyType::Commercial,
            "land" => PropertyType::Land,
            _ => return None,
        })
    }
}

/// `order.property_info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyInfo {
    pub address: Address,
    #[serde(default)]
    pub property_type: Option<PropertyType>,
    #[serde(default)]
    pub square_footage: Option<u64>,
    #[serde(default)]
    pub bedrooms: Option<u64>,
    #[serde(default)]
    pub bathrooms: Option<u64>,
    #[serde(default)]
    pub price: Option<u64>,
    #[serde(default)]
    pub external_property_id: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl PropertyInfo {
    /// Parses the object, collecting every problem (paths relative to it).
    pub fn parse(value: &serde_json::Value) -> Result<PropertyInfo, FieldErrors> {
        let mut errs = FieldErrors::default();
        let Some(obj) = JsonObject::new(value, "", &mut errs) else {
            return Err(errs);
        };
        let address = obj.object("address", true, &mut errs).and_then(|a| {
            let street = a.string("street", true, 255, &mut errs);
            let street2 = a.string("street2", false, 255, &mut errs);
            let city = a.string("city", true, 255, &mut errs);
            let state = a.parsed("state", true, UsState::parse, &mut errs);
            let postal = a.parsed("postal_code", true, PostalCode::parse, &mut errs);
            Some(Address {
                street: street?,
                street2,
                city: city?,
                state: state?,
                postal_code: postal?,
            })
        });
        let property_type = obj.parsed(
            "property_type",
            false,
            |s| {
                PropertyType::parse(s).ok_or_else(|| {
                    InvalidValue::new(format!("must be one of {}", PropertyType::NAMES.join(", ")))
                })
            },
            &mut errs,
        );
        let square_footage = obj.non_negative("square_footage", &mut errs);
        let bedrooms = obj.non_negative("bedrooms", &mut errs);
        let bathrooms = obj.non_negative("bathrooms", &mut errs);
        let price = obj.non_negative("price", &mut errs);
        let external_property_id = obj.string("external_property_id", false, 255, &mut errs);
        let notes = obj.string("notes", false, 1000, &mut errs);
        let Some(address) = address else {
            return Err(errs);
        };
        let info = PropertyInfo {
            address,
            property_type,
            square_footage,
            bedrooms,
            bathrooms,
            price,
            external_property_id,
            notes,
        };
        errs.into_result(info)
    }
}

/// How the photographer gets in (`order.property_access.method_of_access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessMethod {
    LockboxCode,
    Keypad,
    Rently,
    NoAccessNeeded,
    MeetOnsite,
}

impl AccessMethod {
    pub const NAMES: [&'static str; 5] = [
        "lockbox_code",
        "keypad",
        "rently",
        "no_access_needed",
        "meet_onsite",
    ];

    pub fn parse(s: &str) -> Option<AccessMethod> {
        Some(match s {
            "lockbox_code" => AccessMethod::LockboxCode,
            "keypad" => AccessMethod::Keypad,
            "rently" => AccessMethod::Rently,
            "no_access_needed" => AccessMethod::NoAccessNeeded,
            "meet_onsite" => AccessMethod::MeetOnsite,
            _ => return None,
        })
    }

    pub fn as_str(&self) -> &'static str {
        Self::NAMES[*self as usize]
    }

    fn needs_access_code(self) -> bool {
        matches!(self, AccessMethod::LockboxCode | AccessMethod::Keypad)
    }
}

/// `order.property_access`. The access code is a secret: it appears only in
/// the `full` order view, never in e-mails, logs or notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyAccess {
    pub vacant: bool,
    pub method: AccessMethod,
    pub access_code: Option<Secret<String>>,
    pub lockbox_location: Option<String>,
    pub onsite_contact_name: Option<String>,
    pub onsite_contact_email: Option<Email>,
    pub onsite_contact_phone: Option<String>,
}

impl PropertyAccess {
    /// Parses the object; the method decides which fields are required.
    pub fn parse(value: &serde_json::Value) -> Result<PropertyAccess, FieldErrors> {
        let mut errs = FieldErrors::default();
        let Some(obj) = JsonObject::new(value, "", &mut errs) else {
            return Err(errs);
        };
        let vacant = obj.boolean("vacant", true, &mut errs);
        let method = obj.parsed(
            "method_of_access",
            true,
            |s| {
                AccessMethod::parse(s).ok_or_else(|| {
                    InvalidValue::new(format!("must be one of {}", AccessMethod::NAMES.join(", ")))
                })
            },
            &mut errs,
        );
        let needs_code = method.is_some_and(AccessMethod::needs_access_code);
        let is_lockbox = method == Some(AccessMethod::LockboxCode);
        let access_code = obj.string("access_code", needs_code, 255, &mut errs);
        let lockbox_location = obj.string("lockbox_location", is_lockbox, 255, &mut errs);
        let access = PropertyAccess {
            vacant: vacant.unwrap_or_default(),
            method: method.unwrap_or(AccessMethod::NoAccessNeeded),
            access_code: access_code.map(Secret::new),
            lockbox_location,
            onsite_contact_name: obj.string("onsite_contact_name", false, 255, &mut errs),
            onsite_contact_email: obj.parsed(
                "onsite_contact_email",
                false,
                Email::parse,
                &mut errs,
            ),
            onsite_contact_phone: obj.string("onsite_contact_phone", false, 32, &mut errs),
        };
        errs.into_result(access)
    }

    /// The stored JSON form, with the access code only when `with_code`.
    pub fn to_json(&self, with_code: bool) -> serde_json::Value {
        let mut v = serde_json::json!({
            "vacant": self.vacant,
            "method_of_access": self.method.as_str(),
            "lockbox_location": self.lockbox_location,
            "onsite_contact_name": self.onsite_contact_name,
            "onsite_contact_email": self.onsite_contact_email.as_ref().map(Email::as_str),
            "onsite_contact_phone": self.onsite_contact_phone,
        });
        if with_code {
            v["access_code"] = serde_json::json!(self.access_code.as_ref().map(|c| c.expose()));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn property_info_collects_every_problem() {
        let errs = PropertyInfo::parse(&json!({
            "address": {"street": "1 Main", "city": "", "state": "ZZ", "postal_code": "123"},
            "bedrooms": -1,
            "notes": "x".repeat(1001),
        }))
        .unwrap_err();
        let paths: Vec<_> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "address.city",
                "address.state",
                "address.postal_code",
                "bedrooms",
                "notes"
            ]
        );
    }

    #[test]
    fn property_info_parses() {
        let info = PropertyInfo::parse(&json!({
            "address": {"street": "1 Main St", "city": "Denver", "state": "co", "postal_code": "80202"},
            "property_type": "condo_townhouse", "square_footage": "1200"
        }))
        .unwrap();
        assert_eq!(info.address.state.as_str(), "CO");
        assert_eq!(info.square_footage, Some(1200));
        assert_eq!(info.property_type, Some(PropertyType::CondoTownhouse));
    }

    #[test]
    fn the_method_decides_required_fields() {
        let errs =
            PropertyAccess::parse(&json!({"vacant": true, "method_of_access": "lockbox_code"}))
                .unwrap_err();
        let paths: Vec<_> = errs
            .0
            .iter()
            .map(|e| (e.path.as_str(), e.missing))
            .collect();
        assert_eq!(paths, [("access_code", true), ("lockbox_location", true)]);

        let errs = PropertyAccess::parse(&json!({"vacant": true, "method_of_access": "keypad"}))
            .unwrap_err();
        assert_eq!(errs.0.len(), 1);
        assert_eq!(errs.0[0].path, "access_code");

        let ok =
            PropertyAccess::parse(&json!({"vacant": false, "method_of_access": "meet_onsite"}))
                .unwrap();
        assert_eq!(ok.method, AccessMethod::MeetOnsite);
    }

    #[test]
    fn access_code_only_in_full_json() {
        let a = PropertyAccess::parse(&json!({
            "vacant": true, "method_of_access": "keypad", "access_code": "1234"
        }))
        .unwrap();
        assert!(a.to_json(false).get("access_code").is_none());
        assert_eq!(a.to_json(true)["access_code"], "1234");
        assert!(!format!("{a:?}").contains("1234"));
    }
}
