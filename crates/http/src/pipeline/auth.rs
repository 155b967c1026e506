//! Steps 5 and 6: who is calling, and in which role.

use crate::envelope::ApiError;
use crate::errors;
use crate::json_params::as_integer;
use crate::routes::{self, Access, RouteDef};
use crate::slug::Slug;
use crate::views::{self, SessionView};
use ordercore_domain::model::{ApplicationSlug, Order, OrderId, Role};
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::{Authenticate, Principal};
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

/// The token step 5 looks up: `Ok(None)` when the route skips it (public
/// routes, unless they take an optional `token` and one was given, as
/// `users/client_register` for a session without client).
pub fn checked_token<'a>(
    route: &RouteDef,
    params: &'a Map<String, Value>,
) -> Result<Option<&'a str>, ApiError> {
    match (route.is_public(), token_param(params)?) {
        (true, Some(t)) if route.param("token").is_some() => Ok(Some(t)),
        (true, _) => Ok(None),
        (false, None) => Err(ApiError::missing_param("token")),
        (false, Some(t)) => Ok(Some(t)),
    }
}

/// What step 5 found.
#[derive(Debug, Default)]
pub struct Authenticated {
    /// `None` when the route skipped the look-up.
    pub principal: Option<Principal>,
    /// The order named by the request's `id`, read with the session on a
    /// route that asks for it ([`RouteDef::order_with_session`]).
    pub order: Option<OrderRead>,
}

/// An order read with the session, before the request's params were
/// validated: the handler uses it only for the `id` it was read for.
#[derive(Debug)]
pub struct OrderRead {
    pub id: OrderId,
    /// Whoever may see it: the handler decides.
    pub order: Option<Order>,
}

/// Step 5, for the token of [`checked_token`]. The caller answers
/// `client-required` through [`require_role_record`] once the session is
/// known, so that the answer carries it.
pub async fn authenticate(
    auth: &Authenticate,
    route: &RouteDef,
    params: &Map<String, Value>,
) -> Result<Authenticated, ApiError> {
    let Some(token) = checked_token(route, params)? else {
        return Ok(Authenticated::default());
    };
    let order_id = if route.order_with_session {
        params.get("id").and_then(as_integer).map(OrderId)
    } else {
        None
    };
    let Some(id) = order_id else {
        let principal = auth.run(token).await.map_err(errors::authenticate)?;
        return Ok(Authenticated {
            principal: Some(principal),
            order: None,
        });
    };
    let (principal, order) = auth
        .run_reading_order(token, id)
        .await
        .map_err(errors::authenticate)?;
    Ok(Authenticated {
        principal: Some(principal),
        order: Some(OrderRead { id, order }),
    })
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

/// The role a request acts in, decided by its application (contract §6).
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
    let reason = || format!("must be one of {}", routes::application_names().join(", "));
    match params.get("application") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => ApplicationSlug::parse(s.trim())
            .map(Some)
            .ok_or_else(|| ApiError::invalid_param("application", reason())),
        Some(_) => Err(ApiError::invalid_param("application", reason())),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes;
    use chrono::Utc;
    use ordercore_domain::model::{
        Application, ApplicationId, ClientId, Email, Session, SessionId, User, UserId, UserRoles,
    };
    use ordercore_domain::usecases::PrincipalKind;
    use serde_json::json;

    fn session(app: ApplicationSlug, roles: UserRoles) -> Principal {
        let now = Utc::now();
        Principal {
            kind: PrincipalKind::Session {
                session: Session {
                    id: SessionId(1),
                    user_id: UserId(1),
                    application: app,
                    created_at: now,
                    last_used_at: now,
                    remember_me: false,
                    revoked_at: None,
                },
                user: User {
                    id: UserId(1),
                    email: Email::parse("a@example.com").unwrap(),
                },
                roles,
            },
        }
    }

    fn employee() -> UserRoles {
        UserRoles {
            employee: true,
            ..UserRoles::default()
        }
    }

    fn acting(route: &str, p: &Principal, params: serde_json::Value) -> Result<Acting, Slug> {
        let (r, a) = route.split_once('/').unwrap();
        application_and_role(
            routes::find(r, a).unwrap(),
            Some(p),
            params.as_object().unwrap(),
        )
        .map_err(|e| e.slug)
    }

    #[test]
    fn the_application_decides_the_role() {
        let staff = session(ApplicationSlug::Planox2, employee());
        let a = acting("notifications/index", &staff, json!({})).unwrap();
        assert_eq!(a.role, Some(Role::Employee));
        assert_eq!(a.actor, Some(Actor::Employee));
        // The same user in the ordering app has no client record: no role.
        assert_eq!(
            acting(
                "notifications/index",
                &staff,
                json!({"application": "planoorder"})
            ),
            Err(Slug::PermissionDenied)
        );
        assert_eq!(
            acting(
                "notifications/index",
                &staff,
                json!({"application": "nope"})
            ),
            Err(Slug::InvalidParam)
        );
        // planoauth acts in no role: only routes open to any caller.
        let auth = session(ApplicationSlug::Planoauth, employee());
        assert!(acting("services/index", &auth, json!({})).is_ok());
        assert!(acting("sessions/destroy", &auth, json!({})).is_ok());
        assert_eq!(
            acting("orders/index", &auth, json!({})),
            Err(Slug::PermissionDenied)
        );
    }

    #[test]
    fn application_tokens_act_in_their_role_and_cannot_destroy_sessions() {
        let app = Principal {
            kind: PrincipalKind::Application(Application {
                id: ApplicationId(1),
                slug: ApplicationSlug::Planox2,
                name: "x2".into(),
                token_role: Role::Employee,
            }),
        };
        assert_eq!(
            acting("payments/capture", &app, json!({})).unwrap().role,
            Some(Role::Employee)
        );
        assert_eq!(
            acting("sessions/destroy", &app, json!({})),
            Err(Slug::PermissionDenied)
        );
        assert!(session_json(Some(&app), SessionView::Default).is_none());
    }

    #[test]
    fn a_session_without_role_records_is_client_required_except_on_public_routes() {
        let none = session(ApplicationSlug::Planoauth, UserRoles::default());
        let services = routes::find("services", "index").unwrap();
        let register = routes::find("users", "client_register").unwrap();
        assert_eq!(
            require_role_record(services, Some(&none)).unwrap_err().slug,
            Slug::ClientRequired
        );
        assert!(require_role_record(register, Some(&none)).is_ok());
        let client = session(
            ApplicationSlug::Planoorder,
            UserRoles {
                liaison_clients: Some(vec![ClientId(1)]),
                ..UserRoles::default()
            },
        );
        assert!(require_role_record(services, Some(&client)).is_ok());
    }
}
