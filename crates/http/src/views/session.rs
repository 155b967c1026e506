//! The envelope's `session` member (and the `data` of the session routes),
//! in its two views. Members in alphabetical order, as in the rest of
//! [`crate::views`].

use super::{timestamp, value};
use ordercore_domain::model::{Session, User, UserRoles};
use ordercore_domain::rules::identity as session;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// The views of the envelope's `session` member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionView {
    Default,
    Minimal,
}

impl SessionView {
    /// The accepted values of the `session_view` param.
    pub const NAMES: [&'static str; 2] = ["default", "minimal"];

    /// The view named `s`; `None` for any other text.
    pub fn parse(s: &str) -> Option<SessionView> {
        match s {
            "default" => Some(SessionView::Default),
            "minimal" => Some(SessionView::Minimal),
            _ => None,
        }
    }
}

/// `session.user`; the minimal view shows only the id.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionUserJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<&'static str>>,
}

/// A session in one of its views. The minimal view leaves out the members
/// skipped when `None`; `token` is present only when given.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionJson<'a> {
    pub application: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remember_me: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<&'a str>,
    pub user: SessionUserJson<'a>,
}

/// A session. `token` is only given by `sessions/create` and
/// `users/client_register`, the one time it exists in clear.
pub fn session(
    s: &Session,
    user: &User,
    roles: &UserRoles,
    token: Option<&str>,
    view: SessionView,
) -> Value {
    let full = view == SessionView::Default;
    value(SessionJson {
        application: s.application.as_str(),
        created_at: full.then(|| timestamp(s.created_at)),
        expires_at: session::expires_at(s).map(timestamp),
        last_used_at: full.then(|| timestamp(s.last_used_at)),
        remember_me: full.then_some(s.remember_me),
        token,
        user: SessionUserJson {
            email: full.then(|| user.email.as_str()),
            id: user.id.0,
            roles: full.then(|| roles.names()),
        },
    })
}
