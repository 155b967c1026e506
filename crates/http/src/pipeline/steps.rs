//! The pure steps of contract §3: route exists (1), content type (3), body size
//! and decoding (4). Each returns the slug it fails with.

use crate::envelope::ApiError;
use crate::routes::{self, RouteDef};
use crate::slug::Slug;
use actix_web::http::Method;
use actix_web::web::{Bytes, BytesMut, Payload};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use futures_util::StreamExt;
use serde_json::{Map, Value};

/// Standard alphabet, padding optional (contract §1).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The largest body accepted (contract §1).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Step 1: a POST to a route of the table.
pub fn route_exists(
    method: &Method,
    resource: &str,
    action: &str,
) -> Result<&'static RouteDef, ApiError> {
    let not_found = || {
        ApiError::new(
            Slug::RouteNonExistent,
            "There is no such route; every route is POST /api/v1/<resource>/<action>, documented at /documentation.",
        )
    };
    if method != Method::POST {
        return Err(not_found());
    }
    routes::find(resource, action).ok_or_else(not_found)
}

/// Step 3: the media type the route takes; parameters (`charset`) are
/// allowed, case does not matter.
pub fn content_type(route: &RouteDef, header: Option<&str>) -> Result<(), ApiError> {
    let media = header
        .and_then(|h| h.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    if media.as_deref() == Some(route.content_type()) {
        Ok(())
    } else {
        Err(ApiError::new(
            Slug::InvalidContentType,
            format!("This route takes Content-Type: {}.", route.content_type()),
        ))
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        Slug::PayloadTooLarge,
        format!("The body is larger than {} KiB.", MAX_BODY_BYTES / 1024),
    )
}

/// Step 4a: reads the body, refusing a declared `Content-Length` over the
/// limit before reading anything, and stopping as soon as a streamed body
/// passes it.
pub async fn read_body(
    content_length: Option<&str>,
    mut payload: Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    if let Some(len) = content_length.and_then(|l| l.trim().parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => too_large(),
            _ => ApiError::new(Slug::InvalidEncodedParams, "The body could not be read."),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Step 4b: base64 (standard alphabet, padding optional) for sensitive
/// routes, then a JSON object with at least one member.
pub fn decode(route: &RouteDef, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let bad = |what: &str| ApiError::new(Slug::InvalidEncodedParams, format!("The body {what}."));
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        return Err(no_params());
    }
    let json_bytes = if route.sensitive {
        let compact: Vec<u8> = trimmed
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        BASE64
            .decode(&compact)
            .map_err(|_| bad("is not valid base64"))?
    } else {
        trimmed.to_vec()
    };
    match serde_json::from_slice::<Value>(&json_bytes) {
        Ok(Value::Object(map)) if map.is_empty() => Err(no_params()),
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad("is not a JSON object")),
    }
}

fn no_params() -> ApiError {
    ApiError::new(Slug::NoParamsDecoded, "The body holds no parameters.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    fn route(path: &str) -> &'static RouteDef {
        let (r, a) = path.split_once('/').unwrap();
        routes::find(r, a).unwrap()
    }

    #[test]
    fn unknown_paths_and_other_methods_do_not_exist() {
        assert!(route_exists(&Method::POST, "orders", "read").is_ok());
        assert_eq!(
            route_exists(&Method::GET, "orders", "read")
                .unwrap_err()
                .slug,
            Slug::RouteNonExistent
        );
        assert_eq!(
            route_exists(&Method::POST, "orders", "nope")
                .unwrap_err()
                .slug,
            Slug::RouteNonExistent
        );
    }

    #[test]
    fn content_type_allows_a_charset() {
        let r = route("orders/read");
        assert!(content_type(r, Some("application/json; charset=utf-8")).is_ok());
        assert!(content_type(r, Some("Application/JSON")).is_ok());
        assert!(content_type(r, Some("text/plain")).is_err());
        assert!(content_type(r, None).is_err());
        assert!(content_type(route("sessions/create"), Some("text/plain;charset=UTF-8")).is_ok());
    }

    #[test]
    fn base64_with_or_without_padding() {
        let r = route("sessions/create");
        let padded = STANDARD.encode(br#"{"a":1}"#);
        assert!(padded.ends_with('='));
        assert_eq!(decode(r, padded.as_bytes()).unwrap()["a"], 1);
        assert_eq!(
            decode(r, padded.trim_end_matches('=').as_bytes()).unwrap()["a"],
            1
        );
        assert_eq!(
            decode(r, b"%%%").unwrap_err().slug,
            Slug::InvalidEncodedParams
        );
        assert_eq!(
            decode(r, STANDARD.encode("{}").as_bytes())
                .unwrap_err()
                .slug,
            Slug::NoParamsDecoded
        );
        assert_eq!(
            decode(r, STANDARD.encode("[1]").as_bytes())
                .unwrap_err()
                .slug,
            Slug::InvalidEncodedParams
        );
    }

    #[test]
    fn json_objects_only() {
        let r = route("orders/read");
        assert_eq!(decode(r, b"").unwrap_err().slug, Slug::NoParamsDecoded);
        assert_eq!(decode(r, b" {} ").unwrap_err().slug, Slug::NoParamsDecoded);
        assert_eq!(
            decode(r, b"[]").unwrap_err().slug,
            Slug::InvalidEncodedParams
        );
        assert_eq!(
            decode(r, b"{nope").unwrap_err().slug,
            Slug::InvalidEncodedParams
        );
        assert!(decode(r, br#"{"id": 1}"#).is_ok());
    }
}
