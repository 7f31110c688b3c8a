//! URL shapes (KUBECTL-CONTRACT §2.1): which endpoint a request path names — discovery,
//! OpenAPI, health, or a resource collection / object / subresource of a `Kind`.

use kubedrill_sim::Kind;

/// What a path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Version,
    Health(&'static str),
    /// `/api`
    Api,
    /// `/apis`
    Apis,
    /// `/apis/<group>`
    ApiGroup(String),
    /// `/api/v1` or `/apis/<group>/<version>`
    GroupVersion {
        group: String,
    },
    OpenApiV3Index,
    OpenApiV3Doc(String),
    Resource(Target),
    NotFound,
}

/// A resource collection, object or subresource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: Kind,
    /// `None`: cluster-scoped kind, or a namespaced kind listed across all namespaces.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
}

/// The groups served, with their one version.
pub const GROUPS: [&str; 3] = ["apps", "discovery.k8s.io", "networking.k8s.io"];

/// Parse a request path (without the query).
pub fn route(path: &str) -> Route {
    let trimmed = path.trim_end_matches('/');
    match trimmed {
        "/version" => return Route::Version,
        "/healthz" => return Route::Health("healthz"),
        "/livez" => return Route::Health("livez"),
        "/readyz" => return Route::Health("readyz"),
        "/api" => return Route::Api,
        "/apis" => return Route::Apis,
        "/openapi/v3" => return Route::OpenApiV3Index,
        _ => {}
    }
    if let Some(doc) = trimmed.strip_prefix("/openapi/v3/") {
        return Route::OpenApiV3Doc(doc.to_string());
    }
    let segs: Vec<&str> = trimmed.trim_start_matches('/').split('/').collect();
    let (group, rest) = match segs.as_slice() {
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", g] if GROUPS.contains(g) => return Route::ApiGroup((*g).to_string()),
        ["apis", g, "v1", rest @ ..] if GROUPS.contains(g) => (*g, rest),
        _ => return Route::NotFound,
    };
    if rest.is_empty() {
        return Route::GroupVersion {
            group: group.to_string(),
        };
    }
    if rest.iter().any(|s| s.is_empty()) {
        return Route::NotFound;
    }
    let target = match rest {
        // `namespaces/<ns>/<plural>[/<name>[/<sub>]]` when <plural> is a namespaced kind.
        ["namespaces", ns, plural, tail @ ..]
            if tail.len() <= 2
                && Kind::from_plural(group, plural).is_some_and(Kind::namespaced) =>
        {
            Kind::from_plural(group, plural).map(|kind| Target {
                kind,
                namespace: Some((*ns).to_string()),
                name: tail.first().map(|s| (*s).to_string()),
                sub: tail.get(1).map(|s| (*s).to_string()),
            })
        }
        [plural, tail @ ..] if tail.len() <= 2 => {
            Kind::from_plural(group, plural).and_then(|kind| {
                // A namespaced object is only addressable under its namespace.
                if kind.namespaced() && !tail.is_empty() {
                    return None;
                }
                Some(Target {
                    kind,
                    namespace: None,
                    name: tail.first().map(|s| (*s).to_string()),
                    sub: tail.get(1).map(|s| (*s).to_string()),
                })
            })
        }
        _ => None,
    };
    target.map_or(Route::NotFound, Route::Resource)
}

/// The subresources a kind serves (and advertises in discovery).
pub fn subresources(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Namespace => &["status", "finalize"],
        Kind::Node => &["status", "proxy"],
        Kind::Pod => &[
            "status",
            "log",
            "exec",
            "attach",
            "portforward",
            "binding",
            "eviction",
            "ephemeralcontainers",
        ],
        Kind::Service => &["status", "proxy"],
        Kind::ServiceAccount => &["token"],
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet => &["scale", "status"],
        Kind::Ingress => &["status"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(kind: Kind, ns: Option<&str>, name: Option<&str>, sub: Option<&str>) -> Route {
        Route::Resource(Target {
            kind,
            namespace: ns.map(String::from),
            name: name.map(String::from),
            sub: sub.map(String::from),
        })
    }

    #[test]
    fn url_shapes_of_contract_2_1() {
        assert_eq!(route("/api/v1/pods"), t(Kind::Pod, None, None, None));
        assert_eq!(
            route("/api/v1/nodes/n1"),
            t(Kind::Node, None, Some("n1"), None)
        );
        assert_eq!(
            route("/api/v1/namespaces/default"),
            t(Kind::Namespace, None, Some("default"), None)
        );
        assert_eq!(
            route("/api/v1/namespaces/default/status"),
            t(Kind::Namespace, None, Some("default"), Some("status"))
        );
        assert_eq!(
            route("/api/v1/namespaces/ns/pods/p/log"),
            t(Kind::Pod, Some("ns"), Some("p"), Some("log"))
        );
        assert_eq!(
            route("/apis/apps/v1/namespaces/ns/deployments"),
            t(Kind::Deployment, Some("ns"), None, None)
        );
        assert_eq!(route("/api/v1/pods/x"), Route::NotFound);
        // Not a node collection: a namespace subresource the handler refuses with 404.
        assert_ne!(
            route("/api/v1/namespaces/a/nodes"),
            t(Kind::Node, Some("a"), None, None)
        );
        assert_eq!(route("/apis/apps/v2/deployments"), Route::NotFound);
        assert_eq!(
            route("/apis/apps/v1"),
            Route::GroupVersion {
                group: "apps".into()
            }
        );
        assert_eq!(route("/api/v1/namespaces/a/pods/b/c/d"), Route::NotFound);
    }
}
