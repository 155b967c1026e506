//! One instance SIGKILLed under load, and the per-instance rate limit, both
//! through the balancer.

use super::{cluster, submission};
use crate::crash_points::{client_with_card, explain, settled_report};
use ordercore_e2e::api::{DEMO_CLIENT, DEMO_PASSWORD, DEMO_PROMOTION};
use ordercore_e2e::invariants::Outcome;
use ordercore_e2e::retrying_client::{self, Endpoint, RetryPolicy};
use ordercore_e2e::stubs::{MandrillStub, ProcessorStub};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_instance_killed_under_load_leaves_the_other_answering_and_the_money_safe() {
    const CLIENTS: usize = 8;
    const PER_CLIENT: usize = 8;
    let anet = ProcessorStub::start().await;
    anet.with_random_delay(Duration::from_millis(300));
    let mail = MandrillStub::start().await;
    mail.accept().await;
    let Some(mut c) = cluster("scale_out_sigkill", &anet, &mail, &[]).await else {
        return;
    };
    let mut load = Vec::new();
    let mut per_client = Vec::new();
    for i in 0..CLIENTS {
        let client = client_with_card(&c.first, &format!("failover.agent{i}@example.com")).await;
        let mut submissions = Vec::new();
        for j in 0..PER_CLIENT {
            let promotion = (j == 0).then_some(DEMO_PROMOTION);
            submissions
                .push(submission(&c.first, &client, promotion, format!("kill-{i}-{j}")).await);
        }
        per_client.push(submissions);
    }
    let endpoint = Endpoint::new(&c.balancer.base);
    for submissions in per_client {
        let (http, endpoint) = (c.first.http.clone(), endpoint.clone());
        load.push(tokio::spawn(async move {
            let mut records = Vec::new();
            for s in submissions {
                records.push(
                    retrying_client::submit(&http, &endpoint, &s, RetryPolicy::default()).await,
                );
            }
            records
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let killed_at = Instant::now();
    c.second.kill();
    let mut records = Vec::new();
    for task in load {
        records.extend(task.await.unwrap());
    }

    // Submissions that started after the kill were answered by the survivor.
    let after_kill = records
        .iter()
        .filter(|r| r.started > killed_at && matches!(r.outcome, Outcome::Submitted(_)))
        .count();
    let unknown: Vec<_> = records
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Unknown(_)))
        .map(|r| (&r.key, &r.outcome))
        .collect();
    println!(
        "{} submissions, {after_kill} submitted after the kill; unknown outcomes: {unknown:?}",
        records.len()
    );
    assert!(after_kill > 0, "nothing was submitted after the kill");
    // At most the request each client had in flight at the kill.
    assert!(unknown.len() <= CLIENTS, "{unknown:?}");
    // Every request through the balancer is answered now.
    let token = &demo_token(&c.first).await;
    for n in 0..20 {
        let res = c
            .first
            .http
            .post(c.balancer.url("services/index"))
            .json(&json!({"token": token}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {n} after the kill: {e}"));
        assert_eq!(res.status(), 200, "request {n} after the kill");
    }

    let report = settled_report(&c.first, &anet, &mail, &records, 30).await;
    println!("after the kill: {}", report.summary());
    explain(&c.first, &report);
    report.assert_holds();
    assert!(report.submitted > 0, "nothing was submitted");
    assert_eq!(report.still_pending, 0, "orders left pending");
}

/// A session of the demo client.
async fn demo_token(server: &ordercore_e2e::server::TestServer) -> String {
    server.login(DEMO_CLIENT, DEMO_PASSWORD, "planoorder").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_two_instances_a_token_gets_twice_the_per_instance_rate_limit() {
    let anet = ProcessorStub::start().await;
    let mail = MandrillStub::start().await;
    let settings = [("ORDERCORE_RATE_LIMIT_PER_MINUTE", "5")];
    let Some(c) = cluster("scale_out_rate_limit", &anet, &mail, &settings).await else {
        return;
    };
    let token = demo_token(&c.first).await;
    let mut heard = Vec::new();
    for _ in 0..12 {
        let res = c
            .first
            .http
            .post(c.balancer.url("services/index"))
            .json(&json!({"token": token}))
            .send()
            .await
            .unwrap();
        let retry_after = res.headers().contains_key("Retry-After");
        let body: serde_json::Value = res.json().await.unwrap();
        heard.push((
            body["status"].as_str().unwrap_or("").to_string(),
            retry_after,
        ));
    }
    println!("through the balancer, limit 5 per instance: {heard:?}");
    let slugs: Vec<&str> = heard.iter().map(|(s, _)| s.as_str()).collect();
    // Round-robin: each instance counts every other request.
    assert_eq!(slugs[..10], ["action-successful"; 10], "{heard:?}");
    assert_eq!(slugs[10..], ["rate-limit-exceeded"; 2], "{heard:?}");
    assert!(heard[10..].iter().all(|(_, retry_after)| *retry_after));
}
