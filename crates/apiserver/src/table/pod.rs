//! The Pod printer (`printPod`): READY, the STATUS reason (init containers, waiting and
//! terminated reasons, `Completed` with a container still running, `Terminating`), RESTARTS
//! with the time of the last restart, and the wide IP / NODE / NOMINATED NODE / READINESS GATES.

use jiff::Timestamp;
use serde_json::{Value, json};
use std::collections::HashMap;

use super::descriptions as d;
use super::{Column, age, duration, items, name, text};

pub(super) const COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string(
        "Ready",
        "The aggregate readiness state of this pod for accepting traffic.",
    ),
    Column::string(
        "Status",
        "The aggregate status of the containers in this pod.",
    ),
    Column::string(
        "Restarts",
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    Column::AGE,
    Column::string("IP", d::POD_STATUS_POD_IP).wide(),
    Column::string("Node", d::POD_SPEC_NODE_NAME).wide(),
    Column::string("Nominated Node", d::POD_STATUS_NOMINATED_NODE_NAME).wide(),
    Column::string("Readiness Gates", d::POD_SPEC_READINESS_GATES).wide(),
];

/// `node.NodeUnreachablePodReason`: a pod on a lost node being deleted prints `Unknown`.
const NODE_UNREACHABLE_POD_REASON: &str = "NodeLost";

/// `row.conditions` for finished pods (`podSuccessConditions` / `podFailedConditions`).
pub(super) fn row_conditions(pod: &Value) -> Option<Value> {
    let (reason, message) = match text(pod, &["status", "phase"]) {
        "Succeeded" => ("Succeeded", "The pod has completed successfully."),
        "Failed" => ("Failed", "The pod failed."),
        _ => return None,
    };
    Some(json!([{"type": "Completed", "status": "True", "reason": reason, "message": message}]))
}

/// `podutil.IsRestartableInitContainer`: a sidecar (init container with `restartPolicy: Always`).
fn is_sidecar(c: Option<&&Value>) -> bool {
    c.is_some_and(|c| c["restartPolicy"].as_str() == Some("Always"))
}

/// Whether a container status's `state` has the given sub-state (`waiting`, `running`,
/// `terminated`) set, as a non-nil pointer in Go.
fn state<'a>(cs: &'a Value, which: &str) -> Option<&'a Value> {
    cs["state"].get(which).filter(|v| v.is_object())
}

/// The later of `latest` and the container's `lastState.terminated.finishedAt`.
fn later_finish(latest: Option<Timestamp>, cs: &Value) -> Option<Timestamp> {
    let Some(term) = cs["lastState"].get("terminated").filter(|v| v.is_object()) else {
        return latest;
    };
    match (latest, duration::parse(&term["finishedAt"])) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn condition_true(pod: &Value, ty: &str) -> Option<bool> {
    items(pod, &["status", "conditions"])
        .iter()
        .find(|c| c["type"].as_str() == Some(ty))
        .map(|c| c["status"].as_str() == Some("True"))
}

pub(super) fn cells(pod: &Value, now: Timestamp) -> Vec<Value> {
    let spec = &pod["spec"];
    let status = &pod["status"];
    let containers = items(spec, &["containers"]);
    let init_specs = items(spec, &["initContainers"]);
    let mut total = containers.len();
    let mut ready = 0usize;
    let mut restarts: i64 = 0;
    let mut sidecar_restarts: i64 = 0;
    let mut last_restart: Option<Timestamp> = None;
    let mut last_sidecar_restart: Option<Timestamp> = None;

    let phase = text(status, &["phase"]);
    let mut reason = match text(status, &["reason"]) {
        "" => phase.to_string(),
        r => r.to_string(),
    };
    for c in items(status, &["conditions"]) {
        if c["type"].as_str() == Some("PodScheduled")
            && c["reason"].as_str() == Some("SchedulingGated")
        {
            reason = "SchedulingGated".into();
        }
    }

    let mut init_by_name: HashMap<&str, &Value> = HashMap::with_capacity(init_specs.len());
    for c in init_specs {
        init_by_name.insert(text(c, &["name"]), c);
        if c["restartPolicy"].as_str() == Some("Always") {
            total += 1;
        }
    }

    let init_statuses = items(status, &["initContainerStatuses"]);
    let mut initializing = false;
    for (i, cs) in init_statuses.iter().enumerate() {
        let sidecar = is_sidecar(init_by_name.get(text(cs, &["name"])));
        restarts += cs["restartCount"].as_i64().unwrap_or(0);
        last_restart = later_finish(last_restart, cs);
        if sidecar {
            sidecar_restarts += cs["restartCount"].as_i64().unwrap_or(0);
            last_sidecar_restart = later_finish(last_sidecar_restart, cs);
        }
        let terminated = state(cs, "terminated");
        let waiting = state(cs, "waiting");
        if terminated.is_some_and(|t| t["exitCode"].as_i64().unwrap_or(0) == 0) {
            continue;
        }
        if sidecar && cs["started"].as_bool() == Some(true) {
            if cs["ready"].as_bool() == Some(true) {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            // Initialization failed.
            let r = text(t, &["reason"]);
            reason = if !r.is_empty() {
                format!("Init:{r}")
            } else if t["signal"].as_i64().unwrap_or(0) != 0 {
                format!("Init:Signal:{}", t["signal"].as_i64().unwrap_or(0))
            } else {
                format!("Init:ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0))
            };
        } else if let Some(w) = waiting.filter(|w| {
            let r = text(w, &["reason"]);
            !r.is_empty() && r != "PodInitializing"
        }) {
            reason = format!("Init:{}", text(w, &["reason"]));
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    if !initializing || condition_true(pod, "Initialized") == Some(true) {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for cs in items(status, &["containerStatuses"]).iter().rev() {
            restarts += cs["restartCount"].as_i64().unwrap_or(0);
            last_restart = later_finish(last_restart, cs);
            let waiting_reason = state(cs, "waiting").map(|w| text(w, &["reason"]));
            let terminated = state(cs, "terminated");
            if let Some(r) = waiting_reason.filter(|r| !r.is_empty()) {
                reason = r.to_string();
            } else if let Some(t) = terminated {
                let r = text(t, &["reason"]);
                reason = if !r.is_empty() {
                    r.to_string()
                } else if t["signal"].as_i64().unwrap_or(0) != 0 {
                    format!("Signal:{}", t["signal"].as_i64().unwrap_or(0))
                } else {
                    format!("ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0))
                };
            } else if cs["ready"].as_bool() == Some(true) && state(cs, "running").is_some() {
                has_running = true;
                ready += 1;
            }
        }
        // Back to "Running" while at least one container still runs.
        if reason == "Completed" && has_running {
            reason = if condition_true(pod, "Ready") == Some(true) {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }

    let deleting = pod["metadata"]
        .get("deletionTimestamp")
        .is_some_and(|t| !t.is_null());
    if deleting && text(status, &["reason"]) == NODE_UNREACHABLE_POD_REASON {
        reason = "Unknown".into();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".into();
    }

    let restarts_cell = match last_restart {
        Some(t) if restarts != 0 => format!("{restarts} ({} ago)", duration::since_time(t, now)),
        _ => restarts.to_string(),
    };

    let or_none = |s: &str| {
        if s.is_empty() {
            Value::from("<none>")
        } else {
            Value::from(s)
        }
    };
    let pod_ip = items(status, &["podIPs"])
        .first()
        .map_or("", |ip| text(ip, &["ip"]));
    let gates = items(spec, &["readinessGates"]);
    let gates_cell = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let conditions = items(status, &["conditions"]);
        let true_count = gates
            .iter()
            .filter(|g| {
                let ty = text(g, &["conditionType"]);
                conditions
                    .iter()
                    .find(|c| c["type"].as_str() == Some(ty))
                    .is_some_and(|c| c["status"].as_str() == Some("True"))
            })
            .count();
        format!("{true_count}/{}", gates.len())
    };

    vec![
        name(pod),
        Value::from(format!("{ready}/{total}")),
        Value::from(reason),
        Value::from(restarts_cell),
        age(pod, now),
        or_none(pod_ip),
        or_none(text(spec, &["nodeName"])),
        or_none(text(status, &["nominatedNodeName"])),
        Value::from(gates_cell),
    ]
}
