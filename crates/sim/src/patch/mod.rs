//! Patch semantics: JSON merge patch (RFC 7396), JSON patch (RFC 6902) and strategic merge
//! patch with the patchMergeKey tables of the stored kinds (KUBECTL-CONTRACT §10).
//!
//! Pure functions over JSON: `apply(kind, original, type, patch)` gives the patched object or a
//! `BadRequest`/`Invalid` error as the API server words it.

mod merge;
mod strategic;

use serde_json::Value;

use crate::error::ApiError;
use crate::kinds::Kind;

pub use merge::merge_patch;
pub use strategic::strategic_merge_patch;

/// The patch content types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/merge-patch+json`
    Merge,
    /// `application/json-patch+json`
    Json,
    /// `application/strategic-merge-patch+json`
    Strategic,
}

impl PatchType {
    pub fn from_content_type(ct: &str) -> Option<PatchType> {
        match ct.split(';').next().unwrap_or("").trim() {
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/json-patch+json" => Some(PatchType::Json),
            "application/strategic-merge-patch+json" => Some(PatchType::Strategic),
            _ => None,
        }
    }
}

/// Apply a patch to `original` (an object of `kind`).
pub fn apply(
    kind: Kind,
    original: &Value,
    patch_type: PatchType,
    patch: &Value,
) -> Result<Value, ApiError> {
    match patch_type {
        PatchType::Merge => {
            if !patch.is_object() {
                return Err(ApiError::BadRequest(
                    "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}"
                        .into(),
                ));
            }
            Ok(merge_patch(original, patch))
        }
        PatchType::Json => {
            let ops: json_patch::Patch = serde_json::from_value(patch.clone())
                .map_err(|e| ApiError::BadRequest(format!("error decoding patch: {e}")))?;
            let mut doc = original.clone();
            json_patch::patch(&mut doc, &ops).map_err(|e| {
                ApiError::invalid(
                    kind,
                    crate::meta::name(original),
                    vec![crate::error::FieldError::new(
                        crate::error::FieldErrorType::Invalid,
                        "",
                        Value::Null,
                        e.to_string(),
                    )],
                )
            })?;
            Ok(doc)
        }
        PatchType::Strategic => strategic_merge_patch(kind, original, patch),
    }
}
