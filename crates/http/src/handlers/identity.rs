//! sessions/create, sessions/destroy, users/client_register.

use super::{ApiRequest, NoParams};
use crate::envelope::{ApiError, Success};
use crate::errors::{self, crash};
use crate::state::AppState;
use crate::views::{self, SessionView};
use ordercore_domain::model::{Email, Secret};
use ordercore_domain::usecases::Registration;
use serde::Deserialize;

/// sessions/create. No `Debug`: it holds a password.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct CreateSessionParams {
    pub email: String,
    pub password: String,
    pub remember_me: Option<bool>,
}

/// users/client_register's `client`. No `Debug`: it holds a password.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ClientParams {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub company_name: Option<String>,
}

/// users/client_register.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct RegisterClientParams {
    pub client: ClientParams,
}

fn email(raw: Option<&str>, path: &str) -> Result<Email, ApiError> {
    Email::parse(raw.unwrap_or_default()).map_err(|e| ApiError::invalid_param(path, e.reason))
}

/// sessions/create.
pub async fn create_session(
    state: &AppState,
    req: &ApiRequest,
    p: CreateSessionParams,
) -> Result<Success, ApiError> {
    let email = email(Some(p.email.as_str()), "email")?;
    let password = &p.password;
    let application = req
        .acting
        .application
        .ok_or_else(|| ApiError::missing_param("application"))?;
    let created = state
        .usecases
        .create_session
        .run(
            &email,
            password,
            application,
            p.remember_me.unwrap_or(false),
        )
        .await
        .map_err(errors::create_session)?;
    let data = views::session(
        &created.session,
        &created.user,
        &created.roles,
        Some(&created.token),
        SessionView::Default,
    );
    Ok(Success::new("Logged in.", data))
}

/// sessions/destroy.
pub async fn destroy_session(
    state: &AppState,
    req: &ApiRequest,
    _: NoParams,
) -> Result<Success, ApiError> {
    let Some((session, user, roles)) = req.principal.as_ref().and_then(|p| p.session()) else {
        return Err(crash(&"sessions/destroy reached without a session"));
    };
    let revoked = state
        .usecases
        .destroy_session
        .run(session)
        .await
        .map_err(|u| crash(&u))?;
    let shown = views::session(&revoked, user, roles, None, req.session_view);
    let data = views::session(&revoked, user, roles, None, SessionView::Default);
    Ok(Success::new("Logged out.", data).with_session(shown))
}

/// users/client_register.
pub async fn register_client(
    state: &AppState,
    req: &ApiRequest,
    p: RegisterClientParams,
) -> Result<Success, ApiError> {
    let client = p.client;
    let application = req
        .acting
        .application
        .ok_or_else(|| ApiError::missing_param("application"))?;
    let registration = Registration {
        application,
        email: email(Some(client.email.as_str()), "client.email")?,
        password: Secret::new(client.password),
        first_name: client.first_name,
        last_name: client.last_name,
        phone: client.phone,
        company_name: client.company_name,
        caller: req
            .principal
            .as_ref()
            .and_then(|p| p.session())
            .map(|(_, user, _)| user.id),
    };
    let (client, created) = state
        .usecases
        .register_client
        .run(registration)
        .await
        .map_err(errors::register_client)?;
    let session = views::session(
        &created.session,
        &created.user,
        &created.roles,
        Some(&created.token),
        req.session_view,
    );
    Ok(Success::new("Client registered.", views::client(&client)).with_session(session))
}
