//! Request parsing across partial reads and response bytes per server family.

use super::*;

const CURL: &[u8] =
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1:28080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";

fn nginx_page() -> HttpResponse {
    HttpResponse {
        status: 200,
        reason: "OK".to_string(),
        server: Some("nginx/1.29.3".to_string()),
        body: "<!DOCTYPE html>\n<html>hi</html>\n".to_string(),
    }
}

#[test]
fn curl_request_parses_only_when_whole() {
    for cut in 0..CURL.len() {
        assert_eq!(parse(&CURL[..cut]), Parsed::Incomplete, "cut at {cut}");
    }
    let Parsed::Request(req, used) = parse(CURL) else {
        panic!("not parsed")
    };
    assert_eq!(used, CURL.len());
    assert_eq!(req.method, "GET");
    assert_eq!(req.target, "/");
    assert_eq!(req.host.as_deref(), Some("127.0.0.1:28080"));
    assert_eq!(req.user_agent.as_deref(), Some("curl/7.88.1"));
    assert!(!req.close);
}

#[test]
fn pipelined_requests_and_bodies_are_delimited() {
    let mut two = b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc".to_vec();
    let first_len = two.len();
    two.extend_from_slice(CURL);
    let Parsed::Request(req, used) = parse(&two) else {
        panic!("not parsed")
    };
    assert_eq!(used, first_len);
    assert!(req.close);
    assert!(matches!(parse(&two[used..]), Parsed::Request(_, n) if n == CURL.len()));
    assert_eq!(
        parse(b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nab"),
        Parsed::Incomplete
    );
}

#[test]
fn non_http_bytes_are_garbage() {
    assert_eq!(parse(b"hello\n"), Parsed::Garbage);
    assert_eq!(parse(b"SSH-2.0-OpenSSH_9.6\r\n"), Parsed::Garbage);
    assert_eq!(parse(b"GET /\r\n\r\n"), Parsed::Garbage);
    assert_eq!(
        parse(&[0x16, 0x03, 0x01, 0x02, 0x00, b'\n']),
        Parsed::Garbage
    );
}

#[test]
fn nginx_response_has_its_headers_and_exact_length() {
    let now: Timestamp = "2026-11-25T08:06:49Z".parse().unwrap();
    let bytes = render(&nginx_page(), now, false, false);
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert_eq!(
        head,
        "HTTP/1.1 200 OK\r\nServer: nginx/1.29.3\r\nDate: Wed, 25 Nov 2026 08:06:49 GMT\r\n\
         Content-Type: text/html\r\nContent-Length: 32\r\nConnection: keep-alive"
    );
    assert_eq!(body.len(), 32);
    let head_only = render(&nginx_page(), now, true, true);
    assert!(
        String::from_utf8(head_only)
            .unwrap()
            .ends_with("Connection: close\r\n\r\n")
    );
}

#[test]
fn go_servers_get_a_sniffed_content_type() {
    let text = HttpResponse {
        status: 200,
        reason: "OK".to_string(),
        server: None,
        body: "hello-world\n".to_string(),
    };
    assert_eq!(content_type(&text), "text/plain; charset=utf-8");
    let html = HttpResponse {
        body: "<html><body>x</body></html>".to_string(),
        ..text
    };
    assert_eq!(content_type(&html), "text/html; charset=utf-8");
}

#[test]
fn bad_request_from_nginx_names_the_server() {
    let now: Timestamp = "2026-11-25T08:06:49Z".parse().unwrap();
    let text = String::from_utf8(bad_request(Some("nginx/1.29.3"), now)).unwrap();
    assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"));
    assert!(text.contains("<hr><center>nginx/1.29.3</center>"));
    let go = String::from_utf8(bad_request(None, now)).unwrap();
    assert!(go.ends_with("\r\n\r\n400 Bad Request"));
}
