//! Label values of the request series.

/// The label of an HTTP status code the service answers with, without
/// formatting it.
pub(super) fn code_label(code: u16) -> Option<&'static str> {
    Some(match code {
        200 => "200",
        201 => "201",
        204 => "204",
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        405 => "405",
        409 => "409",
        413 => "413",
        415 => "415",
        422 => "422",
        429 => "429",
        500 => "500",
        502 => "502",
        503 => "503",
        504 => "504",
        _ => return None,
    })
}
