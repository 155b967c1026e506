//! What every answer carries, whatever route answers it: the request id
//! (`X-Request-Id`, accepted from the caller when sane, generated otherwise)
//! and the caching and sniffing headers (docs/api.md, "Headers on every
//! answer").
//!
//! [`wrap`] runs each request inside a `http.request` tracing span that holds
//! the request id, so that every log line of the request carries it; the
//! pipeline carries that span into the task it spawns for the use case.

use actix_web::Error;
use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use std::future::Future;
use tracing::Instrument as _;

/// The header that carries the request id, both ways.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id accepted from a caller.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// What documentation pages and the OpenAPI document send: they change only
/// with the binary.
pub const DOCUMENTATION_CACHE: &str = "public, max-age=300";

/// Everything else (API answers carry tokens and personal data).
pub const NO_STORE: &str = "no-store";

/// The caller's `X-Request-Id`, if it is 1 to [`MAX_REQUEST_ID_LEN`]
/// visible ASCII characters (no space, no control character); otherwise
/// `None` and a new one is generated.
pub fn accepted_request_id(value: Option<&HeaderValue>) -> Option<String> {
    let bytes = value?.as_bytes();
    let sane = !bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID_LEN
        && bytes.iter().all(|b| b.is_ascii_graphic());
    sane.then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// The request id of `req`: the caller's if sane, else a new UUID.
pub fn request_id(req: &ServiceRequest) -> String {
    accepted_request_id(req.headers().get(&REQUEST_ID))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// The middleware (for `App::wrap_fn`): span, request id and headers.
pub fn wrap<S>(
    req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse<BoxBody>, Error>> + use<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = Error>,
{
    let id = request_id(&req);
    let span = tracing::info_span!(
        "http.request",
        request_id = %id,
        http.method = %req.method(),
        http.path = %req.path(),
    );
    let call = {
        let _entered = span.enter();
        srv.call(req)
    };
    async move {
        let mut res = call.await?;
        let headers = res.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&id) {
            headers.insert(REQUEST_ID.clone(), value);
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
        }
        Ok(res)
    }
    .instrument(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(v: &[u8]) -> Option<String> {
        accepted_request_id(Some(&HeaderValue::from_bytes(v).unwrap()))
    }

    #[test]
    fn a_sane_request_id_is_kept_and_others_are_refused() {
        assert_eq!(accepted(b"abc-123_X.y:z").as_deref(), Some("abc-123_X.y:z"));
        let longest = "a".repeat(MAX_REQUEST_ID_LEN);
        assert_eq!(accepted(longest.as_bytes()), Some(longest.clone()));
        assert_eq!(accepted(format!("{longest}a").as_bytes()), None);
        assert_eq!(accepted(b""), None);
        assert_eq!(accepted(b"has space"), None);
        assert_eq!(accepted(b"tab\there"), None);
        assert_eq!(accepted("caf\u{e9}".as_bytes()), None);
        assert_eq!(accepted_request_id(None), None);
    }
}
