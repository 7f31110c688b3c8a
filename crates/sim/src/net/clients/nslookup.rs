//! busybox `nslookup` (networking/nslookup.c, the FEATURE_NSLOOKUP_BIG version of busybox 1.36).
//!
//! It does not use the libc resolver: it reads resolv.conf itself, expands a name *without a
//! dot* with every `search` domain (a name with a dot is asked as is — why
//! `nslookup web.prod` fails where `wget web.prod` works), sends an A and an AAAA query per
//! name, and prints each reply as it arrives: `Server:`/`Address:` before the first, then
//! `Name:`/`Address:` records, or `** server can't find NAME: NXDOMAIN` (which makes the exit
//! code 1 even when another name answered). No reply at all: `;; connection timed out; no
//! servers could be reached`, exit 1. Everything goes to stdout.

use std::fmt::Write as _;

use super::{ClientRun, Network, RESOLVER_TIMEOUT_MS};
use crate::error::ApiError;
use crate::net::{DnsAnswer, DnsLookup};

const USAGE: &str = "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n";

pub(super) fn run(net: &mut dyn Network, args: &[String]) -> Result<ClientRun, ApiError> {
    let mut out = ClientRun::ok();
    let mut rest = args;
    let mut only_a = false;
    // "-opt[=val]" options precede the arguments.
    while let Some(a) = rest.first().filter(|a| a.starts_with('-')) {
        let (opt, val) = a[1..].split_once('=').unwrap_or((&a[1..], ""));
        let known = [
            "type",
            "querytype",
            "port",
            "retry",
            "debug",
            "t",
            "timeout",
        ];
        if !known.iter().any(|k| k.starts_with(opt) && !opt.is_empty()) {
            out.stderr.push_str(USAGE);
            out.exit_code = 1;
            return Ok(out);
        }
        if opt.starts_with("ty") || opt.starts_with("q") {
            only_a = val.eq_ignore_ascii_case("a");
        }
        rest = &rest[1..];
    }
    let (name, server_arg) = match rest {
        [n] => (n, None),
        [n, s] => (n, Some(s.clone())),
        _ => {
            out.stderr.push_str(USAGE);
            out.exit_code = 1;
            return Ok(out);
        }
    };
    let names: Vec<String> = if name.contains('.') {
        vec![name.clone()]
    } else {
        let search = net.search();
        if search.is_empty() {
            vec![name.clone()]
        } else {
            search.iter().map(|d| format!("{name}.{d}")).collect()
        }
    };
    let mut answers: Vec<(String, DnsLookup)> = Vec::new();
    for n in &names {
        // A trailing dot: asked as an absolute name, the search path is nslookup's own.
        let lookup = net.resolve(&format!("{}.", n.trim_end_matches('.')))?;
        answers.push((n.clone(), lookup));
    }
    let server = server_arg.unwrap_or_else(|| {
        answers
            .first()
            .map(|(_, l)| l.server.to_string())
            .unwrap_or_else(|| "127.0.0.1".to_string())
    });
    if answers.iter().all(|(_, l)| l.answer == DnsAnswer::Timeout) {
        // The poll loop runs for the default timeout (5 s) before giving up on the server.
        out.elapsed_ms += RESOLVER_TIMEOUT_MS / 2;
        out.stdout
            .push_str(";; connection timed out; no servers could be reached\n\n");
        out.exit_code = 1;
        return Ok(out);
    }
    let _ = write!(out.stdout, "Server:\t\t{server}\nAddress:\t{server}:53\n\n");
    let mut unanswered = Vec::new();
    // All A queries are sent before the AAAA ones; replies print in that order here.
    let kinds: &[bool] = if only_a { &[true] } else { &[true, false] };
    for &is_a in kinds {
        for (n, l) in &answers {
            match &l.answer {
                DnsAnswer::Timeout => {
                    if is_a || !only_a {
                        unanswered.push(n.clone());
                    }
                }
                DnsAnswer::NxDomain => {
                    let _ = write!(out.stdout, "** server can't find {n}: NXDOMAIN\n\n");
                    out.exit_code = 1;
                }
                DnsAnswer::Records {
                    name,
                    cname,
                    addresses,
                } => {
                    let owner = name.trim_end_matches('.');
                    if !authoritative(net, owner) {
                        out.stdout.push_str("Non-authoritative answer:\n");
                    }
                    let mut prev = owner.to_string();
                    for c in cname {
                        let c = c.trim_end_matches('.');
                        let _ = writeln!(out.stdout, "{prev}\tcanonical name = {c}");
                        prev = c.to_string();
                    }
                    if is_a {
                        for ip in addresses {
                            let _ = write!(out.stdout, "Name:\t{prev}\nAddress: {ip}\n");
                        }
                    }
                    // An empty AAAA answer (NODATA) still ends with the blank line.
                    out.stdout.push('\n');
                }
            }
        }
    }
    if !unanswered.is_empty() {
        unanswered.dedup();
        for n in &unanswered {
            let _ = writeln!(out.stdout, "*** Can't find {n}: No answer");
        }
        out.stdout.push('\n');
    }
    Ok(out)
}

/// CoreDNS answers its cluster zone authoritatively (the `aa` bit); anything it forwards is
/// not, and nslookup says so.
fn authoritative(net: &dyn Network, owner: &str) -> bool {
    let search = net.search();
    let zone = search.last().map(String::as_str).unwrap_or("cluster.local");
    owner == zone || owner.ends_with(&format!(".{zone}"))
}
