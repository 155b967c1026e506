//! Races decided by the database: one redemption per client and promotion,
//! one decision per pending order, one claimer per outbox message, one
//! `Started` per idempotency key. Run on both backends; PostgreSQL is the one
//! that matters for several servers.

use crate::fixtures::{
    another_client, authorization, new_order, new_order_for, outbox_email, paid_order, seed_demo,
    t0,
};
use chrono::Duration;
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{OrderStatus, PaymentStatus};
use ordercore_domain::ports::{
    IdempotencyBegin, IdempotencyStore, OrderRepository, OutboxRepository, PromotionRepository,
};
use ordercore_store::Store;
use ordercore_store::schema::{email_outbox, payments};
use std::collections::HashSet;

contract_tests!(
    fifty_reservations_one_winner,
    fifty_deciders_one_state_change,
    fifty_captures_and_voids_one_claim,
    fifty_clients_race_for_the_last_five_uses,
    two_outbox_workers_claim_each_message_once,
    concurrent_idempotency_begin_starts_once,
);

async fn fifty_reservations_one_winner(store: &Store) {
    let demo = seed_demo(store).await;
    let order = new_order(&demo, true);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (s, o) = (store.clone(), order.clone());
            tokio::spawn(async move { s.create_pending(&o, t0()).await })
        })
        .collect();
    let (mut ok, mut conflict) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict(_)) => conflict += 1,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    println!(
        "race: 50 reservations → {ok} ok, {conflict} conflict ({:?})",
        store.backend()
    );
    assert_eq!((ok, conflict), (1, 49));
}

async fn fifty_deciders_one_state_change(store: &Store) {
    let demo = seed_demo(store).await;
    let order = store
        .create_pending(&new_order(&demo, true), t0())
        .await
        .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let s = store.clone();
            let payment = authorization(&demo, order.pricing.total, &format!("T{i}"));
            let email = outbox_email(&demo, t0());
            let pending = order.clone();
            tokio::spawn(async move {
                let id = pending.id;
                if i % 2 == 0 {
                    s.finalize_payment(&pending, &payment, &email, t0())
                        .await
                        .map(|r| r.is_some())
                } else {
                    s.mark_payment_failed(id, t0()).await
                }
            })
        })
        .collect();
    let mut changed = 0;
    for t in tasks {
        if t.await.unwrap().unwrap() {
            changed += 1;
        }
    }
    let final_order = OrderRepository::find(store, order.id)
        .await
        .unwrap()
        .unwrap();
    let mut c = store.pool().get().unwrap();
    let payment_rows: i64 = payments::table.count().get_result(&mut *c).unwrap();
    let outbox_rows: i64 = email_outbox::table.count().get_result(&mut *c).unwrap();
    println!(
        "race: 50 deciders → {changed} state change, final {:?}, {payment_rows} payment(s) ({:?})",
        final_order.status,
        store.backend()
    );
    assert_eq!(changed, 1);
    match final_order.status {
        OrderStatus::Submitted => assert_eq!((payment_rows, outbox_rows), (1, 1)),
        OrderStatus::PaymentFailed => assert_eq!((payment_rows, outbox_rows), (0, 0)),
        other => panic!("unexpected status {other:?}"),
    }
}

/// Capture and void claim the payment before calling the processor: of 50
/// concurrent claims on one authorization exactly one wins.
async fn fifty_captures_and_voids_one_claim(store: &Store) {
    let demo = seed_demo(store).await;
    let order = paid_order(store, &demo, false, "T", t0()).await;
    let id = order.payment.unwrap().id;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let s = store.clone();
            let claim = if i % 2 == 0 {
                PaymentStatus::Capturing
            } else {
                PaymentStatus::Voiding
            };
            tokio::spawn(async move {
                let won = s
                    .transition_payment(id, PaymentStatus::Authorized, claim, t0())
                    .await
                    .unwrap();
                won.then_some(claim)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        winners.extend(t.await.unwrap());
    }
    let stored = store.find_payment(id).await.unwrap().unwrap();
    println!(
        "race: 50 captures and voids → claims won {winners:?}, stored {:?} ({:?})",
        stored.status,
        store.backend()
    );
    assert_eq!(winners.len(), 1);
    assert_eq!(stored.status, winners[0]);
}

/// The global cap is the database's: 50 different clients racing for a code
/// with 5 uses left give exactly 5 redemptions; the others get `Conflict`
/// (→ `promotion-expended`).
async fn fifty_clients_race_for_the_last_five_uses(store: &Store) {
    let demo = seed_demo(store).await;
    {
        use ordercore_store::schema::promotions;
        let mut c = store.pool().get().unwrap();
        diesel::update(promotions::table.filter(promotions::id.eq(demo.promotion.id.0)))
            .set(promotions::max_redemptions.eq(Some(6_i64)))
            .execute(&mut *c)
            .unwrap();
    }
    // One use already taken: 5 left.
    store
        .create_pending(&new_order(&demo, true), t0())
        .await
        .unwrap();
    let mut orders = Vec::new();
    for i in 0..50 {
        let client = another_client(store, &format!("racer{i}@example.com")).await;
        orders.push(new_order_for(&demo, &client, true));
    }
    let tasks: Vec<_> = orders
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            let s = store.clone();
            let email = outbox_email(&demo, t0());
            tokio::spawn(async move {
                // Both ways of taking a use: a card order and an invoice one.
                if i % 2 == 0 {
                    s.create_pending(&o, t0()).await.map(|_| ())
                } else {
                    s.create_submitted(&o, &email, t0()).await.map(|_| ())
                }
            })
        })
        .collect();
    let (mut ok, mut conflict) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict(_)) => conflict += 1,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    let counted = store
        .find_by_code(&demo.promotion.code)
        .await
        .unwrap()
        .unwrap()
        .redemptions;
    println!(
        "race: 50 clients for 5 uses → {ok} ok, {conflict} conflict, {counted} counted ({:?})",
        store.backend()
    );
    assert_eq!((ok, conflict), (5, 45));
    assert_eq!(counted, 6);
}

async fn two_outbox_workers_claim_each_message_once(store: &Store) {
    let demo = seed_demo(store).await;
    let (order, _) = store
        .create_submitted(&new_order(&demo, false), &outbox_email(&demo, t0()), t0())
        .await
        .unwrap();
    {
        let mut c = store.pool().get().unwrap();
        c.transaction::<_, diesel::result::Error, _>(|c| {
            for _ in 0..199 {
                diesel::insert_into(email_outbox::table)
                    .values((
                        email_outbox::order_id.eq(order.id.0),
                        email_outbox::recipient.eq("client@example.com"),
                        email_outbox::attempts.eq(0),
                        email_outbox::next_attempt_at.eq(t0().timestamp_micros()),
                        email_outbox::created_at.eq(t0().timestamp_micros()),
                    ))
                    .execute(c)?;
            }
            Ok(())
        })
        .unwrap();
    }
    let now = t0() + Duration::minutes(1);
    let lease = now + Duration::minutes(5);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = s.claim_due(now, lease, 7).await.unwrap();
                    if batch.is_empty() {
                        break;
                    }
                    mine.extend(batch.into_iter().map(|m| m.id.0));
                    tokio::task::yield_now().await;
                }
                mine
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut per_worker = Vec::new();
    for w in workers {
        let mine = w.await.unwrap();
        per_worker.push(mine.len());
        all.extend(mine);
    }
    let unique: HashSet<i64> = all.iter().copied().collect();
    println!(
        "race: 2 outbox workers over 200 messages → claimed {:?} (total {}, unique {}) ({:?})",
        per_worker,
        all.len(),
        unique.len(),
        store.backend()
    );
    assert_eq!(all.len(), 200, "no message claimed twice");
    assert_eq!(unique.len(), 200, "every message claimed");
}

async fn concurrent_idempotency_begin_starts_once(store: &Store) {
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move { s.begin("scope", "key", "fp", t0()).await.unwrap() })
        })
        .collect();
    let mut started = 0;
    for t in tasks {
        match t.await.unwrap() {
            IdempotencyBegin::Started => started += 1,
            IdempotencyBegin::InFlight => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(started, 1);
}
