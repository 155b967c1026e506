//! Secrets at rest (docs/security.md): an order's access code and on-site
//! contact never reach the database files in clear, not even in the stored
//! idempotent answer of a `full` view; `keys rotate` moves every secret to a
//! new data key; PostgreSQL refuses to start without a key; SQLite gets a
//! private key file.

use crate::BIN;
use diesel::{Connection as _, RunQueryDsl as _};
use ordercore_e2e::api::{DEMO_CLIENT, DEMO_PASSWORD, Reply, order};
use ordercore_e2e::db::Backend;
use ordercore_e2e::server::{Instance, TestServer};
use serde_json::{Value, json};

const CODE: &str = "AC-58213-QZ";
const PHONE: &str = "720-555-0142";
const CONTACT: &str = "onsite.contact.7731@example.net";
const KEY_A: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
const KEY_B: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
const FINGERPRINT_KEY: &str = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";

/// Logs the demo client in and stores a card: (token, card id).
async fn client_with_card(server: &TestServer) -> (String, i64) {
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    let card = server.add_card(&token, "4111111111111111", "80202").await;
    (token, card)
}

/// `orders/authorize_and_submit` in the `full` view with an
/// Idempotency-Key, the access code and on-site contact set.
async fn full_order_with_key(server: &TestServer, token: &str, card: i64, key: &str) -> Reply {
    let photos = server.service_id(token, "photos").await;
    let floor_plan = server.service_id(token, "floor_plan").await;
    let mut o = order(photos, floor_plan);
    o["property_access"] = json!({
        "vacant": false, "method_of_access": "lockbox_code", "access_code": CODE,
        "lockbox_location": "front door", "onsite_contact_name": "Dana",
        "onsite_contact_email": CONTACT, "onsite_contact_phone": PHONE,
    });
    let body = json!({"token": token, "view": "full", "payment_method_id": card, "order": o});
    let res = server
        .http
        .post(server.url("orders/authorize_and_submit"))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let http = res.status().as_u16();
    let body: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    Reply { http, body }
}

/// The full view shows the secrets back (so they went through the store).
fn assert_shows_secrets(reply: &Reply) {
    let access = &reply.data()["property_access"];
    assert_eq!(access["access_code"], CODE, "{}", reply.body);
    assert_eq!(access["onsite_contact_phone"], PHONE);
    assert_eq!(access["onsite_contact_email"], CONTACT);
}

fn assert_absent(what: &str, bytes: &[u8]) {
    for secret in [CODE, PHONE, CONTACT] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} found in clear in {what}"
        );
    }
}

/// Every file of the SQLite database (main file, WAL, shared memory).
fn assert_absent_from_sqlite_files(instance: &Instance) {
    let mut seen = 0;
    for entry in std::fs::read_dir(instance.dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("ordercore.db") {
            assert_absent(&name, &std::fs::read(&path).unwrap());
            seen += 1;
        }
    }
    assert!(seen >= 1, "no database file in {:?}", instance.dir());
}

/// Places the order, replays it; returns the answer, the token and the card.
async fn order_then_replay(server: &TestServer, key: &str) -> (Reply, String, i64) {
    let (token, card) = client_with_card(server).await;
    let first = full_order_with_key(server, &token, card, key).await;
    assert_shows_secrets(&first);
    let replay = full_order_with_key(server, &token, card, key).await;
    assert_eq!(replay.body, first.body, "the replay is the stored answer");
    (first, token, card)
}

#[tokio::test]
async fn the_access_code_is_absent_from_the_sqlite_files() {
    let instance = Instance::new(BIN, Backend::Sqlite, "secrets_sqlite").unwrap();
    let mut server = instance.start();
    order_then_replay(&server, "sqlite-secrets-1").await;
    assert_absent_from_sqlite_files(&server.instance);
    assert!(
        !server.log().contains(CODE),
        "the access code reached the log"
    );
    server.terminate(std::time::Duration::from_secs(15));
    assert_absent_from_sqlite_files(&server.instance);
}

#[derive(diesel::QueryableByName)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

#[derive(diesel::QueryableByName)]
struct Values {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

/// Every text column of every table of the database, cast to text.
fn every_text_value(url: &str) -> String {
    let mut conn = diesel::PgConnection::establish(url).unwrap();
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND data_type IN ('text', 'character varying', 'json', 'jsonb')",
    )
    .load(&mut conn)
    .unwrap();
    assert!(columns.iter().any(|c| c.table_name == "orders"));
    let mut all = String::new();
    for c in columns {
        let sql = format!(
            "SELECT COALESCE(string_agg(\"{}\"::text, E'\\n'), '') AS v FROM \"{}\"",
            c.column_name, c.table_name
        );
        let rows: Vec<Values> = diesel::sql_query(sql).load(&mut conn).unwrap();
        for r in rows {
            all.push_str(&r.v);
            all.push('\n');
        }
    }
    all
}

#[tokio::test]
async fn the_access_code_is_absent_from_a_postgres_dump() {
    let Some(instance) = Instance::new(BIN, Backend::Postgres, "secrets_pg") else {
        return;
    };
    let server = instance.start();
    order_then_replay(&server, "pg-secrets-1").await;
    let url = server
        .instance
        .setting("ORDERCORE_DATABASE_URL")
        .unwrap()
        .to_string();
    let values = every_text_value(&url);
    assert!(
        values.contains("front door"),
        "the order is in the database"
    );
    assert_absent("the text columns", values.as_bytes());
    match std::process::Command::new("pg_dump")
        .args(["--data-only", "--dbname", &url])
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("front door"));
            assert_absent("pg_dump", &out.stdout);
        }
        Err(e) => assert!(
            std::env::var("ORDERCORE_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "pg_dump cannot run ({e}) and ORDERCORE_REQUIRE_TOOLS=1"
        ),
    }
}

async fn read_full(server: &TestServer, id: i64) -> Reply {
    let token = server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await;
    server
        .post(
            "orders/read",
            &json!({"token": token, "id": id, "view": "full"}),
        )
        .await
}

#[tokio::test]
async fn rotation_moves_every_secret_to_the_new_key() {
    let mut instance = Instance::new(BIN, Backend::Sqlite, "rotate").unwrap();
    instance
        .set("ORDERCORE_DATA_KEY", KEY_A)
        .set("ORDERCORE_FINGERPRINT_KEY", FINGERPRINT_KEY);
    let server = instance.start();
    let (first, token, card) = order_then_replay(&server, "rotate-1").await;
    let id = first.data()["id"].as_i64().unwrap();
    let mut instance = server.stop();

    // The new key alone cannot read what the old one sealed.
    instance.set("ORDERCORE_DATA_KEY", KEY_B);
    let server = instance.serve();
    assert_eq!(read_full(&server, id).await.slug(), "application-crash");
    let mut instance = server.stop();
    let out = instance.run(&["keys", "rotate"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ORDERCORE_DATA_KEYS_OLD"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // With the old key listed, everything reads before the rotation.
    instance.set("ORDERCORE_DATA_KEYS_OLD", KEY_A);
    let server = instance.serve();
    assert_shows_secrets(&read_full(&server, id).await);
    let instance = server.stop();

    let report = instance.run_ok(&["keys", "rotate", "--batch", "1"]);
    assert!(
        report.contains("orders 1 examined, 1 re-encrypted")
            && report.contains("answers 1 examined, 1 re-encrypted"),
        "{report}"
    );
    let again = instance.run_ok(&["keys", "rotate"]);
    assert!(
        again.contains("orders 1 examined, 0 re-encrypted")
            && again.contains("answers 1 examined, 0 re-encrypted"),
        "{again}"
    );

    // After it, the new key alone reads the order and replays the answer.
    let mut instance = instance;
    instance.set("ORDERCORE_DATA_KEYS_OLD", "");
    let server = instance.serve();
    assert_shows_secrets(&read_full(&server, id).await);
    let replay = full_order_with_key(&server, &token, card, "rotate-1").await;
    assert_eq!(replay.body, first.body);
    let mut instance = server.stop();
    assert_absent_from_sqlite_files(&instance);

    // And the old key alone no longer does.
    instance.set("ORDERCORE_DATA_KEY", KEY_A);
    let server = instance.serve();
    assert_eq!(read_full(&server, id).await.slug(), "application-crash");
}

#[test]
fn postgres_without_a_data_key_is_refused() {
    // Refused before any connection: the server need not exist.
    let mut instance = Instance::like_make_run(BIN);
    instance
        .set(
            "ORDERCORE_DATABASE_URL",
            "postgres://ordercore@127.0.0.1:1/ordercore",
        )
        .set("ORDERCORE_PAYMENT_GATEWAY", "simulated");
    for command in [&["serve"][..], &["keys", "rotate"][..]] {
        let out = instance.run(command);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("ORDERCORE_DATA_KEY"), "{err}");
        assert!(err.contains("required with a PostgreSQL database"), "{err}");
    }
    // `keys generate` needs no settings: it prints the key to set.
    let key = instance.run_ok(&["keys", "generate"]);
    instance.set("ORDERCORE_DATA_KEY", key.trim());
    let err = String::from_utf8_lossy(&instance.run(&["serve"]).stderr).to_string();
    assert!(!err.contains("ORDERCORE_DATA_KEY"), "{err}");
}

#[tokio::test]
async fn make_run_creates_a_private_key_file_once_and_reuses_it() {
    let instance = Instance::like_make_run(BIN);
    let key_file = instance.dir().join("ordercore.db.key");
    let server = instance.start();
    assert!(
        server.log().contains("created the data key file"),
        "{}",
        server.log()
    );
    let meta = std::fs::metadata(&key_file).unwrap();
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let key = std::fs::read_to_string(&key_file).unwrap();
    let (first, _, _) = order_then_replay(&server, "keyfile-1").await;
    let id = first.data()["id"].as_i64().unwrap();
    let instance = server.stop();

    let server = instance.serve();
    assert!(
        !server.log().contains("created the data key file"),
        "{}",
        server.log()
    );
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);
    assert_shows_secrets(&read_full(&server, id).await);
}
