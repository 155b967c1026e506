//! `ordercore seed --file F`: loads records idempotently, never prints the
//! file's secrets; JSON logs on request.

use crate::BIN;
use ordercore_e2e::db::Backend;
use ordercore_e2e::server::Instance;
use serde_json::json;

#[tokio::test]
async fn a_seed_file_is_loaded_once_and_its_users_can_log_in() {
    let instance = Instance::new(BIN, Backend::Sqlite, "seed_file").unwrap();
    instance.run_ok(&["migrate"]);
    let file = instance.dir().join("records.json");
    std::fs::write(
        &file,
        json!({
            "applications": [{"slug": "planoorder", "name": "Plano Order", "role": "client",
                              "token": "file-app-token-do-not-print"}],
            "users": [{"email": "agent@example.com", "password": "file-password-do-not-print",
                       "client": {"designation": "agent", "billing": "card",
                                  "first_name": "Alex", "last_name": "Agent"}}],
            "services": [{"slug": "twilight", "name": "Twilight photos", "kind": "primary",
                          "price_cents": 30000, "active": true}],
        })
        .to_string(),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let first = instance.run_ok(&["seed", "--file", path]);
    assert!(!first.contains("do-not-print"), "{first}");
    let second = instance.run_ok(&["seed", "--file", path]);
    assert!(
        second.contains("; 0 new row(s)"),
        "seeding twice changed rows: {second}"
    );

    let server = instance.serve();
    let token = server
        .login(
            "agent@example.com",
            "file-password-do-not-print",
            "planoorder",
        )
        .await;
    assert!(server.service_id(&token, "twilight").await > 0);
}

#[test]
fn a_broken_seed_file_is_refused() {
    let instance = Instance::new(BIN, Backend::Sqlite, "seed_broken").unwrap();
    instance.run_ok(&["migrate"]);
    let file = instance.dir().join("broken.json");
    std::fs::write(&file, r#"{"servicez": []}"#).unwrap();
    let out = instance.run(&["seed", "--file", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.json"), "{err}");
}

#[test]
fn json_logs_are_one_object_per_line() {
    let mut instance = Instance::new(BIN, Backend::Sqlite, "json_logs").unwrap();
    instance.set("ORDERCORE_LOG_FORMAT", "json");
    let out = instance.run(&["migrate"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no log lines");
    for line in lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v.get("level").is_some(), "{line}");
    }
}
