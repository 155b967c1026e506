//! What is being photographed and how to get in. The wire form (JSON params
//! and views) is read and written by the HTTP layer; the rule of which access
//! fields a method requires lives here.

use super::{Address, Email, Secret};
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

    /// The wire name (snake case), one of [`PropertyType::NAMES`].
    pub fn as_str(&self) -> &'static str {
        Self::NAMES[*self as usize]
    }

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

    /// Whether this method requires an access code.
    pub fn needs_access_code(self) -> bool {
        matches!(self, AccessMethod::LockboxCode | AccessMethod::Keypad)
    }

    /// Whether this method requires the lockbox's location.
    pub fn needs_lockbox_location(self) -> bool {
        self == AccessMethod::LockboxCode
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
