//! What an HTTP server in a container answers, and the access-log line it writes, rendered from
//! the image catalog's templates (`server`, `bodies`, `access_log` of a listener; see the
//! field notes in `assets/images.yaml`). The catalog holds the data; this file only fills in
//! the placeholders (`{hostname}`, `{flag:-text}`, `{time_local}`…) and names status codes.

use jiff::Timestamp;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::images::{ImageEntry, Listener};
use crate::meta;
use crate::net::HttpResponse;

/// An HTTP GET as the client sends it.
#[derive(Debug, Clone)]
pub(crate) struct HttpCall {
    /// Path with query, starting with `/`.
    pub path: String,
    /// The `Host` header (with `:port` unless it is 80).
    pub host: String,
    pub user_agent: Option<String>,
}

/// One request meeting one server.
pub(crate) struct Exchange<'a> {
    pub call: &'a HttpCall,
    /// The client address as the server sees it (after any SNAT).
    pub client: Ipv4Addr,
    pub client_port: u16,
    pub pod: &'a Value,
    pub container: &'a Value,
    pub entry: &'static ImageEntry,
    pub listener: &'a Listener,
    /// The image tag the container runs (its server version).
    pub tag: &'a str,
    pub now: Timestamp,
    /// A ConfigMap mounted over the server's docroot: file name → content.
    pub files: Option<&'a BTreeMap<String, String>>,
}

/// The reason phrase of a status line. nginx words a few differently from Go and Apache.
pub(crate) fn reason(status: u16, nginx: bool) -> &'static str {
    match (status, nginx) {
        (200, _) => "OK",
        (201, _) => "Created",
        (204, _) => "No Content",
        (301, _) => "Moved Permanently",
        (302, _) => "Found",
        (304, _) => "Not Modified",
        (400, _) => "Bad Request",
        (401, _) => "Unauthorized",
        (403, _) => "Forbidden",
        (404, _) => "Not Found",
        (405, _) => "Method Not Allowed",
        (500, _) => "Internal Server Error",
        (502, _) => "Bad Gateway",
        (503, true) => "Service Temporarily Unavailable",
        (503, false) => "Service Unavailable",
        (504, true) => "Gateway Time-out",
        (504, false) => "Gateway Timeout",
        _ => "",
    }
}

/// Go's `net/http` answer to plain HTTP on a TLS port (kubelet, API server).
pub(crate) fn plain_http_to_tls() -> HttpResponse {
    HttpResponse {
        status: 400,
        reason: reason(400, false).to_string(),
        server: None,
        body: "Client sent an HTTP request to an HTTPS server.\n".to_string(),
    }
}

/// nginx's own error page for `status` (`ngx_http_special_response.c`), footer `server`.
pub(crate) fn nginx_error_page(status: u16, server: &str) -> HttpResponse {
    let title = format!("{status} {}", reason(status, true));
    HttpResponse {
        status,
        reason: reason(status, true).to_string(),
        server: Some(server.to_string()),
        body: format!(
            "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>{server}</center>\r\n</body>\r\n</html>\r\n"
        ),
    }
}

/// The server version an image tag runs: a full `x.y.z` tag is its own version, else the
/// catalog's `versions` (by `x.y`, then by the tag's first word), else its `version`.
pub(crate) fn image_version(entry: &ImageEntry, tag: &str) -> String {
    let word = tag.split('-').next().unwrap_or(tag);
    let numeric = word.chars().all(|c| c.is_ascii_digit() || c == '.') && !word.is_empty();
    if numeric && word.split('.').count() >= 3 {
        return word.to_string();
    }
    entry
        .versions
        .get(word)
        .cloned()
        .or_else(|| entry.version.clone())
        .unwrap_or_else(|| word.to_string())
}

/// The response and the access-log line (if the server writes one).
pub(crate) fn serve(x: &Exchange<'_>) -> (HttpResponse, Option<String>) {
    let path = x.call.path.as_str();
    let bare = path
        .split('?')
        .next()
        .filter(|p| !p.is_empty())
        .unwrap_or("/");
    let spec = &x.listener.spec;
    // A mounted docroot: the file or 404, nothing of the image's own pages.
    let file = x.files.map(|files| {
        let name = bare.trim_start_matches('/');
        let name = if name.is_empty() || name.ends_with('/') {
            format!("{name}index.html")
        } else {
            name.to_string()
        };
        files.get(&name)
    });
    let status = match file {
        Some(Some(_)) => 200,
        Some(None) => 404,
        None => x.listener.http_status(path).unwrap_or(404),
    };
    let version = image_version(x.entry, x.tag);
    let server = spec
        .server
        .as_deref()
        .map(|s| s.replace("{version}", &version));
    let body_template = file
        .is_none()
        .then(|| spec.bodies.get(bare))
        .flatten()
        .or_else(|| spec.bodies.get(&status.to_string()))
        .or_else(|| spec.bodies.get("*"))
        .map(String::as_str)
        .unwrap_or("");
    let vars = Vars {
        x,
        server: server.as_deref().unwrap_or(""),
        status,
        bytes: 0,
    };
    let body = match file {
        Some(Some(content)) => content.clone(),
        _ => fill(body_template, &vars),
    };
    let nginx = server.as_deref().is_some_and(|s| s.starts_with("nginx"));
    let log = spec.access_log.as_deref().map(|t| {
        fill(
            t,
            &Vars {
                bytes: body.len(),
                ..vars
            },
        )
    });
    (
        HttpResponse {
            status,
            reason: reason(status, nginx).to_string(),
            server,
            body,
        },
        log,
    )
}

/// The values placeholders read.
#[derive(Clone, Copy)]
struct Vars<'a> {
    x: &'a Exchange<'a>,
    server: &'a str,
    status: u16,
    bytes: usize,
}

impl Vars<'_> {
    fn get(&self, key: &str, arg: Option<&str>) -> Option<String> {
        let x = self.x;
        let call = x.call;
        let ua = call.user_agent.as_deref();
        Some(match (key, arg) {
            ("server", _) => self.server.to_string(),
            ("hostname", _) => match meta::str_at(x.pod, &["spec", "hostname"]) {
                "" => meta::name(x.pod).to_string(),
                h => h.to_string(),
            },
            ("flag", Some(flag)) => flag_value(x.container, flag).unwrap_or_default(),
            ("query", Some(name)) => query_value(&call.path, name).unwrap_or_default(),
            ("path", _) => call.path.clone(),
            ("host", _) => call.host.clone(),
            ("client_ip", _) => x.client.to_string(),
            ("client_port", _) => x.client_port.to_string(),
            ("request", _) => format!("GET {} HTTP/1.1", call.path),
            ("user_agent", _) => ua.unwrap_or("-").to_string(),
            ("headers", _) => {
                let mut h = format!("Host: {}\n", call.host);
                if let Some(ua) = ua {
                    h.push_str(&format!("User-Agent: {ua}\n"));
                }
                h
            }
            ("status", _) => self.status.to_string(),
            ("bytes", _) => self.bytes.to_string(),
            ("bytes_or_dash", _) if self.bytes == 0 => "-".to_string(),
            ("bytes_or_dash", _) => self.bytes.to_string(),
            ("time", Some(fmt)) => time(x.now, fmt),
            _ => return None,
        })
    }
}

/// The sim clock in one of the formats servers print.
fn time(now: Timestamp, fmt: &str) -> String {
    let z = now.to_zoned(jiff::tz::TimeZone::UTC);
    let pattern = match fmt {
        // nginx `$time_local`, Apache `%t`.
        "clf" => "%d/%b/%Y:%H:%M:%S %z",
        // Go's log package.
        "go_log" => "%Y/%m/%d %H:%M:%S",
        // Go's `time.Time.String()`.
        "go" => "%Y-%m-%d %H:%M:%S.%f %z UTC",
        // Python's `BaseHTTPRequestHandler.log_date_time_string`.
        "python" => "%d/%b/%Y %H:%M:%S",
        _ => "%Y-%m-%dT%H:%M:%SZ",
    };
    z.strftime(pattern).to_string()
}

/// Replace `{key}` and `{key:arg}` placeholders; unknown ones stay as written.
fn fill(template: &str, vars: &Vars<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &after[..close];
        let (key, arg) = match inner.split_once(':') {
            Some((k, a)) => (k, Some(a)),
            None => (inner, None),
        };
        match vars.get(key, arg) {
            Some(v) => out.push_str(&v),
            None => {
                out.push('{');
                out.push_str(inner);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The value of `flag` on a container's command line: `-text=hi`, or `-text hi`.
fn flag_value(container: &Value, flag: &str) -> Option<String> {
    let env: BTreeMap<&str, &str> = container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["name"].as_str()?, e["value"].as_str()?)))
        .collect();
    let argv: Vec<String> = ["command", "args"]
        .iter()
        .flat_map(|f| container[*f].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .map(|a| {
            let mut a = a.to_string();
            for (k, v) in &env {
                a = a.replace(&format!("$({k})"), v);
            }
            a
        })
        .collect();
    let dashed = flag.trim_start_matches('-');
    for (i, a) in argv.iter().enumerate() {
        // Go's flag package takes `-f` and `--f` alike.
        let name = a.trim_start_matches('-');
        if !a.starts_with('-') {
            continue;
        }
        if let Some(v) = name.strip_prefix(dashed).and_then(|r| r.strip_prefix('=')) {
            return Some(v.to_string());
        }
        if name == dashed {
            return argv.get(i + 1).cloned();
        }
    }
    None
}

/// A query parameter, percent-decoding `+` and `%20`-style escapes.
fn query_value(path: &str, name: &str) -> Option<String> {
    let query = path.split_once('?')?.1;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
