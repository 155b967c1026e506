//! Parameter definitions (contract §5) and the generic check made from them
//! (contract §3 step 8). The same definitions produce the OpenAPI document and
//! the documentation pages, so docs and validation cannot disagree.

use crate::json_params::{FieldErrors, as_integer, decode_json_string, join};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The parameter types of contract §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Boolean,
    /// A JSON object with its own fields.
    Parent,
    Array,
    /// A JSON object or array, or a string holding one.
    Json,
    /// RFC 3339.
    Datetime,
    /// `YYYY-MM-DD`.
    Date,
}

impl ParamType {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Boolean => "boolean",
            ParamType::Parent => "parent",
            ParamType::Array => "array",
            ParamType::Json => "json",
            ParamType::Datetime => "datetime",
            ParamType::Date => "date",
        }
    }
}

/// One parameter of a route (or a field of a `parent` param, or of the
/// objects in an `array` param).
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDef {
    pub name: &'static str,
    pub kind: ParamType,
    /// Top-level params are checked and documented in this order; fields of
    /// a parent keep their listed order and have ordinal 0.
    pub ordinal: u32,
    pub required: bool,
    /// In characters, for strings.
    pub max_length: Option<usize>,
    /// The only accepted values of a string (enums and views).
    pub values: Vec<&'static str>,
    /// Inclusive bounds of an integer.
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub description: Cow<'static, str>,
    /// Fields of a `parent`, or of each object of an `array`.
    pub fields: Vec<ParamDef>,
}

impl ParamDef {
    pub fn new(
        name: &'static str,
        kind: ParamType,
        ordinal: u32,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        ParamDef {
            name,
            kind,
            ordinal,
            required: false,
            max_length: None,
            values: Vec::new(),
            min: None,
            max: None,
            description: description.into(),
            fields: Vec::new(),
        }
    }

    /// A field of a parent (ordinal 0).
    pub fn field(
        name: &'static str,
        kind: ParamType,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        ParamDef::new(name, kind, 0, description)
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn max_len(mut self, n: usize) -> Self {
        self.max_length = Some(n);
        self
    }

    pub fn values(mut self, values: &[&'static str]) -> Self {
        self.values = values.to_vec();
        self
    }

    pub fn range(mut self, min: Option<i64>, max: Option<i64>) -> Self {
        self.min = min;
        self.max = max;
        self
    }

    pub fn fields(mut self, fields: Vec<ParamDef>) -> Self {
        self.fields = fields;
        self
    }
}

/// A value that counts as absent: missing, null or a blank string.
fn present(v: Option<&Value>) -> Option<&Value> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(v) => Some(v),
    }
}

/// Checks `input` against `defs` (in ordinal order), recording every problem
/// in `errs` with its dotted path under `prefix`. Returns the params that
/// passed, normalised: strings trimmed, integers as numbers, booleans as
/// booleans, `json` params decoded; absent and failed params are left out,
/// and so are params the route does not define.
pub fn validate(
    defs: &[ParamDef],
    input: &Map<String, Value>,
    prefix: &str,
    errs: &mut FieldErrors,
) -> Map<String, Value> {
    let mut sorted: Vec<&ParamDef> = defs.iter().collect();
    sorted.sort_by_key(|d| d.ordinal);
    let mut out = Map::new();
    for def in sorted {
        let path = join(prefix, def.name);
        let Some(value) = present(input.get(def.name)) else {
            if def.required {
                errs.missing(path);
            }
            continue;
        };
        if let Some(v) = check_value(def, value, &path, errs) {
            out.insert(def.name.to_string(), v);
        }
    }
    out
}

fn check_value(def: &ParamDef, value: &Value, path: &str, errs: &mut FieldErrors) -> Option<Value> {
    match def.kind {
        ParamType::String => check_string(def, value, path, errs),
        ParamType::Integer => check_integer(def, value, path, errs),
        ParamType::Boolean => match value {
            Value::Bool(b) => Some(Value::Bool(*b)),
            Value::String(s) if s.trim() == "true" => Some(Value::Bool(true)),
            Value::String(s) if s.trim() == "false" => Some(Value::Bool(false)),
            _ => {
                errs.invalid(path, "must be a boolean");
                None
            }
        },
        ParamType::Parent => match value {
            Value::Object(map) => Some(Value::Object(validate(&def.fields, map, path, errs))),
            _ => {
                errs.invalid(path, "must be a JSON object");
                None
            }
        },
        ParamType::Array => check_array(def, value, path, errs),
        ParamType::Json => match decode_json_string(value) {
            v @ (Value::Object(_) | Value::Array(_)) => Some(v),
            _ => {
                errs.invalid(
                    path,
                    "must be a JSON object or array, or a string holding one",
                );
                None
            }
        },
        ParamType::Datetime => match value {
            Value::String(s) if chrono::DateTime::parse_from_rfc3339(s.trim()).is_ok() => {
                Some(Value::String(s.trim().to_string()))
            }
            _ => {
                errs.invalid(path, "must be an RFC 3339 date-time");
                None
            }
        },
        ParamType::Date => match value {
            Value::String(s)
                if s.trim().len() == 10
                    && chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").is_ok() =>
            {
                Some(Value::String(s.trim().to_string()))
            }
            _ => {
                errs.invalid(path, "must be a date (YYYY-MM-DD)");
                None
            }
        },
    }
    // A parent or array with a bad field keeps its valid fields, so that
    // later checks (the `json` fields of `order`) still see them; nothing is
    // dispatched while any problem is recorded.
}

fn check_string(
    def: &ParamDef,
    value: &Value,
    path: &str,
    errs: &mut FieldErrors,
) -> Option<Value> {
    let Value::String(s) = value else {
        errs.invalid(path, "must be a string");
        return None;
    };
    let s = s.trim();
    if let Some(max) = def.max_length
        && s.chars().count() > max
    {
        errs.invalid(path, format!("must be at most {max} characters"));
        return None;
    }
    if !def.values.is_empty() && !def.values.contains(&s) {
        errs.invalid(path, format!("must be one of {}", def.values.join(", ")));
        return None;
    }
    Some(Value::String(s.to_string()))
}

fn check_integer(
    def: &ParamDef,
    value: &Value,
    path: &str,
    errs: &mut FieldErrors,
) -> Option<Value> {
    let Some(i) = as_integer(value) else {
        errs.invalid(path, "must be an integer");
        return None;
    };
    match (def.min, def.max) {
        (Some(min), Some(max)) if i < min || i > max => {
            errs.invalid(path, format!("must be from {min} to {max}"));
            None
        }
        (Some(min), None) if i < min => {
            errs.invalid(path, format!("must be at least {min}"));
            None
        }
        (None, Some(max)) if i > max => {
            errs.invalid(path, format!("must be at most {max}"));
            None
        }
        _ => Some(Value::from(i)),
    }
}

fn check_array(def: &ParamDef, value: &Value, path: &str, errs: &mut FieldErrors) -> Option<Value> {
    let Value::Array(items) = value else {
        errs.invalid(path, "must be an array");
        return None;
    };
    if def.fields.is_empty() {
        return Some(value.clone());
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        match item {
            Value::Object(map) => {
                out.push(Value::Object(validate(&def.fields, map, &item_path, errs)))
            }
            _ => errs.invalid(item_path, "must be a JSON object"),
        }
    }
    Some(Value::Array(out))
}

/// Typed reads of validated params (after [`validate`], types are known).
pub trait ParamsExt {
    fn str_of(&self, key: &str) -> Option<&str>;
    fn int_of(&self, key: &str) -> Option<i64>;
    fn bool_of(&self, key: &str) -> Option<bool>;
    fn obj_of(&self, key: &str) -> Option<&Map<String, Value>>;
}

impl ParamsExt for Map<String, Value> {
    fn str_of(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
    fn int_of(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Value::as_i64)
    }
    fn bool_of(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }
    fn obj_of(&self, key: &str) -> Option<&Map<String, Value>> {
        self.get(key).and_then(Value::as_object)
    }
}

#[cfg(test)]
mod tests {
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
}
