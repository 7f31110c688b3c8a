//! curl 8.x (src/tool_operate.c, src/tool_writeout.c, lib/connect.c, lib/multi.c,
//! lib/hostip.c, lib/progress.c): `-s -S -f -v -I -i -o FILE -w FMT -m SEC --connect-timeout
//! SEC -H 'Host: …'`, the progress meter curl writes to stderr when stdout is not a terminal,
//! and its errors: `curl: (6) Could not resolve host: web`, `curl: (7) Failed to connect to web
//! port 80 after 3 ms: Couldn't connect to server`, `curl: (28) …`, `curl: (22) The requested
//! URL returned error: 404`.

use super::argv::{OptError, Spec, getopt, parse_url};
use super::{
    ClientEnv, ClientRun, KERNEL_CONNECT_TIMEOUT_MS, Network, RESOLVER_TIMEOUT_MS, dialled_ip,
};
use crate::error::ApiError;
use crate::net::{DnsAnswer, HttpRequest, HttpResponse, Protocol, Request, Verdict};

const SPEC: Spec = Spec {
    flags: "sSfvIiLkO#",
    with_arg: "owmHXAdue",
    long: &[
        ("silent", false, "s"),
        ("show-error", false, "S"),
        ("fail", false, "f"),
        ("fail-with-body", false, "fail-with-body"),
        ("verbose", false, "v"),
        ("head", false, "I"),
        ("include", false, "i"),
        ("location", false, "L"),
        ("insecure", false, "k"),
        ("output", true, "o"),
        ("write-out", true, "w"),
        ("max-time", true, "m"),
        ("connect-timeout", true, "connect-timeout"),
        ("header", true, "H"),
        ("request", true, "X"),
        ("user-agent", true, "A"),
        ("data", true, "d"),
        ("user", true, "u"),
        ("referer", true, "e"),
        ("no-progress-meter", false, "no-progress-meter"),
        ("retry", true, "retry"),
    ],
};

/// The version the catalog's curl images ship (curlimages/curl:8.x); `User-Agent` and `-v`.
const VERSION: &str = "8.8.0";
/// How long a refused connection takes to fail inside a cluster (one round trip).
const REFUSED_MS: u64 = 3;
/// How long a small response takes to arrive inside a cluster.
const TRANSFER_MS: u64 = 2;
/// curl's default connect timeout (DEFAULT_CONNECT_TIMEOUT, lib/connect.h): 300 s.
const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 300_000;
/// A timer fires a couple of milliseconds after its deadline: "after 3002 milliseconds".
const TIMER_SLACK_MS: u64 = 2;

#[derive(Default)]
struct Opts {
    silent: bool,
    show_error: bool,
    fail: bool,
    verbose: bool,
    head: bool,
    include: bool,
    output: Option<String>,
    write_out: Option<String>,
    max_time_ms: Option<u64>,
    connect_timeout_ms: Option<u64>,
    host_header: Option<String>,
    no_meter: bool,
}

/// The tool's error line, unless -s without -S hides it.
fn error(out: &mut ClientRun, o: &Opts, code: i32, msg: &str) {
    if !o.silent || o.show_error {
        out.stderr.push_str(&format!("curl: ({code}) {msg}\n"));
    }
    out.exit_code = code;
}

/// `helpf`: an argument problem, exit 2.
fn help(out: &mut ClientRun, msg: &str) {
    out.stderr.push_str(&format!(
        "curl: {msg}\ncurl: try 'curl --help' or 'curl --manual' for more information\n"
    ));
    out.exit_code = 2;
}

fn seconds_ms(v: &str) -> Option<u64> {
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| (s * 1000.0) as u64)
}

pub(super) fn run(
    net: &mut dyn Network,
    args: &[String],
    env: &ClientEnv,
) -> Result<ClientRun, ApiError> {
    let mut out = ClientRun::ok();
    let (opts, urls) = match getopt(args, &SPEC) {
        Ok(p) => p,
        Err(e) => {
            let opt = match e {
                OptError::Invalid(c) => format!("-{c}"),
                OptError::Unrecognized(o) => o,
                OptError::MissingArg(o) if o.len() == 1 => format!("-{o}"),
                OptError::MissingArg(o) => format!("--{o}"),
            };
            help(&mut out, &format!("option {opt}: is unknown"));
            return Ok(out);
        }
    };
    let mut o = Opts::default();
    for opt in &opts {
        let arg = opt.arg.as_deref().unwrap_or("");
        match opt.name.as_str() {
            "s" => o.silent = true,
            "S" => o.show_error = true,
            "f" | "fail-with-body" => o.fail = true,
            "v" => o.verbose = true,
            "I" => o.head = true,
            "i" => o.include = true,
            "o" => o.output = Some(arg.to_string()),
            "w" => o.write_out = Some(arg.to_string()),
            "no-progress-meter" => o.no_meter = true,
            "m" | "connect-timeout" => {
                let Some(ms) = seconds_ms(arg) else {
                    help(
                        &mut out,
                        &format!(
                            "option -{}: expected a proper numerical parameter",
                            opt.name
                        ),
                    );
                    return Ok(out);
                };
                if opt.name == "m" {
                    o.max_time_ms = Some(ms);
                } else {
                    o.connect_timeout_ms = Some(ms);
                }
            }
            "H" => {
                if let Some((k, v)) = arg.split_once(':')
                    && k.trim().eq_ignore_ascii_case("host")
                {
                    o.host_header = Some(v.trim().to_string());
                }
            }
            _ => {}
        }
    }
    let Some(url) = urls.first() else {
        help(&mut out, "(2) no URL specified");
        return Ok(out);
    };
    transfer(net, url, &o, env, &mut out)?;
    Ok(out)
}

/// What a finished transfer leaves for `-w` and the meter.
struct Done {
    code: u16,
    ip: Option<std::net::Ipv4Addr>,
    port: u16,
    downloaded: usize,
    spent_ms: u64,
}

fn transfer(
    net: &mut dyn Network,
    url: &str,
    o: &Opts,
    env: &ClientEnv,
    out: &mut ClientRun,
) -> Result<(), ApiError> {
    let Some(u) = parse_url(url) else {
        let scheme = url.split_once("://").map_or("", |(s, _)| s);
        error(out, o, 1, &format!("Protocol \"{scheme}\" not supported"));
        return Ok(());
    };
    let trace = net.trace(&Request {
        host: u.host.clone(),
        port: u.port,
        protocol: Protocol::Tcp,
        http: Some(HttpRequest {
            path: u.path.clone(),
            host_header: o.host_header.clone(),
            user_agent: Some(format!("curl/{VERSION}")),
        }),
    })?;
    let ip = dialled_ip(&trace, &u.host);
    let mut done = Done {
        code: 0,
        ip,
        port: u.port,
        downloaded: 0,
        spent_ms: 0,
    };
    // Meter and -v go to stderr before the error line; the body goes to stdout.
    let mut err_line: Option<(i32, String)> = None;
    let connect_limit = o
        .connect_timeout_ms
        .unwrap_or(DEFAULT_CONNECT_TIMEOUT_MS)
        .min(o.max_time_ms.unwrap_or(u64::MAX));
    let mut body = String::new();
    match &trace.verdict {
        Verdict::DnsFailed(a) => {
            let limit = o.max_time_ms.unwrap_or(u64::MAX).min(connect_limit);
            if *a == DnsAnswer::Timeout && limit < RESOLVER_TIMEOUT_MS {
                // lib/multi.c multi_handle_timeout, state RESOLVING.
                done.spent_ms = limit + TIMER_SLACK_MS;
                err_line = Some((
                    28,
                    format!("Resolving timed out after {} milliseconds", done.spent_ms),
                ));
            } else {
                if *a == DnsAnswer::Timeout {
                    done.spent_ms = RESOLVER_TIMEOUT_MS;
                }
                // lib/hostip.c Curl_resolver_error.
                err_line = Some((6, format!("Could not resolve host: {}", u.host)));
            }
        }
        Verdict::Refused { ip: vip } => {
            done.ip = done.ip.or(Some(*vip));
            done.spent_ms = REFUSED_MS;
            if o.verbose {
                verbose_trying(out, &u.host, done.ip, u.port);
            }
            // lib/connect.c: "Failed to connect to %s port %u after %d ms: %s" with
            // curl_easy_strerror(CURLE_COULDNT_CONNECT).
            err_line = Some((
                7,
                format!(
                    "Failed to connect to {} port {} after {} ms: Couldn't connect to server",
                    u.host, u.port, REFUSED_MS
                ),
            ));
        }
        Verdict::TimedOut { ip: vip } => {
            done.ip = done.ip.or(Some(*vip));
            if o.verbose {
                verbose_trying(out, &u.host, done.ip, u.port);
            }
            err_line = Some(connect_timeout(
                o,
                &u.host,
                u.port,
                connect_limit,
                &mut done,
            ));
        }
        Verdict::Delivered {
            http: None,
            ip: vip,
            ..
        } => {
            done.ip = done.ip.or(Some(*vip));
            if o.verbose {
                verbose_trying(out, &u.host, done.ip, u.port);
                verbose_connected(out, &u.host, done.ip, u.port);
                verbose_request(out, &u, o);
            }
            // A socket that never answers HTTP: the transfer waits for -m, or, without it, the
            // server closes on the garbage request.
            match o.max_time_ms {
                Some(m) => {
                    done.spent_ms = m + TIMER_SLACK_MS;
                    err_line = Some((
                        28,
                        format!(
                            "Operation timed out after {} milliseconds with 0 bytes received",
                            done.spent_ms
                        ),
                    ));
                }
                None => err_line = Some((52, "Empty reply from server".to_string())),
            }
        }
        Verdict::Delivered {
            http: Some(resp),
            ip: vip,
            ..
        } => {
            done.ip = done.ip.or(Some(*vip));
            done.code = resp.status;
            done.spent_ms = TRANSFER_MS;
            if o.verbose {
                verbose_trying(out, &u.host, done.ip, u.port);
                verbose_connected(out, &u.host, done.ip, u.port);
                verbose_request(out, &u, o);
                for l in header_lines(resp, o.head) {
                    out.stderr.push_str(&format!("< {l}\n"));
                }
                out.stderr.push_str("< \n");
            }
            if o.fail && resp.status >= 400 {
                // lib/http.c http_should_fail, then tool_operate.c prints it.
                err_line = Some((
                    22,
                    format!("The requested URL returned error: {}", resp.status),
                ));
            } else {
                if o.head || o.include {
                    for l in header_lines(resp, o.head) {
                        body.push_str(&l);
                        body.push_str("\r\n");
                    }
                    body.push_str("\r\n");
                }
                if !o.head {
                    body.push_str(&resp.body);
                    done.downloaded = resp.body.len();
                }
            }
        }
    }
    let meter = !o.silent && !o.no_meter && !o.verbose && (!env.tty || o.output.is_some());
    if meter {
        out.stderr.push_str(&progress_meter(&done));
    }
    match o.output.as_deref() {
        // The file is written, nothing shows; /dev/null discards it.
        Some(f) if f != "-" => {}
        _ => out.stdout.push_str(&body),
    }
    if o.verbose && err_line.is_none() {
        out.stderr
            .push_str(&format!("* Connection #0 to host {} left intact\n", u.host));
    }
    if let Some((code, msg)) = &err_line {
        if o.verbose {
            out.stderr
                .push_str(&format!("* {msg}\n* Closing connection\n"));
        }
        error(out, o, *code, msg);
    }
    out.elapsed_ms += done.spent_ms;
    if let Some(fmt) = &o.write_out {
        out.stdout
            .push_str(&write_out(fmt, &done, url, out.exit_code));
    }
    Ok(())
}

/// A connect that gets no answer: the shorter of the tool's timers and the kernel's.
fn connect_timeout(o: &Opts, host: &str, port: u16, limit: u64, done: &mut Done) -> (i32, String) {
    if limit >= KERNEL_CONNECT_TIMEOUT_MS {
        // connect() fails with ETIMEDOUT: CURLE_COULDNT_CONNECT's text, code turned into 28.
        done.spent_ms = KERNEL_CONNECT_TIMEOUT_MS + TIMER_SLACK_MS;
        return (
            28,
            format!(
                "Failed to connect to {host} port {port} after {} ms: Couldn't connect to server",
                done.spent_ms
            ),
        );
    }
    done.spent_ms = limit + TIMER_SLACK_MS;
    match (o.max_time_ms, o.connect_timeout_ms) {
        // --connect-timeout alone (or shorter than -m): the eyeballer gives up first
        // (lib/connect.c, "Timeout was reached" is curl_easy_strerror(28)).
        (m, Some(c)) if m.is_none_or(|m| c < m) => (
            28,
            format!(
                "Failed to connect to {host} port {port} after {} ms: Timeout was reached",
                done.spent_ms
            ),
        ),
        // -m: lib/multi.c multi_handle_timeout in state CONNECTING.
        _ => (
            28,
            format!("Connection timed out after {} milliseconds", done.spent_ms),
        ),
    }
}

fn verbose_trying(out: &mut ClientRun, host: &str, ip: Option<std::net::Ipv4Addr>, port: u16) {
    let ip = ip.map(|i| i.to_string()).unwrap_or_default();
    if host.parse::<std::net::Ipv4Addr>().is_err() {
        out.stderr.push_str(&format!(
            "* Host {host}:{port} was resolved.\n* IPv6: (none)\n* IPv4: {ip}\n"
        ));
    }
    out.stderr.push_str(&format!("*   Trying {ip}:{port}...\n"));
}

fn verbose_connected(out: &mut ClientRun, host: &str, ip: Option<std::net::Ipv4Addr>, port: u16) {
    let ip = ip.map(|i| i.to_string()).unwrap_or_default();
    out.stderr
        .push_str(&format!("* Connected to {host} ({ip}) port {port}\n"));
}

fn verbose_request(out: &mut ClientRun, u: &super::argv::Url, o: &Opts) {
    let method = if o.head { "HEAD" } else { "GET" };
    // curl sends the port in Host only when it is not the scheme's default.
    let host = o.host_header.clone().unwrap_or_else(|| {
        if u.port == 80 {
            u.host.clone()
        } else {
            format!("{}:{}", u.host, u.port)
        }
    });
    out.stderr.push_str(&format!(
        "> {method} {} HTTP/1.1\n> Host: {host}\n> User-Agent: curl/{VERSION}\n> Accept: */*\n> \n* Request completely sent off\n",
        u.path
    ));
}

/// The response head as modelled: status line, `Server` when the image sends one, and the
/// length of the body (other headers are not modelled).
fn header_lines(resp: &HttpResponse, _head: bool) -> Vec<String> {
    let mut v = vec![format!("HTTP/1.1 {} {}", resp.status, resp.reason)];
    if let Some(s) = &resp.server {
        v.push(format!("Server: {s}"));
    }
    v.push(format!("Content-Length: {}", resp.body.len()));
    v
}

/// `-w`: the variables drills use; `\n` and `\t` escapes as tool_writeout.c reads them.
fn write_out(fmt: &str, d: &Done, url: &str, exit: i32) -> String {
    let mut s = String::new();
    let mut rest = fmt;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("%{")
            && let Some(end) = r.find('}')
        {
            let var = &r[..end];
            let val = match var {
                "http_code" | "response_code" => format!("{:03}", d.code),
                "remote_ip" => d.ip.map(|i| i.to_string()).unwrap_or_default(),
                "remote_port" => d.port.to_string(),
                "size_download" => d.downloaded.to_string(),
                "url" | "url_effective" => url.to_string(),
                "exitcode" => exit.to_string(),
                "time_total" => format!("{:.6}", d.spent_ms as f64 / 1000.0),
                _ => String::new(),
            };
            s.push_str(&val);
            rest = &r[end + 1..];
            continue;
        }
        if let Some(r) = rest.strip_prefix('\\')
            && let Some(e) = r.chars().next()
        {
            match e {
                'n' => s.push('\n'),
                't' => s.push('\t'),
                'r' => s.push('\r'),
                '\\' => s.push('\\'),
                other => {
                    s.push('\\');
                    s.push(other);
                }
            }
            rest = &r[e.len_utf8()..];
            continue;
        }
        s.push(c);
        rest = &rest[c.len_utf8()..];
    }
    s
}

/// lib/progress.c: the two header lines, one line per second spent (each starting with `\r`),
/// the final line, and the newline of `Curl_pgrsDone`.
fn progress_meter(d: &Done) -> String {
    let mut s = String::from(
        "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n",
    );
    let zero = |spent_s: u64| {
        format!(
            "\r  0     0    0     0    0     0      0      0 --:--:-- {} --:--:--     0",
            time2str(spent_s)
        )
    };
    let secs = d.spent_ms / 1000;
    for t in 0..=secs.min(3600) {
        s.push_str(&zero(t));
    }
    if d.downloaded > 0 {
        let size = max5(d.downloaded as u64);
        let speed = max5(d.downloaded as u64 * 1000 / d.spent_ms.max(1));
        s.push_str(&format!(
            "\r100 {size}  100 {size}    0     0  {speed}      0 --:--:-- {} --:--:-- {speed}",
            time2str(secs)
        ));
    }
    s.push('\n');
    s
}

/// lib/progress.c time2str: `--:--:--` for nothing, else ` H:MM:SS` in eight columns.
fn time2str(secs: u64) -> String {
    if secs == 0 {
        return "--:--:--".to_string();
    }
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    format!("{h:2}:{m:02}:{s:02}")
}

/// lib/progress.c max5data: five columns, `k`/`M` once the number needs it.
fn max5(bytes: u64) -> String {
    const K: u64 = 1024;
    const M: u64 = 1024 * K;
    if bytes < 100_000 {
        format!("{bytes:5}")
    } else if bytes < 10_000 * K {
        format!("{:4}k", bytes / K)
    } else if bytes < 100 * M {
        format!("{:2}.{}M", bytes / M, (bytes % M) / (M / 10))
    } else {
        format!("{:4}M", bytes / M)
    }
}
