//! The registry, its series from start-up, and the sampled gauges.

use super::*;

#[test]
fn renders_counters_histogram_and_build_info() {
    let m = Metrics::new();
    m.observe_request(
        "orders/read",
        "action-successful",
        200,
        Duration::from_millis(3),
    );
    m.observe_processor("authorize", "declined-payment");
    m.observe_mailer("Invalid_Key");
    let text = m.render();
    assert!(
        text.contains(
            "ordercore_http_requests_total{code=\"200\",route=\"orders/read\",status=\"action-successful\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "ordercore_http_request_duration_seconds_bucket{route=\"orders/read\",le=\"0.005\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("operation=\"authorize\",outcome=\"declined-payment\"} 1"));
    assert!(text.contains("ordercore_mailer_sends_total{outcome=\"Invalid_Key\"} 1"));
    assert!(
        text.contains(&format!(
            "ordercore_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
}

#[test]
fn every_route_and_success_outcome_is_present_from_the_start() {
    let text = Metrics::new().render();
    for route in crate::routes::ROUTES.iter() {
        let path = route.path();
        assert!(
            text.contains(&format!(
                "ordercore_http_requests_total{{code=\"200\",route=\"{path}\",status=\"action-successful\"}} 0"
            )),
            "{path}: {text}"
        );
        assert!(
            text.contains(&format!(
                "ordercore_http_request_duration_seconds_count{{route=\"{path}\"}} 0"
            )),
            "{path}"
        );
    }
    assert!(
        text.contains("ordercore_processor_calls_total{operation=\"authorize\",outcome=\"ok\"} 0")
    );
    assert!(text.contains("ordercore_mailer_sends_total{outcome=\"sent\"} 0"));
    // No pool sampler: the gauges are there, at 0.
    assert!(
        text.contains("ordercore_db_pool_connections_in_use 0"),
        "{text}"
    );
}

#[test]
fn the_pool_gauges_are_sampled_at_each_render() {
    let m = Metrics::new();
    let calls = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let seen = calls.clone();
    m.sample_pool_with(Box::new(move || {
        let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        (n, 10 - n)
    }));
    assert!(
        m.render()
            .contains("ordercore_db_pool_connections_in_use 1")
    );
    let text = m.render();
    assert!(
        text.contains("ordercore_db_pool_connections_in_use 2"),
        "{text}"
    );
    assert!(
        text.contains("ordercore_db_pool_connections_idle 8"),
        "{text}"
    );
}

struct Counts(std::sync::Mutex<Vec<Result<BacklogCounts, String>>>);

#[async_trait]
impl BacklogSampler for Counts {
    async fn sample(&self) -> Result<BacklogCounts, String> {
        self.0.lock().unwrap().remove(0)
    }
}

#[tokio::test]
async fn the_backlog_gauges_are_read_at_each_refresh_and_kept_on_a_failure() {
    let m = Metrics::new();
    let text = m.render();
    assert!(text.contains("ordercore_outbox_backlog 0"), "{text}");
    m.sample_backlog_with(Arc::new(Counts(std::sync::Mutex::new(vec![
        Ok(BacklogCounts {
            outbox: 3,
            pending_payments: 2,
            unresolved_notifications: 5,
        }),
        Err("database gone".into()),
    ]))));
    m.refresh().await;
    let text = m.render();
    assert!(text.contains("ordercore_outbox_backlog 3"), "{text}");
    assert!(text.contains("ordercore_pending_payments 2"), "{text}");
    assert!(
        text.contains("ordercore_unresolved_notifications 5"),
        "{text}"
    );
    m.refresh().await;
    assert!(m.render().contains("ordercore_outbox_backlog 3"));
}

#[test]
fn a_code_label_is_the_code_written_out() {
    let mut known = 0;
    for code in 100..600u16 {
        if let Some(label) = super::labels::code_label(code) {
            assert_eq!(label, code.to_string());
            known += 1;
        }
    }
    assert!(known >= 10, "the common codes have labels");
    assert_eq!(super::labels::code_label(299), None);
}
