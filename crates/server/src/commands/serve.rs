//! `ordercore serve`: migrate, register the route table, then run the HTTP
//! server, the outbox worker, the reconcile worker, the pending-payment
//! sweeper, the authorization-expiry watch, the webhook delivery worker and
//! the expired Idempotency-Key
//! purge until SIGTERM or ctrl-c;
//! in-flight requests finish before the process exits.

use super::CommandError;
use crate::config::Config;
use crate::workers::Batched;
use crate::{wiring, workers};
use actix_web::{HttpServer, web};
use ordercore_domain::ports::RouteRegistry;
use std::net::SocketAddr;
use tokio::sync::watch;

pub async fn serve(config: &Config) -> Result<(), CommandError> {
    tracing::info!(config = %config.summary(), "starting ordercore");
    if config.simulated_on_postgres() {
        tracing::warn!(
            "ORDERCORE_PAYMENT_GATEWAY=simulated on a PostgreSQL database: no payment is \
             real, every card is answered by the in-memory simulator (test and staging only)"
        );
    }
    if config.abuse.fingerprint_key.is_none() && config.is_postgres() {
        tracing::warn!(
            "ORDERCORE_FINGERPRINT_KEY is not set: Idempotency-Key fingerprints use a key of \
             this process only, so a retry reaching another instance or a restarted one answers \
             idempotency-key-conflict instead of the stored answer; set the same key on every instance"
        );
    }
    let cipher = std::sync::Arc::new(crate::data_key::data_cipher(config)?);
    tracing::info!(
        data_key = cipher.current_id(),
        "secrets at rest sealed with this data key"
    );
    let store = wiring::connect(config)?.with_cipher(cipher);
    super::migrate(&store).await?;
    store
        .register(&ordercore_http::routes::registry_pairs())
        .await
        .map_err(|e| CommandError::Failed(format!("cannot register the route table: {e}")))?;
    let service = wiring::service(config, &store)?;
    let state = web::Data::new(service.state);

    // Every log line of a request carries its request id, method and path
    // (ordercore_http::conventions).
    let server = HttpServer::new(move || ordercore_http::app(state.clone()))
        .disable_signals()
        .shutdown_timeout(config.shutdown_timeout.as_secs())
        .bind(config.bind)
        .map_err(|e| {
            CommandError::Failed(format!(
                "ORDERCORE_BIND: cannot listen on {}: {e}",
                config.bind
            ))
        })?;
    let addrs = server.addrs();
    let server = server.run();
    let handle = server.handle();
    announce(config, &addrs);

    let (stop_tx, stop_rx) = watch::channel(false);
    let outbox = tokio::spawn(workers::run_outbox(
        service.outbox,
        config.workers.outbox_interval,
        config.workers.outbox_batch,
        stop_rx.clone(),
    ));
    let sweeper = tokio::spawn(workers::run_sweeper(
        service.sweeper,
        config.workers.sweeper_interval,
        config.workers.sweeper_batch,
        stop_rx.clone(),
    ));
    let reconciler = tokio::spawn(workers::run_reconciler(
        service.reconciler,
        config.workers.reconcile_interval,
        config.workers.sweeper_batch,
        stop_rx.clone(),
    ));
    let expiry_watch = tokio::spawn(workers::run_expiry_watch(
        service.expiry_watch,
        config.workers.auth_expiry_interval,
        config.workers.sweeper_batch,
        stop_rx.clone(),
    ));
    let webhooks = tokio::spawn(workers::run_webhooks(
        service.webhooks,
        config.workers.webhooks_interval,
        config.workers.webhooks_batch,
        config.workers.webhooks_lanes,
        stop_rx.clone(),
    ));
    let purge = tokio::spawn(workers::run_idempotency_purge(
        store.clone(),
        config.workers.idempotency_purge_interval,
        config.workers.idempotency_purge_batch,
        stop_rx.clone(),
    ));
    let touches = tokio::spawn(workers::run_batched_writes(
        store.clone(),
        Batched::SessionTouches,
        config.workers.session_touch_interval,
        stop_rx.clone(),
    ));
    let sent_marks = tokio::spawn(workers::run_batched_writes(
        store.clone(),
        Batched::SentMarks,
        config.workers.outbox_mark_interval,
        stop_rx,
    ));
    let signals = tokio::spawn(async move {
        let signal = shutdown_signal().await;
        tracing::info!(signal, "shutting down: finishing in-flight requests");
        let _ = stop_tx.send(true);
        handle.stop(true).await;
    });

    let served = server.await;
    signals.abort();
    // The workers stop between passes; their current pass finishes first.
    let _ = outbox.await;
    let _ = sweeper.await;
    let _ = reconciler.await;
    let _ = expiry_watch.await;
    let _ = purge.await;
    let _ = webhooks.await;
    let _ = touches.await;
    let _ = sent_marks.await;
    // What requests and the outbox's last pass left after the writers' last
    // pass.
    for what in Batched::ALL {
        if let Err(e) = what.flush(&store).await {
            tracing::error!(worker = what.name(), error = %e, "last batched writes not written");
        }
    }
    wiring::settle(&store).await;
    drop(store);
    tracing::info!("ordercore stopped");
    served.map_err(|e| CommandError::Failed(format!("HTTP server failed: {e}")))
}

/// Waits for ctrl-c or SIGTERM; returns its name.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "ctrl-c"
    }
}

/// Says where the server listens (stdout, first line: tests read it) and, on
/// the demo database, how to place a first order.
fn announce(config: &Config, addrs: &[SocketAddr]) {
    let base = addrs
        .first()
        .map_or_else(|| config.bind.to_string(), SocketAddr::to_string);
    out!("ordercore listening on http://{base}");
    tracing::info!(http.addr = %base, "listening");
    if config.is_default_sqlite() {
        out!("{}", first_order_hint(&base));
    }
}

/// The README walkthrough in short, for the demo database.
pub fn first_order_hint(base: &str) -> String {
    format!(
        r#"
Demo database: try it (full walkthrough in README.md; demo data from `ordercore seed --demo`):
  TOKEN=$(echo -n '{{"email":"client@example.com","password":"demo-password","application":"planoorder"}}' | base64 -w0 \
    | curl -s -H 'Content-Type: text/plain' --data-binary @- http://{base}/api/v1/sessions/create \
    | sed -E 's/.*"token":"([^"]+)".*/\1/')
  curl -s -H 'Content-Type: application/json' -d "{{\"token\":\"$TOKEN\"}}" http://{base}/api/v1/services/index
  Place a first order (log in, add a card, order with promotion WELCOME10, read it back):
    BASE=http://{base} bash tests/readme_walkthrough.sh
  API documentation: http://{base}/documentation
"#
    )
}
