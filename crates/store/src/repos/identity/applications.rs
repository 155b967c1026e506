//! Applications (one per `ApplicationSlug`): the `applications` rows, never their
//! token digests.

use crate::Store;
use crate::db::{DbResult, parse_enum};
use crate::schema::applications;
use async_trait::async_trait;
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{Application, ApplicationId, ApplicationSlug, Role};
use ordercore_domain::ports::ApplicationRepository;

/// One `applications` row (never the token digest).
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = applications)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct ApplicationRow {
    id: i64,
    slug: String,
    name: String,
    token_role: String,
}

fn application_from_row(row: ApplicationRow) -> DbResult<Application> {
    Ok(Application {
        id: ApplicationId(row.id),
        slug: parse_enum("application", &row.slug, ApplicationSlug::parse)?,
        name: row.name,
        token_role: parse_enum("role", &row.token_role, Role::parse)?,
    })
}

#[async_trait]
impl ApplicationRepository for Store {
    async fn find_by_slug(&self, slug: ApplicationSlug) -> Result<Option<Application>, StoreError> {
        self.read(move |c| {
            applications::table
                .filter(applications::slug.eq(slug.as_str()))
                .select(ApplicationRow::as_select())
                .first::<ApplicationRow>(c)
                .optional()?
                .map(application_from_row)
                .transpose()
        })
        .await
    }

    async fn find_by_token_digest(&self, digest: &str) -> Result<Option<Application>, StoreError> {
        let digest = digest.to_string();
        self.read(move |c| {
            applications::table
                .filter(applications::token_digest.eq(digest))
                .select(ApplicationRow::as_select())
                .first::<ApplicationRow>(c)
                .optional()?
                .map(application_from_row)
                .transpose()
        })
        .await
    }
}
