//! Unknown fields and `fieldValidation` (Strict / Warn / Ignore): what the API server's typed
//! decoding does with fields its Go structs do not have. The object is decoded into the
//! matching k8s-openapi type and encoded again; what the round trip lost is unknown. Strict
//! refuses with `strict decoding error: unknown field "spec.foo"`, Warn (the default) and
//! Ignore drop the fields, Warn with a `Warning` header per field.

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::discovery::v1 as discovery;
use k8s_openapi::api::networking::v1 as networking;
use kubedrill_sim::Kind;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::request::Req;
use crate::status::Refusal;

/// The `fieldValidation` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    Ignore,
    Warn,
    Strict,
}

impl Validation {
    pub fn of(req: &Req) -> Result<Validation, Refusal> {
        match req.query.get("fieldValidation") {
            None | Some("") | Some("Warn") => Ok(Validation::Warn),
            Some("Ignore") => Ok(Validation::Ignore),
            Some("Strict") => Ok(Validation::Strict),
            Some(other) => Err(Refusal::bad_request(format!(
                "fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got {other:?}"
            ))),
        }
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(obj: &Value) -> Option<Value> {
    let typed: T = serde_json::from_value(obj.clone()).ok()?;
    serde_json::to_value(&typed).ok()
}

/// The object as its Go type would keep it; `None` when it does not decode at all (wrong
/// types, missing required fields: admission words those).
fn typed(kind: Kind, obj: &Value) -> Option<Value> {
    match kind {
        Kind::Namespace => round_trip::<core::Namespace>(obj),
        Kind::Node => round_trip::<core::Node>(obj),
        Kind::Pod => round_trip::<core::Pod>(obj),
        Kind::Service => round_trip::<core::Service>(obj),
        Kind::Endpoints => round_trip::<core::Endpoints>(obj),
        Kind::Event => round_trip::<core::Event>(obj),
        Kind::ConfigMap => round_trip::<core::ConfigMap>(obj),
        Kind::ServiceAccount => round_trip::<core::ServiceAccount>(obj),
        Kind::Deployment => round_trip::<apps::Deployment>(obj),
        Kind::ReplicaSet => round_trip::<apps::ReplicaSet>(obj),
        Kind::StatefulSet => round_trip::<apps::StatefulSet>(obj),
        Kind::EndpointSlice => round_trip::<discovery::EndpointSlice>(obj),
        Kind::Ingress => round_trip::<networking::Ingress>(obj),
        Kind::IngressClass => round_trip::<networking::IngressClass>(obj),
        Kind::NetworkPolicy => round_trip::<networking::NetworkPolicy>(obj),
    }
}

/// Remove from `input` what `typed` does not have; the JSON paths removed, in order.
fn prune(input: &mut Value, typed: &Value, path: &str, out: &mut Vec<String>) {
    match (input, typed) {
        (Value::Object(a), Value::Object(b)) => {
            a.retain(|k, v| {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    Some(bv) => {
                        prune(v, bv, &here, out);
                        true
                    }
                    // A null is dropped by the decoder whether the field exists or not.
                    None if v.is_null() => true,
                    None => {
                        out.push(here);
                        false
                    }
                }
            });
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (av, bv)) in a.iter_mut().zip(b).enumerate() {
                prune(av, bv, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Drop the unknown fields of `obj`; their paths.
pub fn drop_unknown(kind: Kind, obj: &mut Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = typed(kind, obj) {
        prune(obj, &t, "", &mut out);
    }
    out
}

/// `runtime.NewStrictDecodingError`: `strict decoding error: unknown field "a", unknown field "b"`.
pub fn strict_error(paths: &[String]) -> String {
    let fields: Vec<String> = paths
        .iter()
        .map(|p| format!("unknown field \"{p}\""))
        .collect();
    format!("strict decoding error: {}", fields.join(", "))
}

/// The `Warning` header values of dropped fields (`299 - "unknown field \"spec.foo\""`).
pub fn warnings(paths: &[String]) -> Vec<String> {
    paths
        .iter()
        .map(|p| {
            let text = format!("unknown field \"{p}\"");
            format!("299 - {}", serde_json::Value::String(text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_found_by_their_json_path_and_dropped() {
        let mut svc = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "labels": {"any": "key"}, "creationTimestamp": null},
            "spec": {"ports": [{"port": 80, "targetport": 8080}], "selectr": {"app": "web"}},
        });
        let paths = drop_unknown(Kind::Service, &mut svc);
        assert_eq!(paths, ["spec.ports[0].targetport", "spec.selectr"]);
        assert_eq!(svc["spec"], json!({"ports": [{"port": 80}]}));
        assert_eq!(svc["metadata"]["labels"]["any"], "key");
        assert_eq!(
            strict_error(&paths),
            "strict decoding error: unknown field \"spec.ports[0].targetport\", unknown field \"spec.selectr\""
        );
        assert_eq!(
            warnings(&paths[..1]),
            ["299 - \"unknown field \\\"spec.ports[0].targetport\\\"\""]
        );
    }

    #[test]
    fn objects_that_do_not_decode_are_left_to_admission() {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                             "spec": {"containers": "nginx", "bogus": 1}});
        // A wrong type is the decoder's error (admission words it), reported before fields.
        assert!(drop_unknown(Kind::Pod, &mut pod).is_empty());
        assert_eq!(pod["spec"]["bogus"], 1);
    }
}
