//! busybox `ping` (`networking/ping.c`, the "fancy" build every image has): resolve, send one
//! echo request a second, print each reply, then the statistics. Who answers is the model's
//! business ([`Network::ping`]): pods and nodes answer ICMP, a ClusterIP does not — with
//! kube-proxy in iptables mode it is only a DNAT rule for the Service's ports, nothing owns the
//! address — so pinging a Service "fails" even when the Service works.

use std::net::Ipv4Addr;

use super::{ClientRun, Network, RESOLVER_TIMEOUT_MS};
use crate::error::ApiError;
use crate::net::DnsAnswer;

/// busybox's default `-W` (MAXWAIT): how long to wait for a reply after the last request.
const MAXWAIT_S: u64 = 10;
/// Data bytes per request (DEFDATALEN) and what a reply carries with its ICMP header.
const DATALEN: u32 = 56;

/// A reply to an echo request, as the model decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Echo {
    /// TTL of the reply as it arrives (64 minus the routers it crossed).
    pub ttl: u8,
    /// Round-trip time in microseconds.
    pub rtt_us: u32,
}

fn opt_value<'a>(args: &'a [String], i: &mut usize, a: &'a str) -> Option<&'a str> {
    if a.len() > 2 {
        Some(&a[2..])
    } else {
        *i += 1;
        args.get(*i).map(String::as_str)
    }
}

/// `ping [-c N] [-W SEC] [-w SEC] [-q] HOST`.
pub(crate) fn run(net: &mut dyn Network, args: &[String]) -> Result<ClientRun, ApiError> {
    let mut count: Option<u64> = None;
    let mut wait = MAXWAIT_S;
    let mut deadline: Option<u64> = None;
    let mut quiet = false;
    let mut host = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let num = |v: Option<&str>| v.and_then(|v| v.parse::<u64>().ok());
        match a.get(..2) {
            Some("-c") => count = num(opt_value(args, &mut i, a)),
            Some("-W") => wait = num(opt_value(args, &mut i, a)).unwrap_or(MAXWAIT_S),
            Some("-w") => deadline = num(opt_value(args, &mut i, a)),
            Some("-s" | "-t" | "-I" | "-p" | "-i") => {
                let _ = opt_value(args, &mut i, a);
            }
            Some("-q") => quiet = true,
            _ if a.starts_with('-') && a.len() > 1 => {}
            _ => host = Some(a.to_string()),
        }
        i += 1;
    }
    let Some(host) = host else {
        return Ok(ClientRun {
            stderr: "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n".to_string(),
            exit_code: 1,
            ..ClientRun::ok()
        });
    };
    let ip: Ipv4Addr = match host.parse() {
        Ok(ip) => ip,
        Err(_) => {
            let lookup = net.resolve(&host)?;
            match lookup.answer {
                DnsAnswer::Records { addresses, .. } if !addresses.is_empty() => addresses[0],
                answer => {
                    // xhost_and_af2sockaddr → bb_error_msg_and_die("bad address '%s'").
                    return Ok(ClientRun {
                        stderr: format!("ping: bad address '{host}'\n"),
                        exit_code: 1,
                        elapsed_ms: if answer == DnsAnswer::Timeout {
                            RESOLVER_TIMEOUT_MS
                        } else {
                            0
                        },
                        ..ClientRun::ok()
                    });
                }
            }
        }
    };
    let reply = net.ping(ip)?;
    // Without -c (or -w) ping runs until interrupted: report the first second of it.
    let forever = count.is_none() && deadline.is_none();
    let sent = match (count, deadline) {
        (Some(c), Some(d)) => c.min(d.max(1)),
        (Some(c), None) => c,
        (None, Some(d)) => d.max(1),
        (None, None) => 1,
    };
    let mut r = ClientRun {
        stdout: format!("PING {host} ({ip}): {DATALEN} data bytes\n"),
        ..ClientRun::ok()
    };
    let mut times = Vec::new();
    if let Some(echo) = reply {
        for seq in 0..sent {
            // A little jitter, the same on every run.
            let t = echo.rtt_us + (seq as u32 % 3) * 17;
            times.push(t);
            if !quiet {
                r.stdout.push_str(&format!(
                    "{} bytes from {ip}: seq={seq} ttl={} time={}.{:03} ms\n",
                    DATALEN + 8,
                    echo.ttl,
                    t / 1000,
                    t % 1000
                ));
            }
        }
    }
    if forever {
        r.ended = false;
        r.elapsed_ms = 1000;
        return Ok(r);
    }
    let received = times.len() as u64;
    r.stdout.push_str(&format!(
        "\n--- {host} ping statistics ---\n{sent} packets transmitted, {received} packets received, {}% packet loss\n",
        (sent - received) * 100 / sent
    ));
    if let (Some(min), Some(max)) = (times.iter().min(), times.iter().max()) {
        let avg = times.iter().sum::<u32>() / times.len() as u32;
        r.stdout.push_str(&format!(
            "round-trip min/avg/max = {}.{:03}/{}.{:03}/{}.{:03} ms\n",
            min / 1000,
            min % 1000,
            avg / 1000,
            avg % 1000,
            max / 1000,
            max % 1000
        ));
    }
    // One request a second; after the last, wait -W for a reply that never comes (or the
    // -w deadline, whichever ends first).
    let mut elapsed = (sent - 1) * 1000 + if received == 0 { wait * 1000 } else { 1 };
    if let Some(d) = deadline {
        elapsed = elapsed.min(d * 1000);
    }
    r.elapsed_ms = elapsed;
    r.exit_code = i32::from(received == 0 || (deadline.is_some() && received < sent));
    Ok(r)
}
