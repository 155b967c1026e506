//! The OpenAPI 3.1 document, built once from the route table: request bodies
//! from each route's [`ParamDef`]s (the same definitions validation checks,
//! kept equal to the handler's params struct by
//! `every_route_params_fit_its_struct`), and the answer of each route as its
//! envelope with `data` typed by the view struct the handler renders
//! ([`RouteDef::data`], derived with `schemars`). Each route's example
//! ([`RouteDef::example`]) is the `example` of its request body and of the
//! answer with the example's status.

use crate::params::{ParamDef, ParamType};
use crate::routes::{ROUTES, RouteDef};
use crate::slug::Slug;
use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};
use std::sync::LazyLock;

/// The document as served by `GET /api/v1/openapi.json`, built once.
pub static OPENAPI_JSON: LazyLock<String> = LazyLock::new(|| openapi().to_string());

fn schema(p: &ParamDef) -> Value {
    let mut s = match p.kind {
        ParamType::String => json!({"type": "string"}),
        ParamType::Integer => json!({"type": "integer", "format": "int64"}),
        ParamType::Boolean => json!({"type": "boolean"}),
        ParamType::Parent => object_schema(&p.fields),
        ParamType::Array if p.fields.is_empty() => json!({"type": "array"}),
        ParamType::Array => json!({"type": "array", "items": object_schema(&p.fields)}),
        ParamType::Json => json_schema(p),
        ParamType::Datetime => json!({"type": "string", "format": "date-time"}),
        ParamType::Date => json!({"type": "string", "format": "date"}),
    };
    if let Some(n) = p.max_length {
        s["maxLength"] = json!(n);
    }
    if let Some(n) = p.max_items
        && p.kind != ParamType::Json
    {
        s["maxItems"] = json!(n);
    }
    if !p.values.is_empty() {
        s["enum"] = json!(p.values);
    }
    if let Some(min) = p.min {
        s["minimum"] = json!(min);
    }
    if let Some(max) = p.max {
        s["maximum"] = json!(max);
    }
    s["description"] = json!(p.description);
    s["x-ordercore-type"] = json!(p.kind.as_str());
    if p.ordinal > 0 {
        s["x-ordercore-ordinal"] = json!(p.ordinal);
    }
    s
}

/// A `json` param: the object (or, with `max_items`, the array of objects)
/// its fields describe, given as JSON or as a string holding that JSON.
fn json_schema(p: &ParamDef) -> Value {
    let inner = match p.max_items {
        Some(n) => {
            json!({"type": "array", "minItems": 1, "maxItems": n, "items": object_schema(&p.fields)})
        }
        None => object_schema(&p.fields),
    };
    json!({"anyOf": [
        inner.clone(),
        {"type": "string", "contentMediaType": "application/json", "contentSchema": inner},
    ]})
}

fn object_schema(fields: &[ParamDef]) -> Value {
    let mut sorted: Vec<&ParamDef> = fields.iter().collect();
    sorted.sort_by_key(|p| p.ordinal);
    let properties: Map<String, Value> = sorted
        .iter()
        .map(|p| (p.name.to_string(), schema(p)))
        .collect();
    let required: Vec<&str> = sorted
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// The envelope of a successful answer of `r`: `data` is its view.
fn success_envelope(r: &RouteDef, g: &mut SchemaGenerator) -> Value {
    let data = (r.data)(g).to_value();
    json!({
        "type": "object",
        "required": ["status", "message", "data"],
        "properties": {
            "status": {"type": "string", "const": Slug::ActionSuccessful.as_str()},
            "message": {"type": "string"},
            "data": data,
            "session": {"$ref": "#/components/schemas/SessionJson"},
        },
    })
}

/// The request body of `r`. A sensitive route takes the base64 of the JSON
/// object as `text/plain`: described as such a string, with the object as
/// its `contentSchema`.
fn request_content(r: &RouteDef) -> Value {
    let body = object_schema(&r.params);
    if r.sensitive {
        json!({"text/plain": {"schema": {
            "type": "string",
            "contentEncoding": "base64",
            "contentMediaType": "application/json",
            "contentSchema": body,
        }, "example": super::example_body(r)}})
    } else {
        json!({"application/json": {"schema": body, "example": r.example.request}})
    }
}

fn operation(r: &RouteDef, g: &mut SchemaGenerator) -> Value {
    let mut responses = Map::new();
    for slug in r.responses() {
        let code = slug.http_status().as_u16().to_string();
        let schema = if slug == Slug::ActionSuccessful {
            success_envelope(r, g)
        } else {
            json!({"$ref": "#/components/schemas/Envelope"})
        };
        let entry = responses.entry(code).or_insert_with(|| {
            json!({"description": "", "content": {"application/json": {"schema": schema}}, "x-ordercore-statuses": []})
        });
        if slug == r.example.status {
            entry["content"]["application/json"]["example"] = r.example.response();
        }
        if let Some(list) = entry["x-ordercore-statuses"].as_array_mut() {
            list.push(json!(slug.as_str()));
        }
        let d = entry["description"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let line = format!("`{}`: {}", slug.as_str(), slug.meaning());
        entry["description"] = json!(if d.is_empty() {
            line
        } else {
            format!("{d}\n{line}")
        });
    }
    let mut op = json!({
        "operationId": format!("{}_{}", r.resource, r.action),
        "tags": [r.service],
        "summary": r.purpose,
        "description": format!("Who: {}. Views: {}.", super::roles_text(r), r.views.join(", ")),
        "requestBody": {"required": true, "content": request_content(r)},
        "responses": responses,
    });
    if r.idempotent {
        op["parameters"] = json!([{
            "name": "Idempotency-Key", "in": "header", "required": false,
            "schema": {"type": "string", "maxLength": 255},
            "description": "The first response for a key is stored for 24 hours and replayed for a retry with the same params.",
        }]);
    }
    op
}

/// `GET /healthz`, `/readyz` and `/metrics`: outside the API, no envelope.
fn operational_paths(paths: &mut Map<String, Value>) {
    let status = |value: &str| json!({"application/json": {"schema": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "const": value}}}}});
    paths.insert(
        "/healthz".into(),
        json!({"get": {
            "operationId": "healthz", "tags": ["operations"], "summary": "The process is up.",
            "responses": {"200": {"description": "Up.", "content": status("ok")}},
        }}),
    );
    paths.insert("/readyz".into(), json!({"get": {
        "operationId": "readyz", "tags": ["operations"], "summary": "The readiness check (the database) passes.",
        "responses": {
            "200": {"description": "Ready.", "content": status("ready")},
            "503": {"description": "Not ready.", "content": status("not-ready")},
        },
    }}));
    paths.insert("/metrics".into(), json!({"get": {
        "operationId": "metrics", "tags": ["operations"], "summary": "Prometheus metrics, text exposition format 0.0.4.",
        "responses": {"200": {"description": "The metrics.", "content": {"text/plain": {"schema": {"type": "string"}}}}},
    }}));
}

/// The OpenAPI 3.1 document of every route (use [`OPENAPI_JSON`] to serve it).
pub fn openapi() -> Value {
    let mut g = SchemaSettings::draft2020_12()
        .for_serialize()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    g.subschema_for::<crate::views::SessionJson>();
    let mut paths = Map::new();
    for r in ROUTES.iter() {
        paths.insert(
            format!("/api/v1/{}", r.path()),
            json!({ "post": operation(r, &mut g) }),
        );
    }
    operational_paths(&mut paths);
    let mut schemas = g.take_definitions(true);
    schemas.insert(
        "Envelope".into(),
        json!({
            "type": "object",
            "required": ["status", "message"],
            "properties": {
                "status": {"type": "string", "enum": Slug::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()},
                "message": {"type": "string"},
                "data": {},
                "session": {"$ref": "#/components/schemas/SessionJson"},
                "errors": {"type": "array", "items": {"type": "object", "required": ["param", "reason"], "properties": {
                    "param": {"type": "string"}, "reason": {"type": "string"}}}},
            },
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {"title": "ordercore API", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}
