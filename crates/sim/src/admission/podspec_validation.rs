//! PodSpec validation shared by Pods and pod templates, with the texts and the order of
//! `pkg/apis/core/validation/validation.go` (`ValidatePodSpec`, `validateContainers`,
//! `validateContainerCommon`, `validateContainerPorts`, `validateProbe`, `validateHandler`,
//! `validateRestartPolicy`, `validateDNSPolicy`, `validatePodDNSConfig`).
//!
//! Paths are built from a prefix (`spec` for a Pod, `spec.template.spec` for a template), so the
//! same code gives `spec.template.spec.containers[0].ports[1].name: Duplicate value: "https"`.
//! Runs after defaulting: a field the defaults fill cannot be missing here, except when a client
//! sent an explicit value the defaults keep.

use serde_json::Value;
use std::collections::BTreeSet;

use super::podspec_fields::{tolerations, validate_volume_mounts, validate_volumes};
use super::probe::validate_probe;
use super::quantity;
use super::validation::{
    is_dns1123_label, is_dns1123_subdomain, is_valid_port_name, is_valid_port_num, validate_labels,
};
use crate::error::FieldError;

pub(crate) const NONNEGATIVE: &str = "must be greater than or equal to 0";

pub(crate) fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn i(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

pub(crate) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `ValidateNonnegativeField`.
pub(crate) fn nonnegative(v: &Value, key: &str, path: &str, out: &mut Vec<FieldError>) {
    if let Some(n) = i(v, key)
        && n < 0
    {
        out.push(FieldError::invalid(format!("{path}.{key}"), n, NONNEGATIVE));
    }
}

/// `ValidateDNS1123Label` on a field that is set.
fn dns1123_label(value: &str, path: &str, out: &mut Vec<FieldError>) {
    for m in is_dns1123_label(value) {
        out.push(FieldError::invalid(path, value, m));
    }
}

/// `ValidatePodSpec`, in its order. `pod` adds the checks a Pod has and a template has not
/// (`validateContainersOnlyForPod`).
pub fn validate_pod_spec(spec: &Value, path: &str, pod: bool) -> Vec<FieldError> {
    let mut out = Vec::new();
    let volumes = validate_volumes(spec, path, &mut out);
    validate_containers(spec, path, &volumes, &mut out);
    let init = arr(spec, "initContainers");
    let mut names: BTreeSet<&str> = arr(spec, "containers")
        .iter()
        .map(|c| s(c, "name"))
        .collect();
    for (n, c) in init.iter().enumerate() {
        let p = format!("{path}.initContainers[{n}]");
        validate_container_common(c, &p, &volumes, &mut out);
        // Container-level restartPolicy values are not checked: with ContainerRestartRules
        // (beta, on in 1.35) more than `Always` is allowed and the rules are not modelled.
        let restart = s(c, "restartPolicy");
        let name = s(c, "name");
        // Init container names share one namespace with the regular containers.
        if !names.insert(name) {
            out.push(FieldError::duplicate(format!("{p}.name"), name));
        }
        if restart == "Always" {
            // A sidecar (restartable init container) may have probes.
            validate_probes(c, &p, &mut out);
        } else {
            for f in [
                "lifecycle",
                "livenessProbe",
                "readinessProbe",
                "startupProbe",
            ] {
                if c.get(f).is_some_and(|v| !v.is_null()) {
                    out.push(FieldError::forbidden(
                        format!("{p}.{f}"),
                        "may not be set for init containers without restartPolicy=Always",
                    ));
                }
            }
        }
    }
    restart_policy(spec, path, &mut out);
    dns_policy(spec, path, &mut out);
    if let Some(Value::Object(sel)) = spec.get("nodeSelector") {
        out.extend(validate_labels(Some(sel), &format!("{path}.nodeSelector")));
    }
    dns_config(spec, path, &mut out);
    let sa = s(spec, "serviceAccountName");
    if !sa.is_empty() {
        for m in is_dns1123_subdomain(sa) {
            out.push(FieldError::invalid(
                format!("{path}.serviceAccountName"),
                sa,
                m,
            ));
        }
    }
    let node = s(spec, "nodeName");
    if !node.is_empty() {
        for m in is_dns1123_subdomain(node) {
            out.push(FieldError::invalid(format!("{path}.nodeName"), node, m));
        }
    }
    if let Some(ads) = i(spec, "activeDeadlineSeconds")
        && !(1..=i64::from(i32::MAX)).contains(&ads)
    {
        out.push(FieldError::invalid(
            format!("{path}.activeDeadlineSeconds"),
            ads,
            format!("must be between 1 and {}, inclusive", i32::MAX),
        ));
    }
    let hostname = s(spec, "hostname");
    if !hostname.is_empty() {
        dns1123_label(hostname, &format!("{path}.hostname"), &mut out);
    }
    let subdomain = s(spec, "subdomain");
    if !subdomain.is_empty() {
        dns1123_label(subdomain, &format!("{path}.subdomain"), &mut out);
    }
    tolerations(spec, path, &mut out);
    if pod {
        for (n, c) in arr(spec, "containers").iter().enumerate() {
            let image = s(c, "image");
            if image.len() != image.trim().len() {
                out.push(FieldError::invalid(
                    format!("{path}.containers[{n}].image"),
                    image,
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    out
}

/// `validateContainers`: the regular containers.
fn validate_containers(
    spec: &Value,
    path: &str,
    volumes: &BTreeSet<String>,
    out: &mut Vec<FieldError>,
) {
    let containers = arr(spec, "containers");
    if containers.is_empty() {
        out.push(FieldError::required(format!("{path}.containers"), ""));
    }
    let mut names = BTreeSet::new();
    for (n, c) in containers.iter().enumerate() {
        let p = format!("{path}.containers[{n}]");
        validate_container_common(c, &p, volumes, out);
        let name = s(c, "name");
        if !names.insert(name) {
            out.push(FieldError::duplicate(format!("{p}.name"), name));
        }
        validate_probes(c, &p, out);
    }
}

/// `validateLivenessProbe`, `validateReadinessProbe`, `validateStartupProbe`.
fn validate_probes(c: &Value, p: &str, out: &mut Vec<FieldError>) {
    for (probe, readiness) in [
        ("livenessProbe", false),
        ("readinessProbe", true),
        ("startupProbe", false),
    ] {
        let Some(pr) = c.get(probe).filter(|v| v.is_object()) else {
            continue;
        };
        let pp = format!("{p}.{probe}");
        validate_probe(pr, &pp, out);
        if readiness {
            if let Some(t) = pr
                .get("terminationGracePeriodSeconds")
                .filter(|v| !v.is_null())
            {
                out.push(FieldError::invalid(
                    format!("{pp}.terminationGracePeriodSeconds"),
                    t.clone(),
                    "must not be set for readinessProbes",
                ));
            }
        } else if let Some(st) = i(pr, "successThreshold")
            && st != 1
        {
            out.push(FieldError::invalid(
                format!("{pp}.successThreshold"),
                st,
                "must be 1",
            ));
        }
    }
}

/// `validateContainerCommon`: name, image, termination message policy, ports, pull policy.
fn validate_container_common(
    c: &Value,
    p: &str,
    volumes: &BTreeSet<String>,
    out: &mut Vec<FieldError>,
) {
    let name = s(c, "name");
    if name.is_empty() {
        out.push(FieldError::required(format!("{p}.name"), ""));
    } else {
        dns1123_label(name, &format!("{p}.name"), out);
    }
    if s(c, "image").is_empty() {
        out.push(FieldError::required(format!("{p}.image"), ""));
    }
    match s(c, "terminationMessagePolicy") {
        "File" | "FallbackToLogsOnError" => {}
        "" => out.push(FieldError::required(
            format!("{p}.terminationMessagePolicy"),
            "",
        )),
        other => out.push(FieldError::not_supported(
            format!("{p}.terminationMessagePolicy"),
            other,
            &["File", "FallbackToLogsOnError"],
        )),
    }
    validate_container_ports(arr(c, "ports"), &format!("{p}.ports"), out);
    for (n, ev) in arr(c, "env").iter().enumerate() {
        // `ValidateEnv`: a name; `valueFrom` not together with a `value`.
        let ep = format!("{p}.env[{n}]");
        if s(ev, "name").is_empty() {
            out.push(FieldError::required(format!("{ep}.name"), ""));
        }
        if ev.get("valueFrom").is_some_and(Value::is_object) && !s(ev, "value").is_empty() {
            out.push(FieldError::invalid(
                format!("{ep}.valueFrom"),
                "",
                "may not be specified when `value` is not empty",
            ));
        }
    }
    validate_volume_mounts(
        arr(c, "volumeMounts"),
        volumes,
        &format!("{p}.volumeMounts"),
        out,
    );
    match s(c, "imagePullPolicy") {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => out.push(FieldError::required(format!("{p}.imagePullPolicy"), "")),
        other => out.push(FieldError::not_supported(
            format!("{p}.imagePullPolicy"),
            other,
            &["Always", "IfNotPresent", "Never"],
        )),
    }
    if let Some(res) = c.get("resources") {
        validate_resources(res, &format!("{p}.resources"), out);
    }
}

/// `ValidateResourceRequirements`: non-negative quantities, requests not above limits.
/// Resource names are iterated sorted (Go's map order is random).
fn validate_resources(res: &Value, p: &str, out: &mut Vec<FieldError>) {
    let list = |which: &str| -> Vec<(String, Value)> {
        let mut v: Vec<(String, Value)> = res
            .get(which)
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    let limits = list("limits");
    for (name, q) in &limits {
        if quantity::parse_value(q).is_ok_and(|n| n < 0.0) {
            out.push(FieldError::invalid(
                format!("{p}.limits[{name}]"),
                quantity::text(q),
                NONNEGATIVE,
            ));
        }
    }
    for (name, q) in list("requests") {
        let Ok(req) = quantity::parse_value(&q) else {
            continue;
        };
        if req < 0.0 {
            out.push(FieldError::invalid(
                format!("{p}.requests[{name}]"),
                quantity::text(&q),
                NONNEGATIVE,
            ));
        }
        let Some((_, lq)) = limits.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let Ok(lim) = quantity::parse_value(lq) else {
            continue;
        };
        // Extended resources (not cpu, memory, ephemeral-storage, hugepages-*) cannot be
        // overcommitted: request and limit must be equal (`IsOvercommitAllowed`).
        let overcommit = matches!(name.as_str(), "cpu" | "memory" | "ephemeral-storage")
            || (!name.contains('/') && !name.starts_with("hugepages-"));
        if req != lim && !overcommit {
            out.push(FieldError::invalid(
                format!("{p}.requests"),
                quantity::text(&q),
                format!("must be equal to {name} limit of {}", quantity::text(lq)),
            ));
        } else if req > lim {
            out.push(FieldError::invalid(
                format!("{p}.requests"),
                quantity::text(&q),
                format!(
                    "must be less than or equal to {name} limit of {}",
                    quantity::text(lq)
                ),
            ));
        }
    }
}

/// `validateContainerPorts` (rule 92a).
fn validate_container_ports(ports: &[Value], path: &str, out: &mut Vec<FieldError>) {
    let mut names = BTreeSet::new();
    for (n, port) in ports.iter().enumerate() {
        let p = format!("{path}[{n}]");
        let name = s(port, "name");
        if !name.is_empty() {
            let msgs = is_valid_port_name(name);
            if !msgs.is_empty() {
                for m in msgs {
                    out.push(FieldError::invalid(format!("{p}.name"), name, m));
                }
            } else if !names.insert(name) {
                out.push(FieldError::duplicate(format!("{p}.name"), name));
            }
        }
        match i(port, "containerPort").unwrap_or(0) {
            0 => out.push(FieldError::required(format!("{p}.containerPort"), "")),
            cp => {
                for m in is_valid_port_num(cp) {
                    out.push(FieldError::invalid(format!("{p}.containerPort"), cp, m));
                }
            }
        }
        let hp = i(port, "hostPort").unwrap_or(0);
        if hp != 0 {
            for m in is_valid_port_num(hp) {
                out.push(FieldError::invalid(format!("{p}.hostPort"), hp, m));
            }
        }
        match s(port, "protocol") {
            "TCP" | "UDP" | "SCTP" => {}
            "" => out.push(FieldError::required(format!("{p}.protocol"), "")),
            other => out.push(FieldError::not_supported(
                format!("{p}.protocol"),
                other,
                &["SCTP", "TCP", "UDP"],
            )),
        }
    }
}

/// `validateRestartPolicy`: Go lists the values in declaration order, unsorted.
fn restart_policy(spec: &Value, path: &str, out: &mut Vec<FieldError>) {
    match s(spec, "restartPolicy") {
        "Always" | "OnFailure" | "Never" => {}
        "" => out.push(FieldError::required(format!("{path}.restartPolicy"), "")),
        other => out.push(FieldError::not_supported(
            format!("{path}.restartPolicy"),
            other,
            &["Always", "OnFailure", "Never"],
        )),
    }
}

/// `validateDNSPolicy`.
fn dns_policy(spec: &Value, path: &str, out: &mut Vec<FieldError>) {
    match s(spec, "dnsPolicy") {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => {}
        "" => out.push(FieldError::required(format!("{path}.dnsPolicy"), "")),
        other => out.push(FieldError::not_supported(
            format!("{path}.dnsPolicy"),
            other,
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
}

/// `validatePodDNSConfig`: `dnsPolicy: None` needs a config with a nameserver.
fn dns_config(spec: &Value, path: &str, out: &mut Vec<FieldError>) {
    if s(spec, "dnsPolicy") != "None" {
        return;
    }
    match spec.get("dnsConfig").filter(|v| v.is_object()) {
        None => out.push(FieldError::required(
            format!("{path}.dnsConfig"),
            "must provide `dnsConfig` when `dnsPolicy` is None",
        )),
        Some(c) if arr(c, "nameservers").is_empty() => out.push(FieldError::required(
            format!("{path}.dnsConfig.nameservers"),
            "must provide at least one DNS nameserver when `dnsPolicy` is None",
        )),
        Some(_) => {}
    }
}
