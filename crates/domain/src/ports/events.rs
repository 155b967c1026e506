//! Events and webhooks: the event log (written by the storage ports in the
//! transaction of each change), the webhook endpoints, their deliveries and
//! the [`WebhookSender`] that makes the HTTP calls.

use crate::StoreError;
use crate::model::{
    Event, EventId, NewEvent, NewNotification, NewWebhookEndpoint, Secret, WebhookDeliveryId,
    WebhookEndpoint, WebhookEndpointId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A delivery claimed by a worker: the event, where it goes and how to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: WebhookDeliveryId,
    pub endpoint_id: WebhookEndpointId,
    pub url: String,
    pub secret: Secret<String>,
    /// Start of the endpoint's current run of failures, if any.
    pub failing_since: Option<DateTime<Utc>>,
    pub event: Event,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// A failed attempt, as the worker decided to record it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryFailure {
    pub id: WebhookDeliveryId,
    pub endpoint_id: WebhookEndpointId,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    pub error: String,
    /// The next attempt; `None` gives this delivery up.
    pub retry_at: Option<DateTime<Utc>>,
    /// Disables the endpoint and records this notification, in the same
    /// transaction.
    pub disable: Option<NewNotification>,
}

/// Why a delivery attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendFailure {
    /// The receiver's status when it answered (anything but 2xx).
    pub status: Option<u16>,
    /// A short description (`timeout`, `connect`, `http 500`); never the
    /// secret or the body.
    pub message: String,
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EventRepository: Send + Sync {
    /// Records `event` (created at `now`) in a transaction of its own, with
    /// a delivery to every enabled endpoint that wants its kind. Changes that
    /// report events record them inside their own transaction instead.
    async fn record(&self, event: &NewEvent, now: DateTime<Utc>) -> Result<EventId, StoreError>;
    /// Events with an id greater than `after` (all when `None`), oldest
    /// first, at most `limit`.
    async fn list_events(
        &self,
        after: Option<EventId>,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait WebhookRepository: Send + Sync {
    /// Records an endpoint (its secret sealed). Events recorded from now on
    /// are delivered to it.
    async fn create_endpoint(
        &self,
        endpoint: &NewWebhookEndpoint,
        now: DateTime<Utc>,
    ) -> Result<WebhookEndpoint, StoreError>;
    /// Endpoints not removed, oldest first.
    async fn list_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError>;
    /// Removes an endpoint: nothing more is delivered to it. False when
    /// there was none (or it was removed already).
    async fn remove_endpoint(
        &self,
        id: WebhookEndpointId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Claims up to `limit` deliveries due at `now` to enabled endpoints,
    /// each the oldest undelivered event of its order for its endpoint,
    /// pushing their next attempt to `lease_until` (`FOR UPDATE SKIP LOCKED`
    /// on PostgreSQL): each due delivery goes to exactly one caller.
    async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError>;
    /// The receiver accepted: the delivery is done and the endpoint's run of
    /// failures ends.
    async fn mark_delivered(
        &self,
        id: WebhookDeliveryId,
        endpoint: WebhookEndpointId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Counts a failed attempt; starts the endpoint's run of failures if none
    /// is running; disables the endpoint with its notification when asked.
    async fn mark_delivery_failed(
        &self,
        failure: &DeliveryFailure,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Sends events with an id ≥ `since` of the kinds the endpoint wants
    /// again: each gets a delivery due at `now` (attempts reset). Re-enables
    /// a disabled endpoint. `None` when the endpoint does not exist;
    /// otherwise the number of deliveries scheduled.
    async fn replay(
        &self,
        endpoint: WebhookEndpointId,
        since: EventId,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError>;
}

/// Makes the HTTP call of one delivery: `POST` of the event's JSON, signed
/// with the endpoint's secret (docs/webhooks.md). A 2xx answer is success;
/// anything else, a timeout or a connection error is a [`SendFailure`].
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait WebhookSender: Send + Sync {
    async fn send(&self, delivery: &DueDelivery, now: DateTime<Utc>) -> Result<(), SendFailure>;
}
