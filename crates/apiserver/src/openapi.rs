//! `/openapi/v3`: the index of group-versions and one OpenAPI v3 document per group-version,
//! generated from k8s-openapi's own types (KUBECTL-CONTRACT §4) — enough for `kubectl apply`'s
//! validation and patch computation, and for `kubectl explain`.
//!
//! Documents are built once (first use) and kept as serialized bytes; each one's hash is the
//! SHA-512 of those bytes in upper-case hex, as kube-openapi's `handler3` computes it. The
//! server should answer `GET /openapi/v3/<path>?hash=<other>` with a 301 to
//! [`server_relative_url`], and with a matching hash add `Cache-Control: public, immutable`.
//!
//! Module map:
//! - `catalog` — served group-versions and resources (from the simulator's kinds).
//! - `schemas` — `components.schemas` from k8s-openapi's `schemars` schemas.
//! - `paths`   — the REST operations with `x-kubernetes-action` / GVK extensions.
//! - `ext`     — the `x-kubernetes-*` strategic-merge extensions laid onto the schemas.
//! - `gen_ext` — their table, generated from the Go types by `tools/gen_k8s_tables.py`.

mod catalog;
mod ext;
#[rustfmt::skip]
mod gen_ext;
mod paths;
mod schemas;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use serde_json::{Value, json};
use sha2::{Digest, Sha512};

/// The `info.version` of every document: the version the simulated cluster reports.
pub const KUBERNETES_VERSION: &str = "v1.35.0";

/// One built document.
struct Doc {
    value: Value,
    bytes: Vec<u8>,
    hash: String,
}

struct Docs {
    /// Keyed by `api/v1`, `apis/apps/v1`, ….
    by_path: BTreeMap<String, Doc>,
    index: Value,
    index_bytes: Vec<u8>,
}

fn sha512_hex(bytes: &[u8]) -> String {
    let digest = Sha512::digest(bytes);
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(out, "{b:02X}");
    }
    out
}

fn render(gv: &catalog::GroupVersion) -> Value {
    json!({
        "components": { "schemas": schemas::components(gv) },
        "info": { "title": "Kubernetes", "version": KUBERNETES_VERSION },
        "openapi": "3.0.0",
        "paths": paths::paths(gv),
    })
}

fn build() -> Docs {
    let mut by_path = BTreeMap::new();
    for gv in catalog::group_versions() {
        let value = render(&gv);
        let bytes = value.to_string().into_bytes();
        let hash = sha512_hex(&bytes);
        by_path.insert(gv.path, Doc { value, bytes, hash });
    }
    let mut paths = serde_json::Map::new();
    for (path, doc) in &by_path {
        paths.insert(
            path.clone(),
            json!({ "serverRelativeURL": format!("/openapi/v3/{path}?hash={}", doc.hash) }),
        );
    }
    let index = json!({ "paths": paths });
    let index_bytes = index.to_string().into_bytes();
    Docs {
        by_path,
        index,
        index_bytes,
    }
}

fn docs() -> &'static Docs {
    static DOCS: OnceLock<Docs> = OnceLock::new();
    DOCS.get_or_init(build)
}

fn doc(path: &str) -> Option<&'static Doc> {
    docs().by_path.get(path.trim_matches('/'))
}

/// `GET /openapi/v3`: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}`.
pub fn index() -> Value {
    docs().index.clone()
}

/// [`index`], serialized.
pub fn index_bytes() -> &'static [u8] {
    &docs().index_bytes
}

/// The index's own ETag (kube-openapi hashes the index bytes the same way).
pub fn index_hash() -> String {
    sha512_hex(index_bytes())
}

/// `GET /openapi/v3/<path>` (`api/v1`, `apis/apps/v1`, …); `None` for an unknown path (404).
pub fn document(path: &str) -> Option<Value> {
    doc(path).map(|d| d.value.clone())
}

/// [`document`], serialized: what to send.
pub fn document_bytes(path: &str) -> Option<&'static [u8]> {
    doc(path).map(|d| d.bytes.as_slice())
}

/// The document's hash (its ETag and `?hash=` value).
pub fn document_hash(path: &str) -> Option<&'static str> {
    doc(path).map(|d| d.hash.as_str())
}

/// `/openapi/v3/<path>?hash=<hash>`: where the index points for `path`.
pub fn server_relative_url(path: &str) -> Option<String> {
    let path = path.trim_matches('/');
    document_hash(path).map(|h| format!("/openapi/v3/{path}?hash={h}"))
}

/// Build `path`'s document afresh, bypassing the cache (what [`document_bytes`] serves was
/// built the same way, once).
pub fn render_document(path: &str) -> Option<Vec<u8>> {
    let path = path.trim_matches('/');
    catalog::group_versions()
        .into_iter()
        .find(|gv| gv.path == path)
        .map(|gv| render(&gv).to_string().into_bytes())
}

/// The group-version paths served, sorted.
pub fn paths() -> Vec<&'static str> {
    docs().by_path.keys().map(String::as_str).collect()
}
