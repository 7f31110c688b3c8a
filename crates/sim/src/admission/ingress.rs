//! Ingress and IngressClass admission (SERVICES-SPEC §H rules 77, 82): the DefaultIngressClass
//! admission plugin (`plugin/pkg/admission/network/defaultingressclass/admission.go`), and
//! `pkg/apis/networking/validation/validation.go` `ValidateIngressCreate` / `ValidateIngressUpdate`
//! / `ValidateIngressClass` / `ValidateIngressClassUpdate`.

use serde_json::{Value, json};

use super::super::objectmeta;
use super::super::validation::{
    is_dns1035_label, is_dns1123_subdomain, is_valid_port_name, is_valid_port_num, max_len_error,
    regex_error,
};
use super::super::{Ctx, Op};
use crate::error::{ApiError, FieldError};
use crate::kinds::Kind;
use crate::meta;

const ANNOTATION_INGRESS_CLASS: &str = "kubernetes.io/ingress.class";
const ANNOTATION_IS_DEFAULT_CLASS: &str = "ingressclass.kubernetes.io/is-default-class";
const MAX_LEN_INGRESS_CLASS_CONTROLLER: usize = 250;

pub(super) fn admit_ingress(
    ctx: &mut Ctx<'_>,
    op: Op<'_>,
    obj: &mut Value,
) -> Result<(), ApiError> {
    objectmeta::decode::<k8s_openapi::api::networking::v1::Ingress>(Kind::Ingress, obj)?;
    if matches!(op, Op::UpdateStatus { .. }) {
        return Ok(());
    }
    if matches!(op, Op::Create) {
        default_class(ctx, obj);
    }
    let mut errs = objectmeta::validate(Kind::Ingress, op, obj);
    errs.extend(validate_spec(obj.get("spec").unwrap_or(&Value::Null)));
    if matches!(op, Op::Create) {
        // ValidateIngressCreate: the legacy annotation must agree with the field.
        let ann = meta::annotations(obj)
            .and_then(|a| a.get(ANNOTATION_INGRESS_CLASS))
            .and_then(Value::as_str);
        let class = meta::at(obj, &["spec", "ingressClassName"]).and_then(Value::as_str);
        if let (Some(ann), Some(class)) = (ann, class)
            && ann != class
        {
            errs.push(FieldError::invalid(
                format!("annotations.{ANNOTATION_INGRESS_CLASS}"),
                ann,
                "must match `ingressClassName` when both are specified",
            ));
        }
    }
    objectmeta::result(Kind::Ingress, obj, errs)
}

/// DefaultIngressClass: an Ingress created with neither `ingressClassName` nor the legacy
/// annotation gets the IngressClass annotated `is-default-class: "true"`; of several, the newest
/// (ties by name), as `getDefaultClass` sorts them.
fn default_class(ctx: &Ctx<'_>, obj: &mut Value) {
    let has_class = meta::at(obj, &["spec", "ingressClassName"]).is_some_and(|v| !v.is_null());
    let has_annotation =
        meta::annotations(obj).is_some_and(|a| a.contains_key(ANNOTATION_INGRESS_CLASS));
    if has_class || has_annotation {
        return;
    }
    let mut defaults: Vec<(&str, &str)> = ctx
        .store
        .list(Kind::IngressClass, None)
        .filter(|c| {
            meta::annotations(c)
                .and_then(|a| a.get(ANNOTATION_IS_DEFAULT_CLASS))
                .and_then(Value::as_str)
                == Some("true")
        })
        .map(|c| {
            (
                meta::str_at(c, &["metadata", "creationTimestamp"]),
                meta::name(c),
            )
        })
        .collect();
    // Newest first; RFC 3339 UTC timestamps of one format order as strings.
    defaults.sort_by(|a, b| b.0.cmp(a.0).then(a.1.cmp(b.1)));
    if let Some((_, name)) = defaults.first() {
        let name = (*name).to_string();
        if !obj.get("spec").is_some_and(Value::is_object) {
            obj["spec"] = json!({});
        }
        obj["spec"]["ingressClassName"] = Value::String(name);
    }
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `ValidateIngressSpec`.
fn validate_spec(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let rules = arr(spec, "rules");
    let backend = spec.get("defaultBackend").filter(|b| !b.is_null());
    if rules.is_empty() && backend.is_none() {
        // Go passes the (nil or empty) rules slice as the value.
        let v = spec.get("rules").cloned().unwrap_or(Value::Null);
        errs.push(FieldError::invalid(
            "spec",
            v,
            "either `defaultBackend` or `rules` must be specified",
        ));
    }
    if let Some(b) = backend {
        errs.extend(validate_backend(b, "spec.defaultBackend"));
    }
    for (i, rule) in rules.iter().enumerate() {
        errs.extend(validate_rule(rule, &format!("spec.rules[{i}]")));
    }
    for (t, tls) in arr(spec, "tls").iter().enumerate() {
        for (i, host) in arr(tls, "hosts").iter().enumerate() {
            let host = host.as_str().unwrap_or("");
            let msgs = if host.contains('*') {
                is_wildcard_dns1123_subdomain(host)
            } else {
                is_dns1123_subdomain(host)
            };
            for m in msgs {
                errs.push(FieldError::invalid(
                    format!("spec.tls[{t}].hosts[{i}]"),
                    host,
                    m,
                ));
            }
        }
        let secret = tls.get("secretName").and_then(Value::as_str).unwrap_or("");
        if !secret.is_empty() {
            for m in is_dns1123_subdomain(secret) {
                errs.push(FieldError::invalid(
                    format!("spec.tls[{t}].secretName"),
                    secret,
                    m,
                ));
            }
        }
    }
    if let Some(class) = spec.get("ingressClassName").and_then(Value::as_str) {
        for m in is_dns1123_subdomain(class) {
            errs.push(FieldError::invalid("spec.ingressClassName", class, m));
        }
    }
    errs
}

const WILDCARD_FMT: &str = "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const WILDCARD_MSG: &str = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";

/// `IsWildcardDNS1123Subdomain`: `*.` and then a DNS-1123 subdomain.
fn is_wildcard_dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push(max_len_error(253));
    }
    // The regex alone, without the length limits `IsDNS1123Subdomain` adds.
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        !b.is_empty()
            && alnum(b[0])
            && alnum(b[b.len() - 1])
            && b.iter().all(|&c| alnum(c) || c == b'-')
    };
    let ok = s
        .strip_prefix("*.")
        .is_some_and(|rest| rest.split('.').all(label_ok));
    if !ok {
        errs.push(regex_error(WILDCARD_MSG, WILDCARD_FMT, &["*.example.com"]));
    }
    errs
}

/// `validateIngressRules` + `validateHTTPIngressRuleValue`.
fn validate_rule(rule: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let host = rule.get("host").and_then(Value::as_str).unwrap_or("");
    if !host.is_empty() {
        if objectmeta::parse_ip_sloppy(host).is_some() {
            errs.push(FieldError::invalid(
                format!("{path}.host"),
                host,
                "must be a DNS name, not an IP address",
            ));
        }
        let msgs = if host.contains('*') {
            is_wildcard_dns1123_subdomain(host)
        } else {
            is_dns1123_subdomain(host)
        };
        for m in msgs {
            errs.push(FieldError::invalid(format!("{path}.host"), host, m));
        }
    }
    if let Some(http) = rule.get("http").filter(|h| !h.is_null()) {
        let paths = arr(http, "paths");
        if paths.is_empty() {
            errs.push(FieldError::required(format!("{path}.http.paths"), ""));
        }
        for (i, p) in paths.iter().enumerate() {
            errs.extend(validate_path(p, &format!("{path}.http.paths[{i}]")));
        }
    }
    errs
}

const INVALID_PATH_SEQUENCES: [&str; 5] = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES: [&str; 2] = ["/..", "/."];

/// `validateHTTPIngressPath`: a missing pathType stops the checks of that path.
fn validate_path(p: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(path_type) = p.get("pathType").and_then(Value::as_str) else {
        errs.push(FieldError::required(
            format!("{path}.pathType"),
            "pathType must be specified",
        ));
        return errs;
    };
    let value = p.get("path").and_then(Value::as_str).unwrap_or("");
    let field = format!("{path}.path");
    match path_type {
        "Exact" | "Prefix" => {
            if !value.starts_with('/') {
                errs.push(FieldError::invalid(
                    &field,
                    value,
                    "must be an absolute path",
                ));
            }
            if !value.is_empty() {
                for seq in INVALID_PATH_SEQUENCES {
                    if value.contains(seq) {
                        errs.push(FieldError::invalid(
                            &field,
                            value,
                            format!("must not contain '{seq}'"),
                        ));
                    }
                }
                for suf in INVALID_PATH_SUFFIXES {
                    if value.ends_with(suf) {
                        errs.push(FieldError::invalid(
                            &field,
                            value,
                            format!("cannot end with '{suf}'"),
                        ));
                    }
                }
            }
        }
        "ImplementationSpecific" => {
            if !value.is_empty() && !value.starts_with('/') {
                errs.push(FieldError::invalid(
                    &field,
                    value,
                    "must be an absolute path",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            format!("{path}.pathType"),
            other,
            &["Exact", "ImplementationSpecific", "Prefix"],
        )),
    }
    errs.extend(validate_backend(
        p.get("backend").unwrap_or(&Value::Null),
        &format!("{path}.backend"),
    ));
    errs
}

/// `validateIngressBackend`: a service (DNS-1035 name, exactly one of port name and number) or
/// a resource reference, not both.
fn validate_backend(b: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let resource = b.get("resource").filter(|r| !r.is_null());
    let service = b.get("service").filter(|s| !s.is_null());
    match (resource, service) {
        (Some(_), Some(_)) => {
            errs.push(FieldError::invalid(
                path,
                "",
                "cannot set both resource and service backends",
            ));
        }
        (Some(r), None) => {
            let p = format!("{path}.resource");
            if let Some(g) = r.get("apiGroup").and_then(Value::as_str) {
                for m in is_dns1123_subdomain(g) {
                    errs.push(FieldError::invalid(format!("{p}.apiGroup"), g, m));
                }
            }
            for key in ["kind", "name"] {
                let v = r.get(key).and_then(Value::as_str).unwrap_or("");
                if v.is_empty() {
                    errs.push(FieldError::required(format!("{p}.{key}"), ""));
                } else {
                    for m in is_path_segment_name(v) {
                        errs.push(FieldError::invalid(format!("{p}.{key}"), v, m));
                    }
                }
            }
        }
        (None, Some(s)) => {
            let name = s.get("name").and_then(Value::as_str).unwrap_or("");
            if name.is_empty() {
                errs.push(FieldError::required(format!("{path}.service.name"), ""));
            } else {
                for m in is_dns1035_label(name) {
                    errs.push(FieldError::invalid(format!("{path}.service.name"), name, m));
                }
            }
            let port = s.get("port").unwrap_or(&Value::Null);
            let port_name = port.get("name").and_then(Value::as_str).unwrap_or("");
            let port_number = port.get("number").and_then(Value::as_i64).unwrap_or(0);
            if !port_name.is_empty() && port_number != 0 {
                errs.push(FieldError::invalid(
                    path,
                    "",
                    "cannot set both port name & port number",
                ));
            } else if !port_name.is_empty() {
                for m in is_valid_port_name(port_name) {
                    errs.push(FieldError::invalid(
                        format!("{path}.service.port.name"),
                        port_name,
                        m,
                    ));
                }
            } else if port_number != 0 {
                for m in is_valid_port_num(port_number) {
                    errs.push(FieldError::invalid(
                        format!("{path}.service.port.number"),
                        port_number,
                        m,
                    ));
                }
            } else {
                errs.push(FieldError::required(
                    path,
                    "port name or number is required",
                ));
            }
        }
        (None, None) => {
            errs.push(FieldError::invalid(
                path,
                "",
                "resource or service backend is required",
            ));
        }
    }
    errs
}

/// `content.IsPathSegmentName`: usable as one segment of a URL path.
fn is_path_segment_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s == "." || s == ".." {
        errs.push(format!("may not be '{s}'"));
    }
    for bad in ["/", "%"] {
        if s.contains(bad) {
            errs.push(format!("may not contain '{bad}'"));
        }
    }
    errs
}

pub(super) fn admit_ingress_class(op: Op<'_>, obj: &mut Value) -> Result<(), ApiError> {
    objectmeta::decode::<k8s_openapi::api::networking::v1::IngressClass>(Kind::IngressClass, obj)?;
    // SetDefaults_IngressClass: parameters without a scope are cluster-scoped.
    if let Some(Value::Object(params)) = obj.pointer_mut("/spec/parameters")
        && params.get("scope").is_none_or(Value::is_null)
    {
        params.insert("scope".into(), json!("Cluster"));
    }
    let mut errs = Vec::new();
    let controller = meta::str_at(obj, &["spec", "controller"]).to_string();
    if let Op::Update { old } = op {
        // validateIngressClassSpecUpdate: the controller is fixed once set.
        let old_controller = meta::str_at(old, &["spec", "controller"]);
        if controller != old_controller {
            errs.push(FieldError::invalid(
                "spec.controller",
                controller.as_str(),
                "field is immutable",
            ));
        }
    }
    errs.extend(objectmeta::validate(Kind::IngressClass, op, obj));
    if controller.is_empty() {
        errs.push(FieldError::required("spec.controller", ""));
    } else {
        if controller.len() > MAX_LEN_INGRESS_CLASS_CONTROLLER {
            errs.push(FieldError::too_long(
                "spec.controller",
                MAX_LEN_INGRESS_CLASS_CONTROLLER,
            ));
        }
        errs.extend(is_domain_prefixed_path("spec.controller", &controller));
    }
    if let Some(params) = meta::at(obj, &["spec", "parameters"]).filter(|p| !p.is_null()) {
        errs.extend(validate_class_parameters(params));
    }
    objectmeta::result(Kind::IngressClass, obj, errs)
}

const HTTP_PATH_FMT: &str = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/// `IsDomainPrefixedPath`: `acme.io/foo`.
fn is_domain_prefixed_path(path: &str, v: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some((host, rest)) = v
        .split_once('/')
        .filter(|(h, r)| !h.is_empty() && !r.is_empty())
    else {
        errs.push(FieldError::invalid(
            path,
            v,
            "must be a domain-prefixed path (such as \"acme.io/foo\")",
        ));
        return errs;
    };
    for m in is_dns1123_subdomain(host) {
        errs.push(FieldError::invalid(path, host, m));
    }
    let ok = rest
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:".contains(&c));
    if !ok {
        errs.push(FieldError::invalid(
            path,
            rest,
            regex_error("Invalid path", HTTP_PATH_FMT, &[]),
        ));
    }
    errs
}

/// `validateIngressClassParametersReference`.
fn validate_class_parameters(p: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let base = "spec.parameters";
    if let Some(g) = p.get("apiGroup").and_then(Value::as_str) {
        for m in is_dns1123_subdomain(g) {
            errs.push(FieldError::invalid(format!("{base}.apiGroup"), g, m));
        }
    }
    for key in ["kind", "name"] {
        let v = p.get(key).and_then(Value::as_str).unwrap_or("");
        if v.is_empty() {
            errs.push(FieldError::required(format!("{base}.{key}"), ""));
        } else {
            for m in is_path_segment_name(v) {
                errs.push(FieldError::invalid(format!("{base}.{key}"), v, m));
            }
        }
    }
    let scope = p.get("scope").and_then(Value::as_str).unwrap_or("");
    let namespace = p.get("namespace").and_then(Value::as_str);
    match scope {
        "Namespace" => match namespace {
            None => errs.push(FieldError::required(
                format!("{base}.namespace"),
                "`parameters.scope` is set to 'Namespace'",
            )),
            Some(ns) => {
                for m in super::super::validation::is_dns1123_label(ns) {
                    errs.push(FieldError::invalid(format!("{base}.namespace"), ns, m));
                }
            }
        },
        "Cluster" => {
            if namespace.is_some() {
                errs.push(FieldError::forbidden(
                    format!("{base}.namespace"),
                    "`parameters.scope` is set to 'Cluster'",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            format!("{base}.scope"),
            other,
            &["Cluster", "Namespace"],
        )),
    }
    errs
}
