//! `orders/read`, `orders/index`.

use crate::Unexpected;
use crate::model::{Order, OrderId};
use crate::ports::{OrderQuery, OrderRepository, Page};
use crate::rules::orders::Actor;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum OrderLookupError {
    /// → `invalid-param` on `id`: no such order, or not visible to the
    /// requester (the two are indistinguishable on purpose).
    #[error("no order with this id")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// One order visible to the requester.
pub struct ReadOrder {
    orders: Arc<dyn OrderRepository>,
}

impl ReadOrder {
    pub fn new(orders: Arc<dyn OrderRepository>) -> Self {
        Self { orders }
    }

    pub async fn run(&self, actor: &Actor, id: OrderId) -> Result<Order, OrderLookupError> {
        Self::visible(actor, self.orders.find(id).await.map_err(Unexpected::from)?)
    }

    /// The order a look-up `found` (this use case's own, or the one made
    /// with the session: [`crate::usecases::Authenticate::run_reading_order`]),
    /// if `actor` may see it.
    pub fn visible(actor: &Actor, found: Option<Order>) -> Result<Order, OrderLookupError> {
        match found {
            Some(o) if actor.may_act_for(o.client.id) => Ok(o),
            _ => Err(OrderLookupError::NotFound),
        }
    }
}

/// Orders visible to the requester, newest first.
pub struct ListOrders {
    orders: Arc<dyn OrderRepository>,
}

impl ListOrders {
    pub fn new(orders: Arc<dyn OrderRepository>) -> Self {
        Self { orders }
    }

    pub async fn run(&self, actor: &Actor, page: Page) -> Result<Vec<Order>, Unexpected> {
        let page = Page {
            page: page.page.max(1),
            per_page: page.per_page.clamp(1, Page::MAX_PER_PAGE),
        };
        Ok(self.orders.list(actor.visible_clients(), page).await?)
    }
}

/// Staff search orders by id, client e-mail or status (the console).
pub struct SearchOrders {
    orders: Arc<dyn OrderRepository>,
}

impl SearchOrders {
    pub fn new(orders: Arc<dyn OrderRepository>) -> Self {
        Self { orders }
    }

    /// Newest first, at most `limit` (clamped to 1..=100).
    pub async fn run(&self, query: &OrderQuery, limit: u32) -> Result<Vec<Order>, Unexpected> {
        Ok(self
            .orders
            .search(query, limit.clamp(1, Page::MAX_PER_PAGE))
            .await?)
    }
}
