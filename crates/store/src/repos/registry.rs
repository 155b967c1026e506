//! The route registry: routes and the API services they belong to, each with
//! a deployed flag (the kill switches of SPEC §8).

use crate::Store;
use crate::db::{DbConnection, DbResult, Fail};
use crate::schema::{api_routes, api_services};
use async_trait::async_trait;
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::ports::{ApiServiceRecord, RouteRecord, RouteRegistry};
use std::collections::HashMap;

fn services_by_name(conn: &mut DbConnection) -> DbResult<HashMap<String, bool>> {
    Ok(api_services::table
        .select((api_services::name, api_services::deployed))
        .load::<(String, bool)>(conn)?
        .into_iter()
        .collect())
}

fn route_record(
    services: &HashMap<String, bool>,
    (route, service_name, deployed): (String, String, bool),
) -> RouteRecord {
    RouteRecord {
        route,
        deployed,
        service: services.get(&service_name).map(|d| ApiServiceRecord {
            name: service_name.clone(),
            deployed: *d,
        }),
    }
}

/// Runs an insert whose unique violation means "already there".
fn insert_if_missing(result: QueryResult<usize>) -> DbResult<()> {
    match result {
        Ok(_) => Ok(()),
        Err(e) => match Fail::from(e) {
            Fail(StoreError::Conflict(_)) => Ok(()),
            other => Err(other),
        },
    }
}

#[async_trait]
impl RouteRegistry for Store {
    async fn lookup(&self, route: &str) -> Result<Option<RouteRecord>, StoreError> {
        let route = route.to_string();
        self.read(move |c| {
            let Some(row) = api_routes::table
                .filter(api_routes::route.eq(&route))
                .select((
                    api_routes::route,
                    api_routes::service_name,
                    api_routes::deployed,
                ))
                .first::<(String, String, bool)>(c)
                .optional()?
            else {
                return Ok(None);
            };
            let service = api_services::table
                .filter(api_services::name.eq(&row.1))
                .select((api_services::name, api_services::deployed))
                .first::<(String, bool)>(c)
                .optional()?;
            Ok(Some(RouteRecord {
                route: row.0,
                deployed: row.2,
                service: service.map(|(name, deployed)| ApiServiceRecord { name, deployed }),
            }))
        })
        .await
    }

    async fn list_routes(&self) -> Result<Vec<RouteRecord>, StoreError> {
        self.read(|c| {
            let services = services_by_name(c)?;
            Ok(api_routes::table
                .order(api_routes::route.asc())
                .select((
                    api_routes::route,
                    api_routes::service_name,
                    api_routes::deployed,
                ))
                .load::<(String, String, bool)>(c)?
                .into_iter()
                .map(|row| route_record(&services, row))
                .collect())
        })
        .await
    }

    async fn list_services(&self) -> Result<Vec<ApiServiceRecord>, StoreError> {
        self.read(|c| {
            Ok(api_services::table
                .order(api_services::name.asc())
                .select((api_services::name, api_services::deployed))
                .load::<(String, bool)>(c)?
                .into_iter()
                .map(|(name, deployed)| ApiServiceRecord { name, deployed })
                .collect())
        })
        .await
    }

    async fn register(&self, routes: &[(String, String)]) -> Result<(), StoreError> {
        let routes = routes.to_vec();
        self.run(move |c| {
            // One statement at a time, outside a transaction: a concurrent
            // instance registering the same records makes an insert fail
            // with a unique violation, which here means "already there".
            for (route, service) in &routes {
                let exists = api_services::table
                    .filter(api_services::name.eq(service))
                    .count()
                    .get_result::<i64>(c)?
                    > 0;
                if !exists {
                    insert_if_missing(
                        diesel::insert_into(api_services::table)
                            .values((
                                api_services::name.eq(service),
                                api_services::deployed.eq(true),
                            ))
                            .execute(c),
                    )?;
                }
                let exists = api_routes::table
                    .filter(api_routes::route.eq(route))
                    .count()
                    .get_result::<i64>(c)?
                    > 0;
                if !exists {
                    insert_if_missing(
                        diesel::insert_into(api_routes::table)
                            .values((
                                api_routes::route.eq(route),
                                api_routes::service_name.eq(service),
                                api_routes::deployed.eq(true),
                            ))
                            .execute(c),
                    )?;
                }
            }
            Ok(())
        })
        .await
    }

    async fn set_route_deployed(&self, route: &str, deployed: bool) -> Result<bool, StoreError> {
        let route = route.to_string();
        self.run(move |c| {
            let n = diesel::update(api_routes::table.filter(api_routes::route.eq(route)))
                .set(api_routes::deployed.eq(deployed))
                .execute(c)?;
            Ok(n > 0)
        })
        .await
    }

    async fn set_service_deployed(
        &self,
        service: &str,
        deployed: bool,
    ) -> Result<bool, StoreError> {
        let service = service.to_string();
        self.run(move |c| {
            let n = diesel::update(api_services::table.filter(api_services::name.eq(service)))
                .set(api_services::deployed.eq(deployed))
                .execute(c)?;
            Ok(n > 0)
        })
        .await
    }
}
