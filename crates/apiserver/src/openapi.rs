//! `/openapi/v3`: the index of group-versions and one OpenAPI v3 document per group-version
//! (KUBECTL-CONTRACT §4). Today the documents carry the PATCH operation of every resource with
//! its `fieldValidation` parameter and no schemas: that is what makes `kubectl apply`, `create
//! -f`, `replace` and `edit` delegate validation to this server (which validates strictly, see
//! `fields.rs`) and compute patches from kubectl's compiled-in types (§4.1–4.2, observed).
//! `kubectl explain` needs real `components.schemas`, generated from k8s-openapi: not yet.

use kubedrill_sim::Kind;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// `api/v1`, `apis/apps/v1`, …: the path of a kind's group-version.
fn gv_path(kind: Kind) -> String {
    if kind.group().is_empty() {
        format!("api/{}", kind.api_version())
    } else {
        format!("apis/{}", kind.api_version())
    }
}

struct Docs {
    index: Value,
    docs: BTreeMap<String, Value>,
}

fn build() -> Docs {
    let mut docs: BTreeMap<String, Value> = BTreeMap::new();
    for kind in Kind::ALL {
        let gv = gv_path(kind);
        let doc = docs.entry(gv.clone()).or_insert_with(|| {
            json!({
                "openapi": "3.0.0",
                "info": {"title": "Kubernetes", "version": "v1.35.0"},
                "components": {"schemas": {}},
                "paths": {}
            })
        });
        let path = if kind.namespaced() {
            format!("/{gv}/namespaces/{{namespace}}/{}/{{name}}", kind.plural())
        } else {
            format!("/{gv}/{}/{{name}}", kind.plural())
        };
        let version = kind.version();
        doc["paths"][path] = json!({"patch": {
            "x-kubernetes-group-version-kind": {"group": kind.group(), "version": version, "kind": kind.name()},
            "x-kubernetes-action": "patch",
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}}],
            "responses": {"200": {"description": "OK"}}
        }});
    }
    let mut paths = serde_json::Map::new();
    for (gv, doc) in &docs {
        // FNV-1a of the document: the hash kubectl uses as its cache key.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in doc.to_string().bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        paths.insert(
            gv.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{gv}?hash={h:016X}")}),
        );
    }
    Docs {
        index: json!({"paths": paths}),
        docs,
    }
}

fn docs() -> &'static Docs {
    static DOCS: OnceLock<Docs> = OnceLock::new();
    DOCS.get_or_init(build)
}

/// `GET /openapi/v3`: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}`.
pub fn index() -> Value {
    docs().index.clone()
}

/// `GET /openapi/v3/<path>` (`api/v1`, `apis/apps/v1`, …); `None` for an unknown path (404).
pub fn document(path: &str) -> Option<Value> {
    docs().docs.get(path.trim_matches('/')).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_lists_every_served_group_version_with_a_hash() {
        let idx = index();
        for gv in [
            "api/v1",
            "apis/apps/v1",
            "apis/discovery.k8s.io/v1",
            "apis/networking.k8s.io/v1",
        ] {
            let url = idx["paths"][gv]["serverRelativeURL"]
                .as_str()
                .unwrap_or_default();
            assert!(
                url.starts_with(&format!("/openapi/v3/{gv}?hash=")),
                "{gv}: {url}"
            );
        }
    }

    #[test]
    fn patch_operations_advertise_field_validation_for_server_side_validation() {
        let doc = document("api/v1").expect("api/v1");
        let op = &doc["paths"]["/api/v1/namespaces/{namespace}/services/{name}"]["patch"];
        assert_eq!(op["x-kubernetes-group-version-kind"]["kind"], "Service");
        assert_eq!(op["parameters"][0]["name"], "fieldValidation");
        // No requestBody: kubectl then computes patches from its compiled-in types (§4.2).
        assert!(op.get("requestBody").is_none());
        let apps = document("apis/apps/v1").expect("apps");
        assert_eq!(
            apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]["x-kubernetes-group-version-kind"]
                ["group"],
            "apps"
        );
        assert!(document("apis/nope/v1").is_none());
    }
}
