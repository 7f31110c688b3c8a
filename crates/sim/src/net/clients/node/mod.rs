//! A node's shell, as the exam's `ssh node01` gives: the node's own files and interfaces, the
//! iptables rules kube-proxy (iptables mode) programs for the current Services, the
//! container runtime's view (`crictl ps`, `crictl logs`), the kubelet's journal, and the
//! network clients (`curl`, `nc`) run from the node's host network.
//!
//! Entry point: [`node_shell`] (the CLI's `kubedrill ssh NODE` and the drill shell's `ssh`);
//! `clients::run` with `Origin::Node` works too and uses the same tool set.

pub mod iptables;

mod hash;
mod kube_proxy;
pub(crate) mod netcat;
mod render;
mod runtime;
pub(crate) mod ss;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::machine::{Link, Machine, NodeFacts, Socket};
use super::{ClientEnv, ClientError, ClientRun, Network};
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::net::endpoints::{port_endpoints, service_ports, usable};
use crate::net::state::Index;
use crate::net::{HOST_RESOLVER, Origin, Protocol};
use crate::sim::Sim;

pub(crate) use render::IPTABLES_VERSION;

/// The API server's PID on a control-plane node (`ss -p`).
const APISERVER_PID: u32 = 1342;

/// What an Ubuntu node of a kubeadm cluster has on its `PATH` that the model answers for.
pub const NODE_TOOLS: &[&str] = &[
    "bash",
    "sh",
    "dash",
    "curl",
    "nc",
    "ip",
    "ss",
    "iptables",
    "iptables-save",
    "crictl",
    "journalctl",
    "cat",
    "ls",
    "env",
    "hostname",
    "sudo",
];

/// The tool list as the clients want it.
pub fn node_tools() -> Vec<String> {
    NODE_TOOLS.iter().map(|t| (*t).to_string()).collect()
}

/// Run `argv` on node `node` as a command typed in the login shell `kubedrill ssh NODE` opens
/// (`argv` may itself be `bash -c LINE` / `sh -c LINE` for pipes and lists). Errors only when
/// the node does not exist; a missing command is the login bash's
/// `-bash: X: command not found`, exit 127.
pub fn node_shell(
    sim: &mut Sim,
    node: &str,
    argv: &[String],
    env: &ClientEnv,
) -> Result<ClientRun, ClientError> {
    if sim.store.get_by(Kind::Node, "", node).is_none() {
        return Err(ClientError::Api(ApiError::NotFound {
            kind: Kind::Node,
            name: node.to_string(),
        }));
    }
    let mut net = super::SimNet {
        sim,
        from: Origin::Node(node.to_string()),
    };
    let tools = node_tools();
    match super::run_with(&mut net, &tools, argv, env) {
        Err(ClientError::NotFound(cmd)) => Ok(ClientRun {
            stderr: format!("-bash: {cmd}: command not found\n"),
            exit_code: 127,
            ..ClientRun::ok()
        }),
        other => other,
    }
}

/// The machine behind `Origin::Node(node)`.
pub(crate) fn machine(sim: &mut Sim, idx: &Index, node: &str) -> Option<Machine> {
    let n = idx.nodes.get(node)?.clone();
    let mut files = BTreeMap::new();
    files.insert("/etc/hostname".to_string(), format!("{node}\n"));
    let mut hosts = String::from("127.0.0.1 localhost\n");
    for other in idx.nodes.values() {
        hosts.push_str(&format!("{} {}\n", other.ip, other.name));
    }
    files.insert("/etc/hosts".to_string(), hosts);
    // systemd-resolved's stub, as the model's node resolver answers (dns.rs HOST_RESOLVER).
    files.insert(
        "/etc/resolv.conf".to_string(),
        format!("nameserver {HOST_RESOLVER}\noptions edns0 trust-ad\nsearch .\n"),
    );
    let mut links = vec![
        super::host::loopback(),
        Link {
            index: 2,
            name: "eth0".to_string(),
            peer_index: None,
            loopback: false,
            mtu: 1500,
            mac: super::host::mac_for(&format!("{node}/eth0")),
            inet: Some((n.ip, 24)),
            qlen: 1000,
        },
    ];
    if let Some(net) = n.pod_net {
        links.push(Link {
            index: 3,
            name: "flannel.1".to_string(),
            peer_index: None,
            loopback: false,
            mtu: 1450,
            mac: super::host::mac_for(&format!("{node}/flannel.1")),
            inet: Some((net, 32)),
            qlen: 0,
        });
        links.push(Link {
            index: 4,
            name: "cni0".to_string(),
            peer_index: None,
            loopback: false,
            mtu: 1450,
            mac: super::host::mac_for(&format!("{node}/cni0")),
            inet: Some((Ipv4Addr::from(u32::from(net).wrapping_add(1)), 24)),
            qlen: 1000,
        });
    }
    // The node's own sockets as the network model delivers to them (deliver.rs).
    // Both are Go servers listening on `[::]`.
    let mut sockets = vec![Socket {
        protocol: Protocol::Tcp,
        addr: Ipv4Addr::UNSPECIFIED,
        dual_stack: true,
        port: 10250,
        program: Some((runtime::KUBELET_PID, "kubelet".to_string())),
    }];
    if n.control_plane {
        sockets.push(Socket {
            protocol: Protocol::Tcp,
            addr: Ipv4Addr::UNSPECIFIED,
            dual_stack: true,
            port: 6443,
            program: Some((APISERVER_PID, "kube-apiserver".to_string())),
        });
    }
    let facts = NodeFacts {
        tables: iptables::tables(&service_rules(sim, idx, node), &cluster_cidr(sim)),
        containers: runtime::containers(sim, node),
        sandboxes: runtime::sandboxes(sim, node),
        kubelet_journal: runtime::kubelet_journal(sim, node),
        now_ctime: sim.now().strftime("%a %b %e %H:%M:%S %Y").to_string(),
        now_rfc3339: sim.now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    Some(Machine {
        hostname: node.to_string(),
        files,
        env: vec![
            ("SHELL".to_string(), "/bin/bash".to_string()),
            ("PWD".to_string(), "/root".to_string()),
            ("LOGNAME".to_string(), "root".to_string()),
            ("HOME".to_string(), "/root".to_string()),
            ("USER".to_string(), "root".to_string()),
            (
                "PATH".to_string(),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
            ),
        ],
        links,
        sockets,
        processes: Vec::new(),
        root: [
            "bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc",
            "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect(),
        node: Some(facts),
    })
}

/// The cluster's pod network (`--cluster-cidr`, flannel's `10.244.0.0/16`): the /16 around
/// the first node's pod CIDR.
fn cluster_cidr(sim: &Sim) -> String {
    let base = sim
        .config
        .nodes
        .first()
        .map_or(Ipv4Addr::new(10, 244, 0, 0), |n| n.pod_cidr.0);
    let o = base.octets();
    format!("{}.{}.0.0/16", o[0], o[1])
}

/// Every Service port kube-proxy programs, with its endpoints as this node sees them.
fn service_rules(sim: &Sim, idx: &Index, node: &str) -> Vec<iptables::SvcPortRules> {
    let mut services: Vec<&serde_json::Value> =
        idx.cluster_ips.values().map(|v| v.as_ref()).collect();
    services.sort_by(|a, b| {
        (meta::namespace(a), meta::name(a)).cmp(&(meta::namespace(b), meta::name(b)))
    });
    let _ = sim;
    let mut out = Vec::new();
    for svc in services {
        let (ns, name) = (meta::namespace(svc), meta::name(svc));
        let spec = &svc["spec"];
        let ty = meta::str_at(spec, &["type"]);
        let external = matches!(ty, "NodePort" | "LoadBalancer");
        let strings = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        };
        let lb_ips: Vec<String> = if ty == "LoadBalancer" {
            svc.pointer("/status/loadBalancer/ingress")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|i| i["ip"].as_str().map(str::to_string))
                .collect()
        } else {
            Vec::new()
        };
        let external_ips = strings(&spec["externalIPs"]);
        let accessible = external || !external_ips.is_empty();
        let affinity_secs = (meta::str_at(spec, &["sessionAffinity"]) == "ClientIP").then(|| {
            spec.pointer("/sessionAffinityConfig/clientIP/timeoutSeconds")
                .and_then(serde_json::Value::as_u64)
                .and_then(|s| u32::try_from(s).ok())
                .unwrap_or(10800)
        });
        for p in service_ports(svc) {
            let eps = port_endpoints(idx, ns, name, &p.name, p.protocol);
            let usable = usable(eps.iter());
            let fmt = |e: &&crate::net::endpoints::Ep| format!("{}:{}", e.ip, e.port);
            let endpoints: Vec<String> = usable.iter().map(fmt).collect();
            let local: Vec<String> = usable
                .iter()
                .filter(|e| e.node.as_deref() == Some(node))
                .map(fmt)
                .collect();
            let port_name = if p.name.is_empty() {
                format!("{ns}/{name}")
            } else {
                format!("{ns}/{name}:{}", p.name)
            };
            out.push(iptables::SvcPortRules {
                name: port_name,
                proto: match p.protocol {
                    Protocol::Tcp => "tcp",
                    Protocol::Udp => "udp",
                    Protocol::Sctp => "sctp",
                },
                cluster_ip: meta::str_at(spec, &["clusterIP"]).to_string(),
                port: p.port,
                node_port: if external { p.node_port } else { 0 },
                external_ips: external_ips.clone(),
                lb_ips: lb_ips.clone(),
                etp_local: accessible && meta::str_at(spec, &["externalTrafficPolicy"]) == "Local",
                itp_local: meta::str_at(spec, &["internalTrafficPolicy"]) == "Local",
                affinity_secs,
                endpoints,
                local,
            });
        }
    }
    out
}

/// The node-only commands; `None` for anything else.
pub(crate) fn run_tool(
    net: &mut dyn Network,
    name: &str,
    args: &[String],
    env: &ClientEnv,
) -> Option<ClientRun> {
    match name {
        "iptables-save" | "iptables" | "crictl" | "journalctl" => {}
        _ => return None,
    }
    let facts = net.machine().and_then(|m| m.node);
    let Some(facts) = facts else {
        return Some(fail(format!("{name}: not available here\n"), 1));
    };
    Some(match name {
        "iptables-save" => iptables_save(&facts, args),
        "iptables" => iptables_list(&facts, args),
        "crictl" => runtime::crictl(&facts, args, env.tty),
        _ => runtime::journalctl(&facts, args),
    })
}

fn fail(stderr: String, code: i32) -> ClientRun {
    ClientRun {
        stderr,
        exit_code: code,
        ..ClientRun::ok()
    }
}

fn iptables_save(facts: &NodeFacts, args: &[String]) -> ClientRun {
    let mut only = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-t" | "--table" => only = it.next().map(String::as_str),
            s if s.starts_with("--table=") => only = s.strip_prefix("--table="),
            "-c" | "--counters" => {}
            _ => {
                return fail("Unknown arguments found on commandline\n".to_string(), 1);
            }
        }
    }
    if let Some(t) = only
        && !facts.tables.iter().any(|x| x.name == t)
    {
        return fail(format!("Table `{t}' does not exist\n"), 1);
    }
    ClientRun {
        stdout: render::save(&facts.tables, only, &facts.now_ctime),
        ..ClientRun::ok()
    }
}

/// `iptables [-t TABLE] -L [CHAIN] [-n] [-v]` (listing only: the model's rules are
/// kube-proxy's, so changing them is not offered).
fn iptables_list(facts: &NodeFacts, args: &[String]) -> ClientRun {
    let mut table = "filter".to_string();
    let mut list = false;
    let mut chain = None;
    let mut numeric = false;
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-t" | "--table" => table = it.next().cloned().unwrap_or_default(),
            "-L" | "--list" => {
                list = true;
                if let Some(c) = it.peek()
                    && !c.starts_with('-')
                {
                    chain = Some((*c).clone());
                    it.next();
                }
            }
            "-n" | "--numeric" => numeric = true,
            s if s.starts_with('-') && !s.starts_with("--") && s.len() > 2 => {
                // Clustered short options: `-nL`, `-Ln`, `-nvL`.
                for c in s[1..].chars() {
                    match c {
                        'n' => numeric = true,
                        'L' => list = true,
                        'v' => {}
                        _ => return fail(usage_error(s), 2),
                    }
                }
                if list
                    && let Some(c) = it.peek()
                    && !c.starts_with('-')
                {
                    chain = Some((*c).clone());
                    it.next();
                }
            }
            "-v" | "--verbose" => {}
            other => return fail(usage_error(other), 2),
        }
    }
    if !list {
        return fail(
            format!(
                "iptables {IPTABLES_VERSION}: no command specified\nTry `iptables -h' or 'iptables --help' for more information.\n"
            ),
            2,
        );
    }
    let Some(t) = facts.tables.iter().find(|t| t.name == table) else {
        return fail(
            format!(
                "iptables {IPTABLES_VERSION}: can't initialize iptables table `{table}': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.\n"
            ),
            3,
        );
    };
    match render::list(t, chain.as_deref(), numeric) {
        Ok(stdout) => ClientRun {
            stdout,
            ..ClientRun::ok()
        },
        Err(e) => fail(e, 1),
    }
}

fn usage_error(opt: &str) -> String {
    format!(
        "iptables {IPTABLES_VERSION}: unknown option \"{opt}\"\nTry `iptables -h' or 'iptables --help' for more information.\n"
    )
}
