//! The service catalog: what can be ordered, at which price.

use crate::Store;
use crate::db::{DbResult, money, parse_enum};
use crate::schema::services;
use async_trait::async_trait;
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{Service, ServiceId, ServiceKind};
use ordercore_domain::ports::CatalogRepository;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

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

/// The whole catalogue (active and inactive services), kept in memory for at
/// most [`CatalogCache::TTL`]: the hot path (every submission resolves its
/// services) reads no row. The catalogue changes only through a seed; a seed
/// through this store empties the cache at once, a seed by another process
/// (the `seed` command) is seen within the TTL.
#[derive(Debug, Default)]
pub(crate) struct CatalogCache {
    /// (generation, when loaded and what): an invalidation bumps the
    /// generation, so a load that started before it is not put back.
    slot: RwLock<(u64, Option<Loaded>)>,
}

/// When the catalogue was read, and what it held.
type Loaded = (Instant, Arc<Vec<Service>>);

impl CatalogCache {
    pub(crate) const TTL: Duration = Duration::from_secs(5);

    /// The fresh copy, or the generation a new load belongs to.
    fn fresh(&self) -> Result<Arc<Vec<Service>>, u64> {
        let slot = self.slot.read().unwrap_or_else(|e| e.into_inner());
        match &slot.1 {
            Some((at, list)) if at.elapsed() < Self::TTL => Ok(list.clone()),
            _ => Err(slot.0),
        }
    }

    fn put(&self, generation: u64, at: Instant, list: Arc<Vec<Service>>) {
        let mut slot = self.slot.write().unwrap_or_else(|e| e.into_inner());
        if slot.0 == generation {
            slot.1 = Some((at, list));
        }
    }

    /// Forgets the catalogue; the next read loads it again.
    pub(crate) fn invalidate(&self) {
        let mut slot = self.slot.write().unwrap_or_else(|e| e.into_inner());
        slot.0 = slot.0.wrapping_add(1);
        slot.1 = None;
    }
}

impl Store {
    /// Every service, from memory when the copy is fresh (one statement when
    /// it is not).
    async fn catalog(&self) -> Result<Arc<Vec<Service>>, StoreError> {
        let generation = match self.catalog.fresh() {
            Ok(list) => return Ok(list),
            Err(generation) => generation,
        };
        let started = Instant::now();
        let list = self
            .read(|c| {
                services::table
                    .order(services::id.asc())
                    .select(ServiceRow::as_select())
                    .load::<ServiceRow>(c)?
                    .into_iter()
                    .map(service_from_row)
                    .collect::<DbResult<Vec<_>>>()
            })
            .await?;
        let list = Arc::new(list);
        self.catalog.put(generation, started, list.clone());
        Ok(list)
    }
}

#[async_trait]
impl CatalogRepository for Store {
    async fn active_services(&self) -> Result<Vec<Service>, StoreError> {
        let mut list: Vec<Service> = self
            .catalog()
            .await?
            .iter()
            .filter(|s| s.active)
            .cloned()
            .collect();
        list.sort_by(|a, b| {
            (a.kind != ServiceKind::Primary, &a.name, a.id).cmp(&(
                b.kind != ServiceKind::Primary,
                &b.name,
                b.id,
            ))
        });
        Ok(list)
    }

    async fn find_services(&self, ids: &[ServiceId]) -> Result<Vec<Service>, StoreError> {
        // Ordered by id, as the catalogue is.
        Ok(self
            .catalog()
            .await?
            .iter()
            .filter(|s| ids.contains(&s.id))
            .cloned()
            .collect())
    }
}
