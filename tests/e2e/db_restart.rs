//! PostgreSQL drops every connection of the server while it is under load
//! (`pg_terminate_backend` on each of its backends: for the pool, the same
//! fault as a database restart). The database accepts connections again at
//! once, so the service must answer normally within a second of the fault;
//! at most one failed answer per pooled connection, and none for a request
//! that had not written (reads, the readiness check).

use crate::{BIN, configure_processor};
use ordercore_e2e::db::Backend;
use ordercore_e2e::server::Instance;
use ordercore_e2e::stubs::{MandrillStub, ProcessorStub};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The server's pool size in this test.
const POOL: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Ready,
    Submit,
}

struct Sample {
    kind: Kind,
    started: Instant,
    ok: bool,
    answer: String,
}

impl Sample {
    fn describe(&self, fault: Instant) -> String {
        let at = if self.started >= fault {
            format!("+{:?}", self.started - fault)
        } else {
            format!("-{:?}", fault - self.started)
        };
        format!(
            "{:?} sent at {at} from the fault: {}",
            self.kind, self.answer
        )
    }
}

fn describe(samples: &[&&Sample], fault: Instant) -> String {
    samples
        .iter()
        .map(|s| s.describe(fault))
        .collect::<Vec<_>>()
        .join("\n")
}

type Samples = Arc<Mutex<Vec<Sample>>>;

async fn record(
    samples: &Samples,
    kind: Kind,
    started: Instant,
    res: reqwest::Result<reqwest::Response>,
) {
    let (ok, answer) = match res {
        Ok(r) => {
            let http = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            let ok = match kind {
                Kind::Ready => http == 200,
                _ => text.contains("\"status\":\"action-successful\""),
            };
            (ok, format!("{http} {text}"))
        }
        Err(e) => (false, format!("no answer: {e}")),
    };
    samples.lock().unwrap().push(Sample {
        kind,
        started,
        ok,
        answer,
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dropped_database_connections_cost_no_read_and_recover_within_a_second() {
    let anet = ProcessorStub::start().await;
    anet.with_random_delay(Duration::from_millis(20));
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let Some(mut instance) = Instance::new(BIN, Backend::Postgres, "db_connections_dropped") else {
        return;
    };
    configure_processor(&mut instance, &anet.endpoint(), &mail);
    instance
        .set("ORDERCORE_DATABASE_POOL_SIZE", &POOL.to_string())
        .set("ORDERCORE_RATE_LIMIT_PER_MINUTE", "1000000");
    let server = instance.start();

    let mut clients = Vec::new();
    for i in 0..3 {
        let token = server
            .register_client(&format!("pool.agent{i}@example.com"), "a-long-password-1")
            .await;
        let card = server.add_card(&token, "4111111111111111", "80202").await;
        clients.push((token, card));
    }
    let first = server
        .authorize_and_submit(&clients[0].0, clients[0].1, None)
        .await;
    let order_id = first.data()["id"].as_i64().unwrap();
    let photos = server.service_id(&clients[0].0, "photos").await;
    let floor_plan = server.service_id(&clients[0].0, "floor_plan").await;

    let samples: Samples = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (http, url) = (server.http.clone(), server.url("orders/read"));
        let body = json!({"token": clients[0].0, "id": order_id}).to_string();
        let (samples, stop) = (samples.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let res = http
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .timeout(Duration::from_secs(20))
                    .body(body.clone())
                    .send()
                    .await;
                record(&samples, Kind::Read, started, res).await;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }));
    }
    {
        let (http, url) = (server.http.clone(), format!("{}/readyz", server.base));
        let (samples, stop) = (samples.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let res = http.get(&url).timeout(Duration::from_secs(20)).send().await;
                record(&samples, Kind::Ready, started, res).await;
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }));
    }
    for (token, card) in clients.iter().skip(1) {
        let (http, url) = (
            server.http.clone(),
            server.url("orders/authorize_and_submit"),
        );
        let body = json!({"token": token, "payment_method_id": card,
                          "order": ordercore_e2e::api::order(photos, floor_plan)})
        .to_string();
        let (samples, stop) = (samples.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let res = http
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .timeout(Duration::from_secs(20))
                    .body(body.clone())
                    .send()
                    .await;
                record(&samples, Kind::Submit, started, res).await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let killed_at = Instant::now();
    let ended = server
        .instance
        .database()
        .expect("a PostgreSQL database")
        .terminate_connections();
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }

    let samples = samples.lock().unwrap();
    let count = |f: &dyn Fn(&Sample) -> bool| samples.iter().filter(|s| f(s)).count();
    let failed: Vec<&Sample> = samples.iter().filter(|s| !s.ok).collect();
    let recovered_by = killed_at + Duration::from_secs(1);
    println!(
        "connections ended: {ended}; answers: {} ({} reads, {} readiness, {} submissions); \
         failed: {}; after the fault: {}",
        samples.len(),
        count(&|s| s.kind == Kind::Read),
        count(&|s| s.kind == Kind::Ready),
        count(&|s| s.kind == Kind::Submit),
        failed.len(),
        count(&|s| s.started >= killed_at),
    );
    assert!(ended >= 1, "the fault ended no connection of the server");
    assert!(
        count(&|s| s.started >= recovered_by) >= 20,
        "too little load after the fault to judge"
    );
    let all_failed: Vec<_> = failed.iter().collect();
    assert!(
        failed.len() <= POOL,
        "{} failed answers, more than the {POOL} pooled connections:\n{}",
        failed.len(),
        describe(&all_failed, killed_at)
    );
    let failed_reads: Vec<_> = failed.iter().filter(|s| s.kind != Kind::Submit).collect();
    assert!(
        failed_reads.is_empty(),
        "requests that write nothing failed:\n{}",
        describe(&failed_reads, killed_at)
    );
    let late: Vec<_> = failed
        .iter()
        .filter(|s| s.started >= recovered_by)
        .collect();
    assert!(
        late.is_empty(),
        "answers still failing more than 1 s after the fault:\n{}",
        describe(&late, killed_at)
    );
    assert!(
        samples.iter().any(|s| s.started >= killed_at && s.ok),
        "nothing succeeded after the fault"
    );
}
