//! `ReadOrder`, `ListOrders`, `ListServices`, `ListNotifications`.

use crate::fixtures::*;
use mockall::predicate::eq;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    ClientId, NotificationContext, NotificationId, NotificationKind, Order, Severity,
};
use ordercore_domain::ports::{
    MockCatalogRepository, MockNotificationRepository, MockOrderRepository, Page,
};
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::{
    ListNotifications, ListOrders, ListServices, OrderLookupError, ReadOrder,
};
use std::sync::Arc;

fn found(orders: &mut MockOrderRepository) {
    orders
        .expect_find()
        .with(eq(ORDER))
        .times(1)
        .returning(|_| Ok(Some(stored_order(CLIENT))));
}

#[tokio::test]
async fn read_returns_an_order_visible_to_the_requester() {
    for actor in [
        Actor::Client(CLIENT),
        Actor::Employee,
        Actor::Liaison(vec![CLIENT]),
    ] {
        let mut orders = MockOrderRepository::new();
        found(&mut orders);
        let order = ReadOrder::new(Arc::new(orders))
            .run(&actor, ORDER)
            .await
            .unwrap();
        assert_eq!(order, stored_order(CLIENT));
    }
}

#[tokio::test]
async fn read_hides_an_order_not_visible_as_not_found() {
    for actor in [
        Actor::Client(OTHER_CLIENT),
        Actor::Liaison(vec![OTHER_CLIENT]),
    ] {
        let mut orders = MockOrderRepository::new();
        found(&mut orders);
        let e = ReadOrder::new(Arc::new(orders))
            .run(&actor, ORDER)
            .await
            .unwrap_err();
        assert!(matches!(e, OrderLookupError::NotFound), "{e:?}");
    }
    let mut orders = MockOrderRepository::new();
    orders.expect_find().times(1).returning(|_| Ok(None));
    let e = ReadOrder::new(Arc::new(orders))
        .run(&Actor::Employee, ORDER)
        .await
        .unwrap_err();
    assert!(matches!(e, OrderLookupError::NotFound), "{e:?}");
}

#[test]
fn an_order_read_with_the_session_is_judged_as_a_looked_up_one() {
    let visible = |actor: Actor, found: Option<Order>| ReadOrder::visible(&actor, found);
    assert_eq!(
        visible(Actor::Client(CLIENT), Some(stored_order(CLIENT))).unwrap(),
        stored_order(CLIENT)
    );
    for (actor, found) in [
        (Actor::Client(OTHER_CLIENT), Some(stored_order(CLIENT))),
        (
            Actor::Liaison(vec![OTHER_CLIENT]),
            Some(stored_order(CLIENT)),
        ),
        (Actor::Employee, None),
    ] {
        let e = visible(actor, found).unwrap_err();
        assert!(matches!(e, OrderLookupError::NotFound), "{e:?}");
    }
}

#[tokio::test]
async fn read_reports_a_storage_failure() {
    let mut orders = MockOrderRepository::new();
    orders
        .expect_find()
        .times(1)
        .returning(|_| Err(StoreError::Backend("down".into())));
    let e = ReadOrder::new(Arc::new(orders))
        .run(&Actor::Employee, ORDER)
        .await
        .unwrap_err();
    assert!(matches!(e, OrderLookupError::Unexpected(_)), "{e:?}");
}

async fn list(actor: Actor, asked: Page, visible: Option<Vec<ClientId>>, used: Page) {
    let mut orders = MockOrderRepository::new();
    orders
        .expect_list()
        .with(eq(visible), eq(used))
        .times(1)
        .returning(|_, _| Ok(vec![stored_order(CLIENT)]));
    let list = ListOrders::new(Arc::new(orders))
        .run(&actor, asked)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
}

#[tokio::test]
async fn list_passes_the_visible_clients() {
    let page = Page::default();
    list(Actor::Client(CLIENT), page, Some(vec![CLIENT]), page).await;
    list(Actor::Employee, page, None, page).await;
    let assigned = vec![CLIENT, OTHER_CLIENT];
    list(Actor::Liaison(assigned.clone()), page, Some(assigned), page).await;
}

#[tokio::test]
async fn list_clamps_the_page() {
    let page = |page, per_page| Page { page, per_page };
    list(Actor::Employee, page(2, 500), None, page(2, 100)).await;
    list(Actor::Employee, page(3, 100), None, page(3, 100)).await;
    list(Actor::Employee, page(0, 0), None, page(1, 1)).await;
}

#[tokio::test]
async fn services_lists_the_active_catalogue() {
    let mut catalog = MockCatalogRepository::new();
    catalog
        .expect_active_services()
        .times(1)
        .returning(|| Ok(catalogue()));
    let services = ListServices::new(Arc::new(catalog)).run().await.unwrap();
    assert_eq!(services, catalogue());
}

#[tokio::test]
async fn notifications_are_listed_by_page() {
    let mut repo = MockNotificationRepository::new();
    repo.expect_list()
        .with(eq(Page::default()))
        .times(1)
        .returning(|_| {
            Ok(vec![ordercore_domain::model::Notification {
                id: NotificationId(1),
                kind: NotificationKind::MandrillEmailFailed,
                severity: Severity::Warning,
                message: "m".into(),
                context: NotificationContext::default(),
                created_at: now(),
                acknowledged_at: None,
                acknowledged_by: None,
                resolved_at: None,
                resolved_by: None,
            }])
        });
    let list = ListNotifications::new(Arc::new(repo))
        .run(Page::default())
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
}
