//! The OpenAPI document and the HTML documentation pages, both produced from
//! the route table (contract §5), so they cannot disagree with validation.

use crate::params::{ParamDef, ParamType};
use crate::routes::{Access, ROUTES, RouteDef};
use crate::slug::Slug;
use base64::Engine;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::LazyLock;

mod openapi;
pub use openapi::{OPENAPI_JSON, openapi};

fn roles_text(route: &RouteDef) -> String {
    match &route.access {
        Access::Public => "public".to_string(),
        Access::AnyCaller => "any authenticated caller".to_string(),
        Access::SessionOnly => "a session".to_string(),
        Access::Roles(roles) => roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A description as HTML: escaped, its `inline code` spans in `<code>`.
/// A backtick without its pair is dropped, so no raw backtick reaches a page.
fn inline(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::with_capacity(s.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && i + 1 < parts.len() {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

/// Slugs a well-formed call of a deployed route does not meet: each page
/// lists them apart, under "Uncommon responses".
pub const UNCOMMON: [Slug; 5] = [
    Slug::NoParamsDecoded,
    Slug::InvalidEncodedParams,
    Slug::RouteNotFound,
    Slug::IdentifyRequestError,
    Slug::ServiceNotFound,
];

/// Every slug the page of `r` lists, in contract §4 order: what a POST can
/// answer ([`RouteDef::responses`], also in the OpenAPI document) and
/// `route-non-existent`, which any other method on its path gets.
pub fn page_responses(r: &RouteDef) -> Vec<Slug> {
    let mut v = r.responses();
    v.push(Slug::RouteNonExistent);
    v.sort();
    v.dedup();
    v
}

/// One table of responses.
fn responses_table(h: &mut String, id: &str, slugs: impl Iterator<Item = Slug>) {
    let _ = write!(
        h,
        "<table id=\"{id}\"><thead><tr><th>status</th><th>HTTP</th><th>meaning</th></tr></thead><tbody>"
    );
    for slug in slugs {
        let _ = write!(
            h,
            "<tr class=\"response\" data-slug=\"{s}\"><td><code>{s}</code></td><td>{code}</td><td>{m}</td></tr>",
            s = slug.as_str(),
            code = slug.http_status().as_u16(),
            m = inline(slug.meaning()),
        );
    }
    h.push_str("</tbody></table>");
}

/// Every param of a route with its dotted name, in ordinal order, parents
/// followed by their fields (`order.add_on_services[].id`).
pub fn flattened(params: &[ParamDef]) -> Vec<(String, &ParamDef)> {
    fn walk<'a>(prefix: &str, defs: &'a [ParamDef], out: &mut Vec<(String, &'a ParamDef)>) {
        let mut sorted: Vec<&ParamDef> = defs.iter().collect();
        sorted.sort_by_key(|p| p.ordinal);
        for p in sorted {
            let name = if prefix.is_empty() {
                p.name.to_string()
            } else {
                format!("{prefix}.{}", p.name)
            };
            out.push((name.clone(), p));
            match p.kind {
                ParamType::Array => walk(&format!("{name}[]"), &p.fields, out),
                _ => walk(&name, &p.fields, out),
            }
        }
    }
    let mut out = Vec::new();
    walk("", params, &mut out);
    out
}

const STYLE: &str = "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;text-align:left;vertical-align:top}code{background:#f4f4f4}";

/// JSON as the pages show it: indented, escaped for HTML.
fn pretty(v: &serde_json::Value) -> String {
    esc(&serde_json::to_string_pretty(v).unwrap_or_default())
}

/// The route's example ([`RouteDef::example`]): the request, as JSON and
/// (for a sensitive route) as the base64 body actually sent, and the answer.
fn example_section(h: &mut String, r: &RouteDef) {
    let e = &r.example;
    let _ = write!(
        h,
        "<h2>Example</h2><p class=\"example-given\">{given}</p><h3>Request</h3>\
         <pre id=\"example-request\">POST /api/v1/{path}\nContent-Type: {ct}\n\n{body}</pre>",
        given = inline(e.given.describe()),
        path = esc(&r.path()),
        ct = r.content_type(),
        body = pretty(&e.request),
    );
    if r.sensitive {
        let _ = write!(
            h,
            "<p>The body sent is the base64 of that object:</p><pre id=\"example-body\">{}</pre>",
            example_body(r)
        );
    }
    let _ = write!(
        h,
        "<h3>Response</h3><p>HTTP {code}</p><pre id=\"example-response\">{body}</pre>",
        code = e.status.http_status().as_u16(),
        body = pretty(&e.response()),
    );
}

/// The body of the route's example as sent: the JSON object, or for a
/// sensitive route the base64 of it.
pub fn example_body(r: &RouteDef) -> String {
    let json = r.example.request.to_string();
    if r.sensitive {
        base64::engine::general_purpose::STANDARD.encode(json)
    } else {
        json
    }
}

/// `GET /documentation/api/v1/<resource>/<action>`.
pub fn route_page(r: &RouteDef) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>POST /api/v1/{path}</title><style>{STYLE}</style></head><body>\
         <p><a href=\"/documentation\">All routes</a></p><h1>POST /api/v1/{path}</h1><p class=\"purpose\">{purpose}</p>\
         <ul><li>Content-Type: <code>{ct}</code>{b64}</li><li>Who: {who}</li><li>API service: <code>{svc}</code></li><li>Views: {views}</li>{idem}</ul>",
        path = esc(&r.path()),
        purpose = inline(r.purpose),
        ct = r.content_type(),
        b64 = if r.sensitive {
            " (the body is the base64 of the JSON object)"
        } else {
            ""
        },
        who = esc(&roles_text(r)),
        svc = r.service,
        views = r
            .views
            .iter()
            .map(|v| format!("<code>{v}</code>"))
            .collect::<Vec<_>>()
            .join(", "),
        idem = if r.idempotent {
            "<li>Header <code>Idempotency-Key</code> (optional, at most 255 characters): the first response is stored 24 hours and replayed for a retry with the same params.</li>"
        } else {
            ""
        },
    );
    h.push_str("<h2>Parameters</h2><table><thead><tr><th>#</th><th>name</th><th>type</th><th>required</th><th>max length</th><th>possible values</th><th>description</th></tr></thead><tbody>");
    for (name, p) in flattened(&r.params) {
        let range = match (p.min, p.max) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            (Some(a), None) => format!("≥ {a}"),
            (None, Some(b)) => format!("≤ {b}"),
            (None, None) => String::new(),
        };
        let values = if p.values.is_empty() {
            range
        } else {
            p.values
                .iter()
                .map(|v| format!("<code>{v}</code>"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = write!(
            h,
            "<tr class=\"param\" data-param=\"{n}\"><td>{ord}</td><td><code>{n}</code></td><td>{t}</td><td>{req}</td><td>{max}</td><td>{values}</td><td>{d}</td></tr>",
            n = esc(&name),
            ord = if p.ordinal > 0 {
                p.ordinal.to_string()
            } else {
                String::new()
            },
            t = p.kind.as_str(),
            req = if p.required { "yes" } else { "no" },
            max = match (p.max_length, p.max_items) {
                (Some(m), _) => m.to_string(),
                (None, Some(n)) => format!("{n} items"),
                (None, None) => String::new(),
            },
            d = inline(&p.description),
        );
    }
    h.push_str("</tbody></table><p class=\"strict\">Limits are checked: a value outside its range, a string over its max length or an array with more items than its max is <code>invalid-param</code>, never dropped or cut. A key this table does not list, at any level of the body (<code>json</code> params included), is <code>invalid-param</code> with <code>param</code> = its dotted path and reason <q>Received unknown parameter</q>.</p>");
    example_section(&mut h, r);
    h.push_str("<h2>Responses</h2>");
    let (uncommon, common): (Vec<Slug>, Vec<Slug>) = page_responses(r)
        .into_iter()
        .partition(|s| UNCOMMON.contains(s));
    responses_table(&mut h, "responses", common.into_iter());
    h.push_str("<h2>Uncommon responses</h2><p>Answers a well-formed call of a deployed route does not get.</p>");
    responses_table(&mut h, "uncommon-responses", uncommon.into_iter());
    h.push_str("<p>Every answer is a JSON envelope: <code>status</code> and <code>message</code> always; <code>data</code> on success (and on <code>mandrill-email-failed</code>); <code>errors</code> on <code>missing-param</code> and <code>invalid-param</code>; <code>session</code> whenever a session token authenticated the request.</p></body></html>");
    h
}

/// The page of every route, keyed by `resource/action`, built once.
pub static ROUTE_PAGES: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| ROUTES.iter().map(|r| (r.path(), route_page(r))).collect());

/// The index page, built once.
pub static INDEX_PAGE: LazyLock<String> = LazyLock::new(index_page);

/// `GET /documentation`.
pub fn index_page() -> String {
    let mut h = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>ordercore API</title><style>{STYLE}</style></head><body><h1>ordercore API</h1>\
         <p>Every route is <code>POST /api/v1/&lt;resource&gt;/&lt;action&gt;</code>. Machine-readable: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p><table><thead><tr><th>route</th><th>who</th><th>purpose</th></tr></thead><tbody>"
    );
    for r in ROUTES.iter() {
        let _ = write!(
            h,
            "<tr><td><a href=\"/documentation/api/v1/{p}\">{p}</a></td><td>{who}</td><td>{purpose}</td></tr>",
            p = esc(&r.path()),
            who = esc(&roles_text(r)),
            purpose = inline(r.purpose),
        );
    }
    h.push_str("</tbody></table><h2>Status slugs</h2><table><thead><tr><th>status</th><th>HTTP</th><th>meaning</th></tr></thead><tbody>");
    for s in Slug::ALL {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            s.as_str(),
            s.http_status().as_u16(),
            inline(s.meaning())
        );
    }
    h.push_str("</tbody></table></body></html>");
    h
}

#[cfg(test)]
mod tests;
