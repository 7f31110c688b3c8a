//! A snapshot of the cluster the grader judges: the objects as seeded and as they are now, as
//! plain JSON, with the few lookups checks need (by kind/namespace/name, ownership, selectors).

use serde_json::{Map, Value};

/// Objects as seeded (for invariants) and as they are now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub seeded: Vec<Value>,
    pub current: Vec<Value>,
}

fn is(obj: &Value, kind: &str, namespace: Option<&str>) -> bool {
    obj["kind"].as_str() == Some(kind)
        && namespace.is_none_or(|ns| obj["metadata"]["namespace"].as_str() == Some(ns))
}

/// The object `kind` `namespace/name` in `objs`.
pub fn find<'a>(
    objs: &'a [Value],
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> Option<&'a Value> {
    objs.iter()
        .find(|o| is(o, kind, namespace) && o["metadata"]["name"].as_str() == Some(name))
}

impl Snapshot {
    pub fn get(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Value> {
        find(&self.current, kind, namespace, name)
    }

    pub fn seeded(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Value> {
        find(&self.seeded, kind, namespace, name)
    }

    /// Every current object of `kind` (in `namespace`, when given).
    pub fn list<'a>(
        &'a self,
        kind: &'a str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Value> {
        self.current.iter().filter(move |o| is(o, kind, namespace))
    }

    /// Pods owned by `owner` (`Deployment/web`, `ReplicaSet/x`, `StatefulSet/db`, `Pod/p`) in
    /// `namespace`, following Deployment → ReplicaSet → Pod by uid.
    pub fn pods_of<'a>(&'a self, namespace: &'a str, owner: &str) -> Vec<&'a Value> {
        let Some((kind, name)) = owner.split_once('/') else {
            return Vec::new();
        };
        if kind == "Pod" {
            return self.get("Pod", Some(namespace), name).into_iter().collect();
        }
        let Some(top) = self.get(kind, Some(namespace), name) else {
            return Vec::new();
        };
        let mut owners = vec![uid(top).to_string()];
        if kind == "Deployment" {
            owners = self
                .list("ReplicaSet", Some(namespace))
                .filter(|rs| owned_by(rs, uid(top)))
                .map(|rs| uid(rs).to_string())
                .collect();
        }
        self.list("Pod", Some(namespace))
            .filter(|p| owners.iter().any(|o| owned_by(p, o)))
            .collect()
    }
}

pub fn uid(obj: &Value) -> &str {
    obj["metadata"]["uid"].as_str().unwrap_or_default()
}

fn owned_by(obj: &Value, owner_uid: &str) -> bool {
    obj["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["uid"].as_str() == Some(owner_uid)))
}

pub fn labels(obj: &Value) -> Option<&Map<String, Value>> {
    obj["metadata"]["labels"].as_object()
}

/// A Service-style selector (equality on every key) matches these labels.
pub fn selects(selector: &Map<String, Value>, labels: Option<&Map<String, Value>>) -> bool {
    !selector.is_empty()
        && selector
            .iter()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// `a=b,c=d`, as kubectl prints selectors.
pub fn selector_text(selector: &Map<String, Value>) -> String {
    selector
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(",")
}

/// The pod's Ready condition is True and it is not being deleted.
pub fn pod_ready(pod: &Value) -> bool {
    pod["metadata"]["deletionTimestamp"].is_null()
        && pod["status"]["conditions"].as_array().is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

/// A dotted path into an object: `spec.ports.0.nodePort`; `\.` is a dot inside a key, as in
/// kubectl's JSONPath (`metadata.labels.kubernetes\.io/service-name`).
pub fn at_path<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    path_segments(path).iter().try_fold(obj, |v, seg| match v {
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        Value::Object(m) => m.get(seg.as_str()),
        _ => None,
    })
}

/// The keys of a dotted path, with `\.` unescaped.
pub fn path_segments(path: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                chars.next();
                if let Some(s) = out.last_mut() {
                    s.push('.');
                }
            }
            '.' => out.push(String::new()),
            c => {
                if let Some(s) = out.last_mut() {
                    s.push(c);
                }
            }
        }
    }
    out
}
