//! HTTP/1.1 on the wire for forwarded connections: requests parsed out of the bytes a client
//! sends through a tunnel (or to a NodePort listener), and the model's `HttpResponse` written
//! back as the bytes the container's server would send (status line, `Server`, `Date`,
//! `Content-Type`, `Content-Length`, body).

use jiff::Timestamp;
use kubedrill_sim::net::HttpResponse;

/// The most header bytes buffered while waiting for the blank line (nginx's default
/// `large_client_header_buffers` is 4 × 8k).
const MAX_HEAD: usize = 32 * 1024;

/// One request read off a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    pub method: String,
    /// Request target as sent (`/`, `/index.html?x=1`).
    pub target: String,
    pub host: Option<String>,
    pub user_agent: Option<String>,
    /// `Connection: close`, or HTTP/1.0 without keep-alive.
    pub close: bool,
}

/// What the front of a connection's buffer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Not a whole request yet.
    Incomplete,
    /// A request and how many bytes it took (head and body).
    Request(ParsedRequest, usize),
    /// Not HTTP: the server answers 400 and closes, as nginx and Go's net/http do.
    Garbage,
}

fn find_blank_line(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Parse the request at the front of `buf`.
pub fn parse(buf: &[u8]) -> Parsed {
    let Some(head_len) = find_blank_line(buf) else {
        // A request line that is already not HTTP need not wait for more bytes.
        let first = buf.split(|b| *b == b'\n').next().unwrap_or(&[]);
        if buf.len() > MAX_HEAD || (buf.contains(&b'\n') && !looks_like_request_line(first)) {
            return Parsed::Garbage;
        }
        return Parsed::Incomplete;
    };
    let head = String::from_utf8_lossy(&buf[..head_len]);
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let parts: Vec<&str> = request_line.split(' ').collect();
    let [method, target, version] = parts.as_slice() else {
        return Parsed::Garbage;
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || !target.starts_with('/') {
        return Parsed::Garbage;
    }
    let mut req = ParsedRequest {
        method: (*method).to_string(),
        target: (*target).to_string(),
        host: None,
        user_agent: None,
        close: *version == "HTTP/1.0",
    };
    let mut body_len = 0usize;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "host" => req.host = Some(value.to_string()),
            "user-agent" => req.user_agent = Some(value.to_string()),
            "content-length" => match value.parse() {
                Ok(n) => body_len = n,
                Err(_) => return Parsed::Garbage,
            },
            "connection" => {
                let v = value.to_ascii_lowercase();
                if v.contains("close") {
                    req.close = true;
                } else if v.contains("keep-alive") {
                    req.close = false;
                }
            }
            _ => {}
        }
    }
    if buf.len() < head_len + body_len {
        return Parsed::Incomplete;
    }
    Parsed::Request(req, head_len + body_len)
}

fn looks_like_request_line(line: &[u8]) -> bool {
    let line = String::from_utf8_lossy(line);
    let line = line.trim_end_matches('\r');
    let parts: Vec<&str> = line.split(' ').collect();
    matches!(parts.as_slice(), [m, t, v] if !m.is_empty() && t.starts_with('/') && v.starts_with("HTTP/1."))
}

/// An RFC 7231 `Date` value: `Wed, 25 Nov 2026 08:06:49 GMT`.
pub fn http_date(now: Timestamp) -> String {
    now.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Which server family wrote the response, for the headers only it sends.
fn is_nginx(resp: &HttpResponse) -> bool {
    resp.server
        .as_deref()
        .is_some_and(|s| s.starts_with("nginx"))
}

/// The `Content-Type` the server sends: nginx serves its pages as `text/html` (mime.types);
/// Apache adds a charset to its error pages; Go's net/http sniffs the body
/// (`DetectContentType`), which gives `text/html; charset=utf-8` or `text/plain; charset=utf-8`
/// for the catalog's bodies.
pub fn content_type(resp: &HttpResponse) -> &'static str {
    let html = {
        let start = resp.body.trim_start().to_ascii_lowercase();
        start.starts_with("<!doctype html") || start.starts_with("<html")
    };
    if is_nginx(resp) {
        return "text/html";
    }
    if resp
        .server
        .as_deref()
        .is_some_and(|s| s.starts_with("Apache"))
    {
        return if resp.status >= 400 {
            "text/html; charset=iso-8859-1"
        } else {
            "text/html"
        };
    }
    if html {
        "text/html; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// The response bytes; `head_only` for a HEAD request (headers with the body's length).
pub fn render(resp: &HttpResponse, now: Timestamp, head_only: bool, close: bool) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", resp.status, resp.reason);
    if let Some(server) = &resp.server {
        out.push_str(&format!("Server: {server}\r\n"));
    }
    out.push_str(&format!("Date: {}\r\n", http_date(now)));
    out.push_str(&format!("Content-Type: {}\r\n", content_type(resp)));
    out.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    if close {
        out.push_str("Connection: close\r\n");
    } else if is_nginx(resp) {
        out.push_str("Connection: keep-alive\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    if !head_only {
        bytes.extend_from_slice(resp.body.as_bytes());
    }
    bytes
}

/// The 400 a server writes for bytes that are not HTTP, before it closes the connection.
pub fn bad_request(server: Option<&str>, now: Timestamp) -> Vec<u8> {
    let nginx = server.is_some_and(|s| s.starts_with("nginx"));
    let resp = if nginx {
        let server = server.unwrap_or("nginx");
        HttpResponse {
            status: 400,
            reason: "Bad Request".to_string(),
            server: Some(server.to_string()),
            body: format!(
                "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<hr><center>{server}</center>\r\n</body>\r\n</html>\r\n"
            ),
        }
    } else {
        // Go's net/http answer to a malformed request line.
        return b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request".to_vec();
    };
    render(&resp, now, false, true)
}

#[cfg(test)]
#[path = "http_bytes_tests.rs"]
mod tests;
