//! Parameter definitions (contract §5) and the generic check made from them
//! (contract §3 step 8). The same definitions produce the OpenAPI document and
//! the documentation pages, so docs and validation cannot disagree.

use crate::json_params::{FieldErrors, as_integer, decode_json_string, join};
use serde_json::{Map, Value};
use std::borrow::Cow;

mod keys;
use keys::{json_keys, too_many, unknown_keys};

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
    /// Fields of a `parent`, or of each object of an `array`. For a `json`
    /// param: the only keys its objects (or the objects of its array) may
    /// have, nested objects included; their values are checked by the
    /// route's own check, the keys here.
    pub fields: Vec<ParamDef>,
    /// Most items of an `array`, or of a `json` param holding an array.
    pub max_items: Option<usize>,
    /// What of it the `Idempotency-Key` fingerprint keeps.
    pub fingerprint: Fingerprint,
}

/// What the `Idempotency-Key` fingerprint keeps of a param: secrets (card
/// number, CVC) are not inputs of it, so the stored fingerprint cannot
/// reveal them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fingerprint {
    /// The value itself.
    Value,
    /// Nothing: it is left out.
    Omit,
    /// Of a card number, only its brand and last 4 digits.
    CardSummary,
}

/// The reason given for a key the route does not define (as Stripe words it).
pub const UNKNOWN_PARAMETER: &str = "Received unknown parameter";

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
            max_items: None,
            fingerprint: Fingerprint::Value,
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

    /// At most `n` items (an `array`, or a `json` param holding an array).
    pub fn max_items(mut self, n: usize) -> Self {
        self.max_items = Some(n);
        self
    }

    /// What the `Idempotency-Key` fingerprint keeps of it.
    pub fn fingerprint(mut self, f: Fingerprint) -> Self {
        self.fingerprint = f;
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
/// booleans, `json` params decoded; absent and failed params are left out.
/// A key `defs` does not name is `invalid-param` ([`UNKNOWN_PARAMETER`]) at
/// its dotted path, listed after the problems of the defined params.
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
    unknown_keys(defs, input, prefix, errs);
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
            Value::Array(items) if too_many(def, items.len(), path, errs) => None,
            v @ (Value::Object(_) | Value::Array(_)) => {
                let before = errs.0.len();
                json_keys(&def.fields, &v, path, errs);
                (errs.0.len() == before).then_some(v)
            }
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
    if too_many(def, items.len(), path, errs) {
        return None;
    }
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
mod tests;
