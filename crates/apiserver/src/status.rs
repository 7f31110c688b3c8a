//! `metav1.Status` bodies: the sim's `ApiError`s and the API server's own refusals (unknown
//! path, wrong method, media type, body size, authentication) rendered as a real server does.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use kubedrill_sim::{ApiError, Kind};
use serde_json::{Map, Value, json};

/// The request body limit of the API server (`handlers/rest.go` `limitedReadBody`: 3 MiB).
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// A refusal: the HTTP code and the `Status` body that goes with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub code: u16,
    pub body: Value,
}

impl Refusal {
    /// A `Failure` Status without details.
    pub fn new(code: u16, reason: &str, message: impl Into<String>) -> Self {
        let mut body = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message.into(), "reason": reason, "code": code,
        });
        if reason.is_empty()
            && let Some(m) = body.as_object_mut()
        {
            m.remove("reason");
        }
        Refusal { code, body }
    }

    /// `the server could not find the requested resource` (no route matched).
    pub fn not_found_path() -> Self {
        let mut r = Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
        r.body["details"] = json!({});
        r
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    /// `negotiation.NewUnsupportedMediaTypeError`.
    pub fn unsupported_media_type(accepted: &[&str]) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
        )
    }

    /// `errors.NewRequestEntityTooLargeError("limit is 3145728")`.
    pub fn too_large() -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {MAX_BODY}"),
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// The whole body as an HTTP response.
    pub fn into_response_parts(self) -> (StatusCode, Value) {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, self.body)
    }
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Refusal {
            code: e.code(),
            body: to_status(&e),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (code, body) = self.into_response_parts();
        json_response(code, &body)
    }
}

/// A JSON response with `Content-Type: application/json`.
pub fn json_response(code: StatusCode, body: &Value) -> Response {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = code;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// `errors.StatusDetails` naming the resource the way `NewNotFound` & co. do.
fn resource_details(kind: Kind, name: &str) -> Value {
    let mut d = Map::new();
    d.insert("name".into(), Value::String(name.to_string()));
    if !kind.group().is_empty() {
        d.insert("group".into(), Value::String(kind.group().to_string()));
    }
    d.insert("kind".into(), Value::String(kind.plural().to_string()));
    Value::Object(d)
}

/// The `metav1.Status` of an `ApiError` (`apimachinery/pkg/api/errors`).
pub fn to_status(e: &ApiError) -> Value {
    let details = match e {
        ApiError::Invalid { kind, name, causes } => {
            let mut d = Map::new();
            d.insert("name".into(), Value::String(name.clone()));
            if !kind.group().is_empty() {
                d.insert("group".into(), Value::String(kind.group().to_string()));
            }
            d.insert("kind".into(), Value::String(kind.name().to_string()));
            let causes: Vec<Value> = causes
                .iter()
                .map(|c| {
                    json!({"reason": c.kind.cause_type(), "message": c.body(), "field": c.field})
                })
                .collect();
            d.insert("causes".into(), Value::Array(causes));
            Some(Value::Object(d))
        }
        ApiError::NotFound { kind, name }
        | ApiError::AlreadyExists { kind, name }
        | ApiError::Conflict { kind, name }
        | ApiError::NamespaceTerminating { kind, name, .. }
        | ApiError::Forbidden { kind, name, .. } => Some(resource_details(*kind, name)),
        ApiError::NamespaceNotFound(ns) => Some(resource_details(Kind::Namespace, ns)),
        _ => None,
    };
    let reason = e.reason();
    let mut body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": e.to_string(), "reason": reason, "code": e.code(),
    });
    if let Some(m) = body.as_object_mut() {
        if reason.is_empty() {
            m.remove("reason");
        }
        if let Some(d) = details {
            m.insert("details".into(), d);
        }
    }
    body
}

/// `Status{status: Success}` of a delete whose object is gone (`finalizeDelete`).
pub fn delete_success(kind: Kind, name: &str, uid: &str) -> Value {
    json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": name, "group": kind.group(), "kind": kind.plural(), "uid": uid},
    })
}
