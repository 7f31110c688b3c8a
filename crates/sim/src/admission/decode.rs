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

use super::decode_schema::{DEPLOYMENT, POD, REPLICA_SET, STATEFUL_SET, Struct, Ty};
use crate::error::ApiError;
use crate::kinds::Kind;

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
