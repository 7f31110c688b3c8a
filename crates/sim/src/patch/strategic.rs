//! Strategic merge patch (apimachinery `strategicpatch`): merge-by-key lists per the
//! patchMergeKey table of each kind, and the `$patch`, `$retainKeys`, `$setElementOrder` and
//! `$deleteFromPrimitiveList` directives kubectl sends.

use serde_json::Value;

use crate::error::ApiError;
use crate::kinds::Kind;

pub fn strategic_merge_patch(
    _kind: Kind,
    original: &Value,
    patch: &Value,
) -> Result<Value, ApiError> {
    // Placeholder until the keyed-list table lands: behaves as a merge patch.
    Ok(super::merge_patch(original, patch))
}
