//! Patch semantics: JSON merge patch (RFC 7396), JSON patch (RFC 6902), strategic merge
//! patch with the patchMergeKey tables of the stored kinds, and the merge of server-side apply
//! (KUBECTL-CONTRACT §10).
//!
//! Pure functions over JSON: `apply(kind, original, type, patch)` gives the patched object or a
//! `BadRequest`/`Invalid` error as the API server words it.

mod apply;
mod goerr;
mod merge;
mod order;
mod schema;
mod strategic;

use serde_json::Value;

use crate::error::ApiError;
use crate::kinds::Kind;

pub use apply::apply_patch;
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
            match patch {
                Value::Object(_) => {}
                // evanphx/json-patch's MergePatch refuses a null document (errBadJSONPatch).
                Value::Null => return Err(ApiError::BadRequest("Invalid JSON Patch".into())),
                other => {
                    return Err(ApiError::BadRequest(format!(
                        "error decoding patch: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                        goerr::json_kind(other)
                    )));
                }
            }
            Ok(merge_patch(original, patch))
        }
        PatchType::Json => json_patch_apply(original, patch),
        PatchType::Strategic => strategic_merge_patch(kind, original, patch),
    }
}

/// JSON patch as the API server applies it (`evanphx/json-patch` in `handlers/patch.go`): a
/// body that does not decode as a list of operations is a 400 with the decoder's text; an
/// operation that does not apply (a failed `test`, a missing path, an unknown `op`) is a bare
/// 422 whose message never says which.
fn json_patch_apply(original: &Value, patch: &Value) -> Result<Value, ApiError> {
    let Value::Array(ops) = patch else {
        return Err(ApiError::BadRequest(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            goerr::json_kind(patch)
        )));
    };
    if let Some(bad) = ops.iter().find(|op| !op.is_object()) {
        return Err(ApiError::BadRequest(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
            goerr::json_kind(bad)
        )));
    }
    // Go decodes each operation lazily; anything serde refuses here fails at apply time there.
    let ops: json_patch::Patch =
        serde_json::from_value(patch.clone()).map_err(|_| goerr::rejected())?;
    let mut doc = original.clone();
    json_patch::patch(&mut doc, &ops).map_err(|_| goerr::rejected())?;
    Ok(doc)
}
