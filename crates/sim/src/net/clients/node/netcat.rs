//! The `nc` of an Ubuntu node: Debian's netcat-openbsd (`netcat.c` with Debian's patches),
//! outbound connects with `-z -v -w SEC -u -n`. With `-v` or `-z` a connect that succeeds is
//! reported on stderr (`connection_info`: `Connection to web (10.96.12.7) 80 port [tcp/http]
//! succeeded!`); with `-v` a failure is (`remote_connect`: `nc: connect to web port 80 (tcp)
//! failed: Connection refused`, or `… timed out: Operation now in progress` when `-w` fires
//! first); a name that does not resolve always is (`nc: getaddrinfo for host "web" port 80:
//! Name or service not known`). Exit 0 when the connect succeeded, 1 otherwise.

use super::super::{
    ClientRun, KERNEL_CONNECT_TIMEOUT_MS, Network, RESOLVER_TIMEOUT_MS, dialled_ip,
};
use crate::error::ApiError;
use crate::net::{DnsAnswer, Protocol, Request, Verdict};

/// What `getservbyport` finds in an Ubuntu `/etc/services` for the ports drills use.
fn service(port: u16) -> &'static str {
    match port {
        22 => "ssh",
        53 => "domain",
        80 => "http",
        443 => "https",
        8080 => "http-alt",
        _ => "*",
    }
}

fn fail(stderr: String) -> ClientRun {
    ClientRun {
        stderr,
        exit_code: 1,
        ..ClientRun::ok()
    }
}

const USAGE: &str = "usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]\n";

pub(crate) fn run(net: &mut dyn Network, args: &[String]) -> Result<ClientRun, ApiError> {
    let (mut verbose, mut zero, mut udp, mut numeric) = (false, false, false, false);
    let mut wait_s: Option<u64> = None;
    let mut operands = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty()) else {
            operands.push(a.clone());
            continue;
        };
        let mut chars = flags.chars();
        while let Some(c) = chars.next() {
            match c {
                'v' => verbose = true,
                'z' => zero = true,
                'u' => udp = true,
                'n' => numeric = true,
                'w' => {
                    let rest: String = chars.by_ref().collect();
                    let v = if rest.is_empty() {
                        it.next().cloned().unwrap_or_default()
                    } else {
                        rest
                    };
                    match v.parse() {
                        Ok(w) => wait_s = Some(w),
                        // strtonum's "invalid" → errx(1, "timeout %s: %s").
                        Err(_) => return Ok(fail(format!("nc: timeout {v}: invalid\n"))),
                    }
                }
                _ => {}
            }
        }
    }
    let [host, port_s] = operands.as_slice() else {
        return Ok(fail(USAGE.to_string()));
    };
    let Ok(port) = port_s.parse::<u16>() else {
        return Ok(fail(format!("nc: port range not valid: {port_s}\n")));
    };
    let proto = if udp { "udp" } else { "tcp" };
    let trace = net.trace(&Request {
        host: host.clone(),
        port,
        protocol: if udp { Protocol::Udp } else { Protocol::Tcp },
        http: None,
    })?;
    let mut out = ClientRun::ok();
    let ip = match &trace.verdict {
        Verdict::DnsFailed(a) => {
            let why = if *a == DnsAnswer::Timeout {
                out.elapsed_ms += RESOLVER_TIMEOUT_MS;
                "Temporary failure in name resolution"
            } else {
                "Name or service not known"
            };
            out.stderr = format!("nc: getaddrinfo for host \"{host}\" port {port}: {why}\n");
            out.exit_code = 1;
            return Ok(out);
        }
        Verdict::Refused { ip } | Verdict::TimedOut { ip } | Verdict::Delivered { ip, .. } => {
            dialled_ip(&trace, host).unwrap_or(*ip)
        }
    };
    // UDP "connects" locally: a datagram nobody answers looks open.
    let failure = match (&trace.verdict, udp) {
        (Verdict::Delivered { .. }, _) | (_, true) => None,
        (Verdict::Refused { .. }, false) => Some("failed: Connection refused"),
        (_, false) if wait_s.is_some() => Some("timed out: Operation now in progress"),
        (_, false) => Some("failed: Connection timed out"),
    };
    match failure {
        None => {
            if verbose || zero {
                let addr = if numeric || *host == ip.to_string() {
                    String::new()
                } else {
                    format!(" ({ip})")
                };
                let sv = if numeric { "*" } else { service(port) };
                out.stderr =
                    format!("Connection to {host}{addr} {port} port [{proto}/{sv}] succeeded!\n");
            }
            if !zero {
                // Reading a peer that sends nothing until -w fires (or for ever).
                out.elapsed_ms += wait_s.map_or(0, |w| w * 1000);
                out.ended = wait_s.is_some();
            }
        }
        Some(why) => {
            out.elapsed_ms += if why.starts_with("timed out") {
                wait_s.unwrap_or(0) * 1000
            } else if why.ends_with("timed out") {
                KERNEL_CONNECT_TIMEOUT_MS
            } else {
                1
            };
            if verbose {
                out.stderr = format!("nc: connect to {host} port {port} ({proto}) {why}\n");
            }
            out.exit_code = 1;
        }
    }
    Ok(out)
}
