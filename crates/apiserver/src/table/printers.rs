//! Per-kind printers after upstream `pkg/printers/internalversion/printers.go` (printService,
//! printPod, printDeployment): column definitions and cell texts as a real server sends them.

use jiff::Timestamp;
use serde_json::{Value, json};

/// `duration.HumanDuration` (k8s.io/apimachinery/pkg/util/duration), as `translateTimestampSince`.
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".to_string();
    }
    let s = secs.max(0);
    let (m, h) = (s / 60, s / 3600);
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        if s % 60 == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{}s", s % 60)
        }
    } else if m < 180 {
        format!("{m}m")
    } else if h < 8 {
        if m % 60 == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{}m", m % 60)
        }
    } else if h < 48 {
        format!("{h}h")
    } else if h < 24 * 8 {
        if h % 24 == 0 {
            format!("{}d", h / 24)
        } else {
            format!("{}d{}h", h / 24, h % 24)
        }
    } else if h < 24 * 365 * 2 {
        format!("{}d", h / 24)
    } else if h < 24 * 365 * 8 {
        let y = h / (24 * 365);
        let d = (h / 24) % 365;
        if d == 0 {
            format!("{y}y")
        } else {
            format!("{y}y{d}d")
        }
    } else {
        format!("{}y", h / (24 * 365))
    }
}

/// `translateTimestampSince`: `<unknown>` for an absent timestamp.
pub fn age(ts: &Value, now: Timestamp) -> String {
    match ts.as_str().and_then(|s| s.parse::<Timestamp>().ok()) {
        Some(t) => human_duration(now.as_second() - t.as_second()),
        None => "<unknown>".to_string(),
    }
}

pub fn col(name: &str, ty: &str, format: &str, description: &str, priority: u8) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": priority})
}

const NAME_DOC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DOC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

fn name_col() -> Value {
    col("Name", "string", "name", NAME_DOC, 0)
}

fn age_col() -> Value {
    col("Age", "string", "", AGE_DOC, 0)
}

/// `labels.FormatLabels` / a selector's `String()`: sorted `k=v`, `<none>` when empty.
fn labels_text(m: &Value) -> String {
    match m.as_object() {
        Some(m) if !m.is_empty() => m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(","),
        _ => "<none>".to_string(),
    }
}

fn str_or<'a>(v: &'a Value, default: &'a str) -> &'a str {
    v.as_str().filter(|s| !s.is_empty()).unwrap_or(default)
}

pub fn service_columns() -> Vec<Value> {
    vec![
        name_col(),
        col("Type", "string", "", "The type of the service.", 0),
        col(
            "Cluster-IP",
            "string",
            "",
            "The IP address of the service.",
            0,
        ),
        col(
            "External-IP",
            "string",
            "",
            "The external IP address of the service.",
            0,
        ),
        col("Port(s)", "string", "", "The ports of the service.", 0),
        age_col(),
        col("Selector", "string", "", "The selector of the service.", 1),
    ]
}

pub fn service_cells(s: &Value, now: Timestamp) -> Vec<Value> {
    let spec = &s["spec"];
    let ty = str_or(&spec["type"], "ClusterIP");
    let cluster_ip = spec["clusterIPs"][0]
        .as_str()
        .or(spec["clusterIP"].as_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("<none>");
    let external: Vec<String> = spec["externalIPs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let external_ip = match ty {
        "ExternalName" => str_or(&spec["externalName"], "<none>").to_string(),
        "LoadBalancer" => {
            let mut ips: Vec<String> = s["status"]["loadBalancer"]["ingress"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|i| i["ip"].as_str().or(i["hostname"].as_str()))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            ips.extend(external);
            if ips.is_empty() {
                "<pending>".to_string()
            } else {
                ips.join(",")
            }
        }
        _ if !external.is_empty() => external.join(","),
        _ => "<none>".to_string(),
    };
    let ports: Vec<String> = spec["ports"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let proto = str_or(&p["protocol"], "TCP");
                    let port = p["port"].as_i64().unwrap_or_default();
                    match p["nodePort"].as_i64().filter(|n| *n > 0) {
                        Some(np) => format!("{port}:{np}/{proto}"),
                        None => format!("{port}/{proto}"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let ports = if ports.is_empty() {
        "<none>".to_string()
    } else {
        ports.join(",")
    };
    vec![
        s["metadata"]["name"].clone(),
        json!(ty),
        json!(cluster_ip),
        json!(external_ip),
        json!(ports),
        json!(age(&s["metadata"]["creationTimestamp"], now)),
        json!(labels_text(&spec["selector"])),
    ]
}

pub fn pod_columns() -> Vec<Value> {
    vec![
        name_col(),
        col(
            "Ready",
            "string",
            "",
            "The aggregate readiness state of this pod for accepting traffic.",
            0,
        ),
        col(
            "Status",
            "string",
            "",
            "The aggregate status of the containers in this pod.",
            0,
        ),
        col(
            "Restarts",
            "string",
            "",
            "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
            0,
        ),
        age_col(),
        col(
            "IP",
            "string",
            "",
            "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
            1,
        ),
        col(
            "Node",
            "string",
            "",
            "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.",
            1,
        ),
        col(
            "Nominated Node",
            "string",
            "",
            "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.",
            1,
        ),
        col(
            "Readiness Gates",
            "string",
            "",
            "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
            1,
        ),
    ]
}

fn empty(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

/// printPod's reason: phase or status.reason, then init containers, then containers (last
/// first), `Completed` with a running container back to Running/NotReady, then Terminating.
pub fn pod_cells(p: &Value, now: Timestamp) -> Vec<Value> {
    let status = &p["status"];
    let total = empty(&p["spec"]["containers"]).len();
    let mut reason = str_or(&status["phase"], "").to_string();
    if let Some(r) = status["reason"].as_str().filter(|r| !r.is_empty()) {
        reason = r.to_string();
    }
    let mut restarts: i64 = 0;
    let mut last_restart: Option<Timestamp> = None;
    let mut note_restart = |c: &Value, restarts: &mut i64| {
        *restarts += c["restartCount"].as_i64().unwrap_or_default();
        if let Some(t) = c["lastState"]["terminated"]["finishedAt"]
            .as_str()
            .and_then(|s| s.parse::<Timestamp>().ok())
            && last_restart.is_none_or(|l| t > l)
        {
            last_restart = Some(t);
        }
    };
    let inits = empty(&status["initContainerStatuses"]);
    let init_total = empty(&p["spec"]["initContainers"]).len();
    let mut initializing = false;
    for (i, c) in inits.iter().enumerate() {
        note_restart(c, &mut restarts);
        let term = &c["state"]["terminated"];
        let waiting = &c["state"]["waiting"];
        if term.is_object() && term["exitCode"].as_i64() == Some(0) {
            continue;
        }
        if term.is_object() {
            reason = match term["reason"].as_str().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None => match term["signal"].as_i64().filter(|s| *s != 0) {
                    Some(sig) => format!("Init:Signal:{sig}"),
                    None => format!(
                        "Init:ExitCode:{}",
                        term["exitCode"].as_i64().unwrap_or_default()
                    ),
                },
            };
        } else if let Some(r) = waiting["reason"]
            .as_str()
            .filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{i}/{init_total}");
        }
        initializing = true;
        break;
    }
    let mut ready = 0;
    if !initializing {
        restarts = 0;
        let mut has_running = false;
        for c in empty(&status["containerStatuses"]).iter().rev() {
            note_restart(c, &mut restarts);
            let state = &c["state"];
            if let Some(r) = state["waiting"]["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
            {
                reason = r.to_string();
            } else if let Some(r) = state["terminated"]["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
            {
                reason = r.to_string();
            } else if state["terminated"].is_object() {
                reason = match state["terminated"]["signal"].as_i64().filter(|s| *s != 0) {
                    Some(sig) => format!("Signal:{sig}"),
                    None => format!(
                        "ExitCode:{}",
                        state["terminated"]["exitCode"].as_i64().unwrap_or_default()
                    ),
                };
            } else if c["ready"] == true && state["running"].is_object() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = empty(&status["conditions"])
                .iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_string();
        }
    }
    if !p["metadata"]["deletionTimestamp"].is_null() {
        reason = if status["reason"] == "NodeLost" {
            "Unknown"
        } else {
            "Terminating"
        }
        .to_string();
    }
    let restarts = match last_restart {
        Some(t) => format!(
            "{restarts} ({} ago)",
            human_duration(now.as_second() - t.as_second())
        ),
        None => restarts.to_string(),
    };
    let gates = empty(&p["spec"]["readinessGates"]);
    let gates = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let conds = empty(&status["conditions"]);
        let true_count = gates
            .iter()
            .filter(|g| {
                conds
                    .iter()
                    .any(|c| c["type"] == g["conditionType"] && c["status"] == "True")
            })
            .count();
        format!("{true_count}/{}", gates.len())
    };
    vec![
        p["metadata"]["name"].clone(),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts),
        json!(age(&p["metadata"]["creationTimestamp"], now)),
        json!(str_or(&status["podIP"], "<none>")),
        json!(str_or(&p["spec"]["nodeName"], "<none>")),
        json!(str_or(&status["nominatedNodeName"], "<none>")),
        json!(gates),
    ]
}

pub fn deployment_columns() -> Vec<Value> {
    vec![
        name_col(),
        col(
            "Ready",
            "string",
            "",
            "Number of the pod with ready state",
            0,
        ),
        col(
            "Up-to-date",
            "integer",
            "",
            "Total number of non-terminating pods targeted by this deployment that have the desired template spec.",
            0,
        ),
        col(
            "Available",
            "integer",
            "",
            "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.",
            0,
        ),
        age_col(),
        col(
            "Containers",
            "string",
            "",
            "Names of each container in the template.",
            1,
        ),
        col(
            "Images",
            "string",
            "",
            "Images referenced by each container in the template.",
            1,
        ),
        col(
            "Selector",
            "string",
            "",
            "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
            1,
        ),
    ]
}

pub fn deployment_cells(d: &Value, now: Timestamp) -> Vec<Value> {
    let st = &d["status"];
    let containers = empty(&d["spec"]["template"]["spec"]["containers"]);
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let images: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["image"].as_str())
        .collect();
    vec![
        d["metadata"]["name"].clone(),
        json!(format!(
            "{}/{}",
            st["readyReplicas"].as_i64().unwrap_or_default(),
            d["spec"]["replicas"].as_i64().unwrap_or(1)
        )),
        json!(st["updatedReplicas"].as_i64().unwrap_or_default()),
        json!(st["availableReplicas"].as_i64().unwrap_or_default()),
        json!(age(&d["metadata"]["creationTimestamp"], now)),
        json!(names.join(",")),
        json!(images.join(",")),
        json!(labels_text(&d["spec"]["selector"]["matchLabels"])),
    ]
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn human_duration_matches_apimachinery_breakpoints() {
        for (secs, want) in [
            (-5, "<invalid>"),
            (-1, "0s"),
            (119, "119s"),
            (120, "2m"),
            (125, "2m5s"),
            (600, "10m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 300, "3h5m"),
            (8 * 3600, "8h"),
            (48 * 3600, "2d"),
            (50 * 3600, "2d2h"),
            (8 * 86400, "8d"),
            (800 * 86400, "2y70d"),
            (9 * 365 * 86400, "9y"),
        ] {
            assert_eq!(human_duration(secs), want, "{secs}s");
        }
    }
}
