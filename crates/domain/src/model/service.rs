use super::{Money, ServiceId};
use serde::{Deserialize, Serialize};

/// Whether a service can be ordered on its own or only added to a primary one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    Primary,
    AddOn,
}

impl ServiceKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ServiceKind::Primary => "primary",
            ServiceKind::AddOn => "add_on",
        }
    }

    pub fn parse(s: &str) -> Option<ServiceKind> {
        match s {
            "primary" => Some(ServiceKind::Primary),
            "add_on" => Some(ServiceKind::AddOn),
            _ => None,
        }
    }
}

/// A catalogue entry: photos, a floor plan, a 3D tour…
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub slug: String,
    pub name: String,
    pub kind: ServiceKind,
    pub price: Money,
    pub active: bool,
}
