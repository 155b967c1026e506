//! Unit tests of the reply mapping: each reply shape and code to its outcome.

use super::*;

fn replied(body: &str) -> Exchange {
    Exchange::Replied {
        status: 200,
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn existing_id_is_read_from_the_e00039_text() {
    assert_eq!(
        existing_record_id("A duplicate record with ID 123 already exists.").as_deref(),
        Some("123")
    );
    assert_eq!(
        existing_record_id("A duplicate record already exists."),
        None
    );
}

#[test]
fn bom_is_stripped() {
    let mut body = BOM.to_vec();
    body.extend_from_slice(br#"{"messages":{"resultCode":"Ok","message":[]}}"#);
    let mapped = map_reply(Exchange::Replied { status: 200, body }, CallKind::Other).unwrap();
    assert!(mapped.approval.is_none());
}

#[test]
fn a_json_array_or_string_is_unreadable() {
    for body in ["[]", "\"x\"", "", "{"] {
        assert!(matches!(
            map_reply(replied(body), CallKind::Other),
            Err(PaymentError::External { code: None, .. })
        ));
    }
}

#[test]
fn validation_direct_response_maps_like_a_transaction() {
    let body = r#"{"validationDirectResponse":"3,1,8,The credit card has expired.,,P,0",
        "messages":{"resultCode":"Error","message":[{"code":"E00027","text":"The credit card has expired."}]}}"#;
    assert_eq!(
        map_reply(replied(body), CallKind::Other).unwrap_err(),
        PaymentError::CardExpired
    );
    let body = r#"{"validationDirectResponse":"2,1,2,This transaction has been declined.",
        "messages":{"resultCode":"Error","message":[{"code":"E00027","text":"x"}]}}"#;
    assert_eq!(
        map_reply(replied(body), CallKind::Other).unwrap_err(),
        PaymentError::Declined {
            error_code: Some("2".into())
        }
    );
}

#[test]
fn replies_without_an_outcome_are_unknown_for_money_moving_calls() {
    let money = |status, body: &str| {
        map_reply(
            Exchange::Replied {
                status,
                body: body.as_bytes().to_vec(),
            },
            CallKind::MovesMoney,
        )
    };
    for (status, body) in [
        (500, ""),
        (502, "Bad Gateway"),
        (200, "[]"),
        (200, "{"),
        (200, r#"{"refId":"1"}"#),
        (200, r#"{"messages":{"resultCode":"Ok","message":[]}}"#),
        (
            200,
            r#"{"transactionResponse":{"responseCode":"9"},"messages":{"resultCode":"Ok","message":[]}}"#,
        ),
    ] {
        assert!(
            matches!(
                money(status, body),
                Err(PaymentError::OutcomeUnknown { .. })
            ),
            "{status} {body}"
        );
    }
    // A definite refusal stays definite.
    assert!(matches!(
        money(403, ""),
        Err(PaymentError::External { code: None, .. })
    ));
    assert!(matches!(
        money(
            200,
            r#"{"messages":{"resultCode":"Error","message":[{"code":"E00040","text":"x"}]}}"#
        ),
        Err(PaymentError::External { code: Some(_), .. })
    ));
    assert!(matches!(
        map_reply(
            Exchange::NotSent {
                detail: "refused".into()
            },
            CallKind::MovesMoney
        ),
        Err(PaymentError::External { .. })
    ));
}

#[test]
fn only_code_like_values_are_kept() {
    assert_eq!(code_only(" E00040 ").as_deref(), Some("E00040"));
    assert_eq!(code_only("The record cannot be found."), None);
    assert_eq!(code_only(""), None);
    assert_eq!(code_only(&"9".repeat(33)), None);
}

#[test]
fn unknown_response_code_is_external() {
    let body = r#"{"transactionResponse":{"responseCode":"9"},"messages":{"resultCode":"Ok","message":[]}}"#;
    assert!(matches!(
        map_reply(replied(body), CallKind::Other),
        Err(PaymentError::External { .. })
    ));
}
