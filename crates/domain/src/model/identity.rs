use super::{ApplicationId, ClientId, Email, SessionId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The role a request acts in. The application decides it (contract §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Client,
    Employee,
    Liaison,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Employee => "employee",
            Role::Liaison => "liaison",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "client" => Some(Role::Client),
            "employee" => Some(Role::Employee),
            "liaison" => Some(Role::Liaison),
            _ => None,
        }
    }
}

/// The three applications of contract §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationSlug {
    /// Log-in and registration routes only; any user.
    Planoauth,
    /// The ordering app; acts as client.
    Planoorder,
    /// The staff app; acts as employee or liaison.
    Planox2,
}

impl ApplicationSlug {
    pub const ALL: [ApplicationSlug; 3] = [
        ApplicationSlug::Planoauth,
        ApplicationSlug::Planoorder,
        ApplicationSlug::Planox2,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ApplicationSlug::Planoauth => "planoauth",
            ApplicationSlug::Planoorder => "planoorder",
            ApplicationSlug::Planox2 => "planox2",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicationSlug> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// An application record: its slug, and the role its server-to-server
/// application token acts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: ApplicationId,
    pub slug: ApplicationSlug,
    pub name: String,
    pub token_role: Role,
}

/// How a client pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    Card,
    Invoice,
}

impl Billing {
    pub fn as_str(&self) -> &'static str {
        match self {
            Billing::Card => "card",
            Billing::Invoice => "invoice",
        }
    }

    pub fn parse(s: &str) -> Option<Billing> {
        match s {
            "card" => Some(Billing::Card),
            "invoice" => Some(Billing::Invoice),
            _ => None,
        }
    }
}

/// A client record: the agent who orders and pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub user_id: UserId,
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    /// A market segment (e.g. `agent`, `broker`) that promotions may target.
    pub designation: Option<String>,
    pub billing: Billing,
    /// The processor customer profile, created with the first card.
    pub customer_profile_id: Option<String>,
}

impl Client {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_string()
    }
}

/// What `users/client_register` creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientProfile {
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub designation: Option<String>,
    pub billing: Billing,
}

/// A log-in identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
}

/// The role records a user holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserRoles {
    pub client: Option<Client>,
    pub employee: bool,
    /// `Some` when the user is a liaison: the clients they work for.
    pub liaison_clients: Option<Vec<ClientId>>,
}

impl UserRoles {
    pub fn is_empty(&self) -> bool {
        self.client.is_none() && !self.employee && self.liaison_clients.is_none()
    }

    pub fn has(&self, role: Role) -> bool {
        match role {
            Role::Client => self.client.is_some(),
            Role::Employee => self.employee,
            Role::Liaison => self.liaison_clients.is_some(),
        }
    }

    /// Role names for the session view, in a stable order.
    pub fn names(&self) -> Vec<&'static str> {
        [Role::Client, Role::Employee, Role::Liaison]
            .into_iter()
            .filter(|r| self.has(*r))
            .map(|r| r.as_str())
            .collect()
    }
}

/// A user as the log-in path sees it: with the stored password hash (argon2id
/// PHC string), if any, and role records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccount {
    pub user: User,
    pub password_hash: Option<String>,
    pub roles: UserRoles,
}

/// A session as stored: only the SHA-256 of its token is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub application: ApplicationSlug,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub remember_me: bool,
    pub revoked_at: Option<DateTime<Utc>>,
}
