//! Identity use cases: authenticate a token, create and destroy sessions
//! ([`sessions`](self)), register clients (users).

mod sessions;
mod users;

pub use sessions::{
    AuthError, Authenticate, CreateSession, CreateSessionError, CreatedSession, DestroySession,
    IdentityPorts, Principal, PrincipalKind,
};
pub use users::{RegisterClient, RegisterClientError, Registration};
