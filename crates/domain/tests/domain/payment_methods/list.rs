//! `ListPaymentMethods`.

use super::*;

async fn list(
    clients: MockClientRepository,
    methods: MockPaymentMethodRepository,
    actor: Actor,
    client_id: Option<ClientId>,
) -> Result<Vec<PaymentMethod>, PaymentMethodLookupError> {
    ListPaymentMethods::new(Arc::new(clients), Arc::new(methods))
        .run(&actor, client_id)
        .await
}

#[tokio::test]
async fn list_returns_the_clients_active_cards() {
    for (actor, client_id) in [
        (Actor::Client(CLIENT), None),
        (Actor::Employee, Some(CLIENT)),
    ] {
        let mut m = Mocks::default();
        m.client_found(client());
        m.methods
            .expect_list_active()
            .with(eq(CLIENT))
            .times(1)
            .returning(|_| Ok(vec![method()]));
        let cards = list(m.clients, m.methods, actor, client_id).await.unwrap();
        assert_eq!(cards, vec![method()]);
    }
}

#[tokio::test]
async fn list_refuses_a_missing_or_foreign_client() {
    let mut m = Mocks::default();
    m.clients.expect_find_client().never();
    m.methods.expect_list_active().never();
    match list(m.clients, m.methods, Actor::Employee, None).await {
        Err(PaymentMethodLookupError::Params(errs)) => {
            assert_eq!(params_paths(&errs.0), [(Field::CardClient, true)]);
        }
        other => panic!("expected Params, got {other:?}"),
    }

    let mut m = Mocks::default();
    m.clients.expect_find_client().never();
    m.methods.expect_list_active().never();
    match list(
        m.clients,
        m.methods,
        Actor::Client(CLIENT),
        Some(OTHER_CLIENT),
    )
    .await
    {
        Err(PaymentMethodLookupError::Params(errs)) => {
            assert_eq!(params_paths(&errs.0), [(Field::CardClient, false)]);
        }
        other => panic!("expected Params, got {other:?}"),
    }
}
