//! `RemovePaymentMethod`.

use super::*;

async fn remove(
    m: Mocks,
    actor: Actor,
) -> Result<(PaymentMethod, Result<(), PaymentError>), PaymentMethodLookupError> {
    RemovePaymentMethod::new(Arc::new(m.methods), Arc::new(m.gateway))
        .run(&actor, METHOD)
        .await
}

fn found(m: &mut Mocks, pm: Option<PaymentMethod>) {
    m.methods
        .expect_find()
        .with(eq(METHOD))
        .times(1)
        .return_once(move |_| Ok(pm));
}

fn invalid_id(r: Result<(PaymentMethod, Result<(), PaymentError>), PaymentMethodLookupError>) {
    match r {
        Err(PaymentMethodLookupError::Params(errs)) => {
            assert_eq!(params_paths(&errs.0), [(Field::TargetPaymentMethod, false)]);
        }
        other => panic!("expected Params on id, got {other:?}"),
    }
}

#[tokio::test]
async fn removing_an_unknown_inactive_or_foreign_card_is_invalid() {
    let inactive = PaymentMethod {
        active: false,
        ..method()
    };
    for (pm, actor) in [
        (None, Actor::Client(CLIENT)),
        (Some(inactive), Actor::Client(CLIENT)),
        (Some(method()), Actor::Client(OTHER_CLIENT)),
        (Some(method()), Actor::Liaison(vec![OTHER_CLIENT])),
    ] {
        let mut m = Mocks::default();
        found(&mut m, pm);
        m.methods.expect_deactivate().never();
        m.gateway.expect_delete_payment_profile().never();
        invalid_id(remove(m, actor).await);
    }
}

#[tokio::test]
async fn removing_a_card_deactivated_meanwhile_is_invalid() {
    let mut m = Mocks::default();
    found(&mut m, Some(method()));
    m.methods
        .expect_deactivate()
        .with(eq(METHOD))
        .times(1)
        .returning(|_| Ok(false));
    m.gateway.expect_delete_payment_profile().never();
    invalid_id(remove(m, Actor::Client(CLIENT)).await);
}

#[tokio::test]
async fn removing_deactivates_then_deletes_the_processor_profile() {
    for (actor, processor) in [
        (Actor::Client(CLIENT), Ok(())),
        (
            Actor::Employee,
            Err(PaymentError::External {
                code: Some("E00040".into()),
                detail: "record not found".into(),
            }),
        ),
    ] {
        let mut m = Mocks::default();
        found(&mut m, Some(method()));
        let mut seq = Sequence::new();
        m.methods
            .expect_deactivate()
            .with(eq(METHOD))
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_| Ok(true));
        let answer = processor.clone();
        m.gateway
            .expect_delete_payment_profile()
            .withf(|p| *p == profile())
            .times(1)
            .in_sequence(&mut seq)
            .return_once(move |_| answer);
        let (pm, deleted) = remove(m, actor).await.unwrap();
        assert!(!pm.active);
        assert_eq!(pm.id, METHOD);
        assert_eq!(deleted, processor);
    }
}
