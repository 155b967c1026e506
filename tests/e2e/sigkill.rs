//! Random `kill -9` under load: 200 submissions from 16 clients (some with
//! promotions — one capped — some `pay_and_submit`, each under its own
//! Idempotency-Key, retried with the same key after a connection error), the
//! stub processor answering after a random 0–500 ms, the server SIGKILLed at
//! random moments 5 times and restarted each time; then the workers run and
//! the money-safety invariants must hold, and every submitted order's
//! `order.submitted` event has reached the webhook receiver. Prints the
//! counts of the run.

use crate::crash_points::{client_with_card, crash_instance, explain, settled_report};
use ordercore_e2e::api::DEMO_PROMOTION;
use ordercore_e2e::invariants::events::undelivered_submissions;
use ordercore_e2e::retrying_client::{self, Endpoint, RetryPolicy, Submission};
use ordercore_e2e::stubs::{MandrillStub, ProcessorStub, WebhookReceiver};
use serde_json::json;
use std::time::{Duration, Instant};

const CLIENTS: usize = 16;
const SUBMISSIONS: usize = 200;
const KILLS: usize = 5;
/// A promotion with fewer uses than clients, so the cap is reached.
const CAPPED: &str = "CAPPED8";
const CAP: i64 = 8;

/// xorshift64: enough randomness for a test, no dependency; the seed is
/// printed so a failing run can be replayed.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_kills_under_load_keep_every_invariant() {
    let anet = ProcessorStub::start().await;
    anet.with_random_delay(Duration::from_millis(500));
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let Some(mut instance) = crash_instance("random_sigkill", &anet, &mail) else {
        return;
    };
    instance.set("ORDERCORE_DATABASE_POOL_SIZE", "8");
    // Deliveries a killed instance had claimed are due again after its
    // lease: batch × timeout + 10 s = 14 s here.
    instance
        .set("ORDERCORE_WEBHOOKS_INTERVAL_MS", "100")
        .set("ORDERCORE_WEBHOOKS_BATCH_SIZE", "4")
        .set("ORDERCORE_WEBHOOKS_TIMEOUT_MS", "1000");
    instance.run_ok(&["migrate"]);
    instance.run_ok(&["seed", "--demo"]);
    let receiver = WebhookReceiver::start(&[]).await;
    instance.run_ok(&["webhooks", "add", "--url", &receiver.url()]);
    let seed_file = instance.dir().join("capped.json");
    std::fs::write(
        &seed_file,
        json!({"promotions": [{"code": CAPPED, "kind": "percent", "value": 1500,
                               "active": true, "max_redemptions": CAP}]})
        .to_string(),
    )
    .unwrap();
    instance.run_ok(&["seed", "--file", seed_file.to_str().unwrap()]);
    let mut server = instance.serve();

    let seed = std::env::var("SIGKILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    println!("SIGKILL_SEED={seed}");
    let mut rng = Rng(seed);

    let setup = Instant::now();
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        clients.push(client_with_card(&server, &format!("kill.agent{i}@example.com")).await);
    }
    let photos = server.service_id(&clients[0].0, "photos").await;
    let floor_plan = server.service_id(&clients[0].0, "floor_plan").await;

    let setup = setup.elapsed();
    let endpoint = Endpoint::new(&server.base);
    let started = Instant::now();
    let mut load = Vec::new();
    for (i, (token, card, profile)) in clients.into_iter().enumerate() {
        let count = SUBMISSIONS / CLIENTS + usize::from(i < SUBMISSIONS % CLIENTS);
        let mut rng = Rng(rng.next() | 1);
        let (http, endpoint) = (server.http.clone(), endpoint.clone());
        load.push(tokio::spawn(async move {
            let mut records = Vec::new();
            for j in 0..count {
                let route = if rng.below(4) == 0 {
                    "orders/pay_and_submit"
                } else {
                    "orders/authorize_and_submit"
                };
                let mut body = json!({"token": token, "payment_method_id": card,
                    "order": ordercore_e2e::api::order(photos, floor_plan)});
                match rng.below(6) {
                    0 => body["promotion_code"] = json!(CAPPED),
                    1 => body["promotion_code"] = json!(DEMO_PROMOTION),
                    _ => {}
                }
                let submission = Submission {
                    route,
                    body,
                    key: format!("client{i}-submission{j}"),
                    customer_profile_id: profile.clone(),
                };
                records.push(
                    retrying_client::submit(&http, &endpoint, &submission, RetryPolicy::default())
                        .await,
                );
            }
            records
        }));
    }

    // The killer: SIGKILL at random moments while the load runs.
    let pauses: Vec<u64> = (0..KILLS).map(|_| 300 + rng.below(1200)).collect();
    let killer_endpoint = endpoint.clone();
    let killer = tokio::task::spawn_blocking(move || {
        let mut kills = Vec::new();
        for pause in pauses {
            std::thread::sleep(Duration::from_millis(pause));
            server.kill();
            kills.push(chrono::Utc::now());
            server.restart();
            killer_endpoint.set(&server.base);
        }
        (server, kills)
    });
    let mut records = Vec::new();
    for task in load {
        records.extend(task.await.unwrap());
    }
    let (server, kills) = killer.await.unwrap();
    println!("killed at {kills:?}");
    let load_time = started.elapsed();

    let settling = Instant::now();
    let report = settled_report(&server, &anet, &mail, &records, 30).await;
    println!(
        "clients set up in {setup:?}, load {load_time:?}, the workers settled in {:?}",
        settling.elapsed()
    );
    println!(
        "SIGKILL run: {SUBMISSIONS} submissions from {CLIENTS} clients in {load_time:?}, kills {KILLS}; {}",
        report.summary()
    );
    explain(&server, &report);
    report.assert_holds();
    let url = server.instance.database_url().unwrap().to_string();
    let undelivered = std::sync::Mutex::new(Vec::new());
    crate::eventually(60, || async {
        let accepted = receiver
            .accepted()
            .iter()
            .filter_map(|b| b["id"].as_i64())
            .collect();
        let missing = undelivered_submissions(&url, &accepted);
        let done = missing.is_empty();
        *undelivered.lock().unwrap() = missing;
        done
    })
    .await;
    let undelivered = undelivered.into_inner().unwrap();
    assert!(
        undelivered.is_empty(),
        "events lost across the kills:\n{}",
        undelivered.join("\n")
    );
    println!(
        "webhooks: {} deliveries accepted for {} submitted orders",
        receiver.accepted().len(),
        report.submitted
    );
    assert_eq!(records.len(), SUBMISSIONS);
    assert!(report.submitted > 0, "nothing was submitted");
    assert_eq!(
        report.still_pending, 0,
        "orders left pending after the workers ran"
    );
}
