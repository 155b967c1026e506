use super::*;
use ordercore_authorizenet::Endpoint;

/// The secret keys: data keys and the fingerprint key.
mod keys;

/// Environment variables from pairs (shared by the config modules' tests).
pub(crate) fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A data key (base64 of 32 bytes of 0x07): PostgreSQL requires one.
const DATA_KEY: (&str, &str) = (
    "ORDERCORE_DATA_KEY",
    "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
);

fn err(file: Option<&str>, pairs: &[(&str, &str)]) -> ConfigError {
    Config::from_layers(file.map(|t| ("ordercore.toml", t)), &env(pairs))
        .expect_err("configuration should be refused")
}

#[test]
fn defaults_give_the_demo_setup() {
    let c = Config::from_layers(None, &env(&[])).unwrap();
    assert_eq!(c.database_url.expose(), "sqlite://ordercore.db");
    assert!(c.is_default_sqlite());
    assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
    assert!(matches!(c.payment, PaymentConfig::Simulated));
    assert!(matches!(c.mailer, MailerConfig::Log));
    assert_eq!(c.rate_limit_per_minute, 120);
    assert_eq!(c.database_pool_size, 10);
    assert_eq!(c.log.filter, "info");
    assert_eq!(c.log.format, LogFormat::Text);
    assert_eq!(c.workers.outbox_interval, Duration::from_secs(5));
    assert_eq!(c.workers.outbox_first_retry, Duration::from_secs(60));
    assert_eq!(c.workers.sweeper_interval, Duration::from_secs(60));
}

#[test]
fn file_overrides_defaults_and_env_overrides_file() {
    let file = r#"
        bind = "0.0.0.0:9000"
        rate_limit_per_minute = 60
        log_format = "json"
    "#;
    let c = Config::from_layers(Some(("f.toml", file)), &env(&[])).unwrap();
    assert_eq!(c.bind.to_string(), "0.0.0.0:9000");
    assert_eq!(c.rate_limit_per_minute, 60);
    assert_eq!(c.log.format, LogFormat::Json);

    let c = Config::from_layers(
        Some(("f.toml", file)),
        &env(&[
            ("ORDERCORE_RATE_LIMIT_PER_MINUTE", "7"),
            ("ORDERCORE_DATABASE_URL", "postgres://u:pw@db/ordercore"),
            ("ORDERCORE_PAYMENT_GATEWAY", "simulated"),
            DATA_KEY,
        ]),
    )
    .unwrap();
    assert_eq!(c.bind.to_string(), "0.0.0.0:9000");
    assert_eq!(c.rate_limit_per_minute, 7);
    assert!(!c.is_default_sqlite());
}

#[test]
fn unknown_env_variables_are_ignored_but_unknown_file_keys_are_not() {
    assert!(Config::from_layers(None, &env(&[("ORDERCORE_REQUIRE_POSTGRES", "1")])).is_ok());
    let e = err(Some("paymnt_gateway = \"simulated\""), &[]);
    assert_eq!(e.setting, "paymnt_gateway");
    assert!(e.reason.contains("unknown setting"), "{e}");
}

#[test]
fn an_empty_value_counts_as_unset() {
    let c = Config::from_layers(None, &env(&[("ORDERCORE_BIND", "")])).unwrap();
    assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
}

#[test]
fn unknown_gateway_names_the_setting() {
    let e = err(None, &[("ORDERCORE_PAYMENT_GATEWAY", "paypal")]);
    assert_eq!(e.setting, "ORDERCORE_PAYMENT_GATEWAY");
    assert_eq!(e.source, "environment");
    assert!(
        e.to_string().contains("unknown payment gateway \"paypal\""),
        "{e}"
    );
}

#[test]
fn unreadable_database_url_is_refused_without_echoing_it() {
    let e = err(
        None,
        &[("ORDERCORE_DATABASE_URL", "mysql://root:hunter2@db/x")],
    );
    assert_eq!(e.setting, "ORDERCORE_DATABASE_URL");
    assert!(e.reason.contains("unreadable database URL"), "{e}");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = err(None, &[("ORDERCORE_DATABASE_URL", "sqlite://")]);
    assert_eq!(e.setting, "ORDERCORE_DATABASE_URL");
    let e = err(None, &[("ORDERCORE_DATABASE_URL", "just-a-file.db")]);
    assert_eq!(e.setting, "ORDERCORE_DATABASE_URL");
}

#[test]
fn authorizenet_requires_its_credentials() {
    let e = err(None, &[("ORDERCORE_PAYMENT_GATEWAY", "authorizenet")]);
    assert_eq!(e.setting, "ORDERCORE_AUTHORIZENET_LOGIN_ID");
    assert!(e.reason.contains("required"), "{e}");
    let e = err(
        None,
        &[
            ("ORDERCORE_PAYMENT_GATEWAY", "authorizenet"),
            ("ORDERCORE_AUTHORIZENET_LOGIN_ID", "login"),
        ],
    );
    assert_eq!(e.setting, "ORDERCORE_AUTHORIZENET_TRANSACTION_KEY");
    let e = err(
        None,
        &[
            ("ORDERCORE_PAYMENT_GATEWAY", "authorizenet"),
            ("ORDERCORE_AUTHORIZENET_LOGIN_ID", "login"),
            ("ORDERCORE_AUTHORIZENET_TRANSACTION_KEY", "key"),
            ("ORDERCORE_AUTHORIZENET_ENDPOINT", "ftp://x"),
        ],
    );
    assert_eq!(e.setting, "ORDERCORE_AUTHORIZENET_ENDPOINT");
}

#[test]
fn authorizenet_config_is_built_and_its_key_never_prints() {
    let c = Config::from_layers(
        None,
        &env(&[
            ("ORDERCORE_PAYMENT_GATEWAY", "authorizenet"),
            ("ORDERCORE_AUTHORIZENET_LOGIN_ID", "login"),
            ("ORDERCORE_AUTHORIZENET_TRANSACTION_KEY", "TopSecretKey1"),
            ("ORDERCORE_AUTHORIZENET_ENDPOINT", "http://127.0.0.1:9/api"),
            ("ORDERCORE_MAILER", "mandrill"),
            ("ORDERCORE_MANDRILL_API_KEY", "md-TopSecretKey2"),
            ("ORDERCORE_DATABASE_URL", "postgres://u:TopSecretPw@db/x"),
            DATA_KEY,
        ]),
    )
    .unwrap();
    let PaymentConfig::AuthorizeNet(a) = &c.payment else {
        panic!("expected authorizenet")
    };
    assert_eq!(a.endpoint, Endpoint::Url("http://127.0.0.1:9/api".into()));
    assert_eq!(a.transaction_key.expose(), "TopSecretKey1");
    let printed = format!("{c:?} {}", c.summary());
    for secret in ["TopSecretKey1", "TopSecretKey2", "TopSecretPw", DATA_KEY.1] {
        assert!(!printed.contains(secret), "{secret} printed: {printed}");
    }
}

#[test]
fn mandrill_requires_its_key_and_a_url() {
    let e = err(None, &[("ORDERCORE_MAILER", "mandrill")]);
    assert_eq!(e.setting, "ORDERCORE_MANDRILL_API_KEY");
    let e = err(
        None,
        &[
            ("ORDERCORE_MAILER", "mandrill"),
            ("ORDERCORE_MANDRILL_API_KEY", "k"),
            ("ORDERCORE_MANDRILL_ENDPOINT", "mandrillapp.com"),
        ],
    );
    assert_eq!(e.setting, "ORDERCORE_MANDRILL_ENDPOINT");
    let e = err(None, &[("ORDERCORE_MAILER", "smtp")]);
    assert_eq!(e.setting, "ORDERCORE_MAILER");
    let c = Config::from_layers(
        None,
        &env(&[
            ("ORDERCORE_MAILER", "mandrill"),
            ("ORDERCORE_MANDRILL_API_KEY", "k"),
            ("ORDERCORE_MANDRILL_ENDPOINT", "http://127.0.0.1:1/api/1.0"),
            ("ORDERCORE_MAIL_FROM", "Orders@Example.com"),
        ]),
    )
    .unwrap();
    let MailerConfig::Mandrill(m) = &c.mailer else {
        panic!("expected mandrill")
    };
    assert_eq!(m.endpoint, "http://127.0.0.1:1/api/1.0");
    assert_eq!(m.from_email.as_str(), "orders@example.com");
}

#[test]
fn numbers_and_addresses_are_checked() {
    let e = err(None, &[("ORDERCORE_RATE_LIMIT_PER_MINUTE", "lots")]);
    assert_eq!(e.setting, "ORDERCORE_RATE_LIMIT_PER_MINUTE");
    let e = err(None, &[("ORDERCORE_DATABASE_POOL_SIZE", "0")]);
    assert_eq!(e.setting, "ORDERCORE_DATABASE_POOL_SIZE");
    let e = err(None, &[("ORDERCORE_BIND", "localhost")]);
    assert_eq!(e.setting, "ORDERCORE_BIND");
    let e = err(None, &[("ORDERCORE_MAIL_FROM", "nobody")]);
    assert_eq!(e.setting, "ORDERCORE_MAIL_FROM");
    let e = err(None, &[("ORDERCORE_LOG_FORMAT", "xml")]);
    assert_eq!(e.setting, "ORDERCORE_LOG_FORMAT");
    let e = err(Some("bind = \"nowhere\""), &[]);
    assert_eq!(e.setting, "bind");
    assert_eq!(e.source, "ordercore.toml");
    let e = err(Some("rate_limit_per_minute = 0"), &[]);
    assert_eq!(e.setting, "rate_limit_per_minute");
    assert!(e.reason.contains("at least 1"), "{e}");
}

#[test]
fn a_broken_file_is_reported() {
    let e = err(Some("bind = "), &[]);
    assert_eq!(e.setting, "--config");
    assert!(e.reason.contains("not valid TOML"), "{e}");
    let e = err(Some("bind = [1]"), &[]);
    assert_eq!(e.setting, "bind");
    assert_eq!(e.source, "ordercore.toml");
}

#[test]
fn a_type_error_in_the_file_names_the_key_and_the_file() {
    let e = err(Some("rate_limit_per_minute = \"lots\""), &[]);
    assert_eq!(e.setting, "rate_limit_per_minute");
    assert_eq!(e.source, "ordercore.toml");
    assert!(e.reason.contains("whole number"), "{e}");
    let e = err(Some("mail_from_name = 12"), &[]);
    assert_eq!(e.setting, "mail_from_name");
    // The same mistake in the environment names the variable.
    let e = err(
        Some("rate_limit_per_minute = 5"),
        &[("ORDERCORE_RATE_LIMIT_PER_MINUTE", "lots")],
    );
    assert_eq!(e.setting, "ORDERCORE_RATE_LIMIT_PER_MINUTE");
    assert_eq!(e.source, "environment");
}

#[test]
fn a_type_error_never_echoes_the_value() {
    let e = err(
        None,
        &[("ORDERCORE_DATABASE_POOL_SIZE", "hunter2-password")],
    );
    assert_eq!(e.setting, "ORDERCORE_DATABASE_POOL_SIZE");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = err(Some("authorizenet_timeout_secs = \"hunter2\""), &[]);
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

#[test]
fn secrets_in_the_merged_settings_never_print() {
    let m = merge(
        Some(("f.toml", "mandrill_api_key = \"md-FileSecret\"")),
        &env(&[
            ("ORDERCORE_AUTHORIZENET_TRANSACTION_KEY", "EnvSecret"),
            ("ORDERCORE_DATABASE_URL", "postgres://u:UrlSecret@db/x"),
        ]),
    )
    .unwrap();
    assert_eq!(
        m.settings.mandrill_api_key.as_ref().map(|k| k.0.as_str()),
        Some("md-FileSecret")
    );
    let printed = format!("{m:?}");
    for secret in ["FileSecret", "EnvSecret", "UrlSecret"] {
        assert!(!printed.contains(secret), "{secret} printed: {printed}");
    }
}

#[test]
fn the_origin_of_each_value_is_known() {
    let m = merge(
        Some(("f.toml", "bind = \"0.0.0.0:1\"\nlog = \"debug\"")),
        &env(&[("ORDERCORE_LOG", "warn")]),
    )
    .unwrap();
    assert_eq!(m.origin("bind"), Origin::File("f.toml".into()));
    assert_eq!(m.origin("log"), Origin::Environment);
    assert_eq!(m.origin("mailer"), Origin::Default);
    assert_eq!(m.settings.log, "warn");
    assert!(m.explicit("bind") && !m.explicit("mailer"));
}

#[test]
fn a_log_filter_that_is_not_a_level_is_refused() {
    let e = err(None, &[("ORDERCORE_LOG", "verbose")]);
    assert_eq!(e.setting, "ORDERCORE_LOG");
    assert!(e.reason.contains("\"verbose\" is not a log level"), "{e}");
    let e = err(None, &[("ORDERCORE_LOG", "info,ordercore_store=loud")]);
    assert_eq!(e.setting, "ORDERCORE_LOG");
    let e = err(Some("log = \"chatty\""), &[]);
    assert_eq!(e.setting, "log");
    for good in [
        "debug",
        "WARN",
        "off",
        "info,ordercore_store=debug",
        "ordercore::mail=trace",
    ] {
        let c = Config::from_layers(None, &env(&[("ORDERCORE_LOG", good)]))
            .unwrap_or_else(|e| panic!("{good:?} refused: {e}"));
        assert_eq!(c.log.filter, good);
    }
}

#[test]
fn the_sweeper_pending_age_defaults_to_five_minutes_and_is_checked() {
    let c = Config::from_layers(None, &env(&[])).unwrap();
    assert_eq!(c.workers.sweeper_pending_age, Duration::from_secs(300));
    let c =
        Config::from_layers(None, &env(&[("ORDERCORE_SWEEPER_PENDING_AGE_SECS", "900")])).unwrap();
    assert_eq!(c.workers.sweeper_pending_age, Duration::from_secs(900));
    let e = err(None, &[("ORDERCORE_SWEEPER_PENDING_AGE_SECS", "0")]);
    assert_eq!(e.setting, "ORDERCORE_SWEEPER_PENDING_AGE_SECS");
    // Not shorter than a processor call: that could void a payment in flight.
    let e = err(None, &[("ORDERCORE_SWEEPER_PENDING_AGE_SECS", "20")]);
    assert_eq!(e.setting, "ORDERCORE_SWEEPER_PENDING_AGE_SECS");
    assert!(e.reason.contains("processor timeout"), "{e}");
}

#[test]
fn postgres_needs_an_explicit_payment_gateway() {
    let pg = ("ORDERCORE_DATABASE_URL", "postgres://u@db/ordercore");
    let e = err(None, &[pg]);
    assert_eq!(e.setting, "ORDERCORE_PAYMENT_GATEWAY");
    assert!(e.reason.contains("PostgreSQL"), "{e}");
    let c = Config::from_layers(
        None,
        &env(&[pg, ("ORDERCORE_PAYMENT_GATEWAY", "simulated"), DATA_KEY]),
    )
    .unwrap();
    assert!(c.simulated_on_postgres());
    let c = Config::from_layers(
        Some(("f.toml", "payment_gateway = \"simulated\"")),
        &env(&[pg, DATA_KEY]),
    )
    .unwrap();
    assert!(c.simulated_on_postgres());
    // SQLite keeps the zero-setup default.
    let c = Config::from_layers(None, &env(&[])).unwrap();
    assert!(matches!(c.payment, PaymentConfig::Simulated));
    assert!(!c.simulated_on_postgres());
}

#[test]
fn the_settings_table_names_every_field_of_the_struct() {
    let figment::value::Value::Dict(_, fields) =
        figment::value::Value::serialize(Settings::default()).unwrap()
    else {
        panic!("settings are not a table")
    };
    let mut keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    let mut table: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
    keys.sort_unstable();
    table.sort_unstable();
    assert_eq!(keys, table);
}

#[test]
fn every_setting_is_documented() {
    let docs = include_str!("../../../../docs/configuration.md");
    for s in SETTINGS {
        assert!(
            docs.contains(&format!("`{}`", env_name(s.key))),
            "docs/configuration.md does not document {}",
            env_name(s.key)
        );
    }
}

#[test]
fn abuse_limits_and_trusted_proxies_are_read_and_checked() {
    let c = Config::from_layers(
        None,
        &env(&[
            ("ORDERCORE_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7"),
            ("ORDERCORE_LOGIN_FAILURES_PER_ACCOUNT", "3"),
            ("ORDERCORE_AUTH_FAILURE_WINDOW_SECS", "60"),
        ]),
    )
    .unwrap();
    assert_eq!(c.abuse.trusted_proxies.len(), 2);
    assert_eq!(c.abuse.login_failures_per_account, 3);
    assert_eq!(c.abuse.auth_failure_window, Duration::from_secs(60));
    assert!(c.abuse.fingerprint_key.is_none());
    let e = err(None, &[("ORDERCORE_TRUSTED_PROXIES", "proxy.local")]);
    assert_eq!(e.setting, "ORDERCORE_TRUSTED_PROXIES");
    let e = err(None, &[("ORDERCORE_AUTH_FAILURES_PER_ADDRESS", "0")]);
    assert_eq!(e.setting, "ORDERCORE_AUTH_FAILURES_PER_ADDRESS");
}
