//! Users, clients and role records; applications and sessions live in the submodules.

mod applications;
mod sessions;
pub(crate) mod touches;

use crate::Store;
use crate::db::{DbConnection, DbResult, backend_fail, columns, micros, parse_enum, write_tx};
use crate::schema::{clients, employees, liaison_clients, liaisons, users};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    Billing, Client, ClientId, Email, User, UserAccount, UserId, UserRoles,
};
use ordercore_domain::ports::{ClientRepository, NewClientRegistration, UserRepository};

/// One `clients` row (the e-mail lives on the user and is selected beside it).
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = clients)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct ClientRow {
    id: i64,
    user_id: i64,
    first_name: String,
    last_name: String,
    phone: Option<String>,
    company_name: Option<String>,
    designation: Option<String>,
    billing: String,
    customer_profile_id: Option<String>,
}

// `ClientRow`'s columns in its field order, for joins where the row may be
// absent (`CLIENT_COLUMNS.nullable()`) or sits beside other tables' columns.
columns!(pub(crate) const CLIENT_COLUMNS = clients {
    id,
    user_id,
    first_name,
    last_name,
    phone,
    company_name,
    designation,
    billing,
    customer_profile_id,
});

pub(crate) fn parse_email(raw: &str) -> DbResult<Email> {
    Email::parse(raw).map_err(|e| backend_fail(format!("stored e-mail unreadable: {e}")))
}

pub(crate) fn client_from_row(row: ClientRow, email: String) -> DbResult<Client> {
    Ok(Client {
        id: ClientId(row.id),
        user_id: UserId(row.user_id),
        email: parse_email(&email)?,
        first_name: row.first_name,
        last_name: row.last_name,
        phone: row.phone,
        company_name: row.company_name,
        designation: row.designation,
        billing: parse_enum("billing", &row.billing, Billing::parse)?,
        customer_profile_id: row.customer_profile_id,
    })
}

/// The client record with this id, with its user's e-mail.
pub(crate) fn load_client(conn: &mut DbConnection, id: ClientId) -> DbResult<Option<Client>> {
    let row = clients::table
        .inner_join(users::table)
        .filter(clients::id.eq(id.0))
        .select((CLIENT_COLUMNS, users::email))
        .first::<(ClientRow, String)>(conn)
        .optional()?;
    row.map(|(r, email)| client_from_row(r, email)).transpose()
}

/// Clients by id, with e-mails; unknown ids are left out.
pub(crate) fn load_clients(conn: &mut DbConnection, ids: &[i64]) -> DbResult<Vec<Client>> {
    clients::table
        .inner_join(users::table)
        .filter(clients::id.eq_any(ids))
        .select((CLIENT_COLUMNS, users::email))
        .load::<(ClientRow, String)>(conn)?
        .into_iter()
        .map(|(r, email)| client_from_row(r, email))
        .collect()
}

/// The role records of `user`: its client (with e-mail), whether it is an
/// employee and its liaison id, in one statement; the liaison's clients in a
/// second one, only for a liaison. An unknown user has no roles.
pub(crate) fn load_roles(conn: &mut DbConnection, user: UserId) -> DbResult<UserRoles> {
    let employee_id = employees::table
        .filter(employees::user_id.eq(user.0))
        .select(employees::id)
        .limit(1)
        .single_value();
    let liaison_id = liaisons::table
        .filter(liaisons::user_id.eq(user.0))
        .select(liaisons::id)
        .limit(1)
        .single_value();
    let Some((client, email, employee, liaison)) = users::table
        .left_join(clients::table)
        .filter(users::id.eq(user.0))
        .select((
            CLIENT_COLUMNS.nullable(),
            users::email,
            employee_id,
            liaison_id,
        ))
        .first::<(Option<ClientRow>, String, Option<i64>, Option<i64>)>(conn)
        .optional()?
    else {
        return Ok(UserRoles {
            client: None,
            employee: false,
            liaison_clients: None,
        });
    };
    roles_from(conn, client, email, employee, liaison)
}

/// The roles of a user whose client row, e-mail, employee id and liaison id
/// were read: the liaison's clients take one more statement, for a liaison
/// only.
pub(crate) fn roles_from(
    conn: &mut DbConnection,
    client: Option<ClientRow>,
    email: String,
    employee: Option<i64>,
    liaison: Option<i64>,
) -> DbResult<UserRoles> {
    let client = client.map(|r| client_from_row(r, email)).transpose()?;
    let employee = employee.is_some();
    let liaison_clients = match liaison {
        None => None,
        Some(liaison_id) => Some(
            liaison_clients::table
                .filter(liaison_clients::liaison_id.eq(liaison_id))
                .select(liaison_clients::client_id)
                .order(liaison_clients::client_id.asc())
                .load::<i64>(conn)?
                .into_iter()
                .map(ClientId)
                .collect(),
        ),
    };
    Ok(UserRoles {
        client,
        employee,
        liaison_clients,
    })
}

#[async_trait]
impl UserRepository for Store {
    async fn find_account_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<UserAccount>, StoreError> {
        let email = email.as_str().to_lowercase();
        self.read(move |c| {
            let Some((id, stored, hash)) = users::table
                .filter(users::email.eq(&email))
                .select((users::id, users::email, users::password_hash))
                .first::<(i64, String, Option<String>)>(c)
                .optional()?
            else {
                return Ok(None);
            };
            let roles = load_roles(c, UserId(id))?;
            Ok(Some(UserAccount {
                user: User {
                    id: UserId(id),
                    email: parse_email(&stored)?,
                },
                password_hash: hash,
                roles,
            }))
        })
        .await
    }

    async fn find_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.read(move |c| {
            users::table
                .filter(users::id.eq(id.0))
                .select(users::email)
                .first::<String>(c)
                .optional()?
                .map(|e| {
                    Ok(User {
                        id,
                        email: parse_email(&e)?,
                    })
                })
                .transpose()
        })
        .await
    }

    async fn roles(&self, user: UserId) -> Result<UserRoles, StoreError> {
        self.read(move |c| load_roles(c, user)).await
    }

    async fn register_client(
        &self,
        registration: &NewClientRegistration,
        now: DateTime<Utc>,
    ) -> Result<(User, Client), StoreError> {
        let reg = registration.clone();
        self.run(move |c| {
            write_tx(c, |c| {
                let user_id = ensure_user(c, &reg.email, Some(&reg.password_hash), now)?;
                let p = &reg.profile;
                let client_id = diesel::insert_into(clients::table)
                    .values((
                        clients::user_id.eq(user_id),
                        clients::first_name.eq(&p.first_name),
                        clients::last_name.eq(&p.last_name),
                        clients::phone.eq(&p.phone),
                        clients::company_name.eq(&p.company_name),
                        clients::designation.eq(&p.designation),
                        clients::billing.eq(p.billing.as_str()),
                        clients::created_at.eq(micros(now)),
                    ))
                    .returning(clients::id)
                    .get_result::<i64>(c)?;
                let client = load_client(c, ClientId(client_id))?
                    .ok_or_else(|| backend_fail("client vanished after insert"))?;
                Ok((
                    User {
                        id: UserId(user_id),
                        email: reg.email.clone(),
                    },
                    client,
                ))
            })
        })
        .await
    }
}

/// The id of the user with this e-mail, created when missing. A password hash
/// is set on a new user, or on an existing user who had none.
pub(crate) fn ensure_user(
    conn: &mut DbConnection,
    email: &Email,
    password_hash: Option<&str>,
    now: DateTime<Utc>,
) -> DbResult<i64> {
    let email = email.as_str().to_lowercase();
    let existing = users::table
        .filter(users::email.eq(&email))
        .select((users::id, users::password_hash))
        .first::<(i64, Option<String>)>(conn)
        .optional()?;
    match existing {
        Some((id, hash)) => {
            if hash.is_none()
                && let Some(new_hash) = password_hash
            {
                diesel::update(users::table.filter(users::id.eq(id)))
                    .set(users::password_hash.eq(new_hash))
                    .execute(conn)?;
            }
            Ok(id)
        }
        None => Ok(diesel::insert_into(users::table)
            .values((
                users::email.eq(&email),
                users::password_hash.eq(password_hash),
                users::created_at.eq(micros(now)),
            ))
            .returning(users::id)
            .get_result::<i64>(conn)?),
    }
}

#[async_trait]
impl ClientRepository for Store {
    async fn find_client(&self, id: ClientId) -> Result<Option<Client>, StoreError> {
        self.read(move |c| load_client(c, id)).await
    }

    async fn set_customer_profile_id(
        &self,
        id: ClientId,
        customer_profile_id: &str,
    ) -> Result<(), StoreError> {
        let cpid = customer_profile_id.to_string();
        self.run(move |c| {
            let n = diesel::update(clients::table.filter(clients::id.eq(id.0)))
                .set(clients::customer_profile_id.eq(cpid))
                .execute(c)?;
            if n == 0 {
                return Err(backend_fail(format!("no client {id}")));
            }
            Ok(())
        })
        .await
    }
}
