//! PodSpec defaulting shared by Pods and the pod templates of Deployments, ReplicaSets and
//! StatefulSets, as `pkg/apis/core/v1/defaults.go` does it (`SetDefaults_PodSpec`,
//! `SetDefaults_Container`, `SetDefaults_Probe`, `SetDefaults_HTTPGetAction`, and the
//! declarative `+default="TCP"` of `ContainerPort.protocol`).
//!
//! Validation of the same spec lives in `podspec_validation.rs`. Pod-only defaults
//! (`SetDefaults_Pod`, the admission plugins) live in `pod.rs`: a template never gets them.
//! Wrong JSON types were refused before this runs (`decode.rs`); what remains odd (a `null`) is
//! treated as absent, never unwrapped.

use serde_json::{Map, Value};

use super::podspec_fields::VOLUME_SOURCES;

/// Set `key` to `v` when it is absent, `null`, or Go's zero value for its type (`""`, `0`).
pub(crate) fn default_field(m: &mut Map<String, Value>, key: &str, v: Value) {
    let zero = match m.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(_) => false,
    };
    if zero {
        m.insert(key.to_string(), v);
    }
}

/// Set `key` to `v` only when absent or `null` (pointer fields: a set zero is kept).
pub(crate) fn default_ptr(m: &mut Map<String, Value>, key: &str, v: Value) {
    if m.get(key).is_none_or(Value::is_null) {
        m.insert(key.to_string(), v);
    }
}

/// `SetDefaults_PodSpec` and the defaults of everything inside a PodSpec.
pub fn default_pod_spec(spec: &mut Value) {
    let Some(m) = spec.as_object_mut() else {
        return;
    };
    default_field(m, "dnsPolicy", Value::from("ClusterFirst"));
    default_field(m, "restartPolicy", Value::from("Always"));
    default_ptr(m, "securityContext", Value::Object(Map::new()));
    default_ptr(m, "terminationGracePeriodSeconds", Value::from(30));
    default_field(m, "schedulerName", Value::from("default-scheduler"));
    if let Some(Value::Array(vols)) = m.get_mut("volumes") {
        for v in vols.iter_mut().filter_map(Value::as_object_mut) {
            // SetDefaults_Volume: a volume without a source is an emptyDir.
            if !VOLUME_SOURCES
                .iter()
                .any(|k| v.get(*k).is_some_and(|x| !x.is_null()))
            {
                v.insert("emptyDir".into(), Value::Object(Map::new()));
            }
        }
    }
    for list in ["initContainers", "containers"] {
        if let Some(Value::Array(cs)) = m.get_mut(list) {
            for c in cs.iter_mut() {
                default_container(c);
            }
        }
    }
}

/// `SetDefaults_Container`, with its ports and probes.
fn default_container(c: &mut Value) {
    let Some(m) = c.as_object_mut() else {
        return;
    };
    if m.get("imagePullPolicy")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        let image = m.get("image").and_then(Value::as_str).unwrap_or("");
        let policy = if image_tag(image) == "latest" {
            "Always"
        } else {
            "IfNotPresent"
        };
        m.insert("imagePullPolicy".into(), Value::from(policy));
    }
    default_field(
        m,
        "terminationMessagePath",
        Value::from("/dev/termination-log"),
    );
    default_field(m, "terminationMessagePolicy", Value::from("File"));
    // `Resources ResourceRequirements` is a struct, not a pointer: encoding/json always
    // writes it, so a stored container shows `resources: {}`.
    default_ptr(m, "resources", Value::Object(Map::new()));
    if let Some(Value::Array(ports)) = m.get_mut("ports") {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            default_field(p, "protocol", Value::from("TCP"));
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(Value::Object(p)) = m.get_mut(probe) {
            default_probe(p);
        }
    }
}

/// `SetDefaults_Probe` and `SetDefaults_HTTPGetAction` (rule 91).
fn default_probe(p: &mut Map<String, Value>) {
    default_field(p, "timeoutSeconds", Value::from(1));
    default_field(p, "periodSeconds", Value::from(10));
    default_field(p, "successThreshold", Value::from(1));
    default_field(p, "failureThreshold", Value::from(3));
    if let Some(Value::Object(h)) = p.get_mut("httpGet") {
        default_field(h, "path", Value::from("/"));
        default_field(h, "scheme", Value::from("HTTP"));
    }
}

/// The tag of an image reference as `parsers.ParseImageName` gives it: `latest` when there is
/// neither tag nor digest, "" when there is only a digest.
pub(crate) fn image_tag(image: &str) -> &str {
    let (name, digest) = match image.split_once('@') {
        Some((n, _)) => (n, true),
        None => (image, false),
    };
    // The tag follows the last ':' after the last '/' (a ':' before it is a registry port).
    let last = name.rsplit('/').next().unwrap_or(name);
    match last.rsplit_once(':') {
        Some((_, tag)) => tag,
        None if digest => "",
        None => "latest",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags_follow_parse_image_name() {
        assert_eq!(image_tag("nginx"), "latest");
        assert_eq!(image_tag("nginx:1.27"), "1.27");
        assert_eq!(image_tag("registry:5000/nginx"), "latest");
        assert_eq!(image_tag("registry:5000/nginx:latest"), "latest");
        assert_eq!(image_tag("nginx@sha256:abc"), "");
    }
}
