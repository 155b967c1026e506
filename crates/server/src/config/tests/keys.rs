//! The key settings: never echoed, checked, required where they must be.

use super::{DATA_KEY, env, err};
use crate::config::Config;

#[test]
fn a_bad_fingerprint_key_is_refused_without_echoing_it() {
    let key = "c2hvcnQ="; // base64 of 5 bytes
    let e = err(None, &[("ORDERCORE_FINGERPRINT_KEY", key)]);
    assert_eq!(e.setting, "ORDERCORE_FINGERPRINT_KEY");
    assert!(!e.to_string().contains(key), "{e}");
    let good = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let c = Config::from_layers(None, &env(&[("ORDERCORE_FINGERPRINT_KEY", good)])).unwrap();
    assert!(c.abuse.fingerprint_key.is_some());
    assert!(!format!("{c:?}").contains(good));
}

#[test]
fn postgres_needs_a_data_key() {
    let pg = [
        ("ORDERCORE_DATABASE_URL", "postgres://u@db/ordercore"),
        ("ORDERCORE_PAYMENT_GATEWAY", "simulated"),
    ];
    let e = err(None, &pg);
    assert_eq!(e.setting, "ORDERCORE_DATA_KEY");
    assert!(
        e.reason.contains("required with a PostgreSQL database"),
        "{e}"
    );
    assert!(e.reason.contains("ordercore keys generate"), "{e}");
    // Blank counts as unset.
    let e = err(None, &[pg[0], pg[1], ("ORDERCORE_DATA_KEY", " ")]);
    assert_eq!(e.setting, "ORDERCORE_DATA_KEY");
    let c = Config::from_layers(None, &env(&[pg[0], pg[1], DATA_KEY])).unwrap();
    assert!(c.data_keys.current.is_some());
    // SQLite needs none (serve uses a key file beside the database).
    let c = Config::from_layers(None, &env(&[])).unwrap();
    assert!(c.data_keys.current.is_none() && c.data_keys.old.is_empty());
}

#[test]
fn data_keys_are_read_and_never_echoed() {
    let old = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    let two = format!("{old}, {old}");
    let c = Config::from_layers(
        None,
        &env(&[DATA_KEY, ("ORDERCORE_DATA_KEYS_OLD", two.as_str())]),
    )
    .unwrap();
    let current = c.data_keys.current.clone().unwrap();
    assert_eq!(current.to_base64(), DATA_KEY.1);
    assert_eq!(c.data_keys.old.len(), 2);
    assert!(!format!("{c:?}").contains(DATA_KEY.1));
    assert!(!format!("{c:?}").contains(old));
    // 16 bytes: refused, without the value.
    let short = "AAECAwQFBgcICQoLDA0ODw==";
    let e = err(None, &[("ORDERCORE_DATA_KEY", short)]);
    assert_eq!(e.setting, "ORDERCORE_DATA_KEY");
    assert!(
        e.reason.contains("32 bytes") && !e.to_string().contains(short),
        "{e}"
    );
    let bad = format!("{old},nope");
    let e = err(None, &[DATA_KEY, ("ORDERCORE_DATA_KEYS_OLD", bad.as_str())]);
    assert_eq!(e.setting, "ORDERCORE_DATA_KEYS_OLD");
    assert!(e.reason.contains("key 2"), "{e}");
    // Old keys alone would be a configuration mistake.
    let e = err(None, &[("ORDERCORE_DATA_KEYS_OLD", old)]);
    assert_eq!(e.setting, "ORDERCORE_DATA_KEYS_OLD");
    let e = err(None, &[("ORDERCORE_IDEMPOTENCY_PURGE_INTERVAL_MS", "10")]);
    assert_eq!(e.setting, "ORDERCORE_IDEMPOTENCY_PURGE_INTERVAL_MS");
}
