//! The generic check of step 8: paths, order, normalisation, limits and
//! unknown keys.

use super::*;
use serde_json::json;

fn defs() -> Vec<ParamDef> {
    vec![
        ParamDef::new("view", ParamType::String, 2, "").values(&["default", "full"]),
        ParamDef::new("order", ParamType::Parent, 5, "")
            .required()
            .fields(vec![
                ParamDef::field("primary_service", ParamType::Parent, "")
                    .required()
                    .fields(vec![
                        ParamDef::field("id", ParamType::Integer, "").required(),
                    ]),
                ParamDef::field("add_on_services", ParamType::Array, "").fields(vec![
                    ParamDef::field("id", ParamType::Integer, "").required(),
                    ParamDef::field("quantity", ParamType::Integer, "").range(Some(1), None),
                ]),
                ParamDef::field("property_info", ParamType::Json, "").required(),
            ]),
        ParamDef::new("payment_method_id", ParamType::Integer, 3, ""),
        ParamDef::new("promotion_code", ParamType::String, 4, "").max_len(5),
    ]
}

fn run(v: Value) -> (Map<String, Value>, Vec<(String, bool)>) {
    let mut errs = FieldErrors::default();
    let out = validate(&defs(), v.as_object().unwrap(), "", &mut errs);
    (
        out,
        errs.0.into_iter().map(|e| (e.path, e.missing)).collect(),
    )
}

#[test]
fn every_problem_in_ordinal_order_with_dotted_paths() {
    let (_, errs) = run(json!({
        "view": "nope",
        "payment_method_id": "12a",
        "promotion_code": "TOOLONG",
        "order": {
            "primary_service": {},
            "add_on_services": [{"id": 1}, {"id": "x", "quantity": 0}, 3],
            "property_info": "not json"
        }
    }));
    assert_eq!(
        errs,
        vec![
            ("view".to_string(), false),
            ("payment_method_id".to_string(), false),
            ("promotion_code".to_string(), false),
            ("order.primary_service.id".to_string(), true),
            ("order.add_on_services[1].id".to_string(), false),
            ("order.add_on_services[1].quantity".to_string(), false),
            ("order.add_on_services[2]".to_string(), false),
            ("order.property_info".to_string(), false),
        ]
    );
}

#[test]
fn normalises_trims_and_treats_blank_as_absent() {
    let (out, errs) = run(json!({
        "view": " full ",
        "payment_method_id": "42",
        "promotion_code": "   ",
        "order": {"primary_service": {"id": "7"}, "property_info": "{\"a\":1}"}
    }));
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(out["view"], "full");
    assert_eq!(out["payment_method_id"], 42);
    assert!(out.get("promotion_code").is_none());
    assert_eq!(out["order"]["primary_service"]["id"], 7);
    assert_eq!(out["order"]["property_info"], json!({"a": 1}));
}

#[test]
fn required_absent_is_missing() {
    let (_, errs) = run(json!({"order": null}));
    assert_eq!(errs, vec![("order".to_string(), true)]);
}

fn route_errors(route: &str, body: Value) -> Vec<(String, String)> {
    let (r, a) = route.split_once('/').unwrap();
    let defs = &crate::routes::find(r, a).unwrap().params;
    let mut errs = FieldErrors::default();
    validate(defs, body.as_object().unwrap(), "", &mut errs);
    errs.0.into_iter().map(|e| (e.path, e.reason)).collect()
}

fn order(extra: Value) -> Value {
    let mut order = json!({
        "primary_service": {"id": 1},
        "property_info": {"address": {"street": "1 Main", "city": "X", "state": "CO", "postal_code": "80202"}},
        "property_access": {"vacant": true, "method_of_access": "meet_onsite"},
        "appointments": [{"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T11:00:00Z"}]
    });
    for (k, v) in extra.as_object().unwrap() {
        order[k] = v.clone();
    }
    json!({"token": "t", "order": order})
}

#[test]
fn a_valid_order_has_no_problem() {
    assert_eq!(
        route_errors("orders/pay_and_submit", order(json!({}))),
        vec![]
    );
}

#[test]
fn unknown_keys_at_every_level_are_named_by_their_dotted_path() {
    let mut body = order(json!({
        "add_ons": [{"id": 2}],
        "add_on_services": [{"id": 2, "qty": 3}],
        "primary_service": {"id": 1, "name": "x"},
        "property_info": "{\"address\": {\"street\": \"1 Main\", \"city\": \"X\", \"state\": \"CO\", \"postal_code\": \"80202\", \"zip\": \"1\"}, \"beds\": 2}",
        "appointments": [{"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T11:00:00Z", "tz": "UTC"}],
        "property_access": {"vacant": true, "method_of_access": "keypad", "access_code": "1", "code": "1"}
    }));
    body["promo_code"] = json!("SPRING25");
    let mut got = route_errors("orders/authorize_and_submit", body);
    got.sort();
    let unknown = |p: &str| (p.to_string(), UNKNOWN_PARAMETER.to_string());
    assert_eq!(
        got,
        vec![
            unknown("order.add_on_services[0].qty"),
            unknown("order.add_ons"),
            unknown("order.appointments[0].tz"),
            unknown("order.primary_service.name"),
            unknown("order.property_access.code"),
            unknown("order.property_info.address.zip"),
            unknown("order.property_info.beds"),
            unknown("promo_code"),
        ]
    );
}

#[test]
fn integers_outside_their_range_are_invalid_never_dropped() {
    for (q, ok) in [
        (0_i64, false),
        (1, true),
        (100, true),
        (101, false),
        (5_000_000_000, false),
    ] {
        let body = order(json!({"add_on_services": [{"id": 2, "quantity": q}]}));
        let got = route_errors("orders/pay_and_submit", body);
        let want = if ok {
            vec![]
        } else {
            vec![(
                "order.add_on_services[0].quantity".to_string(),
                "must be from 1 to 100".to_string(),
            )]
        };
        assert_eq!(got, want, "quantity {q}");
    }
    let page = route_errors(
        "orders/index",
        json!({"token": "t", "page": 5_000_000_000_i64}),
    );
    assert_eq!(page.len(), 1, "{page:?}");
    assert_eq!(page[0].0, "page");
}

#[test]
fn arrays_hold_at_most_their_max_items() {
    let add_ons = |n: i64| (1..=n).map(|id| json!({"id": id})).collect::<Vec<_>>();
    let ok = order(json!({"add_on_services": add_ons(20)}));
    assert_eq!(route_errors("orders/pay_and_submit", ok), vec![]);
    let over = order(json!({"add_on_services": add_ons(21)}));
    assert_eq!(
        route_errors("orders/pay_and_submit", over),
        vec![(
            "order.add_on_services".to_string(),
            "must hold at most 20 items".to_string()
        )]
    );
    let window = json!({"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T11:00:00Z"});
    let four = order(json!({"appointments": vec![window; 4]}));
    assert_eq!(
        route_errors("orders/pay_and_submit", four),
        vec![(
            "order.appointments".to_string(),
            "must hold at most 3 items".to_string()
        )]
    );
}
