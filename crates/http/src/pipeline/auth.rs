//! Steps 5 and 6: who is calling, and in which role.

use crate::envelope::ApiError;
use crate::routes::{Access, RouteDef};
use crate::slug::Slug;
use ordercore_domain::model::{ApplicationSlug, Role};
use ordercore_domain::rules::ordering::Actor;
use ordercore_domain::rules::views::{self, SessionView};
use ordercore_domain::usecases::{AuthError, Authenticate, Principal};
use serde_json::{Map, Value};

/// The raw `token` param: `Ok(None)` when absent or blank.
pub fn token_param(params: &Map<String, Value>) -> Result<Option<&str>, ApiError> {
    match params.get("token") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(_) => Err(ApiError::invalid_param("token", "must be a string")),
    }
}

/// Step 5. Public routes skip it, unless they take an optional `token` and
/// one was given (`users/client_register` for a session without client).
/// The caller answers `client-required` through [`require_role_record`]
/// once the session is known, so that the answer carries it.
pub async fn authenticate(
    auth: &Authenticate,
    route: &RouteDef,
    params: &Map<String, Value>,
) -> Result<Option<Principal>, ApiError> {
    let token = token_param(params)?;
    let token = match (route.is_public(), token) {
        (true, Some(t)) if route.param("token").is_some() => t,
        (true, _) => return Ok(None),
        (false, None) => return Err(ApiError::missing_param("token")),
        (false, Some(t)) => t,
    };
    match auth.run(token).await {
        Ok(p) => Ok(Some(p)),
        Err(AuthError::InvalidToken) => Err(ApiError::new(
            Slug::InvalidToken,
            "The token matches no session or application.",
        )),
        Err(AuthError::SessionExpired) => Err(ApiError::new(
            Slug::SessionExpired,
            "The session has expired or was ended; log in again.",
        )),
        Err(AuthError::Unexpected(u)) => Err(crate::errors::crash(&u)),
    }
}

/// Step 5, last check: a session whose user has no role record.
pub fn require_role_record(
    route: &RouteDef,
    principal: Option<&Principal>,
) -> Result<(), ApiError> {
    match principal {
        Some(p) if !route.is_public() && !p.has_role_record() => Err(ApiError::new(
            Slug::ClientRequired,
            "This user has no client record; register through users/client_register.",
        )),
        _ => Ok(()),
    }
}

/// The role a request acts in, decided by its application (SPEC §6).
#[derive(Debug, Clone, PartialEq)]
pub struct Acting {
    /// `None` on a public route called without `application`.
    pub application: Option<ApplicationSlug>,
    pub role: Option<Role>,
    pub actor: Option<Actor>,
}

/// The `application` param: `Ok(None)` when absent; an unknown slug →
/// `invalid-param`.
pub fn application_param(params: &Map<String, Value>) -> Result<Option<ApplicationSlug>, ApiError> {
    let reason = "must be one of planoauth, planoorder, planox2";
    match params.get("application") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => ApplicationSlug::parse(s.trim())
            .map(Some)
            .ok_or_else(|| ApiError::invalid_param("application", reason)),
        Some(_) => Err(ApiError::invalid_param("application", reason)),
    }
}

fn denied(route: &RouteDef) -> ApiError {
    ApiError::new(
        Slug::PermissionDenied,
        format!("You may not use {} in this application.", route.path()),
    )
}

/// Step 6: the application (default: the credential's), the role it gives,
/// and the route's permission for that role.
pub fn application_and_role(
    route: &RouteDef,
    principal: Option<&Principal>,
    params: &Map<String, Value>,
) -> Result<Acting, ApiError> {
    let requested = application_param(params)?;
    let Some(principal) = principal else {
        return Ok(Acting {
            application: requested,
            role: None,
            actor: None,
        });
    };
    let application = requested.unwrap_or_else(|| principal.default_application());
    let acting = principal.acting_as(application);
    let allowed = match &route.access {
        Access::Public | Access::AnyCaller => true,
        Access::SessionOnly => principal.session().is_some(),
        Access::Roles(roles) => acting.as_ref().is_some_and(|(r, _)| roles.contains(r)),
    };
    if !allowed {
        return Err(denied(route));
    }
    let (role, actor) = match acting {
        Some((r, a)) => (Some(r), Some(a)),
        None => (None, None),
    };
    Ok(Acting {
        application: Some(application),
        role,
        actor,
    })
}

/// The `session_view` param as given, `default` when absent or unknown (an
/// unknown view is reported by step 8; the session is still shown).
pub fn session_view(params: &Map<String, Value>) -> SessionView {
    params
        .get("session_view")
        .and_then(Value::as_str)
        .and_then(|s| SessionView::parse(s.trim()))
        .unwrap_or(SessionView::Default)
}

/// The envelope's `session` member for a session principal.
pub fn session_json(principal: Option<&Principal>, view: SessionView) -> Option<Value> {
    let (session, user, roles) = principal?.session()?;
    Some(views::session(session, user, roles, None, view))
}
