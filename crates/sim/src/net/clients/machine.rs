//! What a shell sees of the machine it runs on — files the kubelet writes (`/etc/resolv.conf`,
//! `/etc/hosts`, `/etc/hostname`), the environment the kubelet gives a container (Service
//! links included), network interfaces, listening sockets and processes — as plain data the
//! tools in `sysinfo.rs` print. `host.rs` builds it from a `Sim`; tests may build it by hand.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::net::Protocol;

/// The machine a command runs on: a container of a pod, or a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Machine {
    pub hostname: String,
    /// Readable files by absolute path.
    pub files: BTreeMap<String, String>,
    /// The process environment, in the order the runtime set it.
    pub env: Vec<(String, String)>,
    pub links: Vec<Link>,
    /// Listening sockets (the pod's network namespace: every container's).
    pub sockets: Vec<Socket>,
    /// Processes visible from the shell (its own PID namespace).
    pub processes: Vec<Process>,
    /// The entries of `/` (`ls /`).
    pub root: Vec<String>,
    /// A node's own state: kube-proxy's rules, the runtime's containers, the kubelet's journal.
    pub node: Option<NodeFacts>,
}

/// A network interface as `ip addr` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub index: u32,
    pub name: String,
    /// `eth0@if7`: the peer's index in another namespace (a veth).
    pub peer_index: Option<u32>,
    pub loopback: bool,
    pub mtu: u32,
    pub mac: [u8; 6],
    /// IPv4 address and prefix length.
    pub inet: Option<(Ipv4Addr, u8)>,
    /// Transmit queue length (`qlen`, printed when not 0).
    pub qlen: u32,
}

/// A listening socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Socket {
    pub protocol: Protocol,
    pub addr: Ipv4Addr,
    /// Bound to `[::]` without `IPV6_V6ONLY` (Go servers): IPv4 too, and `ss` shows `*`.
    pub dual_stack: bool,
    pub port: u16,
    /// `PID/program` when the process is in the shell's PID namespace (netstat -p), else none.
    pub program: Option<(u32, String)>,
}

/// A process as `ps` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub pid: u32,
    pub user: String,
    /// The command line as `/proc/PID/cmdline` shows it (a process may retitle itself).
    pub args: String,
}

/// A node's own facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeFacts {
    /// `iptables-save` tables in the order it prints them.
    pub tables: Vec<crate::net::clients::node::iptables::Table>,
    pub containers: Vec<CriContainer>,
    /// The pod sandboxes (`crictl pods`).
    pub sandboxes: Vec<CriSandbox>,
    /// `journalctl -u kubelet` lines, oldest first.
    pub kubelet_journal: Vec<String>,
    /// The time `iptables-save` stamps its output with (`ctime` format, no newline).
    pub now_ctime: String,
    /// The same time in RFC 3339, as logrus stamps crictl's errors to a pipe.
    pub now_rfc3339: String,
}

/// A container as `crictl ps` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriContainer {
    /// Full 64-hex id.
    pub id: String,
    /// Image id (sha256 hex, 64 chars).
    pub image_id: String,
    /// Seconds since it was created.
    pub age_secs: i64,
    /// `Running` or `Exited`.
    pub state: String,
    pub name: String,
    pub attempt: i64,
    /// Full 64-hex id of the pod sandbox.
    pub pod_id: String,
    pub pod: String,
    pub namespace: String,
    /// What it printed (`crictl logs`).
    pub log: Vec<String>,
}

/// A pod sandbox as `crictl pods` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriSandbox {
    /// Full 64-hex id.
    pub id: String,
    pub age_secs: i64,
    /// `Ready` while the pod runs, `NotReady` once it has finished.
    pub ready: bool,
    pub name: String,
    pub namespace: String,
}
