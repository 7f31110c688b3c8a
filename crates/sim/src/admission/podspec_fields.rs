//! PodSpec parts validated apart from the containers (`pkg/apis/core/validation/validation.go`):
//! volumes (`validateVolumes`: names only, the sources are not modelled), volume mounts
//! (`ValidateVolumeMounts`) and tolerations (`ValidateTolerations`, `validateTaintEffect`).

use serde_json::{Value, json};
use std::collections::BTreeSet;

use super::validation::{is_dns1123_label, is_qualified_name, is_valid_label_value};
use crate::error::{FieldError, FieldErrorType};

/// Every `VolumeSource` member: a volume with none of them is an `emptyDir`
/// (`SetDefaults_Volume`, `ptr.AllPtrFieldsNil`).
pub(crate) const VOLUME_SOURCES: [&str; 29] = [
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
];

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `validateVolumes`, names only: required, a DNS-1123 label, unique. Returns the names for
/// the mount checks.
pub(crate) fn validate_volumes(
    spec: &Value,
    path: &str,
    out: &mut Vec<FieldError>,
) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (n, v) in arr(spec, "volumes").iter().enumerate() {
        let p = format!("{path}.volumes[{n}].name");
        let name = s(v, "name");
        if name.is_empty() {
            out.push(FieldError::required(p, ""));
        } else {
            for m in is_dns1123_label(name) {
                out.push(FieldError::invalid(p.clone(), name, m));
            }
        }
        if !name.is_empty() && !names.insert(name.to_string()) {
            out.push(FieldError::duplicate(
                format!("{path}.volumes[{n}].name"),
                name,
            ));
        }
    }
    names
}

/// `ValidateVolumeMounts`: a known volume, a mount path, unique mount paths.
pub(crate) fn validate_volume_mounts(
    mounts: &[Value],
    volumes: &BTreeSet<String>,
    path: &str,
    out: &mut Vec<FieldError>,
) {
    let mut paths = BTreeSet::new();
    for (n, m) in mounts.iter().enumerate() {
        let p = format!("{path}[{n}]");
        let name = s(m, "name");
        if name.is_empty() {
            out.push(FieldError::required(format!("{p}.name"), ""));
        }
        if !volumes.contains(name) {
            out.push(FieldError::new(
                FieldErrorType::NotFound,
                format!("{p}.name"),
                Value::from(name),
                "",
            ));
        }
        let mount_path = s(m, "mountPath");
        if mount_path.is_empty() {
            out.push(FieldError::required(format!("{p}.mountPath"), ""));
        }
        if !paths.insert(mount_path) {
            out.push(FieldError::invalid(
                format!("{p}.mountPath"),
                mount_path,
                "must be unique",
            ));
        }
    }
}

/// `ValidateTolerations`, in Go's order: key, empty key needs `Exists`, `tolerationSeconds`
/// needs `NoExecute`, operator values, effect values.
pub(crate) fn tolerations(spec: &Value, path: &str, out: &mut Vec<FieldError>) {
    for (n, t) in arr(spec, "tolerations").iter().enumerate() {
        let p = format!("{path}.tolerations[{n}]");
        let key = s(t, "key");
        if !key.is_empty() {
            for m in is_qualified_name(key) {
                out.push(FieldError::invalid(format!("{p}.key"), key, m));
            }
        }
        let op = s(t, "operator");
        if key.is_empty() && op != "Exists" {
            out.push(FieldError::invalid(
                format!("{p}.operator"),
                op,
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        let effect = s(t, "effect");
        let seconds = t.get("tolerationSeconds").filter(|v| !v.is_null());
        if seconds.is_some() && effect != "NoExecute" {
            out.push(FieldError::invalid(
                format!("{p}.effect"),
                effect,
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        let value = s(t, "value");
        match op {
            "" | "Equal" => {
                let errs = is_valid_label_value(value);
                if !errs.is_empty() {
                    out.push(FieldError::invalid(
                        format!("{p}.operator"),
                        value,
                        errs.join(";"),
                    ));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    // Go passes the whole internal `core.Toleration` (Go field names).
                    out.push(FieldError::invalid(
                        format!("{p}.operator"),
                        json!({
                            "Key": key, "Operator": op, "Value": value, "Effect": effect,
                            "TolerationSeconds": seconds.cloned().unwrap_or(Value::Null),
                        }),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => out.push(FieldError::not_supported(
                format!("{p}.operator"),
                other,
                &["Equal", "Exists"],
            )),
        }
        if !matches!(effect, "" | "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
            out.push(FieldError::not_supported(
                format!("{p}.effect"),
                effect,
                &["NoSchedule", "PreferNoSchedule", "NoExecute"],
            ));
        }
    }
}
