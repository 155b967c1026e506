//! The stub processor against plain HTTP: it keeps its ledger and answers
//! in the real JSON shapes, late when told.

use super::*;

async fn post(stub: &ProcessorStub, body: Value, timeout: Duration) -> reqwest::Result<Value> {
    let reply = reqwest::Client::new()
        .post(stub.endpoint())
        .timeout(timeout)
        .json(&body)
        .send()
        .await?
        .bytes()
        .await?;
    let reply = reply.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&reply[..]);
    Ok(serde_json::from_slice(reply).unwrap())
}

fn auth() -> Value {
    json!({"name": "login", "transactionKey": "key"})
}

/// A customer with one payment profile: (customer id, payment profile id).
async fn customer(stub: &ProcessorStub) -> (String, String) {
    let second = Duration::from_secs(5);
    let c = post(
        stub,
        json!({"createCustomerProfileRequest": {"merchantAuthentication": auth(),
        "profile": {"merchantCustomerId": "7", "description": "x", "email": "a@example.com"}}}),
        second,
    )
    .await
    .unwrap();
    let customer = text(&c["customerProfileId"]);
    let p = post(
        stub,
        json!({"createCustomerPaymentProfileRequest": {"merchantAuthentication": auth(),
        "customerProfileId": customer, "paymentProfile": {}, "validationMode": "liveMode"}}),
        second,
    )
    .await
    .unwrap();
    assert_eq!(p["messages"]["resultCode"], "Ok");
    (customer, text(&p["customerPaymentProfileId"]))
}

fn auth_only(order: i64, amount: &str, (customer, payment): &(String, String)) -> Value {
    json!({"createTransactionRequest": {"merchantAuthentication": auth(), "refId": order.to_string(),
        "transactionRequest": {"transactionType": "authOnlyTransaction", "amount": amount,
            "profile": {"customerProfileId": customer, "paymentProfile": {"paymentProfileId": payment}},
            "order": {"invoiceNumber": order.to_string()}}}})
}

fn follow_up(kind: &str, trans_id: &str) -> Value {
    json!({"createTransactionRequest": {"merchantAuthentication": auth(), "refId": "1",
        "transactionRequest": {"transactionType": kind, "amount": "10.00", "refTransId": trans_id}}})
}

#[tokio::test]
async fn keeps_a_ledger_of_authorizations_captures_and_voids() {
    let stub = ProcessorStub::start().await;
    stub.with_random_delay(Duration::from_millis(20));
    let profile = customer(&stub).await;
    let t = Duration::from_secs(5);

    let first = post(&stub, auth_only(41, "10.00", &profile), t)
        .await
        .unwrap();
    assert_eq!(first["transactionResponse"]["responseCode"], "1");
    let first_id = text(&first["transactionResponse"]["transId"]);
    let second = post(&stub, auth_only(42, "12.34", &profile), t)
        .await
        .unwrap();
    let second_id = text(&second["transactionResponse"]["transId"]);

    let captured = post(
        &stub,
        follow_up("priorAuthCaptureTransaction", &first_id),
        t,
    )
    .await
    .unwrap();
    assert_eq!(captured["transactionResponse"]["responseCode"], "1");
    post(&stub, follow_up("voidTransaction", &second_id), t)
        .await
        .unwrap();
    let again = post(
        &stub,
        follow_up("priorAuthCaptureTransaction", &second_id),
        t,
    )
    .await
    .unwrap();
    assert_eq!(
        again["transactionResponse"]["errors"][0]["errorCode"],
        "310"
    );

    let ledger = stub.ledger();
    assert_eq!(ledger.len(), 2);
    assert_eq!(
        (ledger[0].state, ledger[0].amount_cents),
        (LedgerState::Captured, 1000)
    );
    assert_eq!(
        (ledger[1].state, ledger[1].amount_cents),
        (LedgerState::Voided, 1234)
    );
    assert_eq!(stub.ledger_of(42)[0].ref_id.as_deref(), Some("42"));

    // The customer's list, newest first, one entry a page.
    let list = |offset: u32| {
        json!({"getTransactionListForCustomerRequest": {"merchantAuthentication": auth(),
            "customerProfileId": profile.0, "customerPaymentProfileId": profile.1,
            "sorting": {"orderBy": "submitTimeUTC", "orderDescending": true},
            "paging": {"limit": 1, "offset": offset}}})
    };
    let page1 = post(&stub, list(1), t).await.unwrap();
    assert_eq!(page1["totalNumInResultSet"], 2);
    assert_eq!(page1["transactions"][0]["transId"], json!(second_id));
    assert_eq!(page1["transactions"][0]["transactionStatus"], "voided");
    let page2 = post(&stub, list(2), t).await.unwrap();
    assert_eq!(
        page2["transactions"][0]["transactionStatus"],
        "capturedPendingSettlement"
    );
    let page3 = post(&stub, list(3), t).await.unwrap();
    assert_eq!(page3["messages"]["message"][0]["code"], "I00004");
}

#[tokio::test]
async fn a_late_answer_still_moves_the_money() {
    let stub = ProcessorStub::start().await;
    let profile = customer(&stub).await;
    stub.answer_money_calls_after(Some(Duration::from_millis(800)));

    let result = post(
        &stub,
        auth_only(43, "5.00", &profile),
        Duration::from_millis(200),
    )
    .await;

    assert!(result.unwrap_err().is_timeout());
    // The processor acted although the client never heard.
    let ledger = stub.ledger_of(43);
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].state, LedgerState::Authorized);
}
