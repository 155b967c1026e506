//! The read-only look-ups: the customer-scoped transaction list of one order
//! (getTransactionListForCustomerRequest) and the unsettled scan, both read
//! through every page.

use crate::support::*;
use ordercore_domain::model::{Money, OrderId};
use ordercore_domain::ports::{OrderTransaction, PaymentError, PaymentGateway, TransactionState};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A stub answering page `n` of `request` with `pages[n - 1]`, each once.
async fn paged_stub(
    request: &str,
    pages: &[&str],
    page_size: u32,
) -> (MockServer, ordercore_authorizenet::AuthorizeNetGateway) {
    let server = MockServer::start().await;
    for (i, page) in pages.iter().enumerate() {
        Mock::given(method("POST"))
            .and(path(API_PATH))
            .and(body_partial_json(serde_json::json!({
                request: {"paging": {"limit": page_size, "offset": i + 1}}
            })))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture(page)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let gateway = gateway_for(config(&server).with_list_page_size(page_size));
    (server, gateway)
}

fn bodies(requests: &[wiremock::Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect()
}

fn tx(id: &str, state: TransactionState, status: &str, cents: i64) -> OrderTransaction {
    OrderTransaction {
        transaction_id: id.into(),
        state,
        status: status.into(),
        amount: Some(Money::from_cents(cents).unwrap()),
    }
}

#[tokio::test]
async fn customer_lookup_sends_the_profile_sorting_and_paging() {
    let (server, gateway) = stub("customer_transactions.json").await;

    let found = gateway
        .find_order_transactions(OrderId(1042), &profile())
        .await
        .unwrap();

    // Newest first; order 1043's and 1040's transactions are left out.
    assert_eq!(
        found,
        vec![
            tx(
                "60157186499",
                TransactionState::Authorized,
                "authorizedPendingCapture",
                12345
            ),
            tx("60157186498", TransactionState::Voided, "voided", 12345),
        ]
    );
    let body = sent_body(&server).await;
    assert_key_order(
        &body,
        &[
            "getTransactionListForCustomerRequest",
            "merchantAuthentication",
            "customerProfileId",
            "customerPaymentProfileId",
            "sorting",
            "orderBy",
            "orderDescending",
            "paging",
            "limit",
            "offset",
        ],
    );
    let v = json(&body);
    assert_credentials(&v, "getTransactionListForCustomerRequest");
    let r = &v["getTransactionListForCustomerRequest"];
    assert_eq!(r["customerProfileId"], CUSTOMER_PROFILE_ID);
    assert_eq!(r["customerPaymentProfileId"], PAYMENT_PROFILE_ID);
    assert_eq!(r["sorting"]["orderBy"], "submitTimeUTC");
    assert_eq!(r["sorting"]["orderDescending"], true);
    assert_eq!(r["paging"]["limit"], 1000);
    assert_eq!(r["paging"]["offset"], 1);
}

#[tokio::test]
async fn customer_lookup_reads_every_page() {
    let pages = [
        "customer_transactions_page1.json",
        "customer_transactions_page2.json",
        "customer_transactions_page3.json",
    ];
    let (server, gateway) = paged_stub("getTransactionListForCustomerRequest", &pages, 2).await;

    let found = gateway
        .find_order_transactions(OrderId(1042), &profile())
        .await
        .unwrap();

    assert_eq!(
        found,
        vec![
            tx(
                "60157186608",
                TransactionState::CapturedPendingSettlement,
                "capturedPendingSettlement",
                12345
            ),
            tx("60157186606", TransactionState::Voided, "voided", 9999),
        ]
    );
    // Three pages (5 transactions, 2 a page), then it stops.
    let sent = bodies(&server.received_requests().await.unwrap());
    assert_eq!(sent.len(), 3);
    for (i, body) in sent.iter().enumerate() {
        let v = json(body);
        assert_eq!(
            v["getTransactionListForCustomerRequest"]["paging"]["offset"],
            i + 1
        );
    }
}

#[tokio::test]
async fn customer_lookup_with_no_records_is_empty() {
    let (server, gateway) = stub("customer_transactions_none.json").await;

    let found = gateway
        .find_order_transactions(OrderId(1042), &profile())
        .await
        .unwrap();

    assert!(found.is_empty());
    sent_body(&server).await;
}

/// An unknown profile is an error, never "no transactions".
#[tokio::test]
async fn customer_lookup_of_an_unknown_profile_is_an_error() {
    let (server, gateway) = stub("record_not_found.json").await;

    let error = gateway
        .find_order_transactions(OrderId(1042), &profile())
        .await
        .unwrap_err();

    assert!(
        matches!(&error, PaymentError::External { code: Some(c), .. } if c == "E00040"),
        "{error:?}"
    );
    sent_body(&server).await;
}

#[tokio::test]
async fn customer_lookup_fails_when_a_later_page_fails() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(serde_json::json!({
            "getTransactionListForCustomerRequest": {"paging": {"offset": 1}}
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(fixture("customer_transactions_page1.json")),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let gateway = gateway_for(config(&server).with_list_page_size(2));

    let error = gateway
        .find_order_transactions(OrderId(1042), &profile())
        .await
        .unwrap_err();

    // A look-up moves no money: an HTTP 5xx is a plain failure.
    assert!(matches!(error, PaymentError::External { .. }), "{error:?}");
}

#[tokio::test]
async fn unsettled_scan_reads_past_the_first_page() {
    let pages = [
        "unsettled_transactions_page1.json",
        "unsettled_transactions_page2.json",
    ];
    let (server, gateway) = paged_stub("getUnsettledTransactionListRequest", &pages, 2).await;

    let found = gateway
        .find_unsettled_transaction(OrderId(1042))
        .await
        .unwrap();

    // Page 1 has only the voided one of order 1042.
    assert_eq!(found.as_deref(), Some("60157186708"));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn unsettled_scan_stops_at_the_first_live_match() {
    let (server, gateway) = paged_stub(
        "getUnsettledTransactionListRequest",
        &["unsettled_transactions_page1.json"],
        2,
    )
    .await;

    let found = gateway
        .find_unsettled_transaction(OrderId(1061))
        .await
        .unwrap();

    assert_eq!(found.as_deref(), Some("60157186710"));
    // Found on page 1: page 2 is never asked for (no mock would answer it).
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// The simulated processor lists an order's transactions on one profile,
/// newest first, in every state.
#[tokio::test]
async fn simulated_lookup_lists_the_orders_transactions_on_the_profile() {
    use ordercore_authorizenet::SimulatedGateway;
    use ordercore_domain::model::StoredPaymentProfile;
    use ordercore_domain::ports::TransactionRequest;
    let sim = SimulatedGateway::new(std::sync::Arc::new(TestClock::at("2026-03-15T12:00:00Z")));
    let profile = |n| StoredPaymentProfile {
        customer_profile_id: "sim-cust-7".into(),
        payment_profile_id: SimulatedGateway::payment_profile_id_for("98004", 2030, 12, "1111", n)
            .unwrap(),
    };
    let request = |order, cents, n| TransactionRequest {
        order_id: OrderId(order),
        amount: Money::from_cents(cents).unwrap(),
        profile: profile(n),
    };
    assert!(
        sim.find_order_transactions(OrderId(1), &profile(1))
            .await
            .unwrap()
            .is_empty()
    );

    let first = sim.authorize(&request(1, 5000, 1)).await.unwrap();
    sim.void(OrderId(1), &first.transaction_id).await.unwrap();
    let second = sim.charge(&request(1, 6000, 1)).await.unwrap();
    sim.authorize(&request(2, 7000, 1)).await.unwrap();
    sim.authorize(&request(1, 8000, 2)).await.unwrap();

    let found = sim
        .find_order_transactions(OrderId(1), &profile(1))
        .await
        .unwrap();
    assert_eq!(
        found,
        vec![
            tx(
                &second.transaction_id,
                TransactionState::CapturedPendingSettlement,
                "capturedPendingSettlement",
                6000
            ),
            tx(
                &first.transaction_id,
                TransactionState::Voided,
                "voided",
                5000
            ),
        ]
    );
}
