//! The limits of step 8 that are not about one value: keys a route does not
//! define (at any level, `json` params included) and arrays over their
//! maximum length. Neither is ever dropped silently.

use super::{ParamDef, UNKNOWN_PARAMETER};
use crate::json_params::{FieldErrors, join};
use serde_json::{Map, Value};

/// Records every key of `input` that `defs` does not name.
pub(super) fn unknown_keys(
    defs: &[ParamDef],
    input: &Map<String, Value>,
    prefix: &str,
    errs: &mut FieldErrors,
) {
    for key in input.keys() {
        if !defs.iter().any(|d| d.name == key) {
            errs.invalid(join(prefix, key), UNKNOWN_PARAMETER);
        }
    }
}

/// Too many items: `invalid-param` at `path`.
pub(super) fn too_many(def: &ParamDef, len: usize, path: &str, errs: &mut FieldErrors) -> bool {
    match def.max_items {
        Some(max) if len > max => {
            errs.invalid(path, format!("must hold at most {max} items"));
            true
        }
        _ => false,
    }
}

/// The keys of a decoded `json` value against `fields` (when the route
/// lists them): objects, objects of arrays and nested objects.
pub(super) fn json_keys(fields: &[ParamDef], value: &Value, path: &str, errs: &mut FieldErrors) {
    if fields.is_empty() {
        return;
    }
    match value {
        Value::Object(map) => {
            unknown_keys(fields, map, path, errs);
            for f in fields.iter().filter(|f| !f.fields.is_empty()) {
                if let Some(v) = map.get(f.name) {
                    json_keys(&f.fields, v, &join(path, f.name), errs);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.is_object() {
                    json_keys(fields, item, &format!("{path}[{i}]"), errs);
                }
            }
        }
        _ => {}
    }
}
