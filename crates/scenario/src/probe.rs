//! Probes: the short-lived pods that test connectivity for a check. This module plans them
//! (where, which image, which command — the same on a simulated and a real cluster) and reads
//! back what the real tools printed; running them is `kubedrill-cluster`'s job.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::check::{CheckKind, NodePortCheck, Vantage};
use crate::snapshot::{Snapshot, at_path};
use crate::vars::Instance;

/// The image for HTTP probes: curl's `-w '%{http_code}'` reports the status of any answer.
pub const CURL_IMAGE: &str = "curlimages/curl:8.8.0";
/// The image for TCP/UDP/DNS probes: busybox's `nc` and `nslookup`.
pub const BUSYBOX_IMAGE: &str = "busybox:1.36";
/// Seconds a probe waits for an answer before reporting a timeout.
pub const PROBE_TIMEOUT_SECONDS: u32 = 3;

/// Where a probe pod runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ProbeFrom {
    /// A pod with these labels in this namespace.
    Pod {
        namespace: String,
        labels: BTreeMap<String, String>,
    },
    /// A hostNetwork pod pinned to this node.
    Node(String),
}

/// One probe to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeSpec {
    /// `<check id>/<n>`: results are keyed by it.
    pub id: String,
    pub from: ProbeFrom,
    pub image: String,
    pub argv: Vec<String>,
}

/// What a probe printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProbeOutcome {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    /// On the simulated cluster: the network model's trace, for explanations.
    pub trace: Option<String>,
}

pub type ProbeResults = BTreeMap<String, ProbeOutcome>;

fn from_vantage(v: &Vantage) -> ProbeFrom {
    match &v.node {
        Some(node) => ProbeFrom::Node(node.clone()),
        None => ProbeFrom::Pod {
            namespace: v.namespace.clone().unwrap_or_else(|| "default".to_string()),
            labels: v.labels.clone(),
        },
    }
}

/// `curl` as the HTTP probe runs it: status code on the last line of stdout.
pub fn curl_argv(url: &str, host: Option<&str>) -> Vec<String> {
    let mut argv: Vec<String> = [
        "curl",
        "-sS",
        "-m",
        &PROBE_TIMEOUT_SECONDS.to_string(),
        "-w",
        "\n%{http_code}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(h) = host {
        argv.push("-H".to_string());
        argv.push(format!("Host: {h}"));
    }
    argv.push(url.to_string());
    argv
}

fn nc_argv(host: &str, port: u16, udp: bool) -> Vec<String> {
    let mut argv = vec!["nc".to_string()];
    if udp {
        argv.push("-u".to_string());
    }
    argv.extend(
        [
            "-z",
            "-v",
            "-w",
            &PROBE_TIMEOUT_SECONDS.to_string(),
            host,
            &port.to_string(),
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    argv
}

/// The line a repeated probe prints after each run, followed by the run's exit code.
pub const REPEAT_MARK: &str = "--- kubedrill probe exit ";

/// `argv` run `n` times in a row by one shell, in one pod: the same client address each time,
/// which is what `sessionAffinity: ClientIP` keys on (separate pods would each be a new
/// client), and a new connection each time, so no keep-alive can fake stickiness. Each run's
/// output (stderr into stdout, to keep the order) ends with [`REPEAT_MARK`] and its exit code.
pub fn repeated(argv: &[String], n: u32) -> Vec<String> {
    let cmd: Vec<String> = argv.iter().map(|a| sh_quote(a)).collect();
    let runs: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
    let script = format!(
        // `echo` alone ends the run's last line (curl's `-w` leaves it open); busybox echo
        // prints `\n` literally, so no escapes.
        "for i in {}; do {} 2>&1; rc=$?; echo; echo \"{REPEAT_MARK}$rc\"; done",
        runs.join(" "),
        cmd.join(" ")
    );
    vec!["sh".to_string(), "-c".to_string(), script]
}

/// Split the outcome of a [`repeated`] probe into one outcome per run. An outcome without
/// marks (a plain probe) is returned as it is.
pub fn split_repeated(o: &ProbeOutcome) -> Vec<ProbeOutcome> {
    let text = if o.stdout.contains(REPEAT_MARK) {
        &o.stdout
    } else {
        return vec![o.clone()];
    };
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        match line.trim_end().strip_prefix(REPEAT_MARK) {
            Some(code) => {
                let body = current.strip_suffix('\n').unwrap_or(&current).to_string();
                out.push(ProbeOutcome {
                    exit_code: code.trim().parse().unwrap_or(1),
                    stdout: body.clone(),
                    stderr: body,
                    trace: o.trace.clone(),
                });
                current.clear();
            }
            None => current.push_str(line),
        }
    }
    out
}

fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%,+".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// InternalIPs of every node, by node name.
pub fn node_ips(snapshot: &Snapshot) -> Vec<(String, String)> {
    snapshot
        .list("Node", None)
        .filter_map(|n| {
            let name = n["metadata"]["name"].as_str()?.to_string();
            let ip = n["status"]["addresses"]
                .as_array()?
                .iter()
                .find(|a| a["type"] == "InternalIP")?["address"]
                .as_str()?
                .to_string();
            Some((name, ip))
        })
        .collect()
}

/// The nodePort a check probes: the one it names, or the one the cluster allocated to the
/// Service port it names (default: the first port). `Err` says why there is none.
pub fn node_port_of(np: &NodePortCheck, snapshot: &Snapshot) -> Result<u16, String> {
    if let Some(p) = np.node_port {
        return Ok(p);
    }
    let svc = snapshot
        .get("Service", Some(&np.namespace), &np.service)
        .ok_or_else(|| format!("Service {}/{} does not exist", np.namespace, np.service))?;
    let ports = svc["spec"]["ports"].as_array().cloned().unwrap_or_default();
    let port = match np.port {
        Some(want) => ports
            .iter()
            .find(|p| p["port"].as_u64() == Some(u64::from(want)))
            .ok_or_else(|| format!("Service {}/{} has no port {want}", np.namespace, np.service))?,
        None => ports
            .first()
            .ok_or_else(|| format!("Service {}/{} has no ports", np.namespace, np.service))?,
    };
    port["nodePort"]
        .as_u64()
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| {
            format!(
                "Service {}/{} has no nodePort (type {})",
                np.namespace,
                np.service,
                svc["spec"]["type"].as_str().unwrap_or("ClusterIP")
            )
        })
}

/// Every probe the instance's checks need, given the cluster as it is now (a nodeport check
/// probes every node the snapshot lists).
pub fn plan_probes(instance: &Instance, snapshot: &Snapshot) -> Vec<ProbeSpec> {
    let mut out = Vec::new();
    for check in &instance.scenario.checks {
        let Ok(kind) = check.kind() else { continue };
        match kind {
            CheckKind::Http(h) => {
                let curl = curl_argv(&h.url, h.host.as_deref());
                out.push(ProbeSpec {
                    id: format!("{}/0", check.id),
                    from: from_vantage(&h.from),
                    image: CURL_IMAGE.to_string(),
                    argv: if h.repeat > 1 {
                        repeated(&curl, h.repeat)
                    } else {
                        curl
                    },
                });
            }
            CheckKind::Tcp(s) | CheckKind::Udp(s) => out.push(ProbeSpec {
                id: format!("{}/0", check.id),
                from: from_vantage(&s.from),
                image: BUSYBOX_IMAGE.to_string(),
                argv: nc_argv(&s.host, s.port, matches!(kind, CheckKind::Udp(_))),
            }),
            CheckKind::Dns(d) => out.push(ProbeSpec {
                id: format!("{}/0", check.id),
                from: from_vantage(&d.from),
                image: BUSYBOX_IMAGE.to_string(),
                argv: vec!["nslookup".to_string(), d.name.clone()],
            }),
            CheckKind::NodePort(np) => {
                // No nodePort to probe is the grader's to explain, not a probe to run.
                let Ok(node_port) = node_port_of(np, snapshot) else {
                    continue;
                };
                for (node, ip) in node_ips(snapshot) {
                    let url = format!("http://{ip}:{node_port}{}", np.path);
                    out.push(ProbeSpec {
                        id: format!("{}/{node}", check.id),
                        from: ProbeFrom::Node(node),
                        image: CURL_IMAGE.to_string(),
                        argv: curl_argv(&url, None),
                    });
                }
            }
            CheckKind::Endpoints(_)
            | CheckKind::Field(_)
            | CheckKind::Invariant(_)
            | CheckKind::Exists(_)
            | CheckKind::Absent(_) => {}
        }
    }
    out
}

/// What a connection attempt came to, read from the tool's own output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// HTTP answer (status, body) or, for nc, an open port (status 0, empty body).
    Answered {
        status: u16,
        body: String,
    },
    Refused,
    Timeout,
    /// The name did not resolve (NXDOMAIN or DNS timeout): the tool's message.
    NoName(String),
    /// Anything else, with the tool's message.
    Error(String),
}

/// Read a `curl_argv` probe: exit 0 → the last stdout line is the status; 7 refused; 28
/// timeout; 6 unresolved (curl's documented exit codes).
pub fn read_curl(o: &ProbeOutcome) -> Observed {
    match o.exit_code {
        0 => {
            let (body, code) = o
                .stdout
                .rsplit_once('\n')
                .unwrap_or(("", o.stdout.as_str()));
            match code.trim().parse::<u16>() {
                Ok(status) => Observed::Answered {
                    status,
                    body: body.to_string(),
                },
                Err(_) => Observed::Error(format!("unreadable curl output: {:?}", o.stdout)),
            }
        }
        7 => Observed::Refused,
        28 => Observed::Timeout,
        6 => Observed::NoName(o.stderr.trim().to_string()),
        _ => Observed::Error(o.stderr.trim().to_string()),
    }
}

/// Read an `nc -z -v` probe (busybox): exit 0 is open; the message tells refused from timeout.
pub fn read_nc(o: &ProbeOutcome) -> Observed {
    let msg = o.stderr.trim();
    if o.exit_code == 0 {
        Observed::Answered {
            status: 0,
            body: String::new(),
        }
    } else if msg.contains("Connection refused") {
        Observed::Refused
    } else if msg.contains("timed out") {
        Observed::Timeout
    } else if msg.contains("bad address") {
        Observed::NoName(msg.to_string())
    } else {
        Observed::Error(msg.to_string())
    }
}

/// Addresses busybox `nslookup` printed for the name (the `Address:` lines after `Name:`).
pub fn read_nslookup(o: &ProbeOutcome) -> Result<Vec<String>, String> {
    if o.exit_code != 0 {
        let msg = format!("{}{}", o.stdout, o.stderr);
        return Err(msg
            .trim()
            .lines()
            .last()
            .unwrap_or("lookup failed")
            .to_string());
    }
    let mut after_name = false;
    let mut out = Vec::new();
    for line in o.stdout.lines() {
        if line.starts_with("Name:") {
            after_name = true;
        } else if after_name && let Some(a) = line.strip_prefix("Address:") {
            out.push(a.trim().trim_end_matches(":53").to_string());
        }
    }
    Ok(out)
}

/// Read a dotted path of a snapshot object as text, for messages.
pub fn field_text(obj: &serde_json::Value, path: &str) -> String {
    match at_path(obj, path) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "<unset>".to_string(),
    }
}
