//! The staff console's order search (by id, client e-mail, status) and an
//! order's e-mail deliveries.

use crate::fixtures::{
    another_client, email, new_order, new_order_for, outbox_email, seed_demo, t0,
};
use chrono::Duration;
use ordercore_domain::model::{OrderId, OrderStatus};
use ordercore_domain::ports::{OrderQuery, OrderRepository, OutboxRepository};
use ordercore_store::Store;

contract_tests!(
    orders_are_searched_by_id_email_and_status,
    an_orders_deliveries_show_where_each_stands,
);

async fn orders_are_searched_by_id_email_and_status(store: &Store) {
    let demo = seed_demo(store).await;
    let other = another_client(store, "other@example.com").await;
    let pending = store
        .create_pending(&new_order(&demo, false), t0())
        .await
        .unwrap();
    let (submitted, _) = store
        .create_submitted(
            &new_order(&demo, false),
            &outbox_email(&demo, t0()),
            t0() + Duration::minutes(1),
        )
        .await
        .unwrap();
    let (others, _) = store
        .create_submitted(
            &new_order_for(&demo, &other, false),
            &outbox_email(&demo, t0()),
            t0() + Duration::minutes(2),
        )
        .await
        .unwrap();
    let search = |query: OrderQuery, limit: u32| async move {
        store
            .search(&query, limit)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect::<Vec<OrderId>>()
    };
    assert_eq!(
        search(OrderQuery::default(), 10).await,
        [others.id, submitted.id, pending.id]
    );
    assert_eq!(search(OrderQuery::default(), 1).await, [others.id], "limit");
    let by_email = OrderQuery {
        client_email: Some(email("CLIENT@example.com")),
        ..OrderQuery::default()
    };
    assert_eq!(
        search(by_email.clone(), 10).await,
        [submitted.id, pending.id]
    );
    let submitted_by_email = OrderQuery {
        status: Some(OrderStatus::Submitted),
        ..by_email
    };
    assert_eq!(search(submitted_by_email, 10).await, [submitted.id]);
    let by_id = OrderQuery {
        id: Some(pending.id),
        ..OrderQuery::default()
    };
    let found = store.search(&by_id, 10).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].client.email.as_str(), "client@example.com");
    let nobody = OrderQuery {
        client_email: Some(email("nobody@example.com")),
        ..OrderQuery::default()
    };
    assert!(search(nobody, 10).await.is_empty());
}

async fn an_orders_deliveries_show_where_each_stands(store: &Store) {
    let demo = seed_demo(store).await;
    let (order, outbox) = store
        .create_submitted(&new_order(&demo, false), &outbox_email(&demo, t0()), t0())
        .await
        .unwrap();
    let (other, _) = store
        .create_submitted(&new_order(&demo, false), &outbox_email(&demo, t0()), t0())
        .await
        .unwrap();
    store
        .mark_failed(
            outbox,
            "Invalid_Key",
            Some(t0() + Duration::minutes(1)),
            None,
            t0(),
        )
        .await
        .unwrap();
    let d = store.deliveries(order.id).await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].id, outbox);
    assert_eq!(d[0].recipient.as_str(), "client@example.com");
    assert_eq!(d[0].attempts, 1);
    assert_eq!(d[0].last_error.as_deref(), Some("Invalid_Key"));
    assert_eq!((d[0].sent_at, d[0].failed_at), (None, None));
    assert_eq!(d[0].next_attempt_at, t0() + Duration::minutes(1));

    store
        .mark_sent(outbox, t0() + Duration::minutes(2))
        .await
        .unwrap();
    let d = store.deliveries(order.id).await.unwrap();
    assert_eq!(
        (d[0].sent_at, d[0].attempts),
        (Some(t0() + Duration::minutes(2)), 2)
    );
    assert_eq!(store.deliveries(other.id).await.unwrap().len(), 1);
    assert!(store.deliveries(OrderId(999_999)).await.unwrap().is_empty());
}
