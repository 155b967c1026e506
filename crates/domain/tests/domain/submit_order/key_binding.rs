//! One key, at most one authorization: a claimed `Idempotency-Key` is bound
//! to the pending order before the processor is called, and without the
//! binding the processor is never called.

use super::*;
use mockall::Sequence;
use ordercore_domain::ports::ClaimedKey;

const SCOPE: &str = "user:70:orders/authorize_and_submit";
const KEY: &str = "key-1";

fn keyed() -> OrderRequest {
    OrderRequest {
        idempotency: Some(ClaimedKey {
            scope: SCOPE.into(),
            key: KEY.into(),
        }),
        ..request().build()
    }
}

#[tokio::test]
async fn the_key_is_bound_to_the_pending_order_before_the_processor_is_called() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    let mut seq = Sequence::new();
    m.orders
        .expect_create_pending()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|new, _| Ok(recorded(new, OrderStatus::PendingPayment)));
    m.keys
        .expect_bind_order()
        .withf(|scope, key, order| scope == SCOPE && key == KEY && *order == ORDER)
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(true));
    m.gateway
        .expect_authorize()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(approval(false)));
    finalized_as(
        &mut m,
        PaymentStatus::Authorized,
        PaymentKind::Authorization,
    );
    mail_sent(&mut m);
    run(m, me(), keyed()).await.unwrap();
}

/// The binding failed or found no claim: the order fails (its promotion use
/// released), the processor is not called, and the request crashes (the
/// unbound key is then free for a retry).
async fn binding_fails(bound: Result<bool, StoreError>) {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    m.keys
        .expect_bind_order()
        .times(1)
        .return_once(move |_, _, _| bound);
    m.gateway.expect_authorize().never();
    m.gateway.expect_charge().never();
    m.orders
        .expect_mark_payment_failed()
        .with(eq(ORDER), eq(now()))
        .times(1)
        .returning(|_, _| Ok(true));
    no_finalize(&mut m);
    let e = run(m, me(), keyed()).await.unwrap_err();
    assert!(matches!(e, SubmitOrderError::Unexpected(_)), "{e:?}");
}

#[tokio::test]
async fn a_key_that_cannot_be_bound_stops_before_the_processor() {
    binding_fails(Err(StoreError::Backend("down".into()))).await;
}

#[tokio::test]
async fn a_key_no_longer_claimed_stops_before_the_processor() {
    binding_fails(Ok(false)).await;
}

/// Without a key nothing is bound (and the store is not asked).
#[tokio::test]
async fn a_request_without_a_key_binds_nothing() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    m.keys.expect_bind_order().never();
    authorized_with(&mut m, Ok(approval(false)));
    finalized_as(
        &mut m,
        PaymentStatus::Authorized,
        PaymentKind::Authorization,
    );
    mail_sent(&mut m);
    run(m, me(), request().build()).await.unwrap();
}
