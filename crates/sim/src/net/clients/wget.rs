//! busybox `wget` (networking/wget.c, libbb/xconnect.c and libbb/progress.c of busybox 1.36):
//! options `-q -O FILE -S -T SEC --spider` (others accepted and ignored), and what it prints on
//! stderr — `Connecting to web (10.96.12.7:80)`, `saving to '…'`, the progress line —
//! and when it dies (`bad address`, `can't connect to remote host`, `download timed out`,
//! `server returned error`), always with exit code 1.

use super::argv::{OptError, Spec, getopt, parse_url};
use super::{ClientRun, KERNEL_CONNECT_TIMEOUT_MS, Network, RESOLVER_TIMEOUT_MS, dialled_ip};
use crate::error::ApiError;
use crate::net::{DnsAnswer, HttpRequest, HttpResponse, Protocol, Request, Verdict};

const SPEC: Spec = Spec {
    flags: "cqS",
    // -n takes an optional argument in busybox (`n::`): `-nv` arrives as one word here too.
    with_arg: "OoPYUTtn",
    long: &[
        ("continue", false, "c"),
        ("quiet", false, "q"),
        ("server-response", false, "S"),
        ("output-document", true, "O"),
        ("output-file", true, "o"),
        ("directory-prefix", true, "P"),
        ("proxy", true, "Y"),
        ("user-agent", true, "U"),
        ("timeout", true, "T"),
        ("tries", true, "t"),
        ("header", true, "header"),
        ("post-data", true, "post-data"),
        ("spider", false, "spider"),
        ("no-check-certificate", false, "no-check-certificate"),
        ("post-file", true, "post-file"),
        ("passive-ftp", false, "ignored"),
        ("no-cache", false, "ignored"),
        ("no-verbose", false, "ignored"),
        ("no-clobber", false, "ignored"),
        ("no-host-directories", false, "ignored"),
        ("no-parent", false, "ignored"),
    ],
};

/// `wget_main`: G.timeout_seconds = 900 unless -T says otherwise.
const DEFAULT_TIMEOUT_S: u64 = 900;

struct Opts {
    quiet: bool,
    server_response: bool,
    spider: bool,
    output: Option<String>,
    timeout_s: u64,
}

/// `bb_error_msg_and_die`: `wget: MSG`, exit 1.
fn die(out: &mut ClientRun, msg: &str) {
    out.stderr.push_str(&format!("wget: {msg}\n"));
    out.exit_code = 1;
}

pub(super) fn run(net: &mut dyn Network, args: &[String]) -> Result<ClientRun, ApiError> {
    let mut out = ClientRun::ok();
    let (opts, urls) = match getopt(args, &SPEC) {
        Ok(p) => p,
        Err(e) => return Ok(usage(out, Some(&e))),
    };
    if urls.is_empty() {
        return Ok(usage(out, None));
    }
    let mut o = Opts {
        quiet: false,
        server_response: false,
        spider: false,
        output: None,
        timeout_s: DEFAULT_TIMEOUT_S,
    };
    for opt in &opts {
        match (opt.name.as_str(), opt.arg.as_deref()) {
            ("q", _) => o.quiet = true,
            ("S", _) => o.server_response = true,
            ("spider", _) => o.spider = true,
            ("O", Some(f)) => o.output = Some(f.to_string()),
            // `T:+`: a non-negative number, else xatoi's error.
            ("T", Some(t)) => match t.parse() {
                Ok(n) => o.timeout_s = n,
                Err(_) => {
                    die(&mut out, &format!("invalid number '{t}'"));
                    return Ok(out);
                }
            },
            _ => {}
        }
    }
    for url in &urls {
        download_one(net, url, &o, &mut out)?;
        if out.exit_code != 0 {
            break;
        }
    }
    Ok(out)
}

/// bb_show_usage after a getopt complaint, or with no URL: exit 1.
fn usage(mut out: ClientRun, e: Option<&OptError>) -> ClientRun {
    if let Some(e) = e {
        out.stderr.push_str(&format!("wget: {}\n", e.glibc()));
    }
    out.stderr.push_str(
        "Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\
         \t[--post-data STR | --post-file FILE] [-Y on/off]\n\
         \t[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...\n",
    );
    out.exit_code = 1;
    out
}

fn download_one(
    net: &mut dyn Network,
    url: &str,
    o: &Opts,
    out: &mut ClientRun,
) -> Result<(), ApiError> {
    let Some(u) = parse_url(url) else {
        // parse_url: a scheme other than http(s)/ftp; a bad port dies in str2sockaddr.
        return match url.split_once("://") {
            Some(_) if !url.starts_with("http") => {
                die(out, &format!("not an http or ftp url: {url}"));
                Ok(())
            }
            _ => {
                let port = url.rsplit(':').next().unwrap_or("");
                {
                    die(out, &format!("bad port '{port}'"));
                    Ok(())
                }
            }
        };
    };
    let trace = net.trace(&Request {
        host: u.host.clone(),
        port: u.port,
        protocol: Protocol::Tcp,
        http: Some(HttpRequest {
            path: u.path.clone(),
            host_header: None,
            // busybox wget.c: G.user_agent defaults to "Wget" unless -U is given.
            user_agent: Some("Wget".into()),
        }),
    })?;
    // xhost2sockaddr: any resolver failure is "bad address" with the host as written, port
    // included. -T does not cover the lookup (the alarm is set around connect only).
    let ip = match &trace.verdict {
        Verdict::DnsFailed(a) => {
            if *a == DnsAnswer::Timeout {
                out.elapsed_ms += RESOLVER_TIMEOUT_MS;
            }
            die(out, &format!("bad address '{}'", u.host_port));
            return Ok(());
        }
        Verdict::Refused { ip } | Verdict::TimedOut { ip } | Verdict::Delivered { ip, .. } => {
            dialled_ip(&trace, &u.host).unwrap_or(*ip)
        }
    };
    if !o.quiet {
        out.stderr.push_str(&format!(
            "Connecting to {} ({ip}:{})\n",
            u.host_port, u.port
        ));
    }
    match &trace.verdict {
        Verdict::DnsFailed(_) => {}
        Verdict::Refused { .. } => {
            die(
                out,
                &format!("can't connect to remote host ({ip}): Connection refused"),
            );
        }
        Verdict::TimedOut { .. } => connect_timed_out(out, o, ip)?,
        Verdict::Delivered { http: None, .. } => {
            // A socket that does not speak HTTP never sends a status line: the alarm armed
            // around fgets fires after -T seconds.
            out.elapsed_ms += o.timeout_s * 1000;
            die(out, "download timed out");
        }
        Verdict::Delivered {
            http: Some(resp), ..
        } => delivered(out, o, &u.path, resp)?,
    }
    Ok(())
}

/// `open_socket` runs connect under alarm(-T): the alarm fires first when -T is shorter than
/// the kernel's own connect timeout, else connect fails with ETIMEDOUT.
fn connect_timed_out(
    out: &mut ClientRun,
    o: &Opts,
    ip: std::net::Ipv4Addr,
) -> Result<(), ApiError> {
    if o.timeout_s > 0 && o.timeout_s * 1000 < KERNEL_CONNECT_TIMEOUT_MS {
        out.elapsed_ms += o.timeout_s * 1000;
        die(out, "download timed out");
    } else {
        out.elapsed_ms += KERNEL_CONNECT_TIMEOUT_MS;
        die(
            out,
            &format!("can't connect to remote host ({ip}): Connection timed out"),
        );
    }
    Ok(())
}

fn delivered(
    out: &mut ClientRun,
    o: &Opts,
    path: &str,
    resp: &HttpResponse,
) -> Result<(), ApiError> {
    let status_line = format!("HTTP/1.1 {} {}", resp.status, resp.reason);
    if o.server_response {
        // fgets_trim_sanitize(sfp, "  %s\n") for the status line and every header.
        out.stderr.push_str(&format!("  {status_line}\n"));
    }
    // 200-204 and the redirects go on; 206 without a Range request and the rest die.
    if !matches!(resp.status, 200..=204 | 300..=303 | 307 | 308) {
        die(out, &format!("server returned error: {status_line}"));
        return Ok(());
    }
    if o.server_response {
        if let Some(s) = &resp.server {
            out.stderr.push_str(&format!("  Server: {s}\n"));
        }
        out.stderr
            .push_str(&format!("  Content-Length: {}\n", resp.body.len()));
        out.stderr.push_str("  Connection: close\n");
    }
    if o.spider {
        if !o.quiet {
            out.stderr.push_str("remote file exists\n");
        }
        return Ok(());
    }
    let fname = match &o.output {
        Some(f) => f.clone(),
        None => {
            // bb_get_last_path_component_nostrip of the path, "index.html" when empty.
            let p = path.split(['?', '#']).next().unwrap_or("");
            let last = p.rsplit('/').next().unwrap_or("");
            if last.is_empty() {
                "index.html".to_string()
            } else {
                last.to_string()
            }
        }
    };
    let to_stdout = fname == "-";
    if !o.quiet {
        if to_stdout {
            out.stderr.push_str("writing to stdout\n");
        } else {
            out.stderr.push_str(&format!("saving to '{fname}'\n"));
        }
        out.stderr.push_str(&progress_line(&fname, resp.body.len()));
    }
    if to_stdout {
        out.stdout.push_str(&resp.body);
    }
    if !o.quiet {
        if to_stdout {
            out.stderr.push_str("written to stdout\n");
        } else {
            out.stderr.push_str(&format!("'{fname}' saved\n"));
        }
    }
    Ok(())
}

/// The one line `bb_progress_update` prints for a fast download when stderr is not a
/// terminal (no `\r`): file name in 20 columns, percentage, a bar for an 80-column terminal
/// (`get_terminal_width` falls back to 80, bar = 80 - 48), the size as `smart_ulltoa5`
/// writes it, and the ETA.
fn progress_line(fname: &str, size: usize) -> String {
    let name: String = fname
        .rsplit('/')
        .next()
        .unwrap_or(fname)
        .chars()
        .take(20)
        .collect();
    let size5 = ulltoa5(size as u64);
    if size == 0 {
        return format!("{name:<20} {size5} --:--:-- ETA\n");
    }
    format!(
        "{name:<20} 100% |{}| {size5}  0:00:00 ETA\n",
        "*".repeat(32)
    )
}

/// libbb `smart_ulltoa5` with wget's scale `" kMGTPEZY"`: "  615", "1234k", "92.1M".
fn ulltoa5(n: u64) -> String {
    if n <= 99_999 {
        return format!("{n:5}");
    }
    let scale = [' ', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
    let (mut ul, mut idx) = (n.saturating_mul(10), 0);
    loop {
        ul /= 1024;
        idx += 1;
        if ul < 100_000 {
            break;
        }
    }
    let (u, v) = (ul / 10, ul % 10);
    let unit = scale.get(idx).copied().unwrap_or('?');
    if u >= 100 {
        format!("{u:4}{unit}")
    } else {
        format!("{u:2}.{v}{unit}")
    }
}
