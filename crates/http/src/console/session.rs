//! Log-in, log-out and the staff session: a cookie holding a
//! `sessions/create` token (stored only as its digest, as every session
//! token), and the CSRF token every form carries.
//!
//! - The session cookie is `HttpOnly`, `SameSite=Strict`, `Path=/console`,
//!   and `Secure` when the request came over TLS. It lives as long as the
//!   browser session; the session's own expiry rules (7 days, 72 idle
//!   hours) apply as to any token.
//! - The CSRF token of a session is the HMAC of its token digest under the
//!   server's fingerprint key (shared by every instance), so it needs no
//!   storage. The log-in form, posted before there is a session, is bound
//!   the same way to a random value in a short-lived cookie (double submit).
//! - Only employees: a client or a liaison is refused (403) and gets no
//!   cookie; a liaison's session, opened by the use case, is revoked at once.

use super::pages::{Frame, Problem, crash, redirect, refused, render};
use super::{Reply, State, reply};
use crate::errors;
use crate::pipeline::throttle::{finish_login, login_key};
use crate::slug::Slug;
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::context;
use ordercore_domain::model::{ApplicationSlug, Email, Session, User};
use ordercore_domain::usecases::{AuthError, CreateSessionError, PrincipalKind};
use serde::Deserialize;

/// The cookie that holds the session token.
pub const SESSION_COOKIE: &str = "ordercore_console";
/// The cookie that binds the log-in form's CSRF token.
pub const LOGIN_COOKIE: &str = "ordercore_console_login";

const CSRF_LABEL: &str = "ordercore console csrf";
const LOGIN_CSRF_LABEL: &str = "ordercore console login csrf";

/// The logged-in employee of a request.
pub(super) struct Staff {
    pub user: User,
    pub session: Session,
    /// The token every form of this session must post back.
    pub csrf: String,
    /// Unresolved notifications, shown on every page.
    pub unresolved: u64,
}

/// The value of cookie `name`, if the request has it.
fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value; `max_age` `Some(0)` deletes it.
fn set_cookie(req: &HttpRequest, name: &str, value: &str, max_age: Option<u32>) -> String {
    let mut c = format!("{name}={value}; Path=/console; HttpOnly; SameSite=Strict");
    if req.connection_info().scheme() == "https" {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

/// Compares two tokens in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The employee whose session cookie came with `req`; otherwise a redirect
/// to the log-in page (clearing a stale cookie).
pub(super) async fn staff(req: &HttpRequest, state: &AppState) -> Result<Staff, HttpResponse> {
    let to_login = || {
        let mut r = redirect("/console/login");
        if let Ok(v) = header::HeaderValue::from_str(&set_cookie(req, SESSION_COOKIE, "", Some(0)))
        {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        r
    };
    let Some(token) = cookie(req, SESSION_COOKIE) else {
        return Err(redirect("/console/login"));
    };
    let principal = match state.usecases.authenticate.run(&token).await {
        Ok(p) => p,
        Err(AuthError::Unexpected(u)) => return Err(crash(&u)),
        Err(_) => return Err(to_login()),
    };
    let PrincipalKind::Session {
        session,
        user,
        roles,
    } = principal.kind
    else {
        return Err(to_login());
    };
    if !roles.employee || session.application != ApplicationSlug::Planox2 {
        return Err(to_login());
    }
    let unresolved = state
        .usecases
        .list_notifications
        .unresolved_count()
        .await
        .map_err(|e| crash(&e))?;
    let csrf = state
        .config
        .fingerprint_key
        .derive(CSRF_LABEL, &state.tokens.digest(&token));
    Ok(Staff {
        user,
        session,
        csrf,
        unresolved,
    })
}

/// [`staff`] for a form post: its `csrf` must be the session's, or the
/// answer is a 403 page and nothing is done.
pub(super) async fn staff_posting(
    req: &HttpRequest,
    state: &AppState,
    csrf: &str,
) -> Result<Staff, HttpResponse> {
    let staff = staff(req, state).await?;
    if !same(csrf, &staff.csrf) {
        tracing::warn!(
            user = staff.user.id.0,
            path = req.path(),
            "console form without its CSRF token refused"
        );
        return Err(refused(
            StatusCode::FORBIDDEN,
            "Refused",
            "This form was not sent from this console session (its CSRF token is missing or wrong). Nothing was changed; reload the page and try again.",
            Some(&staff),
        ));
    }
    Ok(staff)
}

/// `GET /console/login`.
pub async fn login_page(req: HttpRequest, state: State) -> HttpResponse {
    if staff(&req, &state).await.is_ok() {
        return redirect("/console/notifications");
    }
    login_form(&req, &state, StatusCode::OK, "", None)
}

/// The log-in form with a fresh binding cookie.
fn login_form(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    email: &str,
    problem: Option<Problem>,
) -> HttpResponse {
    let nonce = state.tokens.new_token();
    let frame = Frame {
        title: "Staff console log-in".to_string(),
        csrf: state
            .config
            .fingerprint_key
            .derive(LOGIN_CSRF_LABEL, &nonce),
        problem,
        ..Frame::default()
    };
    let mut r = render(status, "console/login.html", &frame, context! { email });
    if let Ok(v) = header::HeaderValue::from_str(&set_cookie(req, LOGIN_COOKIE, &nonce, Some(3600)))
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Deserialize)]
pub struct LogInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /console/login`: `sessions/create` through `planox2`, employees
/// only, behind the per-account failure throttle of the API.
pub async fn log_in(req: HttpRequest, state: State, form: web::Form<LogInForm>) -> HttpResponse {
    let form = form.into_inner();
    let bound = cookie(&req, LOGIN_COOKIE)
        .map(|nonce| {
            state
                .config
                .fingerprint_key
                .derive(LOGIN_CSRF_LABEL, &nonce)
        })
        .is_some_and(|expected| same(&form.csrf, &expected));
    if !bound {
        return refused(
            StatusCode::FORBIDDEN,
            "Refused",
            "This log-in form was not sent from this browser's log-in page (its CSRF token is missing or wrong). Open the log-in page again.",
            None,
        );
    }
    reply(log_in_checked(&req, &state, form).await)
}

async fn log_in_checked(req: &HttpRequest, state: &AppState, form: LogInForm) -> Reply {
    let again = |status, problem| login_form(req, state, status, &form.email, Some(problem));
    let Ok(email) = Email::parse(&form.email) else {
        return Err(again(
            StatusCode::UNAUTHORIZED,
            Problem::text("Enter the e-mail address of your account."),
        ));
    };
    let attempt = state
        .login_failures
        .begin(login_key(email.as_str()))
        .map_err(|e| {
            again(
                StatusCode::TOO_MANY_REQUESTS,
                Problem::api(e.slug, e.message),
            )
        })?;
    let outcome = state
        .usecases
        .create_session
        .run(&email, &form.password, ApplicationSlug::Planox2, false)
        .await;
    let created = match outcome {
        Ok(created) => {
            finish_login(state, Some(attempt), Slug::ActionSuccessful);
            created
        }
        Err(CreateSessionError::NoRoleInApplication(_) | CreateSessionError::UserRequiresRole) => {
            finish_login(state, Some(attempt), Slug::UserRequiresRole);
            return Err(not_staff());
        }
        Err(e) => {
            let e = errors::create_session(e);
            finish_login(state, Some(attempt), e.slug);
            if e.slug == Slug::ApplicationCrash {
                return Err(crash(&e.message));
            }
            return Err(again(
                StatusCode::UNAUTHORIZED,
                Problem::api(e.slug, e.message),
            ));
        }
    };
    if !created.roles.employee {
        // A liaison has a role in planox2, but not here.
        if let Err(e) = state.usecases.destroy_session.run(&created.session).await {
            return Err(crash(&e));
        }
        return Err(not_staff());
    }
    tracing::info!(user = created.user.id.0, "console log-in");
    let mut r = redirect("/console/notifications");
    for c in [
        set_cookie(req, SESSION_COOKIE, &created.token, None),
        set_cookie(req, LOGIN_COOKIE, "", Some(0)),
    ] {
        if let Ok(v) = header::HeaderValue::from_str(&c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(r)
}

fn not_staff() -> HttpResponse {
    refused(
        StatusCode::FORBIDDEN,
        "Refused",
        "The staff console is for employees only. Clients and liaisons use their own applications.",
        None,
    )
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /console/logout`: revokes the session and deletes the cookie.
pub async fn log_out(req: HttpRequest, state: State, form: web::Form<CsrfForm>) -> HttpResponse {
    let staff = match staff_posting(&req, &state, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(e) = state.usecases.destroy_session.run(&staff.session).await {
        return crash(&e);
    }
    let mut r = redirect("/console/login");
    if let Ok(v) = header::HeaderValue::from_str(&set_cookie(&req, SESSION_COOKIE, "", Some(0))) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
