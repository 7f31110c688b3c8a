//! Builds a [`Machine`] from the simulated cluster: what a container of a pod, or a node, looks
//! like from a shell inside it — the kubelet's files and environment (`kubelet_files.rs`), the
//! pod's interfaces (flannel: a veth `eth0` with MTU 1450 in the node's pod /24), the sockets
//! the image catalog says each running container listens on, its processes — and who answers
//! a ping ([`echo`]).

use serde_json::Value;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::kubelet_files::{env, hosts_file, resolv_conf};
use super::machine::{Link, Machine, Process, Socket};
use super::ping::Echo;
use crate::error::ApiError;
use crate::images;
use crate::kinds::Kind;
use crate::meta;
use crate::net::state::parse_protocol;
use crate::net::trace::{SourceKind, peer_of};
use crate::net::{Origin, Protocol};
use crate::sim::Sim;

/// The PID the runtime gives a process started by `kubectl exec` (the container's own
/// process is 1; a few more were started before).
pub(crate) const EXEC_PID: u32 = 7;
/// flannel's vxlan backend: 1500 minus the 50-byte VXLAN overhead.
const POD_MTU: u32 = 1450;

/// The machine `from` runs on; `image` picks the container (`kubectl exec -c`), else the first.
pub(crate) fn machine(sim: &mut Sim, from: &Origin, image: Option<&str>) -> Option<Machine> {
    let idx = sim.net.index(&sim.store);
    match from {
        Origin::Pod { namespace, name } => {
            let pod = sim.store.get_by(Kind::Pod, namespace, name)?.clone();
            if pod["spec"]["hostNetwork"].as_bool() == Some(true) {
                let node = meta::str_at(&pod, &["spec", "nodeName"]).to_string();
                let mut m = super::node::machine(sim, &idx, &node)?;
                m.node = None;
                m.files.insert(
                    "/etc/hosts".to_string(),
                    format!(
                        "# Kubernetes-managed hosts file (host network).\n{}",
                        m.files.get("/etc/hosts").cloned().unwrap_or_default()
                    ),
                );
                // The kubelet's DNS config for the pod (dnsPolicy decides), not the node's file.
                m.files
                    .insert("/etc/resolv.conf".to_string(), resolv_conf(sim, &pod));
                let c = own_container(&pod, image)?;
                m.env = env(sim, &pod, c, &m.hostname);
                return Some(m);
            }
            Some(pod_machine(sim, &pod, image))
        }
        Origin::Node(node) => super::node::machine(sim, &idx, node),
        Origin::External => None,
    }
}

/// The container a shell runs in: the first with `image`, else the first container.
fn own_container<'a>(pod: &'a Value, image: Option<&str>) -> Option<&'a Value> {
    let cs = pod["spec"]["containers"].as_array()?;
    image
        .and_then(|i| cs.iter().find(|c| c["image"].as_str() == Some(i)))
        .or_else(|| cs.first())
}

fn pod_hostname(pod: &Value) -> String {
    let h = match meta::str_at(pod, &["spec", "hostname"]) {
        "" => meta::name(pod),
        h => h,
    };
    // truncatePodHostnameIfNeeded: 63 characters, no trailing '-' or '.'.
    let mut h: String = h.chars().take(63).collect();
    while h.ends_with(['-', '.']) {
        h.pop();
    }
    h
}

fn pod_machine(sim: &Sim, pod: &Value, image: Option<&str>) -> Machine {
    let hostname = pod_hostname(pod);
    let ip: Option<Ipv4Addr> = meta::str_at(pod, &["status", "podIP"]).parse().ok();
    let own = own_container(pod, image);
    let mut files = BTreeMap::new();
    files.insert("/etc/hostname".to_string(), format!("{hostname}\n"));
    files.insert(
        "/etc/hosts".to_string(),
        hosts_file(sim, pod, &hostname, ip),
    );
    files.insert("/etc/resolv.conf".to_string(), resolv_conf(sim, pod));
    let mut links = vec![loopback()];
    if let Some(ip) = ip {
        let octets = ip.octets();
        // A veth named eth0; its peer's index on the node follows the pod's address.
        links.push(Link {
            index: 2,
            name: "eth0".to_string(),
            peer_index: Some(4 + u32::from(octets[3])),
            loopback: false,
            mtu: POD_MTU,
            mac: mac_for(&format!("{}/eth0", meta::uid(pod))),
            inet: Some((ip, 24)),
            qlen: 0,
        });
    }
    let own_name = own.and_then(|c| c["name"].as_str()).unwrap_or("");
    let mut sockets = Vec::new();
    for (c, status_field) in containers(pod) {
        let name = c["name"].as_str().unwrap_or("");
        if !running(pod, status_field, name) {
            continue;
        }
        let Ok(entry) = images::lookup(c["image"].as_str().unwrap_or("")) else {
            continue;
        };
        let program = (name == own_name).then(|| (1, program_name(&process_args(entry, c))));
        for l in images::behaviour(entry, c).listeners {
            sockets.push(Socket {
                protocol: parse_protocol(&l.protocol),
                addr: Ipv4Addr::UNSPECIFIED,
                dual_stack: false,
                port: l.port,
                program: program.clone(),
            });
        }
    }
    sockets.sort_by_key(|s| (s.protocol != Protocol::Tcp, s.port));
    let mut processes = Vec::new();
    if let Some(c) = own
        && let Ok(entry) = images::lookup(c["image"].as_str().unwrap_or(""))
    {
        processes.push(Process {
            pid: 1,
            user: "root".to_string(),
            args: process_args(entry, c),
        });
    }
    let env = own.map(|c| env(sim, pod, c, &hostname)).unwrap_or_default();
    let root = own
        .and_then(|c| images::lookup(c["image"].as_str().unwrap_or("")).ok())
        .map(|e| root_entries(&e.tools))
        .unwrap_or_default();
    Machine {
        hostname,
        files,
        env,
        links,
        sockets,
        processes,
        root,
        node: None,
    }
}

pub(crate) fn loopback() -> Link {
    Link {
        index: 1,
        name: "lo".to_string(),
        peer_index: None,
        loopback: true,
        mtu: 65536,
        mac: [0; 6],
        inet: Some((Ipv4Addr::LOCALHOST, 8)),
        qlen: 1000,
    }
}

/// A locally administered unicast MAC derived from `seed` (the CNI picks a random one).
pub(crate) fn mac_for(seed: &str) -> [u8; 6] {
    let h = images::hex64(seed);
    let mut mac = [0u8; 6];
    for (i, m) in mac.iter_mut().enumerate() {
        *m = u8::from_str_radix(h.get(i * 2..i * 2 + 2).unwrap_or("00"), 16).unwrap_or(0);
    }
    mac[0] = (mac[0] & 0xfe) | 0x02;
    mac
}

/// App containers then restartable init containers (sidecars), with their status field.
fn containers(pod: &Value) -> impl Iterator<Item = (&Value, &'static str)> {
    let apps = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| (c, "containerStatuses"));
    let sidecars = pod["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["restartPolicy"].as_str() == Some("Always"))
        .map(|c| (c, "initContainerStatuses"));
    apps.chain(sidecars)
}

fn running(pod: &Value, field: &str, name: &str) -> bool {
    pod["status"][field]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s["name"].as_str() == Some(name) && s["state"].get("running").is_some())
}

/// What PID 1 of a container shows in `ps`: its command line, or the image's default
/// (Dockerfile `ENTRYPOINT`/`CMD`; nginx retitles its master process).
pub(crate) fn process_args(entry: &images::ImageEntry, c: &Value) -> String {
    let words = |f: &str| -> Vec<String> {
        c[f].as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    let (command, args) = (words("command"), words("args"));
    if !command.is_empty() {
        return command
            .into_iter()
            .chain(args)
            .collect::<Vec<_>>()
            .join(" ");
    }
    let (entrypoint, cmd): (&[&str], &[&str]) = match entry.repository.as_str() {
        "docker.io/library/nginx" => (&[], &["nginx: master process nginx -g daemon off;"]),
        "docker.io/library/httpd" => (&[], &["httpd -DFOREGROUND"]),
        "docker.io/library/redis" => (&[], &["redis-server *:6379"]),
        "docker.io/library/busybox" => (&[], &["sh"]),
        "docker.io/library/alpine" => (&[], &["/bin/sh"]),
        "docker.io/library/python" => (&[], &["python3"]),
        "docker.io/curlimages/curl" => (&["/entrypoint.sh"], &["curl"]),
        "docker.io/hashicorp/http-echo" => (&["/http-echo"], &[]),
        "registry.k8s.io/e2e-test-images/agnhost" => (&["/agnhost"], &[]),
        "docker.io/kicbase/echo-server" => (&["/bin/echo-server"], &[]),
        "registry.k8s.io/coredns/coredns" => (&["/coredns"], &[]),
        _ => (&[], &[]),
    };
    let mut all: Vec<String> = entrypoint.iter().map(|s| (*s).to_string()).collect();
    if args.is_empty() {
        all.extend(cmd.iter().map(|s| (*s).to_string()));
    } else {
        all.extend(args);
    }
    all.join(" ")
}

/// netstat's program column: the basename of the first word of the command line
/// (`/proc/PID/cmdline` up to its first NUL, then `bb_basename`).
fn program_name(args: &str) -> String {
    // nginx rewrites its argv into one string with spaces: the whole title is the name.
    let first = if args.starts_with("nginx: ") {
        args
    } else {
        args.split(' ').next().unwrap_or(args)
    };
    first.rsplit('/').next().unwrap_or(first).to_string()
}

/// `ls /` of an image: busybox-based images have busybox's tree, Debian-based ones Debian's.
fn root_entries(tools: &[String]) -> Vec<String> {
    let dirs: &[&str] = if super::is_busybox(tools) {
        &[
            "bin", "dev", "etc", "home", "lib", "lib64", "proc", "root", "sys", "tmp", "usr", "var",
        ]
    } else {
        &[
            "bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc",
            "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
        ]
    };
    dirs.iter().map(|d| (*d).to_string()).collect()
}

/// Whether `ip` answers an echo request from `from`. Pods and nodes do; nothing owns a
/// ClusterIP (kube-proxy's iptables rules only DNAT the Service's ports), so it stays silent,
/// as does an address nobody has. NetworkPolicy filters ICMP like any other protocol: only a
/// rule without `ports` lets it through (probed here with port 0, which no port rule has).
/// Each Linux host that forwards the reply takes one off its TTL.
pub(crate) fn echo(sim: &mut Sim, from: &Origin, ip: Ipv4Addr) -> Result<Option<Echo>, ApiError> {
    let idx = sim.net.index(&sim.store);
    let src = sim.source(&idx, from)?;
    let local = Echo {
        ttl: 64,
        rtt_us: 45,
    };
    if ip.is_loopback() || ip == src.peer.ip {
        return Ok(Some(local));
    }
    let src_is_pod = matches!(
        src.kind,
        SourceKind::Pod {
            host_network: false,
            ..
        }
    );
    let src_node = src.peer.node.clone();
    if let Some(pod) = idx.pod_at(ip)
        && crate::net::state::pod_alive(pod)
    {
        if matches!(src.kind, SourceKind::External) {
            return Ok(None);
        }
        let dst_node = meta::str_at(pod, &["spec", "nodeName"]).to_string();
        let dst = peer_of(&idx, ip);
        let mut hops = Vec::new();
        if !sim.policy_allows(&src.peer, &dst, 0, Protocol::Tcp, &mut hops) {
            return Ok(None);
        }
        let same_node = src_node.as_deref() == Some(dst_node.as_str());
        let routers = match (same_node, src_is_pod) {
            (true, _) => 0,
            (false, true) => 2,
            (false, false) => 1,
        };
        return Ok(Some(Echo {
            ttl: 64 - routers,
            rtt_us: if same_node { 71 } else { 512 },
        }));
    }
    if let Some(node) = idx.nodes_by_ip.get(&ip) {
        let own = src_node.as_deref() == Some(node.as_str());
        let routers = u8::from(src_is_pod && !own);
        return Ok(Some(Echo {
            ttl: 64 - routers,
            rtt_us: if own { 52 } else { 388 },
        }));
    }
    Ok(None)
}
