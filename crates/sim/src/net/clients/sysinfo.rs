//! The commands that read the machine rather than the network: `cat FILE`, `ls`, `env`,
//! `hostname`, `ip addr` / `ip link`, `ifconfig`, `netstat`, `ps`. Busybox wording (`coreutils/cat.c`,
//! `networking/libiproute/ipaddress.c`, `networking/netstat.c`, `procps/ps.c`,
//! `networking/hostname.c`) where the image is busybox-based (its tools do not list `dash`), GNU
//! coreutils wording for `cat` and `ls` elsewhere (Debian-based images, nodes).

use super::ClientRun;
use super::machine::{Link, Machine};
use crate::net::Protocol;

fn out(stdout: String) -> ClientRun {
    ClientRun {
        stdout,
        ..ClientRun::ok()
    }
}

fn err(stderr: String, code: i32) -> ClientRun {
    ClientRun {
        stderr,
        exit_code: code,
        ..ClientRun::ok()
    }
}

fn is_dir(m: &Machine, path: &str) -> bool {
    let p = path.trim_end_matches('/');
    p.is_empty() || m.root.iter().any(|d| p == format!("/{d}"))
}

/// `cat FILE…` (stdin when none or `-`).
pub(crate) fn cat(m: &Machine, busybox: bool, args: &[String], stdin: &str) -> ClientRun {
    let operands: Vec<&String> = args
        .iter()
        .filter(|a| !a.starts_with('-') || *a == "-")
        .collect();
    if operands.is_empty() {
        return out(stdin.to_string());
    }
    let mut r = ClientRun::ok();
    for f in operands {
        if f == "-" {
            r.stdout.push_str(stdin);
        } else if let Some(text) = m.files.get(f.as_str()) {
            r.stdout.push_str(text);
        } else if is_dir(m, f) {
            r.stderr.push_str(&if busybox {
                "cat: read error: Is a directory\n".to_string()
            } else {
                format!("cat: {f}: Is a directory\n")
            });
            r.exit_code = 1;
        } else {
            r.stderr.push_str(&if busybox {
                format!("cat: can't open '{f}': No such file or directory\n")
            } else {
                format!("cat: {f}: No such file or directory\n")
            });
            r.exit_code = 1;
        }
    }
    r
}

/// `ls [PATH…]`: one name per line to a pipe, space-separated to a terminal.
pub(crate) fn ls(m: &Machine, busybox: bool, args: &[String], tty: bool) -> ClientRun {
    let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let paths: Vec<String> = if operands.is_empty() {
        vec!["/".to_string()]
    } else {
        operands.iter().map(|s| (*s).clone()).collect()
    };
    let mut r = ClientRun::ok();
    let sep = if tty { "  " } else { "\n" };
    for p in &paths {
        let names: Vec<String> = if p.trim_end_matches('/').is_empty() {
            m.root.clone()
        } else if m.files.contains_key(p.as_str()) {
            vec![p.clone()]
        } else if is_dir(m, p) {
            let prefix = format!("{}/", p.trim_end_matches('/'));
            m.files
                .keys()
                .filter_map(|f| f.strip_prefix(&prefix))
                .filter(|f| !f.contains('/'))
                .map(str::to_string)
                .collect()
        } else {
            r.stderr.push_str(&if busybox {
                format!("ls: {p}: No such file or directory\n")
            } else {
                format!("ls: cannot access '{p}': No such file or directory\n")
            });
            r.exit_code = if busybox { 1 } else { 2 };
            continue;
        };
        if !names.is_empty() {
            r.stdout.push_str(&names.join(sep));
            r.stdout.push('\n');
        }
    }
    r
}

/// `env` with no arguments: the process environment.
pub(crate) fn env(m: &Machine) -> ClientRun {
    out(m.env.iter().map(|(k, v)| format!("{k}={v}\n")).collect())
}

/// `hostname [-i]`.
pub(crate) fn hostname(m: &Machine, args: &[String]) -> ClientRun {
    if args.iter().any(|a| a == "-i") {
        // The hostname resolves through /etc/hosts to the pod's address.
        let ips: Vec<String> = m
            .links
            .iter()
            .filter(|l| !l.loopback)
            .filter_map(|l| l.inet.map(|(ip, _)| ip.to_string()))
            .take(1)
            .collect();
        return out(format!("{}\n", ips.join(" ")));
    }
    out(format!("{}\n", m.hostname))
}

fn mac(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The IPv6 link-local address the kernel derives from a MAC (EUI-64).
fn link_local(m: &[u8; 6]) -> String {
    let g = [
        u16::from(m[0] ^ 0x02) << 8 | u16::from(m[1]),
        u16::from(m[2]) << 8 | 0xff,
        0xfe00 | u16::from(m[3]),
        u16::from(m[4]) << 8 | u16::from(m[5]),
    ];
    format!("fe80::{:x}:{:x}:{:x}:{:x}/64", g[0], g[1], g[2], g[3])
}

fn link_line(l: &Link, busybox: bool, s: &mut String) {
    let name = match l.peer_index {
        Some(p) => format!("{}@if{p}", l.name),
        None => l.name.clone(),
    };
    let flags = if l.loopback {
        "LOOPBACK,UP,LOWER_UP".to_string()
    } else if l.peer_index.is_some() {
        // The veth's peer lives in the node's namespace: its flags read as down (M-DOWN).
        "BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN".to_string()
    } else {
        "BROADCAST,MULTICAST,UP,LOWER_UP".to_string()
    };
    if busybox {
        s.push_str(&format!(
            "{}: {name}: <{flags}> mtu {} qdisc noqueue ",
            l.index, l.mtu
        ));
    } else {
        // iproute2 (a node): the qdisc, the operational state and the group too.
        let (qdisc, state) = match l.name.as_str() {
            "eth0" => ("fq_codel", "UP"),
            "cni0" => ("noqueue", "UP"),
            _ => ("noqueue", "UNKNOWN"),
        };
        s.push_str(&format!(
            "{}: {name}: <{flags}> mtu {} qdisc {qdisc} state {state} group default ",
            l.index, l.mtu
        ));
    }
    if l.qlen != 0 {
        s.push_str(&format!("qlen {}", l.qlen));
    }
    s.push('\n');
    if l.loopback {
        s.push_str("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n");
    } else {
        s.push_str(&format!(
            "    link/ether {} brd ff:ff:ff:ff:ff:ff\n",
            mac(&l.mac)
        ));
    }
}

fn addr_lines(l: &Link, busybox: bool, s: &mut String) {
    if let Some((ip, len)) = l.inet {
        let scope = if l.loopback { "host" } else { "global" };
        let brd = if l.loopback || len >= 31 {
            String::new()
        } else {
            let mask = u32::MAX.checked_shr(u32::from(len)).unwrap_or(0);
            format!("brd {} ", std::net::Ipv4Addr::from(u32::from(ip) | mask))
        };
        s.push_str(&format!(
            "    inet {ip}/{len} {brd}scope {scope} {}\n       valid_lft forever preferred_lft forever\n",
            l.name
        ));
    }
    if l.loopback {
        // Recent kernels flag the loopback's ::1 noprefixroute; busybox does not print it.
        let flags = if busybox { "" } else { "noprefixroute " };
        s.push_str(&format!(
            "    inet6 ::1/128 scope host {flags}\n       valid_lft forever preferred_lft forever\n"
        ));
    } else {
        s.push_str(&format!(
            "    inet6 {} scope link \n       valid_lft forever preferred_lft forever\n",
            link_local(&l.mac)
        ));
    }
}

/// `ip addr|link [show [dev] IF]` (also `ip a`, `ip l`) and `ip route`: busybox's in images,
/// iproute2's on a node (`busybox` false).
pub(crate) fn ip(m: &Machine, busybox: bool, args: &[String]) -> ClientRun {
    let Some(object) = args.first() else {
        return err(IP_USAGE.to_string(), 1);
    };
    // index_in_substrings: any prefix of a keyword.
    let is = |kw: &str| kw.starts_with(object.as_str());
    if is("route") {
        return out(routes(m));
    }
    let addresses = is("address");
    if !addresses && !is("link") {
        // ip_print_help → bb_show_usage.
        return err(IP_USAGE.to_string(), 1);
    }
    let rest: Vec<&String> = args[1..]
        .iter()
        .filter(|a| !matches!(a.as_str(), "show" | "list" | "dev"))
        .collect();
    let wanted = rest.first().map(|s| s.as_str());
    if let Some(w) = wanted
        && !m.links.iter().any(|l| l.name == w)
    {
        return err(
            if busybox {
                format!("ip: can't find device '{w}'\n")
            } else {
                format!("Device \"{w}\" does not exist.\n")
            },
            1,
        );
    }
    let mut s = String::new();
    for l in m
        .links
        .iter()
        .filter(|l| wanted.is_none_or(|w| w == l.name))
    {
        link_line(l, busybox, &mut s);
        if addresses {
            addr_lines(l, busybox, &mut s);
        }
    }
    out(s)
}

const IP_USAGE: &str = "Usage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]\n";

/// A pod's routes as flannel's CNI config installs them (the default route and the cluster
/// network via the bridge, the pod /24 on the link), in the kernel's dump order.
fn routes(m: &Machine) -> String {
    let Some((ip, len)) = m
        .links
        .iter()
        .find(|l| l.name == "eth0" && l.peer_index.is_some())
        .and_then(|l| l.inet)
    else {
        return String::new();
    };
    let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
    let net = std::net::Ipv4Addr::from(u32::from(ip) & mask);
    let gw = std::net::Ipv4Addr::from((u32::from(ip) & mask) + 1);
    let o = ip.octets();
    format!(
        "default via {gw} dev eth0 \n{}.{}.0.0/16 via {gw} dev eth0 \n{net}/{len} dev eth0 scope link  src {ip} \n",
        o[0], o[1]
    )
}

/// busybox `netstat [-tulnpa]`: listening sockets with `-l`, programs with `-p`.
pub(crate) fn netstat(m: &Machine, args: &[String]) -> ClientRun {
    let mut flags = String::new();
    for a in args {
        match a.strip_prefix('-') {
            Some(f) if !f.starts_with('-') => flags.push_str(f),
            _ => {
                return err(
                    format!(
                        "netstat: invalid option -- '{}'\n",
                        a.trim_start_matches('-')
                    ),
                    1,
                );
            }
        }
    }
    if let Some(bad) = flags.chars().find(|c| !"laentuwxpWr".contains(*c)) {
        return err(format!("netstat: invalid option -- '{bad}'\n"), 1);
    }
    let has = |c: char| flags.contains(c);
    let (listening, connected) = if has('a') {
        (true, true)
    } else if has('l') {
        (true, false)
    } else {
        (false, true)
    };
    let (mut tcp, mut udp) = (has('t'), has('u'));
    let any_proto = tcp || udp || has('w') || has('x');
    if !any_proto {
        (tcp, udp) = (true, true);
    }
    let prog = has('p');
    let mut s = String::new();
    if tcp || udp || has('w') {
        s.push_str("Active Internet connections ");
        s.push_str(match (listening, connected) {
            (true, true) => "(servers and established)",
            (true, false) => "(only servers)",
            _ => "(w/o servers)",
        });
        s.push_str(&format!(
            "\nProto Recv-Q Send-Q {:<23} {:<23} State       {}\n",
            "Local Address",
            "Foreign Address",
            if prog { "PID/Program name    " } else { "" }
        ));
        if listening {
            for sock in &m.sockets {
                let (name, state) = match sock.protocol {
                    Protocol::Tcp if tcp => ("tcp", "LISTEN"),
                    Protocol::Udp if udp => ("udp", ""),
                    _ => continue,
                };
                s.push_str(&format!(
                    "{name}   {:>6} {:>6} {:<23} {:<23} {state:<12}",
                    0,
                    0,
                    format!("{}:{}", sock.addr, sock.port),
                    "0.0.0.0:*"
                ));
                if prog {
                    let p = match &sock.program {
                        Some((pid, n)) => format!("{pid}/{n}"),
                        None => "-".to_string(),
                    };
                    s.push_str(&p.chars().take(19).collect::<String>());
                }
                s.push('\n');
            }
        }
    }
    if !any_proto || has('x') {
        s.push_str("Active UNIX domain sockets ");
        s.push_str(match (listening, connected) {
            (true, true) => "(servers and established)",
            (true, false) => "(only servers)",
            _ => "(w/o servers)",
        });
        s.push_str(&format!(
            "\nProto RefCnt Flags       Type       State         I-Node {}Path\n",
            if prog { "PID/Program name    " } else { "" }
        ));
    }
    out(s)
}

/// busybox `ps` (`pid,user,time,args`): the container's processes and `ps` itself.
pub(crate) fn ps(m: &Machine, exec_pid: u32) -> ClientRun {
    let mut s = String::from("PID   USER     TIME  COMMAND\n");
    let row =
        |pid: u32, user: &str, args: &str| format!("{pid:>5} {user:<8} {:>5} {args}\n", "0:00");
    for p in &m.processes {
        s.push_str(&row(p.pid, &p.user, &p.args));
    }
    s.push_str(&row(exec_pid, "root", "ps"));
    out(s)
}

/// busybox `ifconfig [IF]` (`networking/interface.c` `ife_print`): the interfaces that are up,
/// sorted by name as busybox keeps its list. The model counts no packets.
pub(crate) fn ifconfig(m: &Machine, args: &[String]) -> ClientRun {
    let wanted = args.iter().find(|a| !a.starts_with('-'));
    if let Some(w) = wanted
        && !m.links.iter().any(|l| &l.name == w)
    {
        return err(
            format!("ifconfig: {w}: error fetching interface information: Device not found\n"),
            1,
        );
    }
    let mut links: Vec<&Link> = m
        .links
        .iter()
        .filter(|l| wanted.is_none_or(|w| *w == l.name))
        .collect();
    links.sort_by(|a, b| a.name.cmp(&b.name));
    let mut s = String::new();
    for l in links {
        if l.loopback {
            s.push_str(&format!("{:<9} Link encap:Local Loopback  \n", l.name));
        } else {
            s.push_str(&format!(
                "{:<9} Link encap:Ethernet  HWaddr {}  \n",
                l.name,
                mac(&l.mac).to_uppercase()
            ));
        }
        if let Some((ip, len)) = l.inet {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            s.push_str(&format!("          inet addr:{ip} "));
            if !l.loopback {
                let bcast = u32::from(ip) | !mask;
                s.push_str(&format!(" Bcast:{} ", std::net::Ipv4Addr::from(bcast)));
            }
            s.push_str(&format!(" Mask:{}\n", std::net::Ipv4Addr::from(mask)));
        }
        if l.loopback {
            s.push_str("          inet6 addr: ::1/128 Scope:Host\n");
            s.push_str("          UP LOOPBACK RUNNING ");
        } else {
            s.push_str(&format!(
                "          inet6 addr: {} Scope:Link\n",
                link_local(&l.mac)
            ));
            s.push_str("          UP BROADCAST RUNNING MULTICAST ");
        }
        s.push_str(&format!(" MTU:{}  Metric:1\n", l.mtu));
        s.push_str("          RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n");
        s.push_str("          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0\n");
        s.push_str(&format!("          collisions:0 txqueuelen:{} \n", l.qlen));
        s.push_str("          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)\n\n");
    }
    out(s)
}
