//! Which data key secrets are sealed with: `ORDERCORE_DATA_KEY` when set;
//! else, on SQLite, a key file beside the database (`<database>.key`, mode
//! 0600), created on first use and reused afterwards. PostgreSQL never gets
//! here without the setting (configuration refuses it).

use crate::config::Config;
use crate::database::sqlite_path;
use crate::wiring::WiringError;
use ordercore_crypto::{DataCipher, DataKey};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The key file of a SQLite database file: the same path plus `.key`.
pub fn key_file_of(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// The cipher the configuration names (creating the SQLite key file if
/// needed, and saying so once, as a warning in the log on stderr).
pub fn data_cipher(config: &Config) -> Result<DataCipher, WiringError> {
    let old = config.data_keys.old.clone();
    if let Some(current) = &config.data_keys.current {
        return Ok(DataCipher::new(current.clone(), old));
    }
    let Some(database) = sqlite_path(config) else {
        return Err(WiringError::Adapter {
            setting: "ORDERCORE_DATA_KEY",
            detail: "required with a PostgreSQL database".into(),
        });
    };
    let path = key_file_of(Path::new(database));
    let key = load_or_create(&path)?;
    Ok(DataCipher::new(key, old))
}

fn key_file_error(path: &Path, detail: impl std::fmt::Display) -> WiringError {
    WiringError::Adapter {
        setting: "ORDERCORE_DATA_KEY",
        detail: format!("not set, and the SQLite key file {path:?} {detail}"),
    }
}

/// Reads the key file, or creates it (mode 0600, never overwriting one that
/// appeared in between).
pub fn load_or_create(path: &Path) -> Result<DataKey, WiringError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            return DataKey::from_base64(&text)
                .map_err(|r| key_file_error(path, format!("is unreadable: {r}")));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(key_file_error(path, format!("cannot be read: {e}"))),
    }
    let key = DataKey::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            writeln!(file, "{}", key.to_base64())
                .and_then(|()| file.sync_all())
                .map_err(|e| key_file_error(path, format!("cannot be written: {e}")))?;
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return load_or_create(path),
        Err(e) => return Err(key_file_error(path, format!("cannot be created: {e}"))),
    }
    let note = format!(
        "ORDERCORE_DATA_KEY is not set: created the data key file {} (mode 0600) beside the \
         SQLite database; it encrypts order access codes and contacts at rest and is reused \
         from now on. Keep it with the database (and out of backups stored with it)",
        path.display()
    );
    // Logs go to stderr: said once, like the other start-up warnings.
    tracing::warn!(key_file = %path.display(), "{note}");
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_private_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = key_file_of(&dir.path().join("ordercore.db"));
        assert!(path.ends_with("ordercore.db.key"));
        let first = load_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(load_or_create(&path).unwrap(), first);
        std::fs::write(&path, "garbage").unwrap();
        let e = load_or_create(&path).unwrap_err().to_string();
        assert!(
            e.contains("ORDERCORE_DATA_KEY") && e.contains("unreadable"),
            "{e}"
        );
    }
}
