//! `CapturePayment` and `VoidPayment` (`payments/capture`, `payments/void`).

use crate::fixtures::*;
use mockall::Sequence;
use mockall::predicate::eq;
use ordercore_domain::model::{NewNotification, NotificationKind, Order, PaymentStatus};
use ordercore_domain::ports::{
    CaptureRequest, MockNotificationRepository, MockOrderRepository, MockPaymentGateway,
    PaymentError,
};
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::{CapturePayment, PaymentActionError, VoidPayment};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Action {
    Capture,
    Void,
}

impl Action {
    fn target(self) -> PaymentStatus {
        match self {
            Action::Capture => PaymentStatus::Captured,
            Action::Void => PaymentStatus::Voided,
        }
    }

    /// The status that claims the payment while the processor is called.
    fn claim(self) -> PaymentStatus {
        match self {
            Action::Capture => PaymentStatus::Capturing,
            Action::Void => PaymentStatus::Voiding,
        }
    }
}

#[derive(Default)]
struct Mocks {
    orders: MockOrderRepository,
    gateway: MockPaymentGateway,
    notifications: MockNotificationRepository,
}

impl Mocks {
    fn payment_found(&mut self, status: PaymentStatus) {
        self.orders
            .expect_find_payment()
            .with(eq(PAYMENT))
            .times(1)
            .returning(move |_| Ok(Some(payment(status))));
    }

    /// `from` → `to` is asked once (in `seq`) and answers `won`.
    fn moves(&mut self, from: PaymentStatus, to: PaymentStatus, won: bool, seq: &mut Sequence) {
        self.orders
            .expect_transition_payment()
            .with(eq(PAYMENT), eq(from), eq(to), eq(now()))
            .times(1)
            .in_sequence(seq)
            .returning(move |_, _, _, _| Ok(won));
    }

    /// Staff are told once that the payment is left claimed.
    fn staff_told(&mut self) {
        self.notifications
            .expect_record()
            .withf(|n: &NewNotification, _| {
                n.kind == NotificationKind::PaymentOutcomeUnknown && n.message.contains("left")
            })
            .times(1)
            .returning(|_, _| Err(ordercore_domain::StoreError::Conflict("unused".into())));
    }

    fn processor_untouched(&mut self) {
        self.gateway.expect_capture().never();
        self.gateway.expect_void().never();
        self.orders.expect_transition_payment().never();
    }

    fn processor_answers(
        &mut self,
        action: Action,
        answer: Result<(), PaymentError>,
        seq: &mut Sequence,
    ) {
        match action {
            Action::Capture => {
                self.gateway.expect_void().never();
                self.gateway
                    .expect_capture()
                    .withf(|r: &CaptureRequest| {
                        r.order_id == ORDER
                            && r.transaction_id == "tx-900"
                            && r.amount == money(17_500)
                    })
                    .times(1)
                    .in_sequence(seq)
                    .return_once(move |_| {
                        answer.map(|()| ordercore_domain::ports::Approval {
                            transaction_id: "tx-900".into(),
                            auth_code: None,
                            held_for_review: false,
                        })
                    });
            }
            Action::Void => {
                self.gateway.expect_capture().never();
                self.gateway
                    .expect_void()
                    .withf(|id, tx| *id == ORDER && tx == "tx-900")
                    .times(1)
                    .in_sequence(seq)
                    .return_once(move |_, _| answer);
            }
        }
    }

    async fn run(self, action: Action, actor: Actor) -> Result<Order, PaymentActionError> {
        let orders = Arc::new(self.orders);
        let gateway = Arc::new(self.gateway);
        let notifier = notifier(self.notifications);
        match action {
            Action::Capture => {
                CapturePayment::new(orders, gateway, clock(), notifier)
                    .run(&actor, PAYMENT)
                    .await
            }
            Action::Void => {
                VoidPayment::new(orders, gateway, clock(), notifier)
                    .run(&actor, PAYMENT)
                    .await
            }
        }
    }
}

fn order_found(m: &mut Mocks, times: usize, order: Order) {
    m.orders
        .expect_find()
        .with(eq(ORDER))
        .times(times)
        .returning(move |_| Ok(Some(order.clone())));
}

const BOTH: [Action; 2] = [Action::Capture, Action::Void];

#[tokio::test]
async fn an_unknown_payment_is_not_found() {
    for action in BOTH {
        let mut m = Mocks::default();
        m.orders
            .expect_find_payment()
            .times(1)
            .returning(|_| Ok(None));
        m.orders.expect_find().never();
        m.processor_untouched();
        let e = m.run(action, Actor::Employee).await.unwrap_err();
        assert!(
            matches!(e, PaymentActionError::NotFound),
            "{action:?}: {e:?}"
        );
    }
}

#[tokio::test]
async fn a_payment_whose_order_is_missing_is_not_found() {
    for action in BOTH {
        let mut m = Mocks::default();
        m.payment_found(PaymentStatus::Authorized);
        m.orders.expect_find().times(1).returning(|_| Ok(None));
        m.processor_untouched();
        let e = m.run(action, Actor::Employee).await.unwrap_err();
        assert!(
            matches!(e, PaymentActionError::NotFound),
            "{action:?}: {e:?}"
        );
    }
}

#[tokio::test]
async fn a_payment_not_visible_to_the_requester_is_not_found() {
    for action in BOTH {
        for actor in [
            Actor::Client(OTHER_CLIENT),
            Actor::Liaison(vec![OTHER_CLIENT]),
        ] {
            let mut m = Mocks::default();
            m.payment_found(PaymentStatus::Authorized);
            order_found(&mut m, 1, stored_order(CLIENT));
            m.processor_untouched();
            let e = m.run(action, actor).await.unwrap_err();
            assert!(
                matches!(e, PaymentActionError::NotFound),
                "{action:?}: {e:?}"
            );
        }
    }
}

#[tokio::test]
async fn only_an_open_authorization_can_be_captured() {
    for status in [
        PaymentStatus::Captured,
        PaymentStatus::Voided,
        PaymentStatus::HeldForReview,
    ] {
        let mut m = Mocks::default();
        m.payment_found(status);
        order_found(&mut m, 1, stored_order(CLIENT));
        m.processor_untouched();
        let e = m.run(Action::Capture, Actor::Employee).await.unwrap_err();
        assert!(
            matches!(e, PaymentActionError::NotCapturable),
            "{status:?}: {e:?}"
        );
    }
}

#[tokio::test]
async fn only_an_open_authorization_can_be_voided() {
    for status in [
        PaymentStatus::Captured,
        PaymentStatus::Voided,
        PaymentStatus::HeldForReview,
    ] {
        let mut m = Mocks::default();
        m.payment_found(status);
        order_found(&mut m, 1, stored_order(CLIENT));
        m.processor_untouched();
        let e = m.run(Action::Void, Actor::Employee).await.unwrap_err();
        assert!(
            matches!(e, PaymentActionError::NotCancelable),
            "{status:?}: {e:?}"
        );
    }
}

#[tokio::test]
async fn a_processor_refusal_gives_the_claim_back() {
    let error = PaymentError::Failed {
        error_code: Some("16".into()),
    };
    for action in BOTH {
        let mut m = Mocks::default();
        m.payment_found(PaymentStatus::Authorized);
        order_found(&mut m, 1, stored_order(CLIENT));
        let mut seq = Sequence::new();
        m.moves(PaymentStatus::Authorized, action.claim(), true, &mut seq);
        m.processor_answers(action, Err(error.clone()), &mut seq);
        m.moves(action.claim(), PaymentStatus::Authorized, true, &mut seq);
        m.notifications.expect_record().never();
        match m.run(action, Actor::Employee).await {
            Err(PaymentActionError::Payment(e)) => assert_eq!(e, error),
            other => panic!("{action:?}: expected Payment, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_unknown_outcome_leaves_the_claim_and_tells_staff() {
    let error = PaymentError::OutcomeUnknown {
        detail: "timeout".into(),
    };
    for action in BOTH {
        let mut m = Mocks::default();
        m.payment_found(PaymentStatus::Authorized);
        order_found(&mut m, 1, stored_order(CLIENT));
        let mut seq = Sequence::new();
        // Only the claim: the payment is not moved again.
        m.moves(PaymentStatus::Authorized, action.claim(), true, &mut seq);
        m.processor_answers(action, Err(error.clone()), &mut seq);
        m.staff_told();
        match m.run(action, Actor::Employee).await {
            Err(PaymentActionError::Payment(e)) => assert_eq!(e, error),
            other => panic!("{action:?}: expected Payment, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_payment_claimed_by_another_caller_is_left_alone() {
    for action in BOTH {
        let mut m = Mocks::default();
        m.payment_found(PaymentStatus::Authorized);
        order_found(&mut m, 1, stored_order(CLIENT));
        m.moves(
            PaymentStatus::Authorized,
            action.claim(),
            false,
            &mut Sequence::new(),
        );
        m.gateway.expect_capture().never();
        m.gateway.expect_void().never();
        let e = m.run(action, Actor::Employee).await.unwrap_err();
        match action {
            Action::Capture => assert!(matches!(e, PaymentActionError::NotCapturable), "{e:?}"),
            Action::Void => assert!(matches!(e, PaymentActionError::NotCancelable), "{e:?}"),
        }
    }
}

#[tokio::test]
async fn a_claimed_payment_is_not_open() {
    for action in BOTH {
        for status in [PaymentStatus::Capturing, PaymentStatus::Voiding] {
            let mut m = Mocks::default();
            m.payment_found(status);
            order_found(&mut m, 1, stored_order(CLIENT));
            m.processor_untouched();
            let e = m.run(action, Actor::Employee).await.unwrap_err();
            assert!(
                matches!(
                    e,
                    PaymentActionError::NotCapturable | PaymentActionError::NotCancelable
                ),
                "{action:?} {status:?}: {e:?}"
            );
        }
    }
}

async fn succeeds(action: Action, actor: Actor) {
    let mut m = Mocks::default();
    m.payment_found(PaymentStatus::Authorized);
    let mut seq = Sequence::new();
    m.orders
        .expect_find()
        .with(eq(ORDER))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(Some(stored_order(CLIENT))));
    m.moves(PaymentStatus::Authorized, action.claim(), true, &mut seq);
    m.processor_answers(action, Ok(()), &mut seq);
    m.moves(action.claim(), action.target(), true, &mut seq);
    m.notifications.expect_record().never();
    let mut after = stored_order(CLIENT);
    after.payment = Some(payment(action.target()));
    let reloaded = after.clone();
    m.orders
        .expect_find()
        .with(eq(ORDER))
        .times(1)
        .in_sequence(&mut seq)
        .return_once(move |_| Ok(Some(reloaded)));
    let order = m.run(action, actor).await.unwrap();
    assert_eq!(order, after);
}

#[tokio::test]
async fn staff_capture_an_authorized_payment() {
    succeeds(Action::Capture, Actor::Employee).await;
}

#[tokio::test]
async fn staff_void_an_authorized_payment() {
    succeeds(Action::Void, Actor::Employee).await;
}

#[tokio::test]
async fn a_client_voids_its_own_authorized_payment() {
    succeeds(Action::Void, Actor::Client(CLIENT)).await;
}

#[tokio::test]
async fn an_outcome_not_recorded_is_an_internal_error_for_staff() {
    for action in BOTH {
        let mut m = Mocks::default();
        m.payment_found(PaymentStatus::Authorized);
        order_found(&mut m, 1, stored_order(CLIENT));
        let mut seq = Sequence::new();
        m.moves(PaymentStatus::Authorized, action.claim(), true, &mut seq);
        m.processor_answers(action, Ok(()), &mut seq);
        m.orders
            .expect_transition_payment()
            .with(
                eq(PAYMENT),
                eq(action.claim()),
                eq(action.target()),
                eq(now()),
            )
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _, _| Err(ordercore_domain::StoreError::backend("down")));
        m.staff_told();
        let e = m.run(action, Actor::Employee).await.unwrap_err();
        // The processor already acted: an internal error for staff to see,
        // not a refusal the caller could act on.
        assert!(
            matches!(e, PaymentActionError::Unexpected(_)),
            "{action:?}: {e:?}"
        );
    }
}
