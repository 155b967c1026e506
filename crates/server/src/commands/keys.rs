//! `ordercore keys generate` and `ordercore keys rotate`
//! (docs/security.md, "Key rotation").

use super::CommandError;
use crate::cli::KeysAction;
use crate::config::Config;
use crate::{data_key, database};
use ordercore_crypto::DataKey;
use std::sync::Arc;

/// A new random data key, base64 (what `keys generate` prints).
pub fn generate_key() -> String {
    DataKey::generate().to_base64()
}

pub async fn keys(config: &Config, action: KeysAction) -> Result<(), CommandError> {
    match action {
        KeysAction::Generate => {
            out!("{}", generate_key());
            Ok(())
        }
        KeysAction::Rotate { batch } => rotate(config, batch).await,
    }
}

async fn rotate(config: &Config, batch: u32) -> Result<(), CommandError> {
    let cipher = data_key::data_cipher(config)?;
    let current = cipher.current_id().to_string();
    let store = database::open_migrated(config)
        .await?
        .with_cipher(Arc::new(cipher));
    let report = store
        .rotate_secrets(batch)
        .await
        .map_err(|e| CommandError::Failed(format!("rotation stopped: {e}")))?;
    tracing::info!(
        key_id = %current,
        orders.examined = report.orders_examined,
        orders.resealed = report.orders_resealed,
        answers.examined = report.answers_examined,
        answers.resealed = report.answers_resealed,
        events.examined = report.events_examined,
        events.resealed = report.events_resealed,
        webhook_secrets.examined = report.webhook_secrets_examined,
        webhook_secrets.resealed = report.webhook_secrets_resealed,
        "data key rotation finished"
    );
    out!(
        "data key {current}: orders {} examined, {} re-encrypted; stored idempotent answers {} \
         examined, {} re-encrypted; events {} examined, {} re-encrypted; webhook secrets {} \
         examined, {} re-encrypted",
        report.orders_examined,
        report.orders_resealed,
        report.answers_examined,
        report.answers_resealed,
        report.events_examined,
        report.events_resealed,
        report.webhook_secrets_examined,
        report.webhook_secrets_resealed
    );
    Ok(())
}
