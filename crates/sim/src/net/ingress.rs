//! The ingress-nginx-like controller (SERVICES-SPEC rules 77–82): which Ingresses a controller
//! serves (IngressClass), and which backend a request's host and path reach.
//!
//! Modelled on ingress-nginx v1 (`internal/ingress/controller/store`, `controller.go`):
//! - Class (rule 82): an Ingress with `spec.ingressClassName` is served when that IngressClass
//!   exists and its `spec.controller` is the pod's `--controller-class` (default
//!   `k8s.io/ingress-nginx`), or, with `--ingress-class-by-name`, its name is `--ingress-class`;
//!   otherwise the legacy annotation `kubernetes.io/ingress.class` must equal `--ingress-class`
//!   (default `nginx`); an Ingress with neither is served only with
//!   `--watch-ingress-without-class`. Being the default IngressClass does not make the
//!   controller take class-less Ingresses: the API server's DefaultIngressClass admission fills
//!   `ingressClassName` in on create, so only Ingresses created after the class was marked
//!   default carry it.
//! - Hosts (rule 78) are nginx `server` blocks shared by every served Ingress: an exact host
//!   first, else the longest matching `*.` wildcard, else the catch-all server `_` that holds
//!   the rules without a host. A request for a host some rule names never falls back to
//!   host-less rules. Host is case-insensitive, the `:port` of the Host header is ignored.
//! - Paths (rule 79–80) of all Ingresses for a server are merged: longest path wins, Exact
//!   before Prefix on equal length; a duplicate path is kept from the oldest Ingress.
//!   ImplementationSpecific is nginx's own `location /path` (a character prefix: `/foo` matches
//!   `/foobar`); an empty one means `/`.
//! - When no path matches: the `spec.defaultBackend` of the oldest Ingress that declared the
//!   host (for the `_` server: of the oldest Ingress with a defaultBackend and no rules), else
//!   the controller's 404.

use serde_json::Value;
use std::collections::BTreeSet;

use crate::kinds::Kind;
use crate::meta;
use crate::store::{ObjKey, Store};

/// A Service backend port as an Ingress names it (rule 81): by Service port number or name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendPort {
    Number(u16),
    Name(String),
}

/// Where the controller sends a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A rule (or the Ingress's defaultBackend) matched.
    Backend {
        ingress: ObjKey,
        /// The rule's host and path that matched; both `None` for a defaultBackend.
        host: Option<String>,
        path: Option<String>,
        service: ObjKey,
        port: BackendPort,
    },
    /// Nothing matched: the controller's own default backend answers 404.
    NotFound,
}

pub(crate) mod install;

const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
const CATCH_ALL: &str = "_";

/// The controller's command-line choices that decide which Ingresses it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ControllerFlags {
    ingress_class: String,
    controller_class: String,
    watch_without_class: bool,
    class_by_name: bool,
}

impl ControllerFlags {
    fn of(pod: &Value) -> ControllerFlags {
        let mut f = ControllerFlags {
            ingress_class: "nginx".into(),
            controller_class: "k8s.io/ingress-nginx".into(),
            watch_without_class: false,
            class_by_name: false,
        };
        let words: Vec<&str> = pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|c| {
                ["command", "args"]
                    .into_iter()
                    .filter_map(|k| c.get(k).and_then(Value::as_array))
                    .flatten()
                    .filter_map(Value::as_str)
            })
            .collect();
        for (i, w) in words.iter().enumerate() {
            let Some(flag) = w.strip_prefix("--").or_else(|| w.strip_prefix('-')) else {
                continue;
            };
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (flag, None),
            };
            let value = || {
                inline
                    .map(str::to_string)
                    .or_else(|| words.get(i + 1).map(|s| s.to_string()))
                    .unwrap_or_default()
            };
            // Go's boolean flags take only the `=value` form; a bare flag means true.
            let boolean = || inline.is_none_or(|v| matches!(v, "true" | "1" | "t" | "T" | "TRUE"));
            match name {
                "ingress-class" => f.ingress_class = value(),
                "controller-class" => f.controller_class = value(),
                "watch-ingress-without-class" => f.watch_without_class = boolean(),
                "ingress-class-by-name" => f.class_by_name = boolean(),
                _ => {}
            }
        }
        f
    }

    /// `GetIngressClass` and the IngressClass informer's filter.
    fn serves(&self, store: &Store, ing: &Value) -> bool {
        if let Some(name) = meta::at(ing, &["spec", "ingressClassName"]).and_then(Value::as_str) {
            return store
                .get_by(Kind::IngressClass, "", name)
                .is_some_and(|class| {
                    meta::str_at(class, &["spec", "controller"]) == self.controller_class
                        || (self.class_by_name && name == self.ingress_class)
                });
        }
        if let Some(class) = meta::annotations(ing)
            .and_then(|a| a.get(CLASS_ANNOTATION))
            .and_then(Value::as_str)
        {
            return class == self.ingress_class;
        }
        self.watch_without_class
    }
}

/// One path of a served Ingress, for the server it belongs to.
struct Location<'a> {
    ingress: &'a Value,
    host: Option<&'a str>,
    path: String,
    kind: PathKind,
    backend: &'a Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathKind {
    Exact,
    Prefix,
    Implementation,
}

/// Route a request that reached the controller pod `controller` (its IngressClass is decided
/// from the pod's args and the IngressClasses' `spec.controller`).
pub fn route(store: &Store, controller: &ObjKey, host: &str, path: &str) -> Route {
    let Some(pod) = store.get(controller) else {
        return Route::NotFound;
    };
    let flags = ControllerFlags::of(pod);
    let mut served: Vec<&Value> = store
        .list(Kind::Ingress, None)
        .map(|i| &**i)
        .filter(|i| flags.serves(store, i))
        .collect();
    // ingress-nginx's sortIngressSlice: oldest first; equal timestamps by namespace/name,
    // descending.
    served.sort_by(|a, b| {
        let ts = |o: &Value| meta::str_at(o, &["metadata", "creationTimestamp"]).to_string();
        let id = |o: &Value| format!("{}/{}", meta::namespace(o), meta::name(o));
        ts(a).cmp(&ts(b)).then_with(|| id(b).cmp(&id(a)))
    });
    let host = normalise_host(host);
    let server = choose_server(&served, &host);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = if path.is_empty() { "/" } else { path };

    let mut best: Option<Location<'_>> = None;
    let mut seen = BTreeSet::new();
    for loc in served.iter().flat_map(|i| locations(i, &server)) {
        // A path already defined for this server by an older Ingress keeps its backend.
        if !seen.insert((loc.path.clone(), loc.kind == PathKind::Exact)) || !matches(&loc, path) {
            continue;
        }
        let better = best.as_ref().is_none_or(|b| {
            loc.path.len() > b.path.len()
                || (loc.path.len() == b.path.len()
                    && loc.kind == PathKind::Exact
                    && b.kind != PathKind::Exact)
        });
        if better {
            best = Some(loc);
        }
    }
    if let Some(loc) = best
        && let Some(r) = backend_route(loc.ingress, loc.host, Some(loc.path), loc.backend)
    {
        return r;
    }
    fallback(&served, &server)
}

fn normalise_host(host: &str) -> String {
    let host = host.trim();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn rule_hosts(ing: &Value) -> impl Iterator<Item = (&Value, String)> {
    ing.pointer("/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            let h = r.get("host").and_then(Value::as_str).unwrap_or("");
            let h = if h.is_empty() {
                CATCH_ALL.to_string()
            } else {
                h.to_ascii_lowercase()
            };
            (r, h)
        })
}

/// nginx's server_name choice: exact, then the longest matching wildcard, then `_`.
fn choose_server(served: &[&Value], host: &str) -> String {
    let hosts: BTreeSet<String> = served
        .iter()
        .flat_map(|i| rule_hosts(i).map(|(_, h)| h))
        .collect();
    if hosts.contains(host) {
        return host.to_string();
    }
    hosts
        .iter()
        .filter(|h| wildcard_matches(h, host))
        .max_by_key(|h| h.len())
        .cloned()
        .unwrap_or_else(|| CATCH_ALL.to_string())
}

/// Rule 78: `*.foo.com` covers exactly one more label.
fn wildcard_matches(pattern: &str, host: &str) -> bool {
    let Some(suffix) = pattern.strip_prefix('*') else {
        return false;
    };
    host.strip_suffix(suffix)
        .is_some_and(|label| !label.is_empty() && !label.contains('.'))
}

fn locations<'a>(ing: &'a Value, server: &str) -> Vec<Location<'a>> {
    let mut out = Vec::new();
    for (rule, h) in rule_hosts(ing) {
        if h != server {
            continue;
        }
        let host = rule
            .get("host")
            .and_then(Value::as_str)
            .filter(|h| !h.is_empty());
        for p in rule
            .pointer("/http/paths")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = match p.get("pathType").and_then(Value::as_str) {
                Some("Exact") => PathKind::Exact,
                Some("Prefix") => PathKind::Prefix,
                _ => PathKind::Implementation,
            };
            let path = p.get("path").and_then(Value::as_str).unwrap_or("");
            let path = if path.is_empty() { "/" } else { path };
            out.push(Location {
                ingress: ing,
                host,
                path: path.to_string(),
                kind,
                backend: p.get("backend").unwrap_or(&Value::Null),
            });
        }
    }
    out
}

/// Rule 79.
fn matches(loc: &Location<'_>, path: &str) -> bool {
    match loc.kind {
        PathKind::Exact => loc.path == path,
        PathKind::Prefix => {
            let p = loc.path.trim_end_matches('/');
            p.is_empty()
                || path == p
                || path
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.starts_with('/'))
        }
        PathKind::Implementation => path.starts_with(loc.path.as_str()),
    }
}

fn fallback(served: &[&Value], server: &str) -> Route {
    // Only the Ingress that first declared a host sets that server's catch-all; the `_`
    // server's comes from an Ingress with a defaultBackend and no rules.
    let owner = if server == CATCH_ALL {
        served
            .iter()
            .find(|i| rule_hosts(i).next().is_none() && default_backend(i).is_some())
    } else {
        served
            .iter()
            .find(|i| rule_hosts(i).any(|(_, h)| h == server))
    };
    owner
        .and_then(|i| default_backend(i).and_then(|b| backend_route(i, None, None, b)))
        .unwrap_or(Route::NotFound)
}

fn default_backend(ing: &Value) -> Option<&Value> {
    ing.pointer("/spec/defaultBackend")
        .filter(|b| b.is_object())
}

/// Rule 81: a Service backend by port number or Service port name; a `resource` backend is
/// not something ingress-nginx proxies to.
fn backend_route(
    ing: &Value,
    host: Option<&str>,
    path: Option<String>,
    backend: &Value,
) -> Option<Route> {
    let svc = backend.get("service")?;
    let name = svc.get("name").and_then(Value::as_str)?;
    let port = svc.get("port")?;
    let port = match (port.get("number").and_then(Value::as_u64), port.get("name")) {
        (Some(n), _) => BackendPort::Number(u16::try_from(n).ok()?),
        (None, Some(Value::String(n))) => BackendPort::Name(n.clone()),
        _ => return None,
    };
    let ns = meta::namespace(ing);
    Some(Route::Backend {
        ingress: ObjKey::new(Kind::Ingress, ns, meta::name(ing)),
        host: host.map(str::to_string),
        path,
        service: ObjKey::new(Kind::Service, ns, name),
        port,
    })
}
