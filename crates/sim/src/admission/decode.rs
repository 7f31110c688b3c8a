//! Wrong JSON types in Pod and apps/v1 bodies, refused the way the API server's decoder refuses
//! them: `400 BadRequest` with `<Kind> in version "v1" cannot be handled as a <Kind>: json: cannot
//! unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of
//! type int32`.
//!
//! The API server decodes into typed Go structs before anything else runs
//! (`apimachinery/pkg/runtime/serializer/json`, `encoding/json` `UnmarshalTypeError`: the
//! innermost struct's name, then the JSON field path without indices). Only the first error is
//! reported, as `encoding/json` keeps the first. This covers the fields admission reads; a wrong
//! type elsewhere is stored as given (it is never read, so it cannot panic anything).

use serde_json::Value;

use crate::error::ApiError;
use crate::kinds::Kind;

/// A JSON shape the Go decoder expects.
pub(crate) enum Ty {
    Str,
    I32,
    I64,
    Bool,
    /// `map[string]string`.
    StrMap,
    /// `intstr.IntOrString`: a JSON string or an int32.
    IntOrStr,
    /// `[]string`.
    StrList,
    /// `v1.ResourceList`: quantities as strings or numbers.
    QuantityMap,
    Struct(&'static Struct),
    List(&'static Struct),
}

/// A Go struct: its type name (`Container`), its package-qualified name (`v1.Container`) and
/// the fields admission reads.
pub(crate) struct Struct {
    pub name: &'static str,
    pub go: &'static str,
    pub fields: &'static [(&'static str, Ty)],
}

static OBJECT_META: Struct = Struct {
    name: "ObjectMeta",
    go: "v1.ObjectMeta",
    fields: &[("labels", Ty::StrMap), ("annotations", Ty::StrMap)],
};

static CONTAINER_PORT: Struct = Struct {
    name: "ContainerPort",
    go: "v1.ContainerPort",
    fields: &[
        ("name", Ty::Str),
        ("containerPort", Ty::I32),
        ("hostPort", Ty::I32),
        ("protocol", Ty::Str),
        ("hostIP", Ty::Str),
    ],
};

static EXEC_ACTION: Struct = Struct {
    name: "ExecAction",
    go: "v1.ExecAction",
    fields: &[("command", Ty::StrList)],
};

static HTTP_GET_ACTION: Struct = Struct {
    name: "HTTPGetAction",
    go: "v1.HTTPGetAction",
    fields: &[
        ("path", Ty::Str),
        ("port", Ty::IntOrStr),
        ("host", Ty::Str),
        ("scheme", Ty::Str),
    ],
};

static TCP_SOCKET_ACTION: Struct = Struct {
    name: "TCPSocketAction",
    go: "v1.TCPSocketAction",
    fields: &[("port", Ty::IntOrStr), ("host", Ty::Str)],
};

static GRPC_ACTION: Struct = Struct {
    name: "GRPCAction",
    go: "v1.GRPCAction",
    fields: &[("port", Ty::I32), ("service", Ty::Str)],
};

static PROBE: Struct = Struct {
    name: "Probe",
    go: "v1.Probe",
    fields: &[
        ("exec", Ty::Struct(&EXEC_ACTION)),
        ("httpGet", Ty::Struct(&HTTP_GET_ACTION)),
        ("tcpSocket", Ty::Struct(&TCP_SOCKET_ACTION)),
        ("grpc", Ty::Struct(&GRPC_ACTION)),
        ("initialDelaySeconds", Ty::I32),
        ("timeoutSeconds", Ty::I32),
        ("periodSeconds", Ty::I32),
        ("successThreshold", Ty::I32),
        ("failureThreshold", Ty::I32),
        ("terminationGracePeriodSeconds", Ty::I64),
    ],
};

static RESOURCES: Struct = Struct {
    name: "ResourceRequirements",
    go: "v1.ResourceRequirements",
    fields: &[("limits", Ty::QuantityMap), ("requests", Ty::QuantityMap)],
};

static VOLUME: Struct = Struct {
    name: "Volume",
    go: "v1.Volume",
    fields: &[("name", Ty::Str)],
};

static VOLUME_MOUNT: Struct = Struct {
    name: "VolumeMount",
    go: "v1.VolumeMount",
    fields: &[
        ("name", Ty::Str),
        ("mountPath", Ty::Str),
        ("readOnly", Ty::Bool),
    ],
};

static KEY_SELECTOR: Struct = Struct {
    name: "KeySelector",
    go: "v1.KeySelector",
    fields: &[("name", Ty::Str), ("key", Ty::Str), ("optional", Ty::Bool)],
};

static ENV_VAR_SOURCE: Struct = Struct {
    name: "EnvVarSource",
    go: "v1.EnvVarSource",
    fields: &[
        ("configMapKeyRef", Ty::Struct(&KEY_SELECTOR)),
        ("secretKeyRef", Ty::Struct(&KEY_SELECTOR)),
    ],
};

static ENV_VAR: Struct = Struct {
    name: "EnvVar",
    go: "v1.EnvVar",
    fields: &[
        ("name", Ty::Str),
        ("value", Ty::Str),
        ("valueFrom", Ty::Struct(&ENV_VAR_SOURCE)),
    ],
};

static CONTAINER: Struct = Struct {
    name: "Container",
    go: "v1.Container",
    fields: &[
        ("name", Ty::Str),
        ("image", Ty::Str),
        ("command", Ty::StrList),
        ("args", Ty::StrList),
        ("ports", Ty::List(&CONTAINER_PORT)),
        ("env", Ty::List(&ENV_VAR)),
        ("resources", Ty::Struct(&RESOURCES)),
        ("livenessProbe", Ty::Struct(&PROBE)),
        ("readinessProbe", Ty::Struct(&PROBE)),
        ("startupProbe", Ty::Struct(&PROBE)),
        ("terminationMessagePath", Ty::Str),
        ("terminationMessagePolicy", Ty::Str),
        ("imagePullPolicy", Ty::Str),
        ("volumeMounts", Ty::List(&VOLUME_MOUNT)),
    ],
};

static TOLERATION: Struct = Struct {
    name: "Toleration",
    go: "v1.Toleration",
    fields: &[
        ("key", Ty::Str),
        ("operator", Ty::Str),
        ("value", Ty::Str),
        ("effect", Ty::Str),
        ("tolerationSeconds", Ty::I64),
    ],
};

static DNS_CONFIG: Struct = Struct {
    name: "PodDNSConfig",
    go: "v1.PodDNSConfig",
    fields: &[("nameservers", Ty::StrList), ("searches", Ty::StrList)],
};

pub(crate) static POD_SPEC: Struct = Struct {
    name: "PodSpec",
    go: "v1.PodSpec",
    fields: &[
        ("containers", Ty::List(&CONTAINER)),
        ("initContainers", Ty::List(&CONTAINER)),
        ("restartPolicy", Ty::Str),
        ("terminationGracePeriodSeconds", Ty::I64),
        ("activeDeadlineSeconds", Ty::I64),
        ("dnsPolicy", Ty::Str),
        ("dnsConfig", Ty::Struct(&DNS_CONFIG)),
        ("nodeSelector", Ty::StrMap),
        ("serviceAccountName", Ty::Str),
        ("serviceAccount", Ty::Str),
        ("nodeName", Ty::Str),
        ("hostNetwork", Ty::Bool),
        ("hostname", Ty::Str),
        ("subdomain", Ty::Str),
        ("schedulerName", Ty::Str),
        ("tolerations", Ty::List(&TOLERATION)),
        ("priorityClassName", Ty::Str),
        ("priority", Ty::I32),
        ("preemptionPolicy", Ty::Str),
        ("enableServiceLinks", Ty::Bool),
        ("automountServiceAccountToken", Ty::Bool),
        ("volumes", Ty::List(&VOLUME)),
    ],
};

static POD_TEMPLATE_SPEC: Struct = Struct {
    name: "PodTemplateSpec",
    go: "v1.PodTemplateSpec",
    fields: &[
        ("metadata", Ty::Struct(&OBJECT_META)),
        ("spec", Ty::Struct(&POD_SPEC)),
    ],
};

static POD: Struct = Struct {
    name: "Pod",
    go: "v1.Pod",
    fields: &[
        ("metadata", Ty::Struct(&OBJECT_META)),
        ("spec", Ty::Struct(&POD_SPEC)),
    ],
};

static LABEL_SELECTOR_REQUIREMENT: Struct = Struct {
    name: "LabelSelectorRequirement",
    go: "v1.LabelSelectorRequirement",
    fields: &[
        ("key", Ty::Str),
        ("operator", Ty::Str),
        ("values", Ty::StrList),
    ],
};

static LABEL_SELECTOR: Struct = Struct {
    name: "LabelSelector",
    go: "v1.LabelSelector",
    fields: &[
        ("matchLabels", Ty::StrMap),
        ("matchExpressions", Ty::List(&LABEL_SELECTOR_REQUIREMENT)),
    ],
};

static ROLLING_UPDATE_DEPLOYMENT: Struct = Struct {
    name: "RollingUpdateDeployment",
    go: "v1.RollingUpdateDeployment",
    fields: &[("maxUnavailable", Ty::IntOrStr), ("maxSurge", Ty::IntOrStr)],
};

static DEPLOYMENT_STRATEGY: Struct = Struct {
    name: "DeploymentStrategy",
    go: "v1.DeploymentStrategy",
    fields: &[
        ("type", Ty::Str),
        ("rollingUpdate", Ty::Struct(&ROLLING_UPDATE_DEPLOYMENT)),
    ],
};

static DEPLOYMENT_SPEC: Struct = Struct {
    name: "DeploymentSpec",
    go: "v1.DeploymentSpec",
    fields: &[
        ("replicas", Ty::I32),
        ("selector", Ty::Struct(&LABEL_SELECTOR)),
        ("template", Ty::Struct(&POD_TEMPLATE_SPEC)),
        ("strategy", Ty::Struct(&DEPLOYMENT_STRATEGY)),
        ("minReadySeconds", Ty::I32),
        ("revisionHistoryLimit", Ty::I32),
        ("paused", Ty::Bool),
        ("progressDeadlineSeconds", Ty::I32),
    ],
};

static DEPLOYMENT: Struct = Struct {
    name: "Deployment",
    go: "v1.Deployment",
    fields: &[
        ("metadata", Ty::Struct(&OBJECT_META)),
        ("spec", Ty::Struct(&DEPLOYMENT_SPEC)),
    ],
};

static REPLICA_SET_SPEC: Struct = Struct {
    name: "ReplicaSetSpec",
    go: "v1.ReplicaSetSpec",
    fields: &[
        ("replicas", Ty::I32),
        ("minReadySeconds", Ty::I32),
        ("selector", Ty::Struct(&LABEL_SELECTOR)),
        ("template", Ty::Struct(&POD_TEMPLATE_SPEC)),
    ],
};

static REPLICA_SET: Struct = Struct {
    name: "ReplicaSet",
    go: "v1.ReplicaSet",
    fields: &[
        ("metadata", Ty::Struct(&OBJECT_META)),
        ("spec", Ty::Struct(&REPLICA_SET_SPEC)),
    ],
};

static ROLLING_UPDATE_STATEFUL_SET: Struct = Struct {
    name: "RollingUpdateStatefulSetStrategy",
    go: "v1.RollingUpdateStatefulSetStrategy",
    fields: &[("partition", Ty::I32), ("maxUnavailable", Ty::IntOrStr)],
};

static STATEFUL_SET_UPDATE_STRATEGY: Struct = Struct {
    name: "StatefulSetUpdateStrategy",
    go: "v1.StatefulSetUpdateStrategy",
    fields: &[
        ("type", Ty::Str),
        ("rollingUpdate", Ty::Struct(&ROLLING_UPDATE_STATEFUL_SET)),
    ],
};

static PVC_RETENTION: Struct = Struct {
    name: "StatefulSetPersistentVolumeClaimRetentionPolicy",
    go: "v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
    fields: &[("whenDeleted", Ty::Str), ("whenScaled", Ty::Str)],
};

static STATEFUL_SET_SPEC: Struct = Struct {
    name: "StatefulSetSpec",
    go: "v1.StatefulSetSpec",
    fields: &[
        ("replicas", Ty::I32),
        ("selector", Ty::Struct(&LABEL_SELECTOR)),
        ("template", Ty::Struct(&POD_TEMPLATE_SPEC)),
        ("serviceName", Ty::Str),
        ("podManagementPolicy", Ty::Str),
        ("updateStrategy", Ty::Struct(&STATEFUL_SET_UPDATE_STRATEGY)),
        ("revisionHistoryLimit", Ty::I32),
        ("minReadySeconds", Ty::I32),
        (
            "persistentVolumeClaimRetentionPolicy",
            Ty::Struct(&PVC_RETENTION),
        ),
    ],
};

static STATEFUL_SET: Struct = Struct {
    name: "StatefulSet",
    go: "v1.StatefulSet",
    fields: &[
        ("metadata", Ty::Struct(&OBJECT_META)),
        ("spec", Ty::Struct(&STATEFUL_SET_SPEC)),
    ],
};

/// Refuse `obj` with the decoder's error if a field admission reads has the wrong JSON type.
pub(crate) fn check(kind: Kind, obj: &Value) -> Result<(), ApiError> {
    let top = match kind {
        Kind::Pod => &POD,
        Kind::Deployment => &DEPLOYMENT,
        Kind::ReplicaSet => &REPLICA_SET,
        Kind::StatefulSet => &STATEFUL_SET,
        _ => return Ok(()),
    };
    match check_struct(top, obj, "") {
        Ok(()) => Ok(()),
        Err(msg) => Err(ApiError::BadRequest(format!(
            "{name} in version \"{v}\" cannot be handled as a {name}: {msg}",
            name = kind.name(),
            v = kind.version(),
        ))),
    }
}

/// What `encoding/json` calls the JSON value in `cannot unmarshal <what>`.
fn json_kind(v: &Value) -> String {
    match v {
        Value::String(_) => "string".into(),
        Value::Number(n) => format!("number {n}"),
        Value::Bool(_) => "bool".into(),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
        Value::Null => "null".into(),
    }
}

fn type_error(v: &Value, st: &Struct, path: &str, go_type: &str) -> String {
    // A type mismatch on a number names only "number" unless the literal itself is the
    // problem (a float or an overflow into an int field), where Go prints the literal.
    let what = match v {
        Value::Number(_) if !go_type.starts_with("int") => "number".to_string(),
        _ => json_kind(v),
    };
    format!(
        "json: cannot unmarshal {what} into Go struct field {}.{path} of type {go_type}",
        st.name
    )
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

fn fits_int(v: &Value, bits32: bool) -> bool {
    match v.as_i64() {
        Some(i) => !bits32 || i32::try_from(i).is_ok(),
        None => false,
    }
}

fn check_struct(st: &Struct, v: &Value, path: &str) -> Result<(), String> {
    let Some(map) = v.as_object() else {
        return Ok(());
    };
    for (field, ty) in st.fields {
        let Some(fv) = map.get(*field) else {
            continue;
        };
        // `null` decodes to the zero value of any field.
        if fv.is_null() {
            continue;
        }
        let p = join(path, field);
        check_value(st, ty, fv, &p)?;
    }
    Ok(())
}

fn check_value(st: &Struct, ty: &Ty, v: &Value, p: &str) -> Result<(), String> {
    match ty {
        Ty::Str if !v.is_string() => Err(type_error(v, st, p, "string")),
        Ty::Bool if !v.is_boolean() => Err(type_error(v, st, p, "bool")),
        Ty::I32 if !fits_int(v, true) => Err(type_error(v, st, p, "int32")),
        Ty::I64 if !fits_int(v, false) => Err(type_error(v, st, p, "int64")),
        Ty::IntOrStr if !v.is_string() && !fits_int(v, true) => {
            // IntOrString.UnmarshalJSON decodes a non-string into its int32.
            Err(type_error(v, st, p, "int32"))
        }
        Ty::StrMap => match v.as_object() {
            None => Err(type_error(v, st, p, "map[string]string")),
            Some(m) => match m.values().find(|x| !x.is_string() && !x.is_null()) {
                Some(bad) => Err(type_error(bad, st, p, "string")),
                None => Ok(()),
            },
        },
        Ty::QuantityMap => match v.as_object() {
            None => Err(type_error(v, st, p, "v1.ResourceList")),
            // Quantity.UnmarshalJSON's own error carries no field context.
            Some(m) => match m
                .values()
                .filter(|x| !x.is_null())
                .find_map(|x| super::quantity::parse_value(x).err())
            {
                Some(e) => Err(e.to_string()),
                None => Ok(()),
            },
        },
        Ty::StrList => match v.as_array() {
            None => Err(type_error(v, st, p, "[]string")),
            Some(a) => match a.iter().find(|x| !x.is_string() && !x.is_null()) {
                Some(bad) => Err(type_error(bad, st, p, "string")),
                None => Ok(()),
            },
        },
        Ty::Struct(inner) => {
            if v.is_object() {
                check_struct(inner, v, p)
            } else {
                Err(type_error(v, st, p, inner.go))
            }
        }
        Ty::List(inner) => match v.as_array() {
            None => Err(type_error(v, st, p, &format!("[]{}", inner.go))),
            Some(items) => {
                for item in items {
                    if item.is_null() {
                        continue;
                    }
                    if !item.is_object() {
                        return Err(type_error(item, st, p, inner.go));
                    }
                    check_struct(inner, item, p)?;
                }
                Ok(())
            }
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_string_container_port_is_a_decode_error_naming_the_go_struct_field() {
        let pod =
            json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": "80"}]}]}});
        let e = check(Kind::Pod, &pod).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"
        );
        assert_eq!(e.code(), 400);
    }

    #[test]
    fn a_float_replicas_prints_the_literal() {
        let d = json!({"spec": {"replicas": 1.5}});
        assert_eq!(
            check(Kind::Deployment, &d).unwrap_err().to_string(),
            "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"
        );
    }
}
