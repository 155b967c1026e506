//! Promotion codes at submission: invalid and expended ones, redemption races.

use super::*;

async fn promotion_outcome(p: Option<Promotion>, redeemed: bool) -> SubmitOrderError {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    promotion_found(&mut m, p, redeemed);
    nothing_recorded(&mut m);
    run(m, me(), request().promotion("spring").build())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn each_invalid_promotion_reason_comes_from_the_repository_data() {
    for (p, reason) in invalid_promotions(promotion(Discount::Amount(money(1_000)))) {
        match promotion_outcome(p, false).await {
            SubmitOrderError::InvalidPromotion(r) => assert_eq!(r, reason),
            other => panic!("{reason:?}: got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_promotion_starting_now_or_for_the_clients_designation_is_valid() {
    let p = Promotion {
        starts_at: Some(now()),
        designation: Some("AGENT".into()),
        ..promotion(Discount::Amount(money(1_000)))
    };
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    promotion_found(&mut m, Some(p), false);
    pending_recorded(&mut m, SUBTOTAL - 1_000);
    m.gateway
        .expect_authorize()
        .withf(|r| is_our_transaction(r, SUBTOTAL - 1_000))
        .times(1)
        .returning(|_| Ok(approval(false)));
    m.orders
        .expect_finalize_payment()
        .times(1)
        .returning(|_, p, _, _| Ok(Some((submitted_order(Some(p)), OUTBOX))));
    mail_sent(&mut m);
    run(m, me(), request().promotion("spring").build())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_promotion_this_client_redeemed_is_expended() {
    let p = Some(promotion(Discount::Amount(money(1_000))));
    assert!(matches!(
        promotion_outcome(p, true).await,
        SubmitOrderError::PromotionExpended
    ));
}

#[tokio::test]
async fn the_loser_of_a_redemption_race_gets_promotion_expended() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    promotion_found(
        &mut m,
        Some(promotion(Discount::Amount(money(1_000)))),
        false,
    );
    m.orders
        .expect_create_pending()
        .times(1)
        .returning(|_, _| Err(StoreError::Conflict("promotion_redemptions_unique".into())));
    m.gateway.expect_authorize().never();
    m.orders.expect_mark_payment_failed().never();
    no_finalize(&mut m);
    let e = run(m, me(), request().promotion("SPRING").build())
        .await
        .unwrap_err();
    assert!(matches!(e, SubmitOrderError::PromotionExpended), "{e:?}");
}

#[tokio::test]
async fn the_loser_of_a_redemption_race_without_payment_gets_promotion_expended() {
    let mut m = SubmitMocks::default();
    client_found(&mut m, invoice_client());
    catalogue_found(&mut m);
    promotion_found(
        &mut m,
        Some(promotion(Discount::Amount(money(1_000)))),
        false,
    );
    m.orders
        .expect_create_submitted()
        .times(1)
        .returning(|_, _, _| Err(StoreError::Conflict("promotion_redemptions_unique".into())));
    m.mailer.expect_send_order_confirmation().never();
    let req = request().method(None).promotion("SPRING").build();
    let e = run(m, me(), req).await.unwrap_err();
    assert!(matches!(e, SubmitOrderError::PromotionExpended), "{e:?}");
}

#[tokio::test]
async fn a_storage_failure_recording_the_order_is_unexpected() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    m.orders
        .expect_create_pending()
        .times(1)
        .returning(|_, _| Err(StoreError::Backend("down".into())));
    m.gateway.expect_authorize().never();
    no_finalize(&mut m);
    let e = run(m, me(), request().build()).await.unwrap_err();
    assert!(matches!(e, SubmitOrderError::Unexpected(_)), "{e:?}");
}
