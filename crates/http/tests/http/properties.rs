//! Property-based tests (bounded case counts, so `make test` stays fast):
//! the body decoder and the param validator never panic on any input and
//! always end in a slug of the contract; pricing of any order the validator
//! admits keeps total = subtotal − discount, 0 ≤ discount ≤ subtotal.

use ordercore_domain::model::{Discount, Money, OrderLine, ServiceId};
use ordercore_domain::rules::orders::pricing;
use ordercore_http::json_params::FieldErrors;
use ordercore_http::pipeline::steps;
use ordercore_http::routes::{MAX_ADD_ONS, MAX_QUANTITY, ROUTES};
use ordercore_http::{ApiError, Slug, params};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any JSON value, a few levels deep, with keys that sometimes are param
/// names of the table.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("order".to_string()),
        Just("id".to_string()),
        Just("quantity".to_string()),
        Just("add_on_services".to_string()),
        Just("payment_method".to_string()),
        Just("property_info".to_string()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
        "-?[0-9]{1,22}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Steps 4 and 8 for `route` on `body`: the slug it ends in.
fn decode_and_validate(route: usize, body: &[u8]) -> Slug {
    let route = &ROUTES[route % ROUTES.len()];
    let raw = match steps::decode(route, body) {
        Ok(raw) => raw,
        Err(e) => return e.slug,
    };
    let mut errs = FieldErrors::default();
    params::validate(&route.params, &raw, "", &mut errs);
    if errs.is_empty() {
        Slug::ActionSuccessful
    } else {
        ApiError::from_field_errors(errs).slug
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_end_in_a_decoding_slug(route in any::<usize>(), body in prop::collection::vec(any::<u8>(), 0..256)) {
        let slug = decode_and_validate(route, &body);
        let steps_4_and_8 = [
            Slug::NoParamsDecoded,
            Slug::InvalidEncodedParams,
            Slug::ActionSuccessful,
            Slug::MissingParam,
            Slug::InvalidParam,
        ];
        prop_assert!(steps_4_and_8.contains(&slug), "{:?}", slug);
    }

    #[test]
    fn arbitrary_json_ends_in_a_contract_slug(route in any::<usize>(), value in json_value()) {
        let text = value.to_string();
        let r = &ROUTES[route % ROUTES.len()];
        let body = if r.sensitive {
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &text)
        } else {
            text
        };
        let slug = decode_and_validate(route, body.as_bytes());
        let expected = match &value {
            Value::Object(m) if m.is_empty() => vec![Slug::NoParamsDecoded],
            Value::Object(_) => vec![Slug::ActionSuccessful, Slug::MissingParam, Slug::InvalidParam],
            _ => vec![Slug::InvalidEncodedParams],
        };
        prop_assert!(expected.contains(&slug), "{:?} for {}", slug, value);
    }

    #[test]
    fn any_admitted_order_prices_consistently(
        primary in 0..=10_000_000_i64,
        add_ons in prop::collection::vec((0..=10_000_000_i64, 1..=MAX_QUANTITY), 0..=MAX_ADD_ONS),
        promotion in prop_oneof![
            (0..=10_000_u32).prop_map(|basis_points| Discount::Percent { basis_points }),
            (0..=i64::MAX / 2).prop_map(|c| Discount::Amount(Money::from_cents(c).unwrap())),
        ],
    ) {
        let line = |cents: i64, quantity: i64| OrderLine {
            service_id: ServiceId(1),
            slug: "s".into(),
            name: "S".into(),
            quantity: u32::try_from(quantity).unwrap(),
            unit_price: Money::from_cents(cents).unwrap(),
        };
        let lines: Vec<OrderLine> = add_ons.iter().map(|&(c, q)| line(c, q)).collect();
        // Within the validator's limits no order overflows.
        let subtotal = pricing::subtotal(&line(primary, 1), &lines).unwrap();
        let expected: i64 = primary + add_ons.iter().map(|&(c, q)| c * q).sum::<i64>();
        prop_assert_eq!(subtotal.cents(), expected);
        let p = pricing::price(subtotal, pricing::discount(subtotal, promotion));
        prop_assert!(p.discount.cents() >= 0);
        prop_assert!(p.discount.cents() <= p.subtotal.cents());
        prop_assert_eq!(p.total.cents(), p.subtotal.cents() - p.discount.cents());
    }
}
