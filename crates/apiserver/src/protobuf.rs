//! Decoding `application/vnd.kubernetes.protobuf` request bodies (KUBECTL-CONTRACT §5): the
//! `k8s\0` magic, the `runtime.Unknown` envelope, and the typed message (via `k8s-pb`) turned
//! into the same JSON object a JSON client would have sent.
//!
//! The JSON is what Go's `encoding/json` writes for the Go struct the API server decodes the
//! message into: Go field rules (pointer, `omitempty`, lists, maps, inline structs) come from
//! tables generated from the Kubernetes `types.go` (`tables/`, by `tools/gen_k8s_tables.py`),
//! the apimachinery types with their own JSON form are in `special`. Errors carry the
//! messages `apimachinery/pkg/runtime/serializer/protobuf` and gogo-protobuf give.
//!
//! Module map:
//! - `json`    — the Go `encoding/json` field rules as helpers (`omit_empty`, `ptr`, `list`…).
//! - `special` — `Time`, `MicroTime`, `Duration`, `IntOrString`, `Quantity`, raw JSON fields.
//! - `tables/` — generated per-group conversions and the kind dispatch.
//! - `error`   — prost decode errors reworded as gogo-protobuf's.

mod error;
mod json;
mod special;
mod tables;

use prost::Message as _;
use serde_json::Value;

/// The four bytes every Kubernetes protobuf body starts with: `k8s\0`.
pub const MAGIC: [u8; 4] = *b"k8s\0";

/// The apiVersion/kind pairs [`decode`] turns into JSON.
pub use tables::KINDS;

/// Why a protobuf body could not be decoded. `Display` is the decoder's own error text (what
/// Go's `Serializer.Decode` returns); [`ProtoError::bad_request_message`] wraps it the way the
/// API server's handlers do for the 400 `Status`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtoError {
    /// A zero-length body.
    #[error("empty data")]
    Empty,
    #[error(
        "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"
    )]
    NoMagic,
    /// The magic and nothing after it.
    #[error("empty body")]
    EmptyBody,
    /// Malformed protobuf (envelope or message), or a value Go's JSON encoder refuses.
    #[error("{0}")]
    Decode(String),
    /// The envelope names no kind (and no default was given).
    #[error("Object 'Kind' is missing in '{}'", go_type_meta(.api_version, .kind))]
    MissingKind { api_version: String, kind: String },
    /// The envelope names no version (and no default was given).
    #[error("Object 'apiVersion' is missing in '{}'", go_type_meta(.api_version, .kind))]
    MissingVersion { api_version: String, kind: String },
    /// A kind this server does not decode; the text is the scheme's, as for any unknown kind.
    #[error(
        "no kind {} is registered for version {} in scheme \"k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30\"",
        error::go_quote(.kind),
        error::go_quote(.api_version)
    )]
    UnsupportedKind { api_version: String, kind: String },
}

/// A type as `apiVersion` + `kind`: the endpoint's, given as default to [`decode_as`], or the
/// envelope's (after defaulting), which the API server's error message names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gvk {
    /// `v1`, `apps/v1`, …
    pub api_version: String,
    pub kind: String,
}

/// A decode failure with what the envelope said, for [`ProtoError::bad_request_message`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{error}")]
pub struct DecodeFailure {
    pub error: ProtoError,
    /// The envelope's (defaulted) type, when it was read.
    pub gvk: Option<Gvk>,
}

impl ProtoError {
    /// The message of the API server's 400 `BadRequest` for this error on an endpoint serving
    /// `endpoint_kind` (`transformDecodeError` in apiserver's `handlers/rest.go`).
    pub fn bad_request_message(
        &self,
        gvk: Option<&Gvk>,
        endpoint_kind: &str,
        body: &[u8],
    ) -> String {
        match gvk {
            Some(g) if !g.kind.is_empty() => format!(
                "{} in version {:?} cannot be handled as a {endpoint_kind}: {self}",
                g.kind,
                version_of(&g.api_version)
            ),
            _ => format!(
                "the object provided is unrecognized (must be of type {endpoint_kind}): {self} ({})",
                summarize(body)
            ),
        }
    }
}

impl DecodeFailure {
    /// [`ProtoError::bad_request_message`] with the envelope's type.
    pub fn bad_request_message(&self, endpoint_kind: &str, body: &[u8]) -> String {
        self.error
            .bad_request_message(self.gvk.as_ref(), endpoint_kind, body)
    }

    /// The 400 `BadRequest` the API server answers with, for the handler's `Status`.
    pub fn api_error(&self, endpoint_kind: &str, body: &[u8]) -> kubedrill_sim::ApiError {
        kubedrill_sim::ApiError::BadRequest(self.bad_request_message(endpoint_kind, body))
    }
}

/// `summarizeData(body, 30)`: the first 30 bytes, as text for JSON, else hex.
fn summarize(body: &[u8]) -> String {
    const MAX: usize = 30;
    let cut = &body[..body.len().min(MAX)];
    let more = if body.len() > MAX { " ..." } else { "" };
    match body.first() {
        None => "<empty>".to_owned(),
        Some(b'{') => format!("{}{more}", String::from_utf8_lossy(cut)),
        Some(_) => {
            let hex: String = cut.iter().map(|b| format!("{b:02x}")).collect();
            format!("{hex}{more}")
        }
    }
}

/// Go's `%#v` of a `runtime.TypeMeta`.
fn go_type_meta(api_version: &str, kind: &str) -> String {
    format!(
        "runtime.TypeMeta{{APIVersion:{}, Kind:{}}}",
        error::go_quote(api_version),
        error::go_quote(kind)
    )
}

/// `schema.ParseGroupVersion`: `(group, version)`; `None` for more than one `/`.
fn parse_group_version(gv: &str) -> Option<(&str, &str)> {
    if gv.is_empty() || gv == "/" {
        return Some(("", ""));
    }
    match gv.matches('/').count() {
        0 => Some(("", gv)),
        1 => gv.split_once('/'),
        _ => None,
    }
}

fn version_of(api_version: &str) -> &str {
    parse_group_version(api_version).map_or("", |(_, v)| v)
}

fn join_group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    }
}

/// Decode a whole request body to the JSON object (with `apiVersion` and `kind`).
pub fn decode(body: &[u8]) -> Result<Value, ProtoError> {
    decode_as(body, None).map_err(|f| f.error)
}

/// [`decode`] with the endpoint's type as default for what the envelope leaves out (the
/// server's `copyKindDefaults`), keeping the envelope's type for the error message.
pub fn decode_as(body: &[u8], default: Option<&Gvk>) -> Result<Value, DecodeFailure> {
    let fail = |error, gvk| DecodeFailure { error, gvk };
    if body.is_empty() {
        return Err(fail(ProtoError::Empty, None));
    }
    if body.len() < MAGIC.len() || body[..MAGIC.len()] != MAGIC {
        return Err(fail(ProtoError::NoMagic, None));
    }
    if body.len() == MAGIC.len() {
        return Err(fail(ProtoError::EmptyBody, None));
    }
    let unknown = tables::pb::runtime::Unknown::decode(&body[MAGIC.len()..])
        .map_err(|e| fail(error::from_prost(&e, "Unknown"), None))?;
    let meta = unknown.type_meta.unwrap_or_default();
    let raw_api_version = meta.api_version.unwrap_or_default();
    let raw_kind = meta.kind.unwrap_or_default();

    // runtime.Unknown.GroupVersionKind: an unparsable apiVersion counts as none.
    let (mut group, mut version) = parse_group_version(&raw_api_version).unwrap_or(("", ""));
    let mut kind = raw_kind.as_str();
    if let Some(d) = default {
        if kind.is_empty() {
            kind = &d.kind;
        }
        if version.is_empty()
            && let Some((g, v)) = parse_group_version(&d.api_version)
            && !v.is_empty()
        {
            group = g;
            version = v;
        }
    }
    let gvk = Gvk {
        api_version: join_group_version(group, version),
        kind: kind.to_owned(),
    };
    if kind.is_empty() {
        let error = ProtoError::MissingKind {
            api_version: raw_api_version,
            kind: raw_kind,
        };
        return Err(fail(error, Some(gvk)));
    }
    if version.is_empty() {
        let error = ProtoError::MissingVersion {
            api_version: raw_api_version,
            kind: raw_kind,
        };
        return Err(fail(error, Some(gvk)));
    }
    let raw = unknown.raw.unwrap_or_default();
    let Some(converted) = tables::decode_kind(&gvk.api_version, &gvk.kind, &raw) else {
        let error = ProtoError::UnsupportedKind {
            api_version: gvk.api_version.clone(),
            kind: gvk.kind.clone(),
        };
        return Err(fail(error, Some(gvk)));
    };
    let fields = converted.map_err(|e| fail(e, Some(gvk.clone())))?;
    // TypeMeta first, as Go writes it; the rest as converted.
    let mut obj = serde_json::Map::with_capacity(fields.len() + 2);
    obj.insert("kind".to_owned(), Value::String(gvk.kind));
    obj.insert("apiVersion".to_owned(), Value::String(gvk.api_version));
    obj.extend(fields);
    Ok(Value::Object(obj))
}

/// The `runtime.Unknown` envelope around an already encoded message, with the magic: what a
/// Go client sends. For tests and tools that need to produce protobuf bodies.
pub fn envelope(api_version: &str, kind: &str, raw: Vec<u8>) -> Vec<u8> {
    let unknown = tables::pb::runtime::Unknown {
        type_meta: Some(tables::pb::runtime::TypeMeta {
            api_version: Some(api_version.to_owned()),
            kind: Some(kind.to_owned()),
        }),
        raw: Some(raw),
        content_encoding: Some(String::new()),
        content_type: Some(String::new()),
    };
    let mut out = MAGIC.to_vec();
    out.extend(unknown.encode_to_vec());
    out
}
