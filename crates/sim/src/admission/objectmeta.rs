//! ObjectMeta validation common to every kind, and the decode step that precedes it.
//!
//! Follows `staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go`
//! (`ValidateObjectMetaAccessor`): `generateName` and `name` against the kind's name rule
//! (DNS-1123 subdomain for most kinds, DNS-1123 label for Namespace; Service names are the Service
//! code's, DNS-1035), then labels, annotations (keys and the 256 KiB total) and finalizers.
//! `metadata.name` / `metadata.namespace` presence and immutability are the write pipeline's.
//!
//! The kinds of `core.rs` and `networking.rs` call [`validate`] themselves so that metadata and
//! spec problems come back in one `Invalid`, as `ValidateX` returns one `ErrorList`; for every
//! other kind `admit` reports metadata problems on its own.

// The decode error's Go wording lives beside this file, in `admission/decode.rs`.
#[path = "meta_decode.rs"]
mod decode;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::net::{IpAddr, Ipv4Addr};

use super::validation::{is_dns1123_label, is_dns1123_subdomain, is_qualified_name};
use super::{Ctx, Op};
use crate::error::{ApiError, FieldError};
use crate::kinds::Kind;
use crate::meta;

/// `TotalAnnotationSizeLimitB`: 256 KiB over all keys and values.
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

pub fn admit(_ctx: &mut Ctx<'_>, kind: Kind, op: Op<'_>, obj: &mut Value) -> Result<(), ApiError> {
    // A status write keeps the stored metadata (write.rs), which passed all of this already.
    if matches!(op, Op::UpdateStatus { .. }) {
        return Ok(());
    }
    // The API server decodes the body into the typed object before anything else runs; a
    // label value that is a number fails there, as a BadRequest, not as a validation error.
    decode::<MetadataOnly>(kind, obj)?;
    drop_empty_collections(obj);
    if owns_metadata_validation(kind) || matches!(op, Op::UpdateStatus { .. }) {
        return Ok(());
    }
    let errs = validate(kind, op, obj);
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(kind, meta::name(obj), errs))
    }
}

/// ObjectMeta's maps and lists are `omitempty`: once decoded into Go structs an empty or null
/// one is not written back, so removing the last annotation (or orphaning the last owner) leaves
/// no `annotations: {}` behind for `-o yaml` or jsonpath to show.
fn drop_empty_collections(obj: &mut Value) {
    let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    for key in [
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    ] {
        let empty = match md.get(key) {
            Some(Value::Null) => true,
            Some(Value::Object(m)) => m.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        if empty {
            md.remove(key);
        }
    }
}

/// The part of any object every kind's decode shares; the rest is the kind's own admission's.
#[derive(serde::Deserialize)]
struct MetadataOnly {
    #[serde(rename = "metadata")]
    _metadata: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>,
}

/// Kinds whose own admission calls [`validate`] and reports its errors with the spec's.
fn owns_metadata_validation(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Namespace
            | Kind::Node
            | Kind::Endpoints
            | Kind::EndpointSlice
            | Kind::Event
            | Kind::ConfigMap
            | Kind::ServiceAccount
            | Kind::NetworkPolicy
            | Kind::Ingress
            | Kind::IngressClass
    )
}

/// Decode `v` as the typed Kubernetes object, refusing wrong JSON types the way the API server's
/// decoder does: `<Kind> in version "v1" cannot be handled as a <Kind>: <decode error>`
/// (`apimachinery/pkg/runtime/serializer/versioning` + `endpoints/handlers/create.go`).
/// The decode error's own wording is serde's, not Go's `encoding/json`.
pub(super) fn decode<T: DeserializeOwned>(kind: Kind, v: &Value) -> Result<T, ApiError> {
    // `&Value` is itself a deserializer: no copy of the object per write.
    T::deserialize(v).map_err(|e| {
        ApiError::BadRequest(format!(
            "{k} in version \"{ver}\" cannot be handled as a {k}: {msg}",
            k = kind.name(),
            ver = kind.version(),
            msg = decode::describe::<T>(kind, v, &e.to_string()),
        ))
    })
}

/// `ValidateObjectMeta` for `kind`: name, generateName, labels, annotations, finalizers; on
/// update first the part of `ValidateObjectMetaAccessorUpdate` the write pipeline leaves.
pub(super) fn validate(kind: Kind, op: Op<'_>, obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Op::Update { old } = op
        && meta::is_terminating(old)
    {
        errs.extend(no_new_finalizers(old, obj));
    }
    let md = obj.get("metadata");
    let generate_name = meta::str_at(obj, &["metadata", "generateName"]);
    let name = meta::name(obj);
    if kind != Kind::Service {
        if !generate_name.is_empty() {
            for m in name_rule(kind, generate_name, true) {
                errs.push(FieldError::invalid(
                    "metadata.generateName",
                    generate_name,
                    m,
                ));
            }
        }
        if !name.is_empty() {
            for m in name_rule(kind, name, false) {
                errs.push(FieldError::invalid("metadata.name", name, m));
            }
        }
    }
    errs.extend(super::validation::validate_labels(
        meta::labels(obj),
        "metadata.labels",
    ));
    errs.extend(validate_annotations(meta::annotations(obj)));
    errs.extend(validate_owner_references(obj));
    let finalizers = md
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array);
    for f in finalizers.into_iter().flatten().filter_map(Value::as_str) {
        for m in is_qualified_name(f) {
            errs.push(FieldError::invalid("metadata.finalizers", f, m));
        }
    }
    // pkg/apis/core/validation `ValidateObjectMeta` adds the Kubernetes finalizer-name rule.
    for f in finalizers.into_iter().flatten().filter_map(Value::as_str) {
        errs.extend(validate_kube_finalizer_name(f, "metadata.finalizers"));
    }
    errs
}

fn finalizer_list(obj: &Value) -> Vec<&str> {
    meta::at(obj, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// `ValidateNoNewFinalizers`: an object being deleted may lose finalizers, not gain them. The
/// list is Go's `%#v` of a sorted `[]string`, whatever the 1.34+ value rendering.
fn no_new_finalizers(old: &Value, new: &Value) -> Option<FieldError> {
    let before = finalizer_list(old);
    let mut extra: Vec<&str> = finalizer_list(new)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    extra.sort_unstable();
    extra.dedup();
    if extra.is_empty() {
        return None;
    }
    let quoted: Vec<String> = extra.iter().map(|f| crate::error::go_quote(f)).collect();
    Some(FieldError::forbidden(
        "metadata.finalizers",
        format!(
            "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
            quoted.join(", ")
        ),
    ))
}

/// `validateKubeFinalizerName`: a name without a `/` must be one of the standard finalizers.
pub(super) fn validate_kube_finalizer_name(f: &str, path: &str) -> Option<FieldError> {
    let standard = ["kubernetes", "orphan", "foregroundDeletion"];
    (!f.contains('/') && !standard.contains(&f)).then(|| {
        FieldError::invalid(
            path,
            f,
            "name is neither a standard finalizer name nor is it fully qualified",
        )
    })
}

/// The `ValidateNameFunc` a kind's registry strategy uses.
pub(super) fn name_rule(kind: Kind, name: &str, prefix: bool) -> Vec<String> {
    let name = if prefix {
        mask_trailing_dash(name)
    } else {
        name.to_string()
    };
    match kind {
        Kind::Namespace => is_dns1123_label(&name),
        _ => is_dns1123_subdomain(&name),
    }
}

/// `maskTrailingDash` (apimachinery `api/validation/generic.go`), kept byte for byte including
/// its quirk: it drops the last *two* bytes and appends `a`, so a generateName prefix may end
/// in `-`.
fn mask_trailing_dash(name: &str) -> String {
    if name.len() > 1 && name.ends_with('-') {
        let cut = name.len() - 2;
        let head = name.get(..cut).unwrap_or("");
        format!("{head}a")
    } else {
        name.to_string()
    }
}

/// `ValidateOwnerReferences`: each reference complete (the paths carry no index, as in Go), at
/// most one controller, and no Event as an owner.
fn validate_owner_references(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let path = "metadata.ownerReferences";
    let refs: Vec<&Value> = meta::owner_refs(obj).collect();
    let mut first_controller: Option<String> = None;
    for r in &refs {
        let api_version = meta::str_at(r, &["apiVersion"]);
        let kind = meta::str_at(r, &["kind"]);
        // schema.FromAPIVersionAndKind: "v1" or "group/v1"; anything else has no version.
        let version = match api_version.split('/').collect::<Vec<_>>().as_slice() {
            [v] => *v,
            [_, v] => *v,
            _ => "",
        };
        if version.is_empty() {
            errs.push(FieldError::invalid(
                format!("{path}.apiVersion"),
                api_version,
                "version must not be empty",
            ));
        }
        for (key, v) in [
            ("kind", kind),
            ("name", meta::str_at(r, &["name"])),
            ("uid", meta::str_at(r, &["uid"])),
        ] {
            if v.is_empty() {
                errs.push(FieldError::invalid(
                    format!("{path}.{key}"),
                    v,
                    "must not be empty",
                ));
            }
        }
        if api_version == "v1" && kind == "Event" {
            errs.push(FieldError::invalid(
                path,
                (*r).clone(),
                "/v1, Kind=Event is disallowed from being an owner",
            ));
        }
        if r.get("controller").and_then(Value::as_bool) == Some(true) {
            let current = format!("{kind}/{}", meta::str_at(r, &["name"]));
            match &first_controller {
                Some(first) => errs.push(FieldError::invalid(
                    path,
                    Value::Array(refs.iter().map(|r| (*r).clone()).collect()),
                    format!(
                        "Only one reference can have Controller set to true. Found \"true\" in references for {first} and {current}"
                    ),
                )),
                None => first_controller = Some(current),
            }
        }
    }
    errs
}

/// `ValidateAnnotations`: keys are qualified names compared lower-cased, the total of keys and
/// values at most 256 KiB.
fn validate_annotations(annotations: Option<&Map<String, Value>>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut total = 0usize;
    for (k, v) in annotations.into_iter().flatten() {
        for m in is_qualified_name(&k.to_lowercase()) {
            errs.push(FieldError::invalid("metadata.annotations", k.as_str(), m));
        }
        total += k.len() + v.as_str().map_or(0, str::len);
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        errs.push(FieldError::too_long(
            "metadata.annotations",
            TOTAL_ANNOTATION_SIZE_LIMIT,
        ));
    }
    errs
}

/// `netutils.ParseIPSloppy`: like Go's `net.ParseIP` before 1.17, IPv4 octets may carry leading
/// zeros (`010.0.0.1` is 10.0.0.1). 1.35 still validates legacy IP fields this way
/// (StrictIPCIDRValidation is off by default until 1.36).
pub(super) fn parse_ip_sloppy(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        return s.parse().ok();
    }
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for o in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 10 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = u8::try_from(p.parse::<u32>().ok()?).ok()?;
    }
    parts
        .next()
        .is_none()
        .then_some(IpAddr::V4(Ipv4Addr::from(octets)))
}

/// `netutils.ParseCIDRSloppy`: an IP as [`parse_ip_sloppy`] reads it and a decimal prefix length.
pub(super) fn parse_cidr_sloppy(s: &str) -> Option<(IpAddr, u8)> {
    let (ip, len) = s.split_once('/')?;
    let ip = parse_ip_sloppy(ip)?;
    if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let len: u8 = len.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((ip, len))
}

/// The errors of `errs` as one `Invalid` for `obj`, or Ok.
pub(super) fn result(kind: Kind, obj: &Value, errs: Vec<FieldError>) -> Result<(), ApiError> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(kind, meta::name(obj), errs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sloppy_parsing_accepts_leading_zeros_like_go_before_1_17() {
        assert_eq!(
            parse_ip_sloppy("010.000.000.005"),
            Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)))
        );
        assert_eq!(parse_ip_sloppy("10.0.0.256"), None);
        assert_eq!(parse_ip_sloppy("10.0.0"), None);
        assert_eq!(parse_ip_sloppy("10.0.0.1.2"), None);
        assert!(parse_ip_sloppy("fd00::1").is_some());
        assert_eq!(parse_cidr_sloppy("10.0.0.0/+8"), None);
        assert!(parse_cidr_sloppy("10.0.0.1/8").is_some());
        assert_eq!(parse_cidr_sloppy("10.0.0.0/33"), None);
    }

    #[test]
    fn mask_trailing_dash_keeps_the_upstream_quirk() {
        assert_eq!(mask_trailing_dash("web-"), "wea");
        assert_eq!(mask_trailing_dash("-"), "-");
        assert_eq!(mask_trailing_dash("web"), "web");
    }
}
