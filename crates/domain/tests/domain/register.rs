//! `RegisterClient` (`users/client_register`).

use crate::auth::{application, client_roles, session_opened, user};
use crate::fixtures::*;
use mockall::predicate::eq;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    ApplicationSlug, Billing, Client, Field, Role, Secret, UserAccount, UserId, UserRoles,
};
use ordercore_domain::ports::{
    MockApplicationRepository, MockPasswordHasher, MockSessionStore, MockTokenGenerator,
    MockUserRepository, NewClientRegistration,
};
use ordercore_domain::usecases::{
    CreatedSession, IdentityPorts, RegisterClient, RegisterClientError, Registration,
};
use std::sync::Arc;

const PASSWORD: &str = "s3cret-enough";
const OLD_PHC: &str = "$argon2id$old";
const NEW_PHC: &str = "$argon2id$new";

fn registration(password: &str, caller: Option<UserId>) -> Registration {
    Registration {
        application: ApplicationSlug::Planoorder,
        email: email("ann@example.com"),
        password: Secret::new(password.to_string()),
        first_name: "Ann".into(),
        last_name: "Agent".into(),
        phone: None,
        company_name: Some("Agents Inc".into()),
        caller,
    }
}

fn registered_client() -> Client {
    Client {
        designation: None,
        customer_profile_id: None,
        company_name: Some("Agents Inc".into()),
        ..client()
    }
}

#[derive(Default)]
struct Mocks {
    users: MockUserRepository,
    applications: MockApplicationRepository,
    sessions: MockSessionStore,
    hasher: MockPasswordHasher,
    tokens: MockTokenGenerator,
}

impl Mocks {
    fn application_known(&mut self) {
        self.applications
            .expect_find_by_slug()
            .with(eq(ApplicationSlug::Planoorder))
            .times(1)
            .returning(|s| Ok(Some(application(s, Role::Client))));
    }

    fn existing(&mut self, account: Option<UserAccount>) {
        self.users
            .expect_find_account_by_email()
            .withf(|e| e.as_str() == "ann@example.com")
            .times(1)
            .return_once(move |_| Ok(account));
    }

    fn password_checked(&mut self, ok: bool) {
        self.hasher
            .expect_verify()
            .withf(|p, phc| p == PASSWORD && phc == OLD_PHC)
            .times(1)
            .return_const(ok);
    }

    /// The client record is created and a session opened.
    fn registers(&mut self) {
        self.hasher
            .expect_hash()
            .withf(|p| p == PASSWORD)
            .times(1)
            .returning(|_| Ok(NEW_PHC.into()));
        self.users
            .expect_register_client()
            .withf(|r: &NewClientRegistration, at| {
                r.email.as_str() == "ann@example.com"
                    && r.password_hash == NEW_PHC
                    && r.profile.first_name == "Ann"
                    && r.profile.last_name == "Agent"
                    && r.profile.company_name.as_deref() == Some("Agents Inc")
                    && r.profile.billing == Billing::Card
                    && *at == now()
            })
            .times(1)
            .returning(|_, _| Ok((user(), registered_client())));
        self.users
            .expect_roles()
            .with(eq(user().id))
            .times(1)
            .returning(|_| Ok(client_roles()));
        session_opened(
            &mut self.sessions,
            &mut self.tokens,
            ApplicationSlug::Planoorder,
            false,
        );
    }

    fn refuses(&mut self) {
        self.hasher.expect_hash().never();
        self.users.expect_register_client().never();
        self.sessions.expect_create().never();
    }

    async fn run(self, reg: Registration) -> Result<(Client, CreatedSession), RegisterClientError> {
        RegisterClient::new(IdentityPorts {
            users: Arc::new(self.users),
            applications: Arc::new(self.applications),
            sessions: Arc::new(self.sessions),
            hasher: Arc::new(self.hasher),
            tokens: Arc::new(self.tokens),
            clock: clock(),
        })
        .run(reg)
        .await
    }
}

fn account(password_hash: Option<&str>, roles: UserRoles) -> UserAccount {
    UserAccount {
        user: user(),
        password_hash: password_hash.map(str::to_string),
        roles,
    }
}

fn employee() -> UserRoles {
    UserRoles {
        employee: true,
        ..UserRoles::default()
    }
}

#[tokio::test]
async fn a_new_email_creates_user_client_and_session() {
    let mut m = Mocks::default();
    m.application_known();
    m.existing(None);
    m.hasher.expect_verify().never();
    m.registers();
    let (client, session) = m.run(registration(PASSWORD, None)).await.unwrap();
    assert_eq!(client, registered_client());
    assert!(!session.token.is_empty());
    assert!(!session.session.remember_me);
}

#[tokio::test]
async fn an_email_of_a_client_is_already_registered() {
    let mut m = Mocks::default();
    m.application_known();
    m.existing(Some(account(Some(OLD_PHC), client_roles())));
    // Even the right password does not make a second client record.
    m.hasher.expect_verify().return_const(true);
    m.refuses();
    let e = m
        .run(registration(PASSWORD, Some(user().id)))
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegisterClientError::EmailAlreadyRegistered),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_existing_user_with_the_right_password_becomes_a_client() {
    let mut m = Mocks::default();
    m.application_known();
    m.existing(Some(account(Some(OLD_PHC), employee())));
    m.password_checked(true);
    m.registers();
    m.run(registration(PASSWORD, None)).await.unwrap();
}

#[tokio::test]
async fn an_existing_user_calling_with_their_session_becomes_a_client() {
    let mut m = Mocks::default();
    m.application_known();
    m.existing(Some(account(Some(OLD_PHC), UserRoles::default())));
    m.password_checked(false);
    m.registers();
    m.run(registration(PASSWORD, Some(user().id)))
        .await
        .unwrap();

    // Without a password to check.
    let mut m = Mocks::default();
    m.application_known();
    m.existing(Some(account(None, UserRoles::default())));
    m.hasher.expect_verify().never();
    m.registers();
    m.run(registration(PASSWORD, Some(user().id)))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_existing_user_with_a_wrong_password_and_another_caller_is_refused() {
    let mut m = Mocks::default();
    m.application_known();
    m.existing(Some(account(Some(OLD_PHC), employee())));
    m.password_checked(false);
    m.refuses();
    let e = m
        .run(registration(PASSWORD, Some(UserId(999))))
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegisterClientError::EmailAlreadyRegistered),
        "{e:?}"
    );

    let mut m = Mocks::default();
    m.application_known();
    m.existing(Some(account(None, UserRoles::default())));
    m.refuses();
    let e = m.run(registration(PASSWORD, None)).await.unwrap_err();
    assert!(
        matches!(e, RegisterClientError::EmailAlreadyRegistered),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_short_password_is_invalid() {
    let mut m = Mocks::default();
    m.application_known();
    m.users.expect_find_account_by_email().never();
    m.refuses();
    match m.run(registration("seven77", None)).await {
        Err(RegisterClientError::Params(errs)) => {
            assert_eq!(errs.0.len(), 1);
            assert_eq!(errs.0[0].field, Field::ClientPassword);
            assert!(!errs.0[0].missing);
        }
        other => panic!("expected Params, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_application_is_invalid() {
    let mut m = Mocks::default();
    m.applications
        .expect_find_by_slug()
        .times(1)
        .returning(|_| Ok(None));
    m.users.expect_find_account_by_email().never();
    m.refuses();
    match m.run(registration(PASSWORD, None)).await {
        Err(RegisterClientError::Params(errs)) => {
            assert_eq!(errs.0[0].field, Field::Application);
        }
        other => panic!("expected Params, got {other:?}"),
    }
}

#[tokio::test]
async fn a_concurrent_registration_that_won_makes_the_email_already_registered() {
    let mut m = Mocks::default();
    m.application_known();
    m.existing(None);
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(NEW_PHC.into()));
    m.users
        .expect_register_client()
        .times(1)
        .returning(|_, _| Err(StoreError::Conflict("clients_user_id_key".into())));
    m.sessions.expect_create().never();
    let e = m.run(registration(PASSWORD, None)).await.unwrap_err();
    assert!(
        matches!(e, RegisterClientError::EmailAlreadyRegistered),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_storage_failure_registering_is_unexpected() {
    let mut m = Mocks::default();
    m.application_known();
    m.existing(None);
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(NEW_PHC.into()));
    m.users
        .expect_register_client()
        .times(1)
        .returning(|_, _| Err(StoreError::Backend("down".into())));
    m.sessions.expect_create().never();
    let e = m.run(registration(PASSWORD, None)).await.unwrap_err();
    assert!(matches!(e, RegisterClientError::Unexpected(_)), "{e:?}");
}
