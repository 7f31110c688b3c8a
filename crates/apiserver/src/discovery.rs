//! Discovery (KUBECTL-CONTRACT §3): `/version`, the legacy `/api`, `/api/v1`, `/apis`,
//! `/apis/<g>`, `/apis/<g>/<v>` documents and the aggregated `apidiscovery.k8s.io/v2` ones,
//! built from the sim's `Kind` table plus the short names, categories and subresources a real
//! 1.35 server advertises.

use kubedrill_sim::Kind;
use serde_json::{Value, json};

use crate::path::{GROUPS, subresources};

/// The `Content-Type` of an aggregated discovery answer.
pub const AGGREGATED_CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// `GET /version` for a cluster whose `gitVersion` is `git_version` (`v1.35.0` by default:
/// minor 35 also makes the machine's gcloud kubectl dispatcher run its built-in v1.32 client,
/// KUBECTL-CONTRACT §0.5).
pub fn version(git_version: &str) -> Value {
    let mut parts = git_version.trim_start_matches('v').split('.');
    let major = parts.next().unwrap_or("1");
    let minor = parts.next().unwrap_or("0");
    let compat = minor
        .parse::<u32>()
        .map_or(String::new(), |m| m.saturating_sub(1).to_string());
    json!({
        "major": major, "minor": minor,
        "emulationMajor": major, "emulationMinor": minor,
        "minCompatibilityMajor": major, "minCompatibilityMinor": compat,
        "gitVersion": git_version,
        "gitCommit": "66452049f3d692768c39c797b21b793dce80314e",
        "gitTreeState": "clean",
        "buildDate": "2025-12-17T12:32:06Z",
        "goVersion": "go1.25.5", "compiler": "gc", "platform": "linux/amd64",
    })
}

/// Whether an `Accept` header asks for the aggregated v2 document (parameters in any order).
pub fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let params: Vec<&str> = range.split(';').map(str::trim).collect();
        params.contains(&"g=apidiscovery.k8s.io")
            && params.contains(&"v=v2")
            && params.contains(&"as=APIGroupDiscoveryList")
    })
}

pub fn short_names(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Namespace => &["ns"],
        Kind::Node => &["no"],
        Kind::Pod => &["po"],
        Kind::Service => &["svc"],
        Kind::Endpoints => &["ep"],
        Kind::Event => &["ev"],
        Kind::ConfigMap => &["cm"],
        Kind::ServiceAccount => &["sa"],
        Kind::Deployment => &["deploy"],
        Kind::ReplicaSet => &["rs"],
        Kind::StatefulSet => &["sts"],
        Kind::Ingress => &["ing"],
        Kind::NetworkPolicy => &["netpol"],
        Kind::EndpointSlice | Kind::IngressClass => &[],
    }
}

fn categories(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pod | Kind::Service | Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet => {
            &["all"]
        }
        _ => &[],
    }
}

fn verbs(kind: Kind) -> Vec<&'static str> {
    let mut v = vec![
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    ];
    if kind == Kind::Namespace {
        v.retain(|x| *x != "deletecollection");
    }
    v
}

/// A subresource's (group, version, kind, verbs).
fn sub_identity(
    kind: Kind,
    sub: &str,
) -> (&'static str, &'static str, &'static str, Vec<&'static str>) {
    let own = (kind.group(), kind.version(), kind.name());
    let gup = vec!["get", "patch", "update"];
    match sub {
        "scale" => ("autoscaling", "v1", "Scale", gup),
        "log" => ("", "v1", "Pod", vec!["get"]),
        "exec" => ("", "v1", "PodExecOptions", vec!["create", "get"]),
        "attach" => ("", "v1", "PodAttachOptions", vec!["create", "get"]),
        "portforward" => ("", "v1", "PodPortForwardOptions", vec!["create", "get"]),
        "binding" => ("", "v1", "Binding", vec!["create"]),
        "eviction" => ("policy", "v1", "Eviction", vec!["create"]),
        "proxy" if kind == Kind::Node => (
            "",
            "v1",
            "NodeProxyOptions",
            vec!["create", "delete", "get", "patch", "update"],
        ),
        "proxy" => (
            "",
            "v1",
            "ServiceProxyOptions",
            vec!["create", "delete", "get", "patch", "update"],
        ),
        "token" => (
            "authentication.k8s.io",
            "v1",
            "TokenRequest",
            vec!["create"],
        ),
        "finalize" => ("", "v1", "Namespace", vec!["update"]),
        _ => (own.0, own.1, own.2, gup),
    }
}

fn kinds_of(group: &str) -> impl Iterator<Item = Kind> + '_ {
    Kind::ALL.into_iter().filter(move |k| k.group() == group)
}

fn scope(kind: Kind) -> &'static str {
    if kind.namespaced() {
        "Namespaced"
    } else {
        "Cluster"
    }
}

fn group_version(group: &str) -> String {
    if group.is_empty() {
        "v1".into()
    } else {
        format!("{group}/v1")
    }
}

/// `GET /api` (legacy).
pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn api_group(group: &str) -> Value {
    let gv = json!({"groupVersion": group_version(group), "version": "v1"});
    json!({"name": group, "versions": [gv.clone()], "preferredVersion": gv})
}

/// `GET /apis` (legacy).
pub fn api_group_list() -> Value {
    let groups: Vec<Value> = GROUPS.iter().map(|g| api_group(g)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `GET /apis/<group>`.
pub fn api_group_doc(group: &str) -> Value {
    let mut g = api_group(group);
    g["kind"] = json!("APIGroup");
    g["apiVersion"] = json!("v1");
    g
}

/// `GET /api/v1`, `GET /apis/<g>/v1` (legacy `APIResourceList`).
pub fn resource_list(group: &str) -> Value {
    let mut resources = Vec::new();
    for kind in kinds_of(group) {
        let mut r = json!({
            "name": kind.plural(), "singularName": kind.name().to_lowercase(),
            "namespaced": kind.namespaced(), "kind": kind.name(), "verbs": verbs(kind),
        });
        if !short_names(kind).is_empty() {
            r["shortNames"] = json!(short_names(kind));
        }
        if !categories(kind).is_empty() {
            r["categories"] = json!(categories(kind));
        }
        resources.push(r);
        for sub in subresources(kind) {
            let (g, v, k, verbs) = sub_identity(kind, sub);
            let mut s = json!({
                "name": format!("{}/{sub}", kind.plural()), "singularName": "",
                "namespaced": kind.namespaced(), "kind": k, "verbs": verbs,
            });
            if (g, v) != (kind.group(), kind.version()) {
                s["group"] = json!(g);
                s["version"] = json!(v);
            }
            resources.push(s);
        }
    }
    json!({
        "kind": "APIResourceList", "apiVersion": "v1",
        "groupVersion": group_version(group), "resources": resources,
    })
}

fn aggregated_group(group: &str) -> Value {
    let resources: Vec<Value> = kinds_of(group)
        .map(|kind| {
            let subs: Vec<Value> = subresources(kind)
                .iter()
                .map(|sub| {
                    let (g, v, k, verbs) = sub_identity(kind, sub);
                    json!({
                        "subresource": sub,
                        "responseKind": {"group": g, "version": v, "kind": k},
                        "verbs": verbs,
                    })
                })
                .collect();
            let mut r = json!({
                "resource": kind.plural(),
                "responseKind": {"group": kind.group(), "version": kind.version(), "kind": kind.name()},
                "scope": scope(kind),
                "singularResource": kind.name().to_lowercase(),
                "verbs": verbs(kind),
            });
            if !short_names(kind).is_empty() {
                r["shortNames"] = json!(short_names(kind));
            }
            if !categories(kind).is_empty() {
                r["categories"] = json!(categories(kind));
            }
            if !subs.is_empty() {
                r["subresources"] = Value::Array(subs);
            }
            r
        })
        .collect();
    json!({
        "metadata": {"name": group, "creationTimestamp": null},
        "versions": [{"version": "v1", "resources": resources, "freshness": "Current"}],
    })
}

/// Aggregated `GET /api` (`core == true`) or `GET /apis`.
pub fn aggregated(core: bool) -> Value {
    let items: Vec<Value> = if core {
        vec![aggregated_group("")]
    } else {
        GROUPS.iter().map(|g| aggregated_group(g)).collect()
    };
    json!({
        "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {}, "items": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregated_accept_is_recognised_in_any_parameter_order() {
        assert!(wants_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        ));
        assert!(wants_aggregated(
            "application/json;as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io"
        ));
        assert!(!wants_aggregated("application/json, */*"));
        assert!(!wants_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
        ));
    }
}
