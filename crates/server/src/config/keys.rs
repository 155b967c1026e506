//! The data keys (encryption at rest): `ORDERCORE_DATA_KEY` and
//! `ORDERCORE_DATA_KEYS_OLD`, checked without ever echoing a value.

use super::ConfigError;
use super::layers::Merged;
use super::settings::Settings;
use ordercore_crypto::DataKey;

/// The configured data keys.
#[derive(Debug, Clone, Default)]
pub struct DataKeys {
    /// `None`: not set. On SQLite `serve` then uses (or creates) a key file
    /// beside the database; PostgreSQL refuses to start without it.
    pub current: Option<DataKey>,
    /// Earlier keys, accepted for reading only.
    pub old: Vec<DataKey>,
}

/// Reads the two settings; a bad key is an error naming its setting (and,
/// for the old keys, its position in the list).
pub(super) fn data_keys(m: &Merged, s: &Settings, postgres: bool) -> Result<DataKeys, ConfigError> {
    let current = match &s.data_key {
        Some(k) if !k.0.trim().is_empty() => {
            Some(DataKey::from_base64(&k.0).map_err(|r| m.error("data_key", r))?)
        }
        _ => None,
    };
    if current.is_none() && postgres {
        return Err(m.error(
            "data_key",
            "required with a PostgreSQL database: base64 of 32 random bytes, the same on every \
             instance (`ordercore keys generate` prints one); the access codes and on-site \
             contacts of orders are encrypted with it",
        ));
    }
    let mut old = Vec::new();
    if let Some(list) = &s.data_keys_old {
        for (i, item) in list
            .0
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .enumerate()
        {
            let key = DataKey::from_base64(item)
                .map_err(|r| m.error("data_keys_old", format!("key {} of the list: {r}", i + 1)))?;
            old.push(key);
        }
    }
    if current.is_none() && !old.is_empty() {
        return Err(m.error(
            "data_keys_old",
            "older keys are only read beside a current key: set ORDERCORE_DATA_KEY too",
        ));
    }
    Ok(DataKeys { current, old })
}
