//! `users/client_register`.

use super::sessions::{CreatedSession, IdentityPorts};
use crate::model::{ApplicationSlug, Billing, Client, ClientProfile, Email, UserId};
use crate::model::{Field, FieldErrors};
use crate::ports::NewClientRegistration;
use crate::{StoreError, Unexpected};

/// Shortest password accepted at registration.
pub const MIN_PASSWORD_LENGTH: usize = 8;

/// What the caller asked for; strings already trimmed and length-checked.
#[derive(Debug, Clone)]
pub struct Registration {
    pub application: ApplicationSlug,
    pub email: Email,
    pub password: crate::model::Secret<String>,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    /// The user of the calling session, when the route was called with one.
    pub caller: Option<UserId>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterClientError {
    /// → `email-already-registered`: the e-mail belongs to a client, or to
    /// another user whose password was not given.
    #[error("this e-mail address is already registered")]
    EmailAlreadyRegistered,
    /// → `invalid-param` / `missing-param`
    #[error("invalid parameters")]
    Params(FieldErrors),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Creates the user (if needed) and its client record, then a session.
///
/// An existing user without a client record may become a client only when the
/// request proves it is them: it comes with their session, or with their
/// current password. Anything else is `email-already-registered`, so that
/// nobody can attach a client record to someone else's account.
pub struct RegisterClient(IdentityPorts);

impl RegisterClient {
    pub fn new(ports: IdentityPorts) -> Self {
        Self(ports)
    }

    pub async fn run(
        &self,
        reg: Registration,
    ) -> Result<(Client, CreatedSession), RegisterClientError> {
        let mut errs = FieldErrors::default();
        if reg.password.expose().chars().count() < MIN_PASSWORD_LENGTH {
            errs.invalid(
                Field::ClientPassword,
                format!("must be at least {MIN_PASSWORD_LENGTH} characters"),
            );
        }
        let app = self
            .0
            .applications
            .find_by_slug(reg.application)
            .await
            .map_err(Unexpected::from)?;
        if app.is_none() {
            errs.invalid(Field::Application, "unknown application");
        }
        if !errs.is_empty() {
            return Err(RegisterClientError::Params(errs));
        }
        if let Some(account) = self
            .0
            .users
            .find_account_by_email(&reg.email)
            .await
            .map_err(Unexpected::from)?
        {
            let is_caller = reg.caller == Some(account.user.id);
            let knows_password = match &account.password_hash {
                Some(h) => self.0.hasher.verify(reg.password.expose(), h).await,
                None => false,
            };
            if account.roles.client.is_some() || !(is_caller || knows_password) {
                return Err(RegisterClientError::EmailAlreadyRegistered);
            }
        }
        let registration = NewClientRegistration {
            email: reg.email.clone(),
            password_hash: self.0.hasher.hash(reg.password.expose()).await?,
            profile: ClientProfile {
                first_name: reg.first_name,
                last_name: reg.last_name,
                phone: reg.phone,
                company_name: reg.company_name,
                designation: None,
                billing: Billing::Card,
            },
        };
        let now = self.0.clock.now();
        let (user, client) = match self.0.users.register_client(&registration, now).await {
            Ok(pair) => pair,
            Err(StoreError::Conflict(_)) => {
                return Err(RegisterClientError::EmailAlreadyRegistered);
            }
            Err(e) => return Err(Unexpected::from(e).into()),
        };
        let roles = self
            .0
            .users
            .roles(user.id)
            .await
            .map_err(Unexpected::from)?;
        let session = self
            .0
            .open_session(user, roles, reg.application, false)
            .await?;
        Ok((client, session))
    }
}
