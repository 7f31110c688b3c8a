//! busybox `nc` as built by default (NC_110_COMPAT: networking/nc_bloaty.c, busybox 1.36):
//! outbound connects with `-z -v -w SEC -u -n`. What it prints is sparse and exact: with `-v`,
//! `web (10.96.12.7:80) open`; a refusal only with `-vv`; a timeout with `-v`
//! (`nc: web (10.96.12.7:80): Connection timed out`); an unresolvable name always
//! (`nc: bad address 'web'`). Exit 0 when the connect succeeded, 1 otherwise.

use super::argv::{Spec, getopt, parse_port};
use super::{ClientRun, KERNEL_CONNECT_TIMEOUT_MS, Network, RESOLVER_TIMEOUT_MS, dialled_ip};
use crate::error::ApiError;
use crate::net::{DnsAnswer, Protocol, Request, Verdict};

/// nc_main's getopt32: "np:s:ubvw:+lki:o:z" (-v counts).
const SPEC: Spec = Spec {
    flags: "nubvlkz",
    with_arg: "pswio",
    long: &[],
};

const USAGE: &str =
    "Usage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n";

/// Whether a word of nc's command line turns on listen mode (`-l`, `-lk`, `-lp 80`).
pub(super) fn is_listen_flag(word: &str) -> bool {
    word.strip_prefix('-').is_some_and(|f| {
        !f.starts_with('-')
            && f.chars()
                .take_while(|c| *c != 'p' && *c != 'w' && *c != 's')
                .any(|c| c == 'l')
    })
}

pub(super) fn run(
    net: &mut dyn Network,
    args: &[String],
    stdin: &str,
) -> Result<ClientRun, ApiError> {
    let mut out = ClientRun::ok();
    let (opts, operands) = match getopt(args, &SPEC) {
        Ok(p) => p,
        Err(e) => {
            out.stderr.push_str(&format!("nc: {}\n{USAGE}", e.glibc()));
            out.exit_code = 1;
            return Ok(out);
        }
    };
    let verbose = opts.iter().filter(|o| o.name == "v").count();
    let zero = opts.iter().any(|o| o.name == "z");
    let udp = opts.iter().any(|o| o.name == "u");
    let mut wait_s: u64 = 0;
    for o in &opts {
        if o.name == "w" {
            match o.arg.as_deref().and_then(|w| w.parse().ok()) {
                Some(w) => wait_s = w,
                None => {
                    let w = o.arg.clone().unwrap_or_default();
                    out.stderr.push_str(&format!("nc: invalid number '{w}'\n"));
                    out.exit_code = 1;
                    return Ok(out);
                }
            }
        }
    }
    // "?2": at most two operands, and an outbound connect needs both.
    if operands.len() != 2 || opts.iter().any(|o| o.name == "l") {
        out.stderr.push_str(USAGE);
        out.exit_code = 1;
        return Ok(out);
    }
    let (host, port_s) = (&operands[0], &operands[1]);
    let Some(port) = parse_port(port_s) else {
        // bb_lookup_port: not a number and not in /etc/services.
        out.stderr.push_str(&format!("nc: bad port '{port_s}'\n"));
        out.exit_code = 1;
        return Ok(out);
    };
    let trace = net.trace(&Request {
        host: host.clone(),
        port,
        protocol: if udp { Protocol::Udp } else { Protocol::Tcp },
        http: None,
    })?;
    let ip = match &trace.verdict {
        Verdict::DnsFailed(a) => {
            if *a == DnsAnswer::Timeout {
                out.elapsed_ms += RESOLVER_TIMEOUT_MS;
            }
            // xhost2sockaddr → str2sockaddr: bb_error_msg("bad address '%s'"), then die.
            out.stderr.push_str(&format!("nc: bad address '{host}'\n"));
            out.exit_code = 1;
            return Ok(out);
        }
        Verdict::Refused { ip } | Verdict::TimedOut { ip } | Verdict::Delivered { ip, .. } => {
            dialled_ip(&trace, host).unwrap_or(*ip)
        }
    };
    let dotted = format!("{ip}:{port}");
    // What connect_w_timeout (and udptest for -zu) leave in x and errno.
    let failure: Option<&str> = match (&trace.verdict, udp) {
        (Verdict::Delivered { .. }, _) => None,
        // UDP "connects" locally; -z sends a byte and an ICMP port unreachable makes the
        // second write fail. A dropped datagram looks open — the classic UDP scan answer.
        (Verdict::Refused { .. }, true) if zero => Some("Connection refused"),
        (_, true) => None,
        (Verdict::Refused { .. }, false) => Some("Connection refused"),
        (Verdict::TimedOut { .. }, false) => Some("Connection timed out"),
        (Verdict::DnsFailed(_), false) => Some("Connection timed out"),
    };
    match failure {
        None => {
            if udp && zero {
                // udptest sleeps -w seconds between its two writes (or waits a tcp-ping).
                out.elapsed_ms += wait_s * 1000;
            }
            if verbose > 0 {
                out.stderr.push_str(&format!("{host} ({dotted}) open\n"));
            }
            if !zero {
                read_write(&mut out, &trace.verdict, wait_s, stdin);
            }
        }
        Some(why) => {
            out.elapsed_ms += match why {
                "Connection timed out" if wait_s > 0 => wait_s * 1000,
                "Connection timed out" => KERNEL_CONNECT_TIMEOUT_MS,
                _ => 1,
            };
            // "if we're scanning at a "one -v" verbosity level, don't print refusals."
            if verbose > 1 || (verbose == 1 && why != "Connection refused") {
                out.stderr
                    .push_str(&format!("nc: {host} ({dotted}): {why}\n"));
            }
            out.exit_code = 1;
        }
    }
    if verbose > 1 {
        // SENT_N_RECV_M
        let sent = if failure.is_none() && !zero {
            stdin.len()
        } else {
            0
        };
        out.stderr.push_str(&format!("sent {sent}, rcvd 0\n"));
    }
    Ok(out)
}

/// readwrite(): stdin goes to the peer; what the peer sends back is not modelled beyond an
/// HTTP server answering a request it understood. With stdin at EOF and a silent peer, nc
/// gives up after two -w periods (`netretry`), or when the peer closes; exit 0 either way.
fn read_write(out: &mut ClientRun, verdict: &Verdict, wait_s: u64, stdin: &str) {
    if let Verdict::Delivered {
        http: Some(resp), ..
    } = verdict
        && (stdin.starts_with("GET ") || stdin.starts_with("HEAD "))
    {
        out.stdout
            .push_str(&format!("HTTP/1.1 {} {}\r\n", resp.status, resp.reason));
        if let Some(s) = &resp.server {
            out.stdout.push_str(&format!("Server: {s}\r\n"));
        }
        out.stdout
            .push_str(&format!("Content-Length: {}\r\n\r\n", resp.body.len()));
        if stdin.starts_with("GET ") {
            out.stdout.push_str(&resp.body);
        }
        return;
    }
    out.elapsed_ms += 2 * wait_s * 1000;
}
