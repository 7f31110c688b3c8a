//! The grader: a pure function from an instance, a snapshot and probe results to a verdict per
//! check, each failure explained from the cluster's own state (principles 1–5 of SCENARIOS.md).

use serde::Serialize;
use serde_json::Value;

use crate::check::{CheckKind, DnsCheck, EndpointsCheck, Expect, FieldCheck, FieldExpect};
use crate::probe::{Observed, ProbeResults, node_port_of, read_curl, read_nc, read_nslookup};
use crate::snapshot::{Snapshot, at_path, pod_ready, selector_text, selects};
use crate::vars::Instance;

/// One check's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub weight: u32,
    pub passed: bool,
    /// Why it failed (or, when passed, what was seen), in the learner's terms.
    pub explanation: String,
}

/// Every check's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    pub checks: Vec<CheckResult>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// Weighted score in percent.
    pub fn score(&self) -> u32 {
        let total: u32 = self.checks.iter().map(|c| c.weight).sum();
        let got: u32 = self
            .checks
            .iter()
            .filter(|c| c.passed)
            .map(|c| c.weight)
            .sum();
        (got * 100).checked_div(total).unwrap_or(0)
    }
}

/// Grade `instance` against `snapshot` and the outcomes of the probes `plan_probes` asked for.
pub fn grade(instance: &Instance, snapshot: &Snapshot, probes: &ProbeResults) -> Report {
    let checks = instance
        .scenario
        .checks
        .iter()
        .map(|check| {
            let (passed, explanation) = match check.kind() {
                Err(e) => (false, e),
                Ok(kind) => judge(kind, &check.id, instance, snapshot, probes),
            };
            CheckResult {
                id: check.id.clone(),
                title: check.title.clone(),
                weight: check.weight,
                passed,
                explanation,
            }
        })
        .collect();
    Report {
        scenario: instance.scenario.id.clone(),
        seed: instance.seed,
        checks,
    }
}

fn judge(
    kind: CheckKind<'_>,
    id: &str,
    instance: &Instance,
    snap: &Snapshot,
    probes: &ProbeResults,
) -> (bool, String) {
    let outcomes = |prefix: &str| -> Vec<(&String, &crate::probe::ProbeOutcome)> {
        probes
            .iter()
            .filter(|(k, _)| k.split_once('/').is_some_and(|(c, _)| c == prefix))
            .collect()
    };
    match kind {
        CheckKind::Endpoints(e) => endpoints(e, snap),
        CheckKind::Http(h) => {
            let seen: Vec<crate::probe::ProbeOutcome> = outcomes(id)
                .into_iter()
                .flat_map(|(_, o)| crate::probe::split_repeated(o))
                .collect();
            if seen.is_empty() {
                return (false, "the probe did not run".to_string());
            }
            let mut bodies = std::collections::BTreeSet::new();
            for o in &seen {
                let observed = read_curl(o);
                let (ok, why) = expect(&h.expect, &observed, &h.url, instance);
                if !ok {
                    return (false, with_trace(why, o.trace.as_deref()));
                }
                if let Observed::Answered { body, .. } = observed {
                    bodies.insert(body);
                }
            }
            if h.expect.same_body && bodies.len() > 1 {
                let seen: Vec<String> = bodies.iter().map(|b| format!("{:?}", b.trim())).collect();
                return (
                    false,
                    format!(
                        "{} requests to {} were answered by {} different backends ({}): nothing keeps a client on one pod",
                        seen.len(),
                        h.url,
                        bodies.len(),
                        seen.join(", ")
                    ),
                );
            }
            (
                true,
                format!("{} request(s) to {} as expected", seen.len(), h.url),
            )
        }
        CheckKind::Tcp(s) | CheckKind::Udp(s) => {
            let target = format!("{}:{}", s.host, s.port);
            match outcomes(id).first() {
                None => (false, "the probe did not run".to_string()),
                Some((_, o)) => {
                    let (ok, why) = expect(&s.expect, &read_nc(o), &target, instance);
                    (
                        ok,
                        if ok {
                            why
                        } else {
                            with_trace(why, o.trace.as_deref())
                        },
                    )
                }
            }
        }
        CheckKind::Dns(d) => match outcomes(id).first() {
            None => (false, "the probe did not run".to_string()),
            Some((_, o)) => dns(d, snap, read_nslookup(o)),
        },
        CheckKind::NodePort(np) => {
            let node_port = match node_port_of(np, snap) {
                Ok(p) => p,
                Err(why) => return (false, why),
            };
            let seen = outcomes(id);
            if seen.is_empty() {
                return (false, "no node was probed".to_string());
            }
            for (key, o) in &seen {
                let node = key.split_once('/').map_or("", |(_, n)| n);
                let target = format!("nodePort {node_port} on {node}");
                let (ok, why) = expect(&np.expect, &read_curl(o), &target, instance);
                if !ok {
                    return (false, with_trace(why, o.trace.as_deref()));
                }
            }
            (
                true,
                format!("nodePort {node_port} answers on all {} nodes", seen.len()),
            )
        }
        CheckKind::Field(f) => match snap.get(
            &f.object.kind,
            f.object.namespace.as_deref(),
            &f.object.name,
        ) {
            None => (false, format!("{} does not exist", f.object)),
            Some(obj) => field(f, obj),
        },
        CheckKind::Invariant(inv) => {
            let ns = inv.object.namespace.as_deref();
            let (Some(before), Some(now)) = (
                snap.seeded(&inv.object.kind, ns, &inv.object.name),
                snap.get(&inv.object.kind, ns, &inv.object.name),
            ) else {
                return (
                    false,
                    format!("{} was deleted; the task said to keep it", inv.object),
                );
            };
            let changed: Vec<&str> = inv
                .fields
                .iter()
                .filter(|f| at_path(before, f) != at_path(now, f))
                .map(String::as_str)
                .collect();
            if changed.is_empty() {
                (true, format!("{} unchanged", inv.object))
            } else {
                (
                    false,
                    format!(
                        "{} changed ({}); the task said not to modify it (a delete and recreate changes uid)",
                        inv.object,
                        changed.join(", ")
                    ),
                )
            }
        }
        CheckKind::Exists(r) => match snap.get(&r.kind, r.namespace.as_deref(), &r.name) {
            Some(_) => (true, format!("{r} exists")),
            None => (false, format!("{r} does not exist")),
        },
        CheckKind::Absent(r) => match snap.get(&r.kind, r.namespace.as_deref(), &r.name) {
            Some(_) => (false, format!("{r} still exists")),
            None => (true, format!("{r} is gone")),
        },
    }
}

/// A field check against the object as it is now.
fn field(f: &FieldCheck, obj: &Value) -> (bool, String) {
    let got = at_path(obj, &f.path).filter(|v| !v.is_null());
    let shown = got.map_or("<unset>".to_string(), Value::to_string);
    let expect = match f.expectation() {
        Ok(e) => e,
        Err(e) => return (false, e),
    };
    let (ok, wanted) = match expect {
        FieldExpect::Equals(Value::Null) => (got.is_none(), "unset".to_string()),
        FieldExpect::Equals(v) => (got == Some(v), v.to_string()),
        FieldExpect::OneOf(vs) => (
            got.is_some_and(|g| vs.contains(g)),
            format!(
                "one of {}",
                vs.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        FieldExpect::Present(true) => (got.is_some(), "set".to_string()),
        FieldExpect::Present(false) => (got.is_none(), "unset".to_string()),
    };
    if ok {
        (true, format!("{} is {shown}", f.path))
    } else {
        (
            false,
            format!("{} {} is {shown}, expected {wanted}", f.object, f.path),
        )
    }
}

fn with_trace(why: String, trace: Option<&str>) -> String {
    match trace {
        Some(t) if !t.is_empty() => format!("{why}\n{t}"),
        _ => why,
    }
}

/// Does what was observed meet the expectation?
fn expect(e: &Expect, seen: &Observed, target: &str, instance: &Instance) -> (bool, String) {
    let denied = matches!(seen, Observed::Refused | Observed::Timeout);
    if e.denied {
        return if denied {
            (true, format!("{target} is denied, as it must be"))
        } else {
            (
                false,
                format!("{target} must stay denied, but {}", describe(seen)),
            )
        };
    }
    if e.refused {
        return (
            matches!(seen, Observed::Refused),
            format!("{target}: {}", describe(seen)),
        );
    }
    if e.timeout {
        return (
            matches!(seen, Observed::Timeout),
            format!("{target}: {}", describe(seen)),
        );
    }
    match seen {
        Observed::Answered { status, body } => {
            if let Some(want) = e.status
                && *status != want
            {
                return (
                    false,
                    format!("{target} answered {status}, expected {want}"),
                );
            }
            if let Some(needle) = &e.body_contains
                && !body.contains(needle.as_str())
            {
                let who = if needle == instance.nonce() {
                    " (the scenario's nonce is missing: another workload answered)"
                } else {
                    ""
                };
                return (false, format!("{target} answered without {needle:?}{who}"));
            }
            (true, format!("{target} {}", describe(seen)))
        }
        other => (false, format!("{target}: {}", describe(other))),
    }
}

fn describe(seen: &Observed) -> String {
    match seen {
        Observed::Answered { status: 0, .. } => "connected".to_string(),
        Observed::Answered { status, .. } => format!("answered {status}"),
        Observed::Refused => "connection refused: the Service has no ready endpoint, or nothing listens on the port the traffic reached".to_string(),
        Observed::Timeout => "timed out: packets were dropped (a NetworkPolicy, a port the Service does not declare, or a Local traffic policy)".to_string(),
        Observed::NoName(m) => format!("the name did not resolve ({m})"),
        Observed::Error(m) => format!("failed: {m}"),
    }
}

fn dns(d: &DnsCheck, snap: &Snapshot, seen: Result<Vec<String>, String>) -> (bool, String) {
    match (seen, d.nxdomain) {
        (Err(m), true) => (true, format!("{} does not resolve ({m})", d.name)),
        (Ok(addrs), true) => (
            false,
            format!(
                "{} resolves to {}, expected no such name",
                d.name,
                addrs.join(", ")
            ),
        ),
        (Err(m), false) => (false, format!("{} did not resolve: {m}", d.name)),
        (Ok(addrs), false) => {
            let want = match (&d.service_ip, &d.address) {
                (Some(svc), _) => {
                    let (ns, name) = svc.split_once('/').unwrap_or(("default", svc));
                    snap.get("Service", Some(ns), name)
                        .and_then(|s| s["spec"]["clusterIP"].as_str())
                        .map(str::to_string)
                }
                (None, Some(a)) => Some(a.clone()),
                (None, None) => None,
            };
            match want {
                None => (
                    !addrs.is_empty(),
                    format!("{} resolves to {}", d.name, addrs.join(", ")),
                ),
                Some(w) if addrs.contains(&w) => (true, format!("{} resolves to {w}", d.name)),
                Some(w) => (
                    false,
                    format!("{} resolves to {}, expected {w}", d.name, addrs.join(", ")),
                ),
            }
        }
    }
}

/// Endpoints check: the ready endpoints are exactly the intended pods on the intended port.
fn endpoints(e: &EndpointsCheck, snap: &Snapshot) -> (bool, String) {
    let ns = e.namespace.as_str();
    let Some(svc) = snap.get("Service", Some(ns), &e.service) else {
        return (false, format!("Service {ns}/{} does not exist", e.service));
    };
    // Ready endpoints of the Service's slices: (pod name or ip, ports).
    let mut ready: Vec<(String, Vec<i64>)> = Vec::new();
    for slice in snap.list("EndpointSlice", Some(ns)) {
        if slice["metadata"]["labels"]["kubernetes.io/service-name"].as_str()
            != Some(e.service.as_str())
        {
            continue;
        }
        let ports: Vec<i64> = slice["ports"]
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p["port"].as_i64()).collect())
            .unwrap_or_default();
        for ep in slice["endpoints"].as_array().into_iter().flatten() {
            if ep["conditions"]["ready"] == Value::Bool(false) {
                continue;
            }
            let who = ep["targetRef"]["name"]
                .as_str()
                .map(str::to_string)
                .or_else(|| ep["addresses"][0].as_str().map(str::to_string))
                .unwrap_or_default();
            ready.push((who, ports.clone()));
        }
    }
    let owners = e.all_owners();
    let owner_text = owners.join(" or ");
    let intended: Option<Vec<&Value>> =
        (!owners.is_empty()).then(|| owners.iter().flat_map(|o| snap.pods_of(ns, o)).collect());
    let intended_ready: Option<Vec<&str>> = intended.as_ref().map(|pods| {
        pods.iter()
            .filter(|p| pod_ready(p))
            .filter_map(|p| p["metadata"]["name"].as_str())
            .collect()
    });
    let want_count = e.count.or(intended_ready.as_ref().map(Vec::len));

    let mut problems = Vec::new();
    if ready.is_empty() {
        problems.push(format!("Service {ns}/{} has no ready endpoints", e.service));
    }
    if let Some(n) = want_count
        && !ready.is_empty()
        && ready.len() != n
    {
        problems.push(format!("{} ready endpoints, expected {n}", ready.len()));
    }
    if let Some(owned) = &intended_ready {
        for (who, _) in &ready {
            if !owned.contains(&who.as_str()) {
                problems.push(format!(
                    "endpoint {who} is not a ready pod of {}",
                    owner_text
                ));
            }
        }
    }
    let wrong_port: Vec<&(String, Vec<i64>)> = ready
        .iter()
        .filter(|(_, ports)| !ports.contains(&i64::from(e.port)))
        .collect();
    if let Some((_, ports)) = wrong_port.first() {
        let got = if ports.is_empty() {
            "no port (a named targetPort the pods do not declare)".to_string()
        } else {
            ports
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        problems.push(format!("endpoints carry port {got}, expected {}", e.port));
    }
    if problems.is_empty() {
        return (
            true,
            format!("{} ready endpoints on port {}", ready.len(), e.port),
        );
    }
    problems.push(diagnose_selector(
        svc,
        snap,
        ns,
        (!owners.is_empty()).then_some(owner_text.as_str()),
        intended.as_deref(),
    ));
    (
        false,
        problems
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// Explain from state why a Service selects what it selects.
fn diagnose_selector(
    svc: &Value,
    snap: &Snapshot,
    ns: &str,
    owner: Option<&str>,
    intended: Option<&[&Value]>,
) -> String {
    let Some(selector) = svc["spec"]["selector"]
        .as_object()
        .filter(|s| !s.is_empty())
    else {
        return "the Service has no selector, so its endpoints are whatever was written by hand"
            .to_string();
    };
    let sel = selector_text(selector);
    let matching: Vec<&Value> = snap
        .list("Pod", Some(ns))
        .filter(|p| selects(selector, crate::snapshot::labels(p)))
        .collect();
    if matching.is_empty() {
        let theirs = intended
            .and_then(|pods| pods.first())
            .and_then(|p| crate::snapshot::labels(p))
            .map(|l| {
                let l: serde_json::Map<String, Value> = l
                    .iter()
                    .filter(|(k, _)| k.as_str() != "pod-template-hash")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                format!(
                    "; pods of {} carry {}",
                    owner.unwrap_or_default(),
                    selector_text(&l)
                )
            })
            .unwrap_or_default();
        return format!("selector {sel} matches no pod in namespace {ns}{theirs}");
    }
    let unready: Vec<&str> = matching
        .iter()
        .filter(|p| !pod_ready(p))
        .filter_map(|p| p["metadata"]["name"].as_str())
        .collect();
    if !unready.is_empty() {
        let why = snap
            .list("Event", Some(ns))
            .filter(|ev| {
                ev["involvedObject"]["name"]
                    .as_str()
                    .is_some_and(|n| unready.contains(&n))
                    && ev["type"] == "Warning"
            })
            .last()
            .and_then(|ev| ev["message"].as_str())
            .map(|m| format!(" (last warning: {m})"))
            .unwrap_or_default();
        return format!(
            "selector {sel} matches {} pods, {} not ready: {}{why}",
            matching.len(),
            unready.len(),
            unready.join(", ")
        );
    }
    format!("selector {sel} matches {} ready pods", matching.len())
}
