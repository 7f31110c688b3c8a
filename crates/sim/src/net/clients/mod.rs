//! Client commands run against the network model — busybox `wget`, `nc`, `nslookup` and
//! `ping`, curl — the commands that read the machine (`cat /etc/resolv.conf`, `env`, `ip addr`,
//! `netstat`, `ps`, `hostname`, `ls`: `sysinfo.rs` over a [`Machine`] built by `host.rs`), the
//! node-only ones (`iptables-save`, `iptables -L`, `crictl`, `journalctl`: `node/`), and the bit
//! of `sh -c` that wraps them. Each tool parses its command line as
//! the real one does, asks the model ([`Network`]: `Sim::resolve` / `Sim::trace`) what happens,
//! and prints what the real tool prints when it gets that answer — or gives up — with its exit
//! code. The wording of every message is quoted from the tool's source (cited in each file).
//!
//! Time is not spent, it is reported: a request that times out returns at once with the text
//! the tool prints when its timer fires, and [`ClientRun::elapsed_ms`] says how long that took.
//!
//! Must not: read the store directly (everything goes through [`Network`]), or know about exec
//! or the kubelet — they call [`run`] and word a missing binary themselves.

mod argv;
mod curl;
mod host;
mod kubelet_files;
mod machine;
mod nc;
pub mod node;
mod nslookup;
mod ping;
mod shell;
mod sysinfo;
mod wget;

pub use machine::{CriContainer, CriSandbox, Link, Machine, NodeFacts, Process, Socket};
pub use node::{NODE_TOOLS, node_shell};
pub use ping::Echo;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::error::ApiError;
use crate::images;
use crate::net::{DnsLookup, Origin, Request, Trace};
use crate::sim::Sim;

/// What a client command printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientRun {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    /// How long the real command would have taken (timeouts dominate), in milliseconds.
    pub elapsed_ms: u64,
    /// False when the command never ends by itself (`while true; do …; done`): the output is
    /// that of the first iteration.
    pub ended: bool,
}

impl ClientRun {
    pub(crate) fn ok() -> ClientRun {
        ClientRun {
            ended: true,
            ..ClientRun::default()
        }
    }

    /// stdout and stderr interleaved as a container log records them (stderr lines of a tool
    /// come before its result on stdout for every tool modelled here, except where noted).
    pub fn combined(&self) -> String {
        let mut s = self.stderr.clone();
        s.push_str(&self.stdout);
        s
    }
}

/// Why a command could not be run at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The origin does not exist (no such pod or node).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The binary is not in the image and no shell started it: the container runtime refuses
    /// the exec (`exec: "curl": executable file not found in $PATH`); the caller words it.
    #[error("exec: \"{0}\": executable file not found in $PATH")]
    NotFound(String),
}

/// What a command runs with besides its argv.
#[derive(Debug, Clone, Default)]
pub struct ClientEnv {
    /// Environment variables (`$API_URL` in `sh -c`).
    pub vars: BTreeMap<String, String>,
    /// Standard input (`echo hi | nc …` feeds it from the pipeline instead).
    pub stdin: String,
    /// Whether stdout is a terminal (`kubectl exec -t`): curl hides its progress meter then.
    pub tty: bool,
}

/// The model as a client sees it from one origin. `Sim` implements it through [`SimNet`];
/// tests implement it with fixed answers to check the tools' wording alone.
pub trait Network {
    /// Resolve `name` with the origin's resolver (search path applies unless `name` ends in `.`).
    fn resolve(&mut self, name: &str) -> Result<DnsLookup, ApiError>;
    /// Send `req` from the origin.
    fn trace(&mut self, req: &Request) -> Result<Trace, ApiError>;
    /// The origin's resolv.conf `search` domains, in order (busybox nslookup expands a dotless
    /// name with each of them itself).
    fn search(&self) -> Vec<String>;
    /// The machine the command runs on (files, environment, interfaces, sockets, processes);
    /// `None` when the network has no such view (a test double).
    fn machine(&mut self) -> Option<Machine> {
        None
    }
    /// Whether an ICMP echo request to `ip` gets a reply, and how; `None`: no reply.
    fn ping(&mut self, ip: Ipv4Addr) -> Result<Option<Echo>, ApiError> {
        let _ = ip;
        Ok(None)
    }
}

/// [`Network`] over a `Sim`, from one origin.
pub struct SimNet<'a> {
    pub sim: &'a mut Sim,
    pub from: Origin,
}

impl Network for SimNet<'_> {
    fn resolve(&mut self, name: &str) -> Result<DnsLookup, ApiError> {
        self.sim.resolve(&self.from, name)
    }

    fn trace(&mut self, req: &Request) -> Result<Trace, ApiError> {
        self.sim.trace(&self.from, req)
    }

    fn search(&self) -> Vec<String> {
        // ClusterFirst pods: `<ns>.svc.<domain> svc.<domain> <domain>` (kubelet's
        // dns.go generateSearchesForDNSClusterFirst); nodes and the outside have none.
        match &self.from {
            Origin::Pod { namespace, .. } => {
                let d = &self.sim.config.cluster_domain;
                vec![
                    format!("{namespace}.svc.{d}"),
                    format!("svc.{d}"),
                    d.clone(),
                ]
            }
            Origin::Node(_) | Origin::External => Vec::new(),
        }
    }

    fn machine(&mut self) -> Option<Machine> {
        host::machine(self.sim, &self.from, None)
    }

    fn ping(&mut self, ip: Ipv4Addr) -> Result<Option<Echo>, ApiError> {
        host::echo(self.sim, &self.from, ip)
    }
}

/// [`SimNet`] in one container of a pod (picked by its image), so `netstat -p` and `ps` see
/// that container's processes.
struct ContainerNet<'a> {
    net: SimNet<'a>,
    image: String,
}

impl Network for ContainerNet<'_> {
    fn resolve(&mut self, name: &str) -> Result<DnsLookup, ApiError> {
        self.net.resolve(name)
    }

    fn trace(&mut self, req: &Request) -> Result<Trace, ApiError> {
        self.net.trace(req)
    }

    fn search(&self) -> Vec<String> {
        self.net.search()
    }

    fn machine(&mut self) -> Option<Machine> {
        host::machine(self.net.sim, &self.net.from, Some(&self.image))
    }

    fn ping(&mut self, ip: Ipv4Addr) -> Result<Option<Echo>, ApiError> {
        self.net.ping(ip)
    }
}

/// The tools an image has, from the catalog (`tools:`); an unknown image has none.
pub fn image_tools(image: &str) -> &'static [String] {
    images::lookup(image).map_or(&[], |e| e.tools.as_slice())
}

/// Run `argv` in a container of `image` at `from`, as `kubectl exec` or a container command.
/// With `Origin::Node` the image is ignored: the command runs in the node's shell with the
/// node's tools ([`NODE_TOOLS`]), as [`node_shell`] does.
pub fn run(
    sim: &mut Sim,
    from: &Origin,
    image: &str,
    argv: &[String],
    env: &ClientEnv,
) -> Result<ClientRun, ClientError> {
    if let Origin::Node(node) = from {
        return node_shell(sim, node, argv, env);
    }
    let mut net = ContainerNet {
        net: SimNet {
            sim,
            from: from.clone(),
        },
        image: image.to_string(),
    };
    run_with(&mut net, image_tools(image), argv, env)
}

/// Run `argv` against any [`Network`], in an image that has `tools`.
pub fn run_with(
    net: &mut dyn Network,
    tools: &[String],
    argv: &[String],
    env: &ClientEnv,
) -> Result<ClientRun, ClientError> {
    let Some(cmd) = argv.first() else {
        return Ok(ClientRun::ok());
    };
    let name = basename(cmd);
    if !has(tools, name) {
        return Err(ClientError::NotFound(cmd.clone()));
    }
    Ok(exec(net, tools, argv, env, None)?)
}

/// Whether an image with `tools` has the command `name`.
fn has(tools: &[String], name: &str) -> bool {
    tools.iter().any(|t| t == name) || matches!(name, "echo" | "sleep" | "true" | "false" | ":")
}

fn basename(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

/// Whether `argv` (a container's command + args) runs a client tool — directly or in `sh -c` —
/// rather than a server (`nc -l`) or anything else.
pub fn is_client_command(argv: &[String]) -> bool {
    let Some(cmd) = argv.first() else {
        return false;
    };
    match basename(cmd) {
        "wget" | "curl" | "nslookup" => true,
        "nc" | "netcat" => !argv.iter().skip(1).any(|a| nc::is_listen_flag(a)),
        "sh" | "ash" | "bash" => shell::script_of(argv)
            .is_some_and(|s| shell::commands(s).iter().any(|c| is_client_command(c))),
        _ => false,
    }
}

/// How the shell that ran a missing command says so, with its exit code 127: busybox ash
/// (`sh: curl: not found`), dash (`sh: 1: curl: not found`), bash -c
/// (`bash: line 1: curl: command not found`).
pub(crate) fn not_found(tools: &[String], shell: &str, cmd: &str) -> ClientRun {
    let stderr = if is_busybox(tools) {
        format!("{shell}: {cmd}: not found\n")
    } else if shell == "bash" {
        format!("bash: line 1: {cmd}: command not found\n")
    } else {
        format!("{shell}: 1: {cmd}: not found\n")
    };
    ClientRun {
        stderr,
        exit_code: 127,
        ..ClientRun::ok()
    }
}

/// Whether the image's commands are busybox applets (their messages differ from GNU ones):
/// any image whose `sh` is not dash (Debian-based images and nodes list `dash`).
pub(crate) fn is_busybox(tools: &[String]) -> bool {
    !tools.iter().any(|t| t == "dash")
}

/// Run one simple command (already split into words); `shell` names the shell that started
/// it (`sh`, `bash`), so a missing binary is that shell's `not found`.
pub(crate) fn exec(
    net: &mut dyn Network,
    tools: &[String],
    argv: &[String],
    env: &ClientEnv,
    shell: Option<&str>,
) -> Result<ClientRun, ApiError> {
    let Some(cmd) = argv.first() else {
        return Ok(ClientRun::ok());
    };
    let name = basename(cmd);
    if !has(tools, name) {
        if let Some(sh) = shell {
            return Ok(not_found(tools, sh, cmd));
        }
        return Ok(ClientRun {
            exit_code: 127,
            ..ClientRun::ok()
        });
    }
    let args = &argv[1..];
    let busybox = is_busybox(tools);
    let machine = |net: &mut dyn Network| net.machine().unwrap_or_default();
    match name {
        "wget" => wget::run(net, args),
        "curl" => curl::run(net, args, env),
        "nc" | "netcat" if busybox => nc::run(net, args, &env.stdin),
        "nc" | "netcat" => node::netcat::run(net, args),
        "nslookup" => nslookup::run(net, args),
        "ping" => ping::run(net, args),
        "sh" | "ash" | "bash" => shell::run(net, tools, argv, env),
        // `busybox APPLET …` and `sudo CMD …` run the command they are given.
        "busybox" | "sudo" => {
            let rest: Vec<String> = args
                .iter()
                .skip_while(|a| name == "sudo" && a.starts_with('-'))
                .cloned()
                .collect();
            if rest.is_empty() {
                return Ok(ClientRun::ok());
            }
            exec(net, tools, &rest, env, shell.or(Some("sh")))
        }
        "cat" => Ok(sysinfo::cat(&machine(net), busybox, args, &env.stdin)),
        "ls" => Ok(sysinfo::ls(&machine(net), busybox, args, env.tty)),
        "env" => {
            let assignments = args.iter().take_while(|a| a.contains('=')).count();
            if assignments < args.len() {
                let mut env = env.clone();
                for a in &args[..assignments] {
                    if let Some((k, v)) = a.split_once('=') {
                        env.vars.insert(k.to_string(), v.to_string());
                    }
                }
                return exec(net, tools, &args[assignments..], &env, shell);
            }
            let mut m = machine(net);
            for a in args {
                if let Some((k, v)) = a.split_once('=') {
                    m.env.push((k.to_string(), v.to_string()));
                }
            }
            Ok(sysinfo::env(&m))
        }
        "hostname" => Ok(sysinfo::hostname(&machine(net), args)),
        "ip" => Ok(sysinfo::ip(&machine(net), busybox, args)),
        "ifconfig" => Ok(sysinfo::ifconfig(&machine(net), args)),
        "netstat" => Ok(sysinfo::netstat(&machine(net), args)),
        "ss" => Ok(node::ss::run(&machine(net), args)),
        "ps" => Ok(sysinfo::ps(&machine(net), host::EXEC_PID)),
        "iptables" | "iptables-save" | "crictl" | "journalctl" => {
            Ok(node::run_tool(net, name, args, env).unwrap_or_else(ClientRun::ok))
        }
        "echo" => Ok(ClientRun {
            stdout: shell::echo(args),
            ..ClientRun::ok()
        }),
        "sleep" => Ok(ClientRun {
            elapsed_ms: args
                .first()
                .and_then(|s| s.parse::<f64>().ok())
                .map_or(0, |s| (s * 1000.0) as u64),
            ..ClientRun::ok()
        }),
        "true" | ":" => Ok(ClientRun::ok()),
        "false" => Ok(ClientRun {
            exit_code: 1,
            ..ClientRun::ok()
        }),
        _ => Ok(not_found(tools, shell.unwrap_or("sh"), cmd)),
    }
}

/// The address a request went to, as the client saw it: the first A record of its lookup, or
/// the literal it was given. `None` when the name did not resolve.
pub(crate) fn dialled_ip(trace: &Trace, host: &str) -> Option<std::net::Ipv4Addr> {
    if let Ok(ip) = host.parse() {
        return Some(ip);
    }
    trace.hops.iter().find_map(|h| match h {
        crate::net::Hop::Dns(l) => match &l.answer {
            crate::net::DnsAnswer::Records { addresses, .. } => addresses.first().copied(),
            _ => None,
        },
        _ => None,
    })
}

/// Linux gives up a TCP connect whose SYNs go unanswered after 6 retransmissions with
/// exponential back-off (1+2+4+8+16+32+64 s, `net.ipv4.tcp_syn_retries = 6`).
pub(crate) const KERNEL_CONNECT_TIMEOUT_MS: u64 = 127_000;

/// A resolver that gets no answer gives up after `timeout:5 attempts:2` (resolv.conf defaults).
pub(crate) const RESOLVER_TIMEOUT_MS: u64 = 10_000;
