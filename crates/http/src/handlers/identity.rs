//! sessions/create, sessions/destroy, users/client_register.

use super::ApiRequest;
use crate::envelope::{ApiError, Success};
use crate::errors::{self, crash};
use crate::params::ParamsExt;
use crate::pipeline::auth::session_view;
use crate::state::AppState;
use crate::views::{self, SessionView};
use ordercore_domain::model::{Email, Secret};
use ordercore_domain::usecases::Registration;

fn email(raw: Option<&str>, path: &str) -> Result<Email, ApiError> {
    Email::parse(raw.unwrap_or_default()).map_err(|e| ApiError::invalid_param(path, e.reason))
}

pub async fn create_session(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let p = &req.params;
    let email = email(p.str_of("email"), "email")?;
    let password = p.str_of("password").unwrap_or_default();
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
            p.bool_of("remember_me").unwrap_or(false),
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

pub async fn destroy_session(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let Some((session, user, roles)) = req.principal.as_ref().and_then(|p| p.session()) else {
        return Err(crash(&"sessions/destroy reached without a session"));
    };
    let revoked = state
        .usecases
        .destroy_session
        .run(session)
        .await
        .map_err(|u| crash(&u))?;
    let shown = views::session(&revoked, user, roles, None, session_view(&req.params));
    let data = views::session(&revoked, user, roles, None, SessionView::Default);
    Ok(Success::new("Logged out.", data).with_session(shown))
}

pub async fn register_client(state: &AppState, req: &ApiRequest) -> Result<Success, ApiError> {
    let client = req.params.obj_of("client").cloned().unwrap_or_default();
    let application = req
        .acting
        .application
        .ok_or_else(|| ApiError::missing_param("application"))?;
    let text = |k: &str| client.str_of(k).map(str::to_string);
    let registration = Registration {
        application,
        email: email(client.str_of("email"), "client.email")?,
        password: Secret::new(text("password").unwrap_or_default()),
        first_name: text("first_name").unwrap_or_default(),
        last_name: text("last_name").unwrap_or_default(),
        phone: text("phone"),
        company_name: text("company_name"),
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
        session_view(&req.params),
    );
    Ok(Success::new("Client registered.", views::client(&client)).with_session(session))
}
