use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

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
        ]),
    )
    .unwrap();
    let PaymentConfig::AuthorizeNet(a) = &c.payment else {
        panic!("expected authorizenet")
    };
    assert_eq!(a.endpoint, Endpoint::Url("http://127.0.0.1:9/api".into()));
    assert_eq!(a.transaction_key.expose(), "TopSecretKey1");
    let printed = format!("{c:?} {}", c.summary());
    for secret in ["TopSecretKey1", "TopSecretKey2", "TopSecretPw"] {
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
    assert_eq!(e.setting, "ORDERCORE_BIND");
    assert_eq!(e.source, "ordercore.toml");
}

#[test]
fn a_broken_file_is_reported() {
    let e = err(Some("bind = "), &[]);
    assert_eq!(e.setting, "--config");
    assert!(e.reason.contains("not valid TOML"), "{e}");
    let e = err(Some("bind = [1]"), &[]);
    assert_eq!(e.setting, "ORDERCORE_BIND");
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
