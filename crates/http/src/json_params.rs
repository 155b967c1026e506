//! Reading fields out of JSON objects while collecting every problem, each
//! with its dotted path, so one answer lists them all (contract §3 step 8); and
//! the one mapping of the domain's typed field errors to param paths.

use ordercore_domain::model::{self as domain, Field, InvalidValue};
use serde_json::{Map, Value};

/// The API param path of a use case input (contract §5). The only place where
/// the domain's fields meet param names.
pub fn param_path(field: Field) -> String {
    match field {
        Field::OrderClient => "order.client.id".into(),
        Field::CardClient => "client_id".into(),
        Field::PrimaryService => "order.primary_service.id".into(),
        Field::AddOns => "order.add_on_services".into(),
        Field::AddOn(i) => format!("order.add_on_services[{i}].id"),
        Field::PaymentMethod => "payment_method_id".into(),
        Field::TargetPaymentMethod => "id".into(),
        Field::ClientPassword => "client.password".into(),
        Field::Application => "application".into(),
    }
}

/// One problem with one parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path, relative to whatever was parsed (`address.postal_code`,
    /// `add_on_services[1].id`).
    pub path: String,
    pub reason: String,
    /// True when a required field is absent (→ `missing-param`); false when
    /// present but wrong (→ `invalid-param`).
    pub missing: bool,
}

/// Every problem found, in the order found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn missing(&mut self, path: impl Into<String>) {
        self.0.push(FieldError {
            path: path.into(),
            reason: "is required".into(),
            missing: true,
        });
    }

    pub fn invalid(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.0.push(FieldError {
            path: path.into(),
            reason: reason.into(),
            missing: false,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `other`'s problems with `prefix.` put before each path.
    pub fn extend_prefixed(&mut self, prefix: &str, other: FieldErrors) {
        for mut e in other.0 {
            e.path = join(prefix, &e.path);
            self.0.push(e);
        }
    }

    /// Adds the domain's problems, each at its param path, in their order.
    pub fn extend_domain(&mut self, other: domain::FieldErrors) {
        for e in other.0 {
            self.0.push(FieldError {
                path: param_path(e.field),
                reason: e.reason,
                missing: e.missing,
            });
        }
    }

    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// `a` + `.` + `b`, without a dot at either end when one side is empty, and
/// without one before an index (`a[1]`).
pub fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ if b.starts_with('[') => format!("{a}{b}"),
        _ => format!("{a}.{b}"),
    }
}

/// A JSON object being read at `path`. A `json`-typed param may arrive as a
/// string holding the object; that is decoded here.
#[derive(Debug)]
pub struct JsonObject {
    map: Map<String, Value>,
    path: String,
}

impl JsonObject {
    /// `None` (with the problem recorded) when `value` is not an object, nor a
    /// string holding one.
    pub fn new(value: &Value, path: &str, errs: &mut FieldErrors) -> Option<JsonObject> {
        match decode_json_string(value) {
            Value::Object(map) => Some(JsonObject {
                map,
                path: path.to_string(),
            }),
            _ => {
                errs.invalid(path, "must be a JSON object");
                None
            }
        }
    }

    /// The raw value, `None` when absent, null, or an empty/blank string.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v) => Some(v),
        }
    }

    pub fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn absent(&self, key: &str, required: bool, errs: &mut FieldErrors) {
        if required {
            errs.missing(self.path_of(key));
        }
    }

    /// A trimmed string of at most `max_len` characters.
    pub fn string(
        &self,
        key: &str,
        required: bool,
        max_len: usize,
        errs: &mut FieldErrors,
    ) -> Option<String> {
        let Some(v) = self.get(key) else {
            self.absent(key, required, errs);
            return None;
        };
        match v {
            Value::String(s) if s.trim().chars().count() > max_len => {
                errs.invalid(
                    self.path_of(key),
                    format!("must be at most {max_len} characters"),
                );
                None
            }
            Value::String(s) => Some(s.trim().to_string()),
            _ => {
                errs.invalid(self.path_of(key), "must be a string");
                None
            }
        }
    }

    /// A string turned into a domain value by `parse`.
    pub fn parsed<T>(
        &self,
        key: &str,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
        errs: &mut FieldErrors,
    ) -> Option<T> {
        let s = self.string(key, required, 1000, errs)?;
        match parse(&s) {
            Ok(v) => Some(v),
            Err(e) => {
                errs.invalid(self.path_of(key), e.reason);
                None
            }
        }
    }

    /// An integer, from a JSON number or a string of digits.
    pub fn integer(&self, key: &str, required: bool, errs: &mut FieldErrors) -> Option<i64> {
        let Some(v) = self.get(key) else {
            self.absent(key, required, errs);
            return None;
        };
        match as_integer(v) {
            Some(i) => Some(i),
            None => {
                errs.invalid(self.path_of(key), "must be an integer");
                None
            }
        }
    }

    /// An optional integer ≥ 0.
    pub fn non_negative(&self, key: &str, errs: &mut FieldErrors) -> Option<u64> {
        let i = self.integer(key, false, errs)?;
        match u64::try_from(i) {
            Ok(u) => Some(u),
            Err(_) => {
                errs.invalid(self.path_of(key), "must not be negative");
                None
            }
        }
    }

    /// A boolean; also accepts the strings `true` and `false`.
    pub fn boolean(&self, key: &str, required: bool, errs: &mut FieldErrors) -> Option<bool> {
        let Some(v) = self.get(key) else {
            self.absent(key, required, errs);
            return None;
        };
        match v {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.trim() == "true" => Some(true),
            Value::String(s) if s.trim() == "false" => Some(false),
            _ => {
                errs.invalid(self.path_of(key), "must be a boolean");
                None
            }
        }
    }

    /// A nested object.
    pub fn object(&self, key: &str, required: bool, errs: &mut FieldErrors) -> Option<JsonObject> {
        let Some(v) = self.get(key) else {
            self.absent(key, required, errs);
            return None;
        };
        JsonObject::new(v, &self.path_of(key), errs)
    }
}

/// A `json` param may be a string holding JSON; anything else is returned as is.
pub fn decode_json_string(value: &Value) -> Value {
    if let Value::String(s) = value
        && let Ok(v @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str::<Value>(s)
    {
        return v;
    }
    value.clone()
}

/// An integer from a JSON number without fraction, or a string of digits
/// (optionally signed).
pub fn as_integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let t = s.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                t.parse().ok()
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_from_numbers_and_digit_strings() {
        assert_eq!(as_integer(&json!(12)), Some(12));
        assert_eq!(as_integer(&json!("12")), Some(12));
        assert_eq!(as_integer(&json!(" -3 ")), Some(-3));
        assert_eq!(as_integer(&json!(1.5)), None);
        assert_eq!(as_integer(&json!("1e3")), None);
        assert_eq!(as_integer(&json!(true)), None);
    }

    #[test]
    fn blank_strings_count_as_absent_and_paths_join() {
        let mut errs = FieldErrors::default();
        let o = JsonObject::new(&json!({"a": "  ", "b": {"c": 1}}), "order", &mut errs).unwrap();
        assert_eq!(o.string("a", true, 10, &mut errs), None);
        let b = o.object("b", true, &mut errs).unwrap();
        assert_eq!(b.string("c", true, 10, &mut errs), None);
        assert_eq!(
            errs.0,
            vec![
                FieldError {
                    path: "order.a".into(),
                    reason: "is required".into(),
                    missing: true
                },
                FieldError {
                    path: "order.b.c".into(),
                    reason: "must be a string".into(),
                    missing: false
                },
            ]
        );
        assert_eq!(join("x", "[1].id"), "x[1].id");
    }

    #[test]
    fn json_params_may_be_strings_holding_json() {
        let mut errs = FieldErrors::default();
        let o = JsonObject::new(&json!("{\"k\": true}"), "p", &mut errs).unwrap();
        assert_eq!(o.boolean("k", true, &mut errs), Some(true));
        assert!(JsonObject::new(&json!("nope"), "p", &mut errs).is_none());
        assert_eq!(errs.0[0].path, "p");
    }
}
