//! The decode step's error text. The API server decodes a body with (a fork of) Go's
//! `encoding/json`, so a value of the wrong JSON type is refused as
//! `json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string`
//! (`encoding/json` `UnmarshalTypeError`: the innermost Go struct, the JSON path without indices,
//! and the Go type). serde knows neither, so this finds the offending value by elimination and
//! names it from a table of the fields learners get wrong; anything else keeps serde's wording.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::kinds::Kind;

/// One step into a JSON document.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn child_mut<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.get_mut(k.as_str())?,
            Step::Index(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

fn child<'a>(v: &'a Value, path: &[Step]) -> Option<&'a Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.get(k.as_str())?,
            Step::Index(i) => cur.get(*i)?,
        };
    }
    Some(cur)
}

/// `v` with the element at `path` removed.
fn without(v: &Value, path: &[Step]) -> Option<Value> {
    let (last, parent) = path.split_last()?;
    let mut out = v.clone();
    match (child_mut(&mut out, parent)?, last) {
        (Value::Object(m), Step::Key(k)) => {
            m.remove(k.as_str());
        }
        (Value::Array(a), Step::Index(i)) if *i < a.len() => {
            a.remove(*i);
        }
        _ => return None,
    }
    Some(out)
}

/// The path of the one value whose removal makes `v` decode, descending while a single child
/// is to blame.
fn locate<T: DeserializeOwned>(v: &Value) -> Vec<Step> {
    let mut path: Vec<Step> = Vec::new();
    // Bounded by the document's depth; the guard only stops a pathological input.
    for _ in 0..64 {
        let Some(node) = child(v, &path) else { break };
        let steps: Vec<Step> = match node {
            Value::Object(m) => m.keys().map(|k| Step::Key(k.clone())).collect(),
            Value::Array(a) => (0..a.len()).map(Step::Index).collect(),
            _ => break,
        };
        let culprit = steps.into_iter().find(|s| {
            let mut p = path.clone();
            p.push(s.clone());
            without(v, &p).is_some_and(|w| serde_json::from_value::<T>(w).is_ok())
        });
        match culprit {
            Some(s) => path.push(s),
            None => break,
        }
    }
    path
}

/// Fields whose value is a map: Go's path stops at the map, not at the key.
const MAP_FIELDS: [&str; 6] = [
    "labels",
    "annotations",
    "matchLabels",
    "data",
    "binaryData",
    "nodeSelector",
];

/// The Go struct holding a field and the field's Go type, by JSON path without indices.
fn go_field(kind: Kind, path: &str) -> Option<(&'static str, &'static str)> {
    let last = path.rsplit('.').next().unwrap_or(path);
    let meta = match path {
        "metadata.name" | "metadata.namespace" | "metadata.generateName" => {
            Some(("ObjectMeta", "string"))
        }
        "metadata.labels" | "metadata.annotations" => Some(("ObjectMeta", "map[string]string")),
        "metadata.finalizers" => Some(("ObjectMeta", "[]string")),
        _ => None,
    };
    if meta.is_some() {
        return meta;
    }
    if path == "spec" {
        return match kind {
            Kind::NetworkPolicy => Some(("NetworkPolicy", "v1.NetworkPolicySpec")),
            Kind::Ingress => Some(("Ingress", "v1.IngressSpec")),
            Kind::IngressClass => Some(("IngressClass", "v1.IngressClassSpec")),
            Kind::Namespace => Some(("Namespace", "v1.NamespaceSpec")),
            Kind::Node => Some(("Node", "v1.NodeSpec")),
            _ => None,
        };
    }
    // Label selectors appear at several depths in a NetworkPolicy.
    if path.contains("matchLabels") {
        return Some(("LabelSelector", "map[string]string"));
    }
    if path.ends_with("matchExpressions.key") {
        return Some(("LabelSelectorRequirement", "string"));
    }
    if path.ends_with("matchExpressions.operator") {
        return Some(("LabelSelectorRequirement", "v1.LabelSelectorOperator"));
    }
    if path.ends_with("matchExpressions.values") {
        return Some(("LabelSelectorRequirement", "[]string"));
    }
    match kind {
        Kind::NetworkPolicy => {
            let in_port =
                path.starts_with("spec.ingress.ports.") || path.starts_with("spec.egress.ports.");
            let in_peer =
                path.starts_with("spec.ingress.from.") || path.starts_with("spec.egress.to.");
            match (path, last) {
                ("spec.policyTypes", _) => Some(("NetworkPolicySpec", "[]v1.PolicyType")),
                ("spec.ingress", _) => Some(("NetworkPolicySpec", "[]v1.NetworkPolicyIngressRule")),
                ("spec.egress", _) => Some(("NetworkPolicySpec", "[]v1.NetworkPolicyEgressRule")),
                ("spec.podSelector", _) => Some(("NetworkPolicySpec", "v1.LabelSelector")),
                ("spec.ingress.from", _) => {
                    Some(("NetworkPolicyIngressRule", "[]v1.NetworkPolicyPeer"))
                }
                ("spec.ingress.ports", _) => {
                    Some(("NetworkPolicyIngressRule", "[]v1.NetworkPolicyPort"))
                }
                ("spec.egress.to", _) => {
                    Some(("NetworkPolicyEgressRule", "[]v1.NetworkPolicyPeer"))
                }
                ("spec.egress.ports", _) => {
                    Some(("NetworkPolicyEgressRule", "[]v1.NetworkPolicyPort"))
                }
                (_, "endPort") if in_port => Some(("NetworkPolicyPort", "int32")),
                (_, "protocol") if in_port => Some(("NetworkPolicyPort", "v1.Protocol")),
                (_, "cidr") if in_peer => Some(("IPBlock", "string")),
                (_, "except") if in_peer => Some(("IPBlock", "[]string")),
                (_, "podSelector" | "namespaceSelector") if in_peer => {
                    Some(("NetworkPolicyPeer", "v1.LabelSelector"))
                }
                _ => None,
            }
        }
        Kind::Ingress => match last {
            "ingressClassName" => Some(("IngressSpec", "string")),
            "rules" => Some(("IngressSpec", "[]v1.IngressRule")),
            "tls" => Some(("IngressSpec", "[]v1.IngressTLS")),
            "defaultBackend" => Some(("IngressSpec", "v1.IngressBackend")),
            // IngressRuleValue is embedded, so its field is reported on IngressRule.
            "http" => Some(("IngressRule", "v1.HTTPIngressRuleValue")),
            "backend" => Some(("HTTPIngressPath", "v1.IngressBackend")),
            "service" => Some(("IngressBackend", "v1.IngressServiceBackend")),
            "port" if path.ends_with("service.port") => {
                Some(("IngressServiceBackend", "v1.ServiceBackendPort"))
            }
            "host" => Some(("IngressRule", "string")),
            "paths" => Some(("HTTPIngressRuleValue", "[]v1.HTTPIngressPath")),
            "path" => Some(("HTTPIngressPath", "string")),
            "pathType" => Some(("HTTPIngressPath", "v1.PathType")),
            "number" => Some(("ServiceBackendPort", "int32")),
            "name" if path.ends_with("service.port.name") => Some(("ServiceBackendPort", "string")),
            "name" if path.ends_with("service.name") => Some(("IngressServiceBackend", "string")),
            _ => None,
        },
        Kind::IngressClass if path == "spec.controller" => Some(("IngressClassSpec", "string")),
        Kind::ConfigMap => match path {
            "data" => Some(("ConfigMap", "map[string]string")),
            "binaryData" => Some(("ConfigMap", "map[string][]uint8")),
            "immutable" => Some(("ConfigMap", "bool")),
            _ => None,
        },
        Kind::Endpoints => match path {
            "subsets.addresses.ip" | "subsets.notReadyAddresses.ip" => {
                Some(("EndpointAddress", "string"))
            }
            "subsets.ports.port" => Some(("EndpointPort", "int32")),
            "subsets.ports.name" => Some(("EndpointPort", "string")),
            _ => None,
        },
        Kind::EndpointSlice => match path {
            "ports.port" => Some(("EndpointPort", "int32")),
            "ports.name" => Some(("EndpointPort", "string")),
            "endpoints.addresses" => Some(("Endpoint", "[]string")),
            "addressType" => Some(("EndpointSlice", "v1.AddressType")),
            _ => None,
        },
        _ => None,
    }
}

/// The `UnmarshalTypeError.Value` Go prints: the JSON kind, and for a number that does not fit
/// an integer field, the number itself.
fn json_kind(v: &Value, go_type: &str) -> String {
    match v {
        Value::String(_) => "string".into(),
        Value::Number(n) if go_type.starts_with("int") || go_type.starts_with("uint") => {
            format!("number {n}")
        }
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
        Value::Null => "null".into(),
    }
}

/// The message after `<Kind> in version "v1" cannot be handled as a <Kind>: ` for a body `v`
/// that does not decode as `T`.
pub(super) fn describe<T: DeserializeOwned>(kind: Kind, v: &Value, serde_msg: &str) -> String {
    let path = locate::<T>(v);
    let Some(bad) = child(v, &path) else {
        return serde_msg.to_string();
    };
    let mut names: Vec<&str> = path
        .iter()
        .filter_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        })
        .collect();
    // A map's value is reported at the map field, with the map's element type.
    let in_map = names.len() >= 2
        && matches!(path.last(), Some(Step::Key(_)))
        && names
            .get(names.len() - 2)
            .is_some_and(|p| MAP_FIELDS.contains(p));
    if in_map {
        names.pop();
    }
    let dotted = names.join(".");
    let field = go_field(kind, &dotted).and_then(|(strukt, go_type)| match in_map {
        // binaryData values fail base64 decoding, which has its own message.
        true if go_type == "map[string]string" => Some((strukt, "string")),
        true => None,
        false => Some((strukt, go_type)),
    });
    match field {
        Some((strukt, go_type)) => format!(
            "json: cannot unmarshal {} into Go struct field {strukt}.{dotted} of type {go_type}",
            json_kind(bad, go_type)
        ),
        None => serde_msg.to_string(),
    }
}
