//! The container runtime and the kubelet as a node shows them: `crictl ps [-a]` and
//! `crictl logs ID` (cri-tools `cmd/crictl/container.go`, `logs.go`: a tabwriter table with
//! minimum width 20 and padding 3, ids truncated to 13 characters, ages as go-units
//! `HumanDuration`), and `journalctl -u kubelet` (short, klog-formatted lines).

use serde_json::Value;

use super::super::machine::{CriContainer, CriSandbox, NodeFacts};
use super::fail;
use crate::images;
use crate::kinds::Kind;
use crate::meta;
use crate::net::clients::ClientRun;
use crate::sim::Sim;

/// The kubelet's PID in its journal lines.
pub(crate) const KUBELET_PID: u32 = 812;

fn seconds_since(now: jiff::Timestamp, t: &str) -> i64 {
    t.parse::<jiff::Timestamp>()
        .map_or(0, |t| now.as_second() - t.as_second())
}

/// Every container the runtime has on `node`, pods sorted by namespace and name.
pub(crate) fn containers(sim: &Sim, node: &str) -> Vec<CriContainer> {
    let now = sim.now();
    let mut pods: Vec<&Value> = sim
        .store
        .list(Kind::Pod, None)
        .map(|p| p.as_ref())
        .filter(|p| meta::str_at(p, &["spec", "nodeName"]) == node)
        .collect();
    pods.sort_by(|a, b| {
        (meta::namespace(a), meta::name(a)).cmp(&(meta::namespace(b), meta::name(b)))
    });
    let mut out = Vec::new();
    for pod in pods {
        let uid = meta::uid(pod);
        let pod_id = images::hex64(&format!("{uid}/sandbox"));
        for field in ["initContainerStatuses", "containerStatuses"] {
            for s in pod["status"][field].as_array().into_iter().flatten() {
                let Some(id) = s["containerID"]
                    .as_str()
                    .and_then(|c| c.strip_prefix("containerd://"))
                else {
                    continue;
                };
                let name = s["name"].as_str().unwrap_or("");
                let (state, started) = if let Some(r) = s["state"].get("running") {
                    ("Running", r["startedAt"].as_str().unwrap_or(""))
                } else if let Some(t) = s["state"].get("terminated") {
                    ("Exited", t["startedAt"].as_str().unwrap_or(""))
                } else {
                    continue;
                };
                let log = sim
                    .logs
                    .lines(uid, name, false)
                    .map(|l| l.iter().map(|x| x.text.clone()).collect())
                    .unwrap_or_default();
                out.push(CriContainer {
                    id: id.to_string(),
                    image_id: images::hex64(&format!(
                        "config/{}",
                        s["imageID"].as_str().unwrap_or(name)
                    )),
                    age_secs: seconds_since(now, started),
                    state: state.to_string(),
                    name: name.to_string(),
                    attempt: s["restartCount"].as_i64().unwrap_or(0),
                    pod_id: pod_id.clone(),
                    pod: meta::name(pod).to_string(),
                    namespace: meta::namespace(pod).to_string(),
                    log,
                });
            }
        }
    }
    out
}

/// The pod sandboxes on `node`, as `crictl pods` lists them (newest first, as containerd
/// sorts by creation time).
pub(crate) fn sandboxes(sim: &Sim, node: &str) -> Vec<CriSandbox> {
    let now = sim.now();
    let mut out: Vec<CriSandbox> = sim
        .store
        .list(Kind::Pod, None)
        .map(|p| p.as_ref())
        .filter(|p| meta::str_at(p, &["spec", "nodeName"]) == node)
        .filter(|p| {
            !meta::str_at(p, &["status", "podIP"]).is_empty() || p["spec"]["hostNetwork"] == true
        })
        .map(|p| CriSandbox {
            id: images::hex64(&format!("{}/sandbox", meta::uid(p))),
            age_secs: seconds_since(now, meta::str_at(p, &["metadata", "creationTimestamp"])),
            ready: !matches!(
                meta::str_at(p, &["status", "phase"]),
                "Succeeded" | "Failed"
            ),
            name: meta::name(p).to_string(),
            namespace: meta::namespace(p).to_string(),
        })
        .collect();
    out.sort_by(|a, b| a.age_secs.cmp(&b.age_secs).then(a.name.cmp(&b.name)));
    out
}

/// go-units `HumanDuration`.
fn human_duration(secs: i64) -> String {
    let minutes = secs / 60;
    let hours = (secs as f64 / 3600.0 + 0.5) as i64;
    if secs < 1 {
        "Less than a second".to_string()
    } else if secs == 1 {
        "1 second".to_string()
    } else if secs < 60 {
        format!("{secs} seconds")
    } else if minutes == 1 {
        "About a minute".to_string()
    } else if minutes < 60 {
        format!("{minutes} minutes")
    } else if hours == 1 {
        "About an hour".to_string()
    } else if hours < 48 {
        format!("{hours} hours")
    } else if hours < 24 * 7 * 2 {
        format!("{} days", hours / 24)
    } else if hours < 24 * 30 * 2 {
        format!("{} weeks", hours / 24 / 7)
    } else if hours < 24 * 365 * 2 {
        format!("{} months", hours / 24 / 30)
    } else {
        format!("{} years", secs / 3600 / 24 / 365)
    }
}

/// Go's `tabwriter` with minwidth 20, padding 3: every cell but the last of a line is padded
/// to its column's width.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![20usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate().take(r.len().saturating_sub(1)) {
            widths[i] = widths[i].max(c.chars().count() + 3);
        }
    }
    let mut out = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i + 1 < r.len() {
                out.push_str(&format!("{c:<w$}", w = widths[i]));
            } else {
                out.push_str(c);
            }
        }
        out.push('\n');
    }
    out
}

/// `crictl ps [-a] [-q]`, `crictl logs [--tail N] ID`.
pub(crate) fn crictl(facts: &NodeFacts, args: &[String], tty: bool) -> ClientRun {
    let error = |msg: String| {
        // logrus: a terminal gets the short form, a pipe the key=value one.
        let line = if tty {
            format!("ERRO[0000] {msg}\n")
        } else {
            format!("time=\"{}\" level=error msg={:?}\n", facts.now_rfc3339, msg)
        };
        fail(line, 1)
    };
    let Some(sub) = args.first() else {
        return fail(
            "NAME:\n   crictl - client for CRI\n\nUSAGE:\n   crictl [global options] command [command options]\n".to_string(),
            0,
        );
    };
    let rest = &args[1..];
    match sub.as_str() {
        "ps" => {
            let all = rest.iter().any(|a| a == "-a" || a == "--all");
            let quiet = rest.iter().any(|a| a == "-q" || a == "--quiet");
            let list: Vec<&CriContainer> = facts
                .containers
                .iter()
                .filter(|c| all || c.state == "Running")
                .collect();
            if quiet {
                return ClientRun {
                    stdout: list.iter().map(|c| format!("{}\n", c.id)).collect(),
                    ..ClientRun::ok()
                };
            }
            let mut rows = vec![
                [
                    "CONTAINER",
                    "IMAGE",
                    "CREATED",
                    "STATE",
                    "NAME",
                    "ATTEMPT",
                    "POD ID",
                    "POD",
                    "NAMESPACE",
                ]
                .iter()
                .map(|s| (*s).to_string())
                .collect::<Vec<_>>(),
            ];
            for c in list {
                rows.push(vec![
                    c.id.chars().take(13).collect(),
                    c.image_id.chars().take(13).collect(),
                    format!("{} ago", human_duration(c.age_secs)),
                    c.state.clone(),
                    c.name.clone(),
                    c.attempt.to_string(),
                    c.pod_id.chars().take(13).collect(),
                    c.pod.clone(),
                    c.namespace.clone(),
                ]);
            }
            ClientRun {
                stdout: table(&rows),
                ..ClientRun::ok()
            }
        }
        "pods" => {
            let quiet = rest.iter().any(|a| a == "-q" || a == "--quiet");
            if quiet {
                return ClientRun {
                    stdout: facts
                        .sandboxes
                        .iter()
                        .map(|p| format!("{}\n", p.id))
                        .collect(),
                    ..ClientRun::ok()
                };
            }
            let mut rows = vec![
                [
                    "POD ID",
                    "CREATED",
                    "STATE",
                    "NAME",
                    "NAMESPACE",
                    "ATTEMPT",
                    "RUNTIME",
                ]
                .iter()
                .map(|s| (*s).to_string())
                .collect::<Vec<_>>(),
            ];
            for p in &facts.sandboxes {
                rows.push(vec![
                    p.id.chars().take(13).collect(),
                    format!("{} ago", human_duration(p.age_secs)),
                    if p.ready { "Ready" } else { "NotReady" }.to_string(),
                    p.name.clone(),
                    p.namespace.clone(),
                    "0".to_string(),
                    "(default)".to_string(),
                ]);
            }
            ClientRun {
                stdout: table(&rows),
                ..ClientRun::ok()
            }
        }
        "logs" => {
            let mut tail: Option<usize> = None;
            let mut id = None;
            let mut it = rest.iter();
            while let Some(a) = it.next() {
                if a == "--tail" {
                    tail = it.next().and_then(|n| n.parse().ok());
                } else if let Some(n) = a.strip_prefix("--tail=") {
                    tail = n.parse().ok();
                } else if !a.starts_with('-') {
                    id = Some(a.clone());
                }
            }
            let Some(id) = id else {
                return error("ID cannot be empty".to_string());
            };
            // containerd resolves a unique id prefix.
            let found: Vec<&CriContainer> = facts
                .containers
                .iter()
                .filter(|c| c.id.starts_with(&id))
                .collect();
            let [c] = found.as_slice() else {
                return error(format!(
                    "rpc error: code = NotFound desc = an error occurred when try to find container \"{id}\": not found"
                ));
            };
            let lines = &c.log;
            let from = tail.map_or(0, |n| lines.len().saturating_sub(n));
            ClientRun {
                stdout: lines[from..].iter().map(|l| format!("{l}\n")).collect(),
                ..ClientRun::ok()
            }
        }
        other => error(format!("No help topic for '{other}'")),
    }
}

/// What the kubelet logged: its start, then one `SyncLoop ADD` per pod bound to the node, and
/// the back-off errors of containers that are waiting.
pub(crate) fn kubelet_journal(sim: &Sim, node: &str) -> Vec<String> {
    let stamp = |t: jiff::Timestamp| {
        (
            t.strftime("%b %d %H:%M:%S").to_string(),
            t.strftime("%m%d %H:%M:%S%.6f").to_string(),
        )
    };
    let boot = sim
        .store
        .get_by(Kind::Node, "", node)
        .and_then(|n| {
            meta::str_at(n, &["metadata", "creationTimestamp"])
                .parse::<jiff::Timestamp>()
                .ok()
        })
        .unwrap_or_else(|| sim.now());
    let (day, klog) = stamp(boot);
    let mut out = vec![
        format!(
            "{day} {node} systemd[1]: Started kubelet.service - kubelet: The Kubernetes Node Agent."
        ),
        format!(
            "{day} {node} kubelet[{KUBELET_PID}]: I{klog}     {KUBELET_PID} server.go:484] \"Kubelet version\" kubeletVersion=\"{}\"",
            sim.config.version
        ),
    ];
    let mut pods: Vec<&Value> = sim
        .store
        .list(Kind::Pod, None)
        .map(|p| p.as_ref())
        .filter(|p| meta::str_at(p, &["spec", "nodeName"]) == node)
        .collect();
    pods.sort_by_key(|p| meta::str_at(p, &["metadata", "creationTimestamp"]).to_string());
    for pod in pods {
        let created = meta::str_at(pod, &["metadata", "creationTimestamp"])
            .parse::<jiff::Timestamp>()
            .unwrap_or(boot);
        let (day, klog) = stamp(created);
        let key = format!("{}/{}", meta::namespace(pod), meta::name(pod));
        out.push(format!(
            "{day} {node} kubelet[{KUBELET_PID}]: I{klog}     {KUBELET_PID} kubelet.go:2470] \"SyncLoop ADD\" source=\"api\" pods=[\"{key}\"]"
        ));
        for s in pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let w = &s["state"]["waiting"];
            let reason = w["reason"].as_str().unwrap_or("");
            if matches!(
                reason,
                "CrashLoopBackOff" | "ImagePullBackOff" | "ErrImagePull"
            ) {
                out.push(format!(
                    "{day} {node} kubelet[{KUBELET_PID}]: E{klog}     {KUBELET_PID} pod_workers.go:1301] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"{}\\\" with {reason}: \\\"{}\\\"\" pod=\"{key}\" podUID=\"{}\"",
                    s["name"].as_str().unwrap_or(""),
                    w["message"].as_str().unwrap_or("").replace('"', "\\\""),
                    meta::uid(pod)
                ));
            }
        }
    }
    out
}

/// `journalctl -u kubelet [-n N] [-f] [--no-pager]`.
pub(crate) fn journalctl(facts: &NodeFacts, args: &[String]) -> ClientRun {
    let mut unit = None;
    let mut lines: Option<usize> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-u" | "--unit" => unit = it.next().cloned(),
            "-n" | "--lines" => lines = it.next().and_then(|n| n.parse().ok()),
            s if s.starts_with("--unit=") => unit = s.strip_prefix("--unit=").map(str::to_string),
            s if s.starts_with("-u") && s.len() > 2 => unit = Some(s[2..].to_string()),
            _ => {}
        }
    }
    let unit = unit.map(|u| u.trim_end_matches(".service").to_string());
    let all: &[String] = match unit.as_deref() {
        Some("kubelet") => &facts.kubelet_journal,
        _ => &[],
    };
    if all.is_empty() {
        return ClientRun {
            stdout: "-- No entries --\n".to_string(),
            ..ClientRun::ok()
        };
    }
    let from = lines.map_or(0, |n| all.len().saturating_sub(n));
    ClientRun {
        stdout: all[from..].iter().map(|l| format!("{l}\n")).collect(),
        // -f keeps waiting for new lines until interrupted.
        ended: !args.iter().any(|a| a == "-f" || a == "--follow"),
        ..ClientRun::ok()
    }
}
