//! The service catalog: what can be ordered, at which price.

use crate::Store;
use crate::db::{DbResult, money, parse_enum};
use crate::schema::services;
use async_trait::async_trait;
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{Service, ServiceId, ServiceKind};
use ordercore_domain::ports::CatalogRepository;

/// One `services` row.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = services)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct ServiceRow {
    id: i64,
    slug: String,
    name: String,
    kind: String,
    price_cents: i64,
    active: bool,
}

fn service_from_row(row: ServiceRow) -> DbResult<Service> {
    Ok(Service {
        id: ServiceId(row.id),
        slug: row.slug,
        name: row.name,
        kind: parse_enum("service kind", &row.kind, ServiceKind::parse)?,
        price: money(row.price_cents)?,
        active: row.active,
    })
}

#[async_trait]
impl CatalogRepository for Store {
    async fn active_services(&self) -> Result<Vec<Service>, StoreError> {
        self.run(|c| {
            let mut list = services::table
                .filter(services::active.eq(true))
                .select(ServiceRow::as_select())
                .load::<ServiceRow>(c)?
                .into_iter()
                .map(service_from_row)
                .collect::<DbResult<Vec<_>>>()?;
            list.sort_by(|a, b| {
                (a.kind != ServiceKind::Primary, &a.name, a.id).cmp(&(
                    b.kind != ServiceKind::Primary,
                    &b.name,
                    b.id,
                ))
            });
            Ok(list)
        })
        .await
    }

    async fn find_services(&self, ids: &[ServiceId]) -> Result<Vec<Service>, StoreError> {
        let ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
        self.run(move |c| {
            services::table
                .filter(services::id.eq_any(ids))
                .order(services::id.asc())
                .select(ServiceRow::as_select())
                .load::<ServiceRow>(c)?
                .into_iter()
                .map(service_from_row)
                .collect()
        })
        .await
    }
}
