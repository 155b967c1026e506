//! notifications/index.

use super::{ApiRequest, Paging};
use crate::envelope::{ApiError, Success};
use crate::errors::crash;
use crate::state::AppState;
use crate::views;
use serde_json::Value;

/// notifications/index.
pub async fn notifications(
    state: &AppState,
    _req: &ApiRequest,
    p: Paging,
) -> Result<Success, ApiError> {
    let list = state
        .usecases
        .list_notifications
        .run(p.page())
        .await
        .map_err(|e| crash(&e))?;
    let data: Vec<Value> = list.iter().map(views::notification).collect();
    Ok(Success::new(
        format!("{} notifications.", data.len()),
        Value::Array(data),
    ))
}
