//! `ordercore seed --file F`: loads records idempotently, never prints the
//! file's secrets, refuses short application tokens; `seed --demo` refuses a
//! database holding other data unless `--force`; JSON logs on request.

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
                              "token": "file-app-token-do-not-print-0123456789"}],
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

fn write_file(instance: &Instance, name: &str, value: serde_json::Value) -> String {
    let file = instance.dir().join(name);
    std::fs::write(&file, value.to_string()).unwrap();
    file.to_str().unwrap().to_string()
}

#[test]
fn a_seed_file_with_a_short_application_token_is_refused() {
    let instance = Instance::new(BIN, Backend::Sqlite, "seed_short_token").unwrap();
    instance.run_ok(&["migrate"]);
    let path = write_file(
        &instance,
        "short.json",
        json!({"applications": [{"slug": "planox2", "name": "X2", "role": "employee",
                                 "token": "short-do-not-print"}]}),
    );
    let out = instance.run(&["seed", "--file", &path]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("application planox2"), "{err}");
    assert!(err.contains("at least 32"), "{err}");
    assert!(!err.contains("short-do-not-print"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("short-do-not-print"));
}

async fn demo_seed_refuses_other_data(backend: Backend, test: &str) {
    let Some(instance) = Instance::new(BIN, backend, test) else {
        return;
    };
    instance.run_ok(&["migrate"]);
    // A demo-only database takes the demo again (make run does this each time).
    instance.run_ok(&["seed", "--demo"]);
    instance.run_ok(&["seed", "--demo"]);

    let real_token = "real-x2-token-0123456789abcdefghijklmnop";
    let path = write_file(
        &instance,
        "real.json",
        json!({"applications": [{"slug": "planox2", "name": "X2", "role": "employee",
                                 "token": real_token}]}),
    );
    instance.run_ok(&["seed", "--file", &path]);
    let out = instance.run(&["seed", "--demo"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "seed --demo overwrote a real token");
    assert!(err.contains("refusing to load the demo data"), "{err}");
    assert!(err.contains("application planox2"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(err.matches("refusing").count(), 1, "printed twice: {err}");

    // The real token still works: the demo one does not.
    let server = instance.serve();
    let real = server
        .post("services/index", &json!({"token": real_token}))
        .await;
    assert_eq!(real.slug(), "action-successful", "{}", real.body);
    let demo = server
        .post(
            "services/index",
            &json!({"token": "demo-planox2-application-token"}),
        )
        .await;
    assert_eq!(demo.slug(), "invalid-token", "{}", demo.body);
}

#[tokio::test]
async fn demo_seed_refuses_a_database_with_other_data_on_sqlite() {
    demo_seed_refuses_other_data(Backend::Sqlite, "demo_refuses_sqlite").await;
}

#[tokio::test]
async fn demo_seed_refuses_a_database_with_other_data_on_postgres() {
    demo_seed_refuses_other_data(Backend::Postgres, "demo_refuses_pg").await;
}

#[test]
fn demo_seed_with_force_loads_anyway() {
    let instance = Instance::new(BIN, Backend::Sqlite, "demo_force").unwrap();
    instance.run_ok(&["migrate"]);
    let path = write_file(
        &instance,
        "users.json",
        json!({"users": [{"email": "someone@example.org", "password": "pw"}],
               "services": [{"slug": "video", "name": "Video", "kind": "primary",
                             "price_cents": 100, "active": true}]}),
    );
    instance.run_ok(&["seed", "--file", &path]);
    let out = instance.run(&["seed", "--demo"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("1 non-demo user(s)"), "{err}");
    assert!(err.contains("1 non-demo service(s)"), "{err}");
    assert!(!err.contains("someone@example.org"), "{err}");
    let out = instance.run_ok(&["seed", "--demo", "--force"]);
    assert!(out.contains("Demo credentials"), "{out}");
}
