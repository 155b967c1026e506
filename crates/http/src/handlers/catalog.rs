//! services/index.

use super::{ApiRequest, NoParams};
use crate::envelope::{ApiError, Success};
use crate::errors::crash;
use crate::state::AppState;
use crate::views;
use serde_json::Value;

/// services/index.
pub async fn list_services(
    state: &AppState,
    _req: &ApiRequest,
    _: NoParams,
) -> Result<Success, ApiError> {
    let services = state
        .usecases
        .list_services
        .run()
        .await
        .map_err(|e| crash(&e))?;
    let data: Vec<Value> = services.iter().map(views::service).collect();
    Ok(Success::new(
        format!("{} services.", data.len()),
        Value::Array(data),
    ))
}
