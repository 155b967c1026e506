//! The route table and the params structs agree: a body made from a route's
//! param definitions passes step 8 and deserializes into its struct, and the
//! struct reads every param the route defines and no other.

use crate::json_params::FieldErrors;
use crate::params::{self, ParamDef, ParamType};
use crate::routes::ROUTES;
use serde_json::{Map, Value, json};

/// Params the pipeline reads itself (steps 5–6 and the envelope's
/// `session`); handlers do not.
const PIPELINE_PARAMS: [&str; 3] = ["token", "application", "session_view"];

/// A valid value for `def`: every field of a parent when `all`, else only
/// the required ones.
fn example(def: &ParamDef, all: bool) -> Value {
    match def.kind {
        ParamType::String => match def.values.first() {
            Some(v) => json!(v),
            None => json!("x"),
        },
        ParamType::Integer => json!(def.min.unwrap_or(1)),
        ParamType::Boolean => json!(true),
        ParamType::Parent => Value::Object(body(&def.fields, all)),
        ParamType::Array if def.fields.is_empty() => json!([]),
        ParamType::Array => json!([body(&def.fields, all)]),
        ParamType::Json => json!({}),
        ParamType::Datetime => json!("2030-01-02T03:04:05Z"),
        ParamType::Date => json!("2030-01-02"),
    }
}

fn body(defs: &[ParamDef], all: bool) -> Map<String, Value> {
    defs.iter()
        .filter(|d| all || d.required)
        .map(|d| (d.name.to_string(), example(d, all)))
        .collect()
}

/// `body` through step 8's generic check, which must find nothing.
fn validated(path: &str, defs: &[ParamDef], body: &Map<String, Value>) -> Map<String, Value> {
    let mut errs = FieldErrors::default();
    let out = params::validate(defs, body, "", &mut errs);
    assert!(errs.is_empty(), "{path}: example refused: {:?}", errs.0);
    out
}

#[test]
fn every_route_params_fit_its_struct() {
    for route in ROUTES.iter() {
        let path = route.path();
        // Only the required params: the struct must not require more.
        let minimal = validated(&path, &route.params, &body(&route.params, false));
        if let Err(e) = route.handler.round_trip(minimal) {
            panic!("{path}: a body with only the required params does not fit: {e}");
        }
        // Every param: the struct reads each one back, and nothing else.
        let full = validated(&path, &route.params, &body(&route.params, true));
        let back = route
            .handler
            .round_trip(full.clone())
            .unwrap_or_else(|e| panic!("{path}: a body with every param does not fit: {e}"));
        let mut expected = full;
        for p in PIPELINE_PARAMS {
            expected.remove(p);
        }
        // `view` is read only where there is more than one to choose from.
        if route.views == ["default"] {
            expected.remove("view");
        }
        assert_eq!(
            back,
            Value::Object(expected),
            "{path}: table and struct differ"
        );
    }
}

#[test]
fn a_struct_that_does_not_fit_is_refused_without_echoing_values() {
    let route = crate::routes::find("payment_methods", "destroy").unwrap();
    let params = json!({"id": "secret-looking"});
    let Value::Object(params) = params else {
        unreachable!()
    };
    let e = route.handler.round_trip(params).unwrap_err();
    assert!(e.contains("secret-looking"), "serde quotes values: {e}");
    let redacted = super::redact_quoted(&e);
    assert!(!redacted.contains("secret-looking"), "{redacted}");
}
