//! Typed errors of the simulated API, rendered with the exact text a real API server gives.
//!
//! `FieldError` follows `apimachinery/pkg/util/validation/field/errors.go` (`ErrorBody`) with the
//! 1.34+ JSON rendering of composite values (SERVICES-SPEC §0.1–0.2); `ApiError::message` follows
//! `apimachinery/pkg/api/errors` (`NewInvalid`, `NewNotFound`, ...). The API server only maps
//! these onto HTTP `Status` bodies.

use serde_json::Value;
use std::fmt;

use crate::kinds::Kind;

/// The machine-readable type of a field error (`metav1.CauseType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorType {
    Required,
    Invalid,
    NotSupported,
    Duplicate,
    Forbidden,
    TooLong,
    TooMany,
    NotFound,
    Internal,
}

impl FieldErrorType {
    /// The `reason` of a `StatusCause`.
    pub fn cause_type(self) -> &'static str {
        match self {
            FieldErrorType::Required => "FieldValueRequired",
            FieldErrorType::Invalid => "FieldValueInvalid",
            FieldErrorType::NotSupported => "FieldValueNotSupported",
            FieldErrorType::Duplicate => "FieldValueDuplicate",
            FieldErrorType::Forbidden => "FieldValueForbidden",
            FieldErrorType::TooLong => "FieldValueTooLong",
            FieldErrorType::TooMany => "FieldValueTooMany",
            FieldErrorType::NotFound => "FieldValueNotFound",
            FieldErrorType::Internal => "InternalError",
        }
    }

    fn label(self) -> &'static str {
        match self {
            FieldErrorType::Required => "Required value",
            FieldErrorType::Invalid => "Invalid value",
            FieldErrorType::NotSupported => "Unsupported value",
            FieldErrorType::Duplicate => "Duplicate value",
            FieldErrorType::Forbidden => "Forbidden",
            FieldErrorType::TooLong => "Too long",
            FieldErrorType::TooMany => "Too many",
            FieldErrorType::NotFound => "Not found",
            FieldErrorType::Internal => "Internal error",
        }
    }

    /// Required, Forbidden, TooLong and Internal never print their value.
    fn shows_value(self) -> bool {
        !matches!(
            self,
            FieldErrorType::Required
                | FieldErrorType::Forbidden
                | FieldErrorType::TooLong
                | FieldErrorType::Internal
        )
    }
}

/// One field-level validation error: `spec.ports[0].port: Invalid value: 0: must be ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub kind: FieldErrorType,
    pub field: String,
    /// The offending value, rendered as Go renders it (strings quoted, numbers bare,
    /// composites as JSON). Build maps with sorted keys: Go marshals maps sorted.
    pub value: Value,
    pub detail: String,
    /// The value already rendered, for Go structs whose field order a JSON map cannot keep
    /// (internal types without json tags marshal their fields in declaration order).
    pub rendered: Option<String>,
}

impl FieldError {
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorType::Required, field, Value::Null, detail)
    }
    pub fn invalid(
        field: impl Into<String>,
        value: impl Into<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Self::new(FieldErrorType::Invalid, field, value.into(), detail)
    }
    /// `supported` is printed in the order given; callers sort it where Go sorts (`sets.List`).
    pub fn not_supported(
        field: impl Into<String>,
        value: impl Into<Value>,
        supported: &[&str],
    ) -> Self {
        let detail = if supported.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(FieldErrorType::NotSupported, field, value.into(), detail)
    }
    pub fn duplicate(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::new(FieldErrorType::Duplicate, field, value.into(), "")
    }
    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(FieldErrorType::Forbidden, field, Value::Null, detail)
    }
    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        let unit = if max == 1 { "byte" } else { "bytes" };
        Self::new(
            FieldErrorType::TooLong,
            field,
            Value::Null,
            format!("may not be more than {max} {unit}"),
        )
    }
    pub fn too_many(field: impl Into<String>, actual: usize, max: usize) -> Self {
        let unit = if max == 1 { "item" } else { "items" };
        Self::new(
            FieldErrorType::TooMany,
            field,
            Value::from(actual),
            format!("must have at most {max} {unit}"),
        )
    }

    pub fn new(
        kind: FieldErrorType,
        field: impl Into<String>,
        value: Value,
        detail: impl Into<String>,
    ) -> Self {
        FieldError {
            kind,
            field: field.into(),
            value,
            detail: detail.into(),
            rendered: None,
        }
    }

    /// The same error with its value rendered as a Go struct, fields in the order given.
    pub fn with_go_struct(self, fields: &[(&str, Value)]) -> Self {
        let rendered: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, go_json(v))).collect();
        self.with_rendered_value(go_struct(&rendered))
    }

    /// The same error with its value given as already-rendered text.
    pub fn with_rendered_value(mut self, text: String) -> Self {
        self.rendered = Some(text);
        self
    }

    /// The message without the field path (`StatusCause.message`).
    pub fn body(&self) -> String {
        let mut s = self.kind.label().to_string();
        if self.kind.shows_value() {
            s.push_str(": ");
            match &self.rendered {
                Some(r) => s.push_str(r),
                None => s.push_str(&render_value(&self.value)),
            }
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// Go's `%q` of a string; for the printable text of API values this is JSON string quoting.
pub fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// A Go struct as `json.Marshal` writes it, from pre-rendered field values, in field order.
pub fn go_struct(fields: &[(&str, String)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", go_quote(k)))
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// A value as `json.Marshal` writes it inside a composite (strings quoted, HTML-escaped).
pub fn go_json(v: &Value) -> String {
    match v {
        Value::String(s) => go_quote(s)
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"),
        other => render_value(other),
    }
}

/// Render a bad value the way `ErrorBody` does: `%v` for numbers and bools, `%q` for strings,
/// `json.Marshal` for everything else (1.34+). Go's encoder escapes `<`, `>` and `&`.
pub fn render_value(v: &Value) -> String {
    match v {
        Value::String(s) => go_quote(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        composite => serde_json::to_string(composite)
            .unwrap_or_default()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"),
    }
}

/// An error of the simulated API. Each variant maps onto one `metav1.Status` reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 422: validation failed.
    #[error("{}", invalid_message(*kind, name, causes))]
    Invalid {
        kind: Kind,
        name: String,
        causes: Vec<FieldError>,
    },
    /// 404.
    #[error("{} \"{name}\" not found", kind.resource_qualified())]
    NotFound { kind: Kind, name: String },
    /// 404 for a namespace that does not exist when creating into it.
    #[error("namespaces \"{0}\" not found")]
    NamespaceNotFound(String),
    /// 409 on create.
    #[error("{} \"{name}\" already exists", kind.resource_qualified())]
    AlreadyExists { kind: Kind, name: String },
    /// 409 on a stale resourceVersion.
    #[error(
        "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
        kind.resource_qualified()
    )]
    Conflict { kind: Kind, name: String },
    /// 403 for a namespace being deleted.
    #[error(
        "{} \"{name}\" is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
        kind.resource_qualified()
    )]
    NamespaceTerminating {
        kind: Kind,
        name: String,
        namespace: String,
    },
    /// 400.
    #[error("{0}")]
    BadRequest(String),
    /// 410: a watch asked for a resourceVersion older than the log keeps.
    #[error("too old resource version: {requested} ({oldest})")]
    Gone { requested: u64, oldest: u64 },
    /// 405.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 500: the controllers did not settle, or an invariant broke.
    #[error("Internal error occurred: {0}")]
    Internal(String),
    /// 403 from an admission plugin (`admission.NewForbidden`): e.g. the ServiceAccount
    /// plugin's `pods "x" is forbidden: error looking up service account ns/sa: ...`.
    #[error("{} \"{name}\" is forbidden: {message}", kind.resource_qualified())]
    Forbidden {
        kind: Kind,
        name: String,
        message: String,
    },
    /// A failure the API server reports without a typed cause: `NewGenericServerResponse`
    /// bodies (422 `Invalid` for a JSON patch that does not apply) and errors a handler never
    /// turned into a `Status` (500 with an empty reason; kubectl prints `Error from server: …`).
    #[error("{message}")]
    Generic {
        code: u16,
        reason: &'static str,
        message: String,
    },
}

impl ApiError {
    pub fn invalid(kind: Kind, name: impl Into<String>, causes: Vec<FieldError>) -> Self {
        ApiError::Invalid {
            kind,
            name: name.into(),
            causes,
        }
    }

    /// HTTP status code.
    pub fn code(&self) -> u16 {
        match self {
            ApiError::Invalid { .. } => 422,
            ApiError::NotFound { .. } | ApiError::NamespaceNotFound(_) => 404,
            ApiError::AlreadyExists { .. } | ApiError::Conflict { .. } => 409,
            ApiError::NamespaceTerminating { .. } => 403,
            ApiError::BadRequest(_) => 400,
            ApiError::Gone { .. } => 410,
            ApiError::MethodNotAllowed(_) => 405,
            ApiError::Internal(_) => 500,
            ApiError::Forbidden { .. } => 403,
            ApiError::Generic { code, .. } => *code,
        }
    }

    /// `metav1.StatusReason`.
    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::Invalid { .. } => "Invalid",
            ApiError::NotFound { .. } | ApiError::NamespaceNotFound(_) => "NotFound",
            ApiError::AlreadyExists { .. } => "AlreadyExists",
            ApiError::Conflict { .. } => "Conflict",
            ApiError::NamespaceTerminating { .. } => "Forbidden",
            ApiError::BadRequest(_) => "BadRequest",
            ApiError::Gone { .. } => "Expired",
            ApiError::MethodNotAllowed(_) => "MethodNotAllowed",
            ApiError::Internal(_) => "InternalError",
            ApiError::Forbidden { .. } => "Forbidden",
            ApiError::Generic { reason, .. } => reason,
        }
    }

    /// The field errors of an `Invalid`, empty otherwise.
    pub fn causes(&self) -> &[FieldError] {
        match self {
            ApiError::Invalid { causes, .. } => causes,
            _ => &[],
        }
    }
}

/// `NewInvalid`: one cause is printed bare, several as `[a, b]` (`utilerrors.NewAggregate`),
/// with duplicates removed as the aggregate does.
fn invalid_message(kind: Kind, name: &str, causes: &[FieldError]) -> String {
    let mut texts: Vec<String> = Vec::new();
    for c in causes {
        let t = c.to_string();
        if !texts.contains(&t) {
            texts.push(t);
        }
    }
    let body = match texts.len() {
        0 => String::new(),
        1 => texts.remove(0),
        _ => format!("[{}]", texts.join(", ")),
    };
    format!("{} \"{name}\" is invalid: {body}", kind.qualified())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_error_bodies_follow_apimachinery_error_body() {
        assert_eq!(
            FieldError::required("spec.ports", "").to_string(),
            "spec.ports: Required value"
        );
        assert_eq!(
            FieldError::invalid(
                "spec.ports[0].port",
                0,
                "must be between 1 and 65535, inclusive"
            )
            .to_string(),
            "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"
        );
        assert_eq!(
            FieldError::not_supported("spec.ports[0].protocol", "tcp", &["SCTP", "TCP", "UDP"])
                .to_string(),
            "spec.ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\""
        );
        assert_eq!(
            FieldError::duplicate("spec.ports[1].name", "http").to_string(),
            "spec.ports[1].name: Duplicate value: \"http\""
        );
        assert_eq!(
            FieldError::forbidden(
                "spec.ports[0].nodePort",
                "may not be used when `type` is 'ClusterIP'"
            )
            .to_string(),
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
        );
    }

    #[test]
    fn composite_values_render_as_json_since_1_34() {
        let e = FieldError::invalid(
            "spec.clusterIPs[0]",
            json!(["10.96.5.5"]),
            "may not change once set",
        );
        assert_eq!(
            e.to_string(),
            "spec.clusterIPs[0]: Invalid value: [\"10.96.5.5\"]: may not change once set"
        );
    }

    #[test]
    fn invalid_with_several_causes_is_an_aggregate_in_brackets() {
        let e = ApiError::invalid(
            Kind::Service,
            "web",
            vec![
                FieldError::required("spec.ports[0].name", ""),
                FieldError::required("spec.ports[1].name", ""),
            ],
        );
        assert_eq!(
            e.to_string(),
            "Service \"web\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]"
        );
        let one = ApiError::invalid(
            Kind::Deployment,
            "web",
            vec![FieldError::required("spec.selector", "")],
        );
        assert_eq!(
            one.to_string(),
            "Deployment.apps \"web\" is invalid: spec.selector: Required value"
        );
    }

    #[test]
    fn not_found_names_the_qualified_resource() {
        let e = ApiError::NotFound {
            kind: Kind::Deployment,
            name: "web".into(),
        };
        assert_eq!(e.to_string(), "deployments.apps \"web\" not found");
        assert_eq!(e.code(), 404);
    }
}
