//! events/index: the pull feed (docs/webhooks.md).

use super::ApiRequest;
use crate::envelope::{ApiError, Success};
use crate::errors::crash;
use crate::state::AppState;
use crate::views::{EventJson, value};
use ordercore_domain::model::EventId;
use serde::Deserialize;
use serde_json::Value;

/// events/index.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct FeedParams {
    pub after: Option<i64>,
    pub per_page: Option<i64>,
}

/// Events after the cursor, oldest first.
pub async fn index(
    state: &AppState,
    _req: &ApiRequest,
    p: FeedParams,
) -> Result<Success, ApiError> {
    let limit = p.per_page.and_then(|n| u32::try_from(n).ok()).unwrap_or(25);
    let list = state
        .usecases
        .manage_webhooks
        .feed(p.after.filter(|a| *a > 0).map(EventId), limit)
        .await
        .map_err(|e| crash(&e))?;
    let data: Vec<Value> = list.iter().map(|e| value(EventJson::new(e))).collect();
    Ok(Success::new(
        format!("{} events.", data.len()),
        Value::Array(data),
    ))
}
