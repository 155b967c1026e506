//! The response envelope of contract §2 and the error every pipeline step and
//! handler returns.

use crate::json_params::FieldErrors;
use crate::slug::Slug;
use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;
use serde_json::Value;

/// One entry of `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamProblem {
    pub param: String,
    pub reason: String,
}

/// A failed step: the slug it answers with, a sentence for a person, and the
/// members contract §2 allows for that slug.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub slug: Slug,
    pub message: String,
    /// Only kept for `missing-param` / `invalid-param`.
    pub errors: Vec<ParamProblem>,
    /// Only kept for `mandrill-email-failed`.
    pub data: Option<Value>,
    /// Seconds, for `rate-limit-exceeded`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(slug: Slug, message: impl Into<String>) -> ApiError {
        ApiError {
            slug,
            message: message.into(),
            errors: Vec::new(),
            data: None,
            retry_after: None,
        }
    }

    /// `invalid-param` on one param.
    pub fn invalid_param(param: &str, reason: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(
            Slug::InvalidParam,
            format!("The parameter {param} is invalid."),
        );
        e.errors.push(ParamProblem {
            param: param.to_string(),
            reason: reason.into(),
        });
        e
    }

    /// `missing-param` on one param.
    pub fn missing_param(param: &str) -> ApiError {
        let mut e = ApiError::new(
            Slug::MissingParam,
            format!("The parameter {param} is required."),
        );
        e.errors.push(ParamProblem {
            param: param.to_string(),
            reason: "is required".into(),
        });
        e
    }

    /// `missing-param` when any problem is an absent required param (that
    /// check comes first), else `invalid-param`; every problem is listed.
    pub fn from_field_errors(errs: FieldErrors) -> ApiError {
        let any_missing = errs.0.iter().any(|e| e.missing);
        let (slug, message) = if any_missing {
            (Slug::MissingParam, "A required parameter is missing.")
        } else {
            (Slug::InvalidParam, "A parameter is invalid.")
        };
        let mut e = ApiError::new(slug, message);
        e.errors = errs
            .0
            .into_iter()
            .map(|f| ParamProblem {
                param: f.path,
                reason: f.reason,
            })
            .collect();
        e
    }

    /// `application-crash` with the error id in the message; the caller logs
    /// the same id with the cause.
    pub fn crash(error_id: &str) -> ApiError {
        ApiError::new(
            Slug::ApplicationCrash,
            format!("An unexpected error occurred (error id {error_id})."),
        )
    }

    pub fn with_data(mut self, data: Value) -> ApiError {
        self.data = Some(data);
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.slug.as_str(), self.message)
    }
}

/// A successful use case: the sentence and the rendered result.
#[derive(Debug, Clone, PartialEq)]
pub struct Success {
    pub message: String,
    pub data: Value,
    /// Replaces the envelope's `session` (a new session on registration, the
    /// revoked one on sessions/destroy).
    pub session: Option<Value>,
}

impl Success {
    pub fn new(message: impl Into<String>, data: Value) -> Success {
        Success {
            message: message.into(),
            data,
            session: None,
        }
    }

    pub fn with_session(mut self, session: Value) -> Success {
        self.session = Some(session);
        self
    }
}

/// The JSON body of every answer. Members contract §2 does not allow for the
/// status are left out, not sent as null.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope {
    pub status: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ParamProblem>>,
}

/// What a request ended with, before the session is attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub slug: Slug,
    pub envelope: Envelope,
    pub retry_after: Option<u64>,
}

impl Outcome {
    pub fn success(s: Success) -> Outcome {
        Outcome {
            slug: Slug::ActionSuccessful,
            envelope: Envelope {
                status: Slug::ActionSuccessful.as_str(),
                message: s.message,
                data: Some(s.data),
                session: s.session,
                errors: None,
            },
            retry_after: None,
        }
    }

    pub fn error(e: ApiError) -> Outcome {
        let slug = e.slug;
        Outcome {
            slug,
            envelope: Envelope {
                status: slug.as_str(),
                message: e.message,
                data: e.data.filter(|_| slug.carries_data()),
                session: None,
                errors: slug.carries_errors().then_some(e.errors),
            },
            retry_after: e.retry_after,
        }
    }

    pub fn from_result(r: Result<Success, ApiError>) -> Outcome {
        match r {
            Ok(s) => Outcome::success(s),
            Err(e) => Outcome::error(e),
        }
    }

    /// Attaches the envelope's `session` member, unless the use case set
    /// its own.
    pub fn with_session(mut self, session: Option<Value>) -> Outcome {
        if self.envelope.session.is_none() {
            self.envelope.session = session;
        }
        self
    }

    /// The serialized body: what idempotency replays byte for byte.
    pub fn body(&self) -> String {
        serde_json::to_string(&self.envelope).unwrap_or_else(|_| {
            format!(
                r#"{{"status":"{}","message":"The response could not be written."}}"#,
                Slug::ApplicationCrash.as_str()
            )
        })
    }

    pub fn into_response(self) -> HttpResponse {
        let body = self.body();
        json_response(self.slug.http_status().as_u16(), body, self.retry_after)
    }
}

/// A JSON response with this code and body (also used to replay stored
/// idempotent responses).
pub fn json_response(status: u16, body: String, retry_after: Option<u64>) -> HttpResponse {
    let code = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(code);
    builder.insert_header((header::CONTENT_TYPE, "application/json"));
    if let Some(secs) = retry_after {
        builder.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    builder.body(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_params::FieldErrors;
    use serde_json::json;

    #[test]
    fn members_follow_the_status() {
        let out = Outcome::error(ApiError::new(Slug::InvalidToken, "x").with_data(json!(1)));
        let v: Value = serde_json::from_str(&out.body()).unwrap();
        assert_eq!(v, json!({"status": "invalid-token", "message": "x"}));

        let out = Outcome::error(ApiError::new(Slug::MandrillEmailFailed, "m").with_data(json!(1)));
        let v: Value = serde_json::from_str(&out.body()).unwrap();
        assert_eq!(v["data"], json!(1));
        assert!(v.get("errors").is_none());
    }

    #[test]
    fn missing_wins_over_invalid_and_all_are_listed() {
        let mut errs = FieldErrors::default();
        errs.invalid("view", "unknown view");
        errs.missing("order");
        let e = ApiError::from_field_errors(errs);
        assert_eq!(e.slug, Slug::MissingParam);
        assert_eq!(e.errors.len(), 2);
    }
}
