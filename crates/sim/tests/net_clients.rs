//! Client tools' wording and exit codes, from fixed network answers (no cluster): each tool ×
//! delivered / refused / timed out / NXDOMAIN / DNS timeout, as busybox 1.36 and curl 8 print
//! them.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use kubedrill_sim::ApiError;
use kubedrill_sim::net::clients::{ClientEnv, ClientError, ClientRun, Network, run_with};
use kubedrill_sim::net::{DnsAnswer, DnsLookup, Hop, HttpResponse, Request, Trace, Verdict};

const SVC: Ipv4Addr = Ipv4Addr::new(10, 96, 12, 7);
const POD: Ipv4Addr = Ipv4Addr::new(10, 244, 1, 5);
const NGINX_BODY: &str =
    "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n</html>\n";

/// A network that answers every request with one verdict, and every name with `dns`.
struct Fixed {
    verdict: Verdict,
    /// Fully qualified names that exist (for nslookup); others are NXDOMAIN.
    names: BTreeMap<String, DnsAnswer>,
    dns_down: bool,
    requests: Vec<Request>,
}

impl Fixed {
    fn new(verdict: Verdict) -> Fixed {
        Fixed {
            verdict,
            names: BTreeMap::new(),
            dns_down: false,
            requests: Vec::new(),
        }
    }

    fn answer(&self, name: &str) -> DnsAnswer {
        if self.dns_down {
            return DnsAnswer::Timeout;
        }
        match &self.verdict {
            Verdict::DnsFailed(a) => a.clone(),
            _ => self
                .names
                .get(name.trim_end_matches('.'))
                .cloned()
                .unwrap_or(DnsAnswer::Records {
                    name: format!("{name}.default.svc.cluster.local"),
                    cname: vec![],
                    addresses: vec![SVC],
                }),
        }
    }
}

impl Network for Fixed {
    fn resolve(&mut self, name: &str) -> Result<DnsLookup, ApiError> {
        let answer = if self.names.is_empty() && !self.dns_down {
            self.answer(name)
        } else if self.dns_down {
            DnsAnswer::Timeout
        } else {
            self.names
                .get(name.trim_end_matches('.'))
                .cloned()
                .unwrap_or(DnsAnswer::NxDomain)
        };
        Ok(DnsLookup {
            server: Ipv4Addr::new(10, 96, 0, 10),
            tried: vec![name.to_string()],
            answer,
            hops: vec![],
        })
    }

    fn trace(&mut self, req: &Request) -> Result<Trace, ApiError> {
        self.requests.push(req.clone());
        let mut hops = Vec::new();
        if req.host.parse::<Ipv4Addr>().is_err() {
            hops.push(Hop::Dns(Box::new(DnsLookup {
                server: Ipv4Addr::new(10, 96, 0, 10),
                tried: vec![req.host.clone()],
                answer: self.answer(&req.host),
                hops: vec![],
            })));
        }
        Ok(Trace {
            hops,
            verdict: self.verdict.clone(),
        })
    }

    fn search(&self) -> Vec<String> {
        vec![
            "default.svc.cluster.local".into(),
            "svc.cluster.local".into(),
            "cluster.local".into(),
        ]
    }
}

fn ok(status: u16, reason: &str, body: &str) -> Verdict {
    Verdict::Delivered {
        pod: None,
        ip: POD,
        port: 80,
        http: Some(HttpResponse {
            status,
            reason: reason.into(),
            server: Some("nginx/1.27.3".into()),
            body: body.into(),
        }),
    }
}

fn refused() -> Verdict {
    Verdict::Refused { ip: SVC }
}

fn timed_out() -> Verdict {
    Verdict::TimedOut { ip: SVC }
}

fn busybox() -> Vec<String> {
    ["sh", "wget", "nc", "nslookup"].map(String::from).to_vec()
}

fn curl_image() -> Vec<String> {
    ["sh", "curl"].map(String::from).to_vec()
}

fn run_in(tools: &[String], verdict: Verdict, cmd: &str) -> ClientRun {
    let mut net = Fixed::new(verdict);
    run_cmd(&mut net, tools, cmd)
}

fn run_cmd(net: &mut Fixed, tools: &[String], cmd: &str) -> ClientRun {
    let argv: Vec<String> = cmd.split_whitespace().map(String::from).collect();
    run_with(net, tools, &argv, &ClientEnv::default()).unwrap_or_else(|e| panic!("{e}"))
}

// ---- busybox wget ----------------------------------------------------------------------

#[test]
fn wget_quiet_to_stdout_prints_only_the_body() {
    let r = run_in(
        &busybox(),
        ok(200, "OK", NGINX_BODY),
        "wget -qO- http://web",
    );
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str(), r.exit_code),
        (NGINX_BODY, "", 0)
    );
}

#[test]
fn wget_without_q_reports_connecting_and_progress_on_stderr() {
    let r = run_in(&busybox(), ok(200, "OK", NGINX_BODY), "wget -O- web:8080/");
    let size = NGINX_BODY.len();
    assert_eq!(
        r.stderr,
        format!(
            "Connecting to web:8080 (10.96.12.7:8080)\nwriting to stdout\n-                    100% |********************************| {size:5}  0:00:00 ETA\nwritten to stdout\n"
        )
    );
    assert_eq!(r.stdout, NGINX_BODY);
    let r = run_in(
        &busybox(),
        ok(200, "OK", "hi\n"),
        "wget http://10.244.1.5/hostname",
    );
    assert_eq!(
        r.stderr,
        "Connecting to 10.244.1.5 (10.244.1.5:80)\nsaving to 'hostname'\nhostname             100% |********************************|     3  0:00:00 ETA\n'hostname' saved\n"
    );
    assert_eq!(r.stdout, "");
}

#[test]
fn wget_refused_names_the_address_it_dialled() {
    let r = run_in(&busybox(), refused(), "wget -qO- -T3 http://web-svc.shop");
    assert_eq!(
        r.stderr,
        "wget: can't connect to remote host (10.96.12.7): Connection refused\n"
    );
    assert_eq!((r.stdout.as_str(), r.exit_code), ("", 1));
}

#[test]
fn wget_timeout_is_download_timed_out_under_t_else_the_kernel_gives_up() {
    let r = run_in(&busybox(), timed_out(), "wget -qO- -T3 http://web");
    assert_eq!(
        (r.stderr.as_str(), r.exit_code, r.elapsed_ms),
        ("wget: download timed out\n", 1, 3000)
    );
    let r = run_in(&busybox(), timed_out(), "wget -qO- http://web");
    assert_eq!(
        r.stderr,
        "wget: can't connect to remote host (10.96.12.7): Connection timed out\n"
    );
    assert_eq!(r.elapsed_ms, 127_000);
}

#[test]
fn wget_http_errors_are_server_returned_error() {
    let r = run_in(
        &busybox(),
        ok(404, "Not Found", "nope"),
        "wget -qO- web/missing",
    );
    assert_eq!(
        (r.stderr.as_str(), r.stdout.as_str(), r.exit_code),
        (
            "wget: server returned error: HTTP/1.1 404 Not Found\n",
            "",
            1
        )
    );
    let r = run_in(&busybox(), ok(200, "OK", "x"), "wget -q --spider web");
    assert_eq!((r.stdout.as_str(), r.exit_code), ("", 0));
    let r = run_in(&busybox(), ok(200, "OK", "x"), "wget --spider web");
    assert!(r.stderr.ends_with("remote file exists\n"), "{}", r.stderr);
}

#[test]
fn wget_unresolvable_name_is_bad_address_with_the_port_as_written() {
    let r = run_in(
        &busybox(),
        Verdict::DnsFailed(DnsAnswer::NxDomain),
        "wget -qO- -T3 api:8080",
    );
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("wget: bad address 'api:8080'\n", 1)
    );
    let r = run_in(
        &busybox(),
        Verdict::DnsFailed(DnsAnswer::Timeout),
        "wget -qO- -T3 http://web",
    );
    assert_eq!(r.stderr, "wget: bad address 'web'\n");
    assert_eq!(r.elapsed_ms, 10_000, "-T does not cover the lookup");
}

#[test]
fn wget_sends_the_path_and_port_of_the_url() {
    let mut net = Fixed::new(ok(200, "OK", ""));
    run_cmd(
        &mut net,
        &busybox(),
        "wget -qO- http://api.prod:9000/hostname?x=1",
    );
    let req = &net.requests[0];
    assert_eq!((req.host.as_str(), req.port), ("api.prod", 9000));
    assert_eq!(
        req.http.as_ref().map(|h| h.path.as_str()),
        Some("/hostname?x=1")
    );
}

// ---- curl ------------------------------------------------------------------------------

#[test]
fn curl_silent_prints_the_body_and_w_the_code() {
    let r = run_in(
        &curl_image(),
        ok(200, "OK", NGINX_BODY),
        "curl -s http://web",
    );
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), (NGINX_BODY, ""));
    let mut net = Fixed::new(ok(404, "Not Found", "x"));
    let argv: Vec<String> = [
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}\\n",
        "web/x",
    ]
    .map(String::from)
    .to_vec();
    let r = run_with(&mut net, &curl_image(), &argv, &ClientEnv::default()).unwrap_or_default();
    assert_eq!((r.stdout.as_str(), r.exit_code), ("404\n", 0));
}

#[test]
fn curl_refused_is_exit_7_and_silent_hides_it_unless_show_error() {
    let r = run_in(&curl_image(), refused(), "curl -s -m3 echo-svc.tools");
    assert_eq!((r.stderr.as_str(), r.exit_code), ("", 7));
    let r = run_in(&curl_image(), refused(), "curl -sS -m3 echo-svc.tools");
    assert_eq!(
        r.stderr,
        "curl: (7) Failed to connect to echo-svc.tools port 80 after 3 ms: Couldn't connect to server\n"
    );
    let mut net = Fixed::new(refused());
    let argv: Vec<String> = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "web"]
        .map(String::from)
        .to_vec();
    let r = run_with(&mut net, &curl_image(), &argv, &ClientEnv::default()).unwrap_or_default();
    assert_eq!((r.stdout.as_str(), r.exit_code), ("000", 7));
}

#[test]
fn curl_timeouts_say_which_timer_fired() {
    let r = run_in(&curl_image(), timed_out(), "curl -sS -m3 http://web");
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        (
            "curl: (28) Connection timed out after 3002 milliseconds\n",
            28
        )
    );
    let r = run_in(
        &curl_image(),
        timed_out(),
        "curl -sS --connect-timeout 5 http://web",
    );
    assert_eq!(
        r.stderr,
        "curl: (28) Failed to connect to web port 80 after 5002 ms: Timeout was reached\n"
    );
    let r = run_in(&curl_image(), timed_out(), "curl -sS http://web");
    assert_eq!(
        r.stderr,
        "curl: (28) Failed to connect to web port 80 after 127002 ms: Couldn't connect to server\n"
    );
}

#[test]
fn curl_name_failures_are_6_or_a_resolve_timeout() {
    let r = run_in(
        &curl_image(),
        Verdict::DnsFailed(DnsAnswer::NxDomain),
        "curl -sS http://web",
    );
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("curl: (6) Could not resolve host: web\n", 6)
    );
    let r = run_in(
        &curl_image(),
        Verdict::DnsFailed(DnsAnswer::Timeout),
        "curl -sS -m3 http://web",
    );
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        (
            "curl: (28) Resolving timed out after 3002 milliseconds\n",
            28
        )
    );
}

#[test]
fn curl_fail_turns_http_errors_into_exit_22() {
    let r = run_in(
        &curl_image(),
        ok(503, "Service Unavailable", "down"),
        "curl -fsS web",
    );
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str(), r.exit_code),
        ("", "curl: (22) The requested URL returned error: 503\n", 22)
    );
    let r = run_in(
        &curl_image(),
        ok(503, "Service Unavailable", "down"),
        "curl -s web",
    );
    assert_eq!((r.stdout.as_str(), r.exit_code), ("down", 0));
}

#[test]
fn curl_without_s_draws_its_progress_meter_when_stdout_is_not_a_terminal() {
    let r = run_in(&curl_image(), ok(200, "OK", NGINX_BODY), "curl http://web");
    assert!(r.stderr.starts_with(
        "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
    ));
    assert!(
        r.stderr.contains(&format!(
            "\r100 {:5}  100 {:5}    0     0",
            NGINX_BODY.len(),
            NGINX_BODY.len()
        )),
        "{:?}",
        r.stderr
    );
    let mut net = Fixed::new(ok(200, "OK", NGINX_BODY));
    let env = ClientEnv {
        tty: true,
        ..ClientEnv::default()
    };
    let argv: Vec<String> = ["curl", "http://web"].map(String::from).to_vec();
    let r = run_with(&mut net, &curl_image(), &argv, &env).unwrap_or_default();
    assert_eq!(r.stderr, "");
}

#[test]
fn curl_head_prints_the_status_line_with_crlf() {
    let r = run_in(&curl_image(), ok(200, "OK", NGINX_BODY), "curl -sI web");
    assert!(
        r.stdout
            .starts_with("HTTP/1.1 200 OK\r\nServer: nginx/1.27.3\r\n"),
        "{:?}",
        r.stdout
    );
    assert!(!r.stdout.contains("Welcome"));
}

#[test]
fn curl_argument_errors_exit_2() {
    let r = run_in(&curl_image(), refused(), "curl");
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        (
            "curl: (2) no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
            2
        )
    );
    let r = run_in(&curl_image(), refused(), "curl --bogus web");
    assert!(r.stderr.starts_with("curl: option --bogus: is unknown\n"));
    assert_eq!(r.exit_code, 2);
}

// ---- busybox nc ------------------------------------------------------------------------

#[test]
fn nc_zv_reports_open_on_stderr() {
    let r = run_in(&busybox(), ok(200, "OK", ""), "nc -zv web 80");
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("web (10.96.12.7:80) open\n", 0)
    );
    let r = run_in(&busybox(), ok(200, "OK", ""), "nc -z web 80");
    assert_eq!((r.stderr.as_str(), r.exit_code), ("", 0));
}

#[test]
fn nc_prints_a_refusal_only_at_two_v() {
    let r = run_in(&busybox(), refused(), "nc -zv web 80");
    assert_eq!((r.stderr.as_str(), r.exit_code), ("", 1));
    let r = run_in(&busybox(), refused(), "nc -zvv web 80");
    assert!(
        r.stderr
            .starts_with("nc: web (10.96.12.7:80): Connection refused\n"),
        "{}",
        r.stderr
    );
    assert_eq!(r.exit_code, 1);
}

#[test]
fn nc_timeout_waits_w_seconds_and_says_so_with_v() {
    let r = run_in(&busybox(), timed_out(), "nc -zv -w 2 legacy-db.app 3306");
    assert_eq!(
        (r.stderr.as_str(), r.exit_code, r.elapsed_ms),
        (
            "nc: legacy-db.app (10.96.12.7:3306): Connection timed out\n",
            1,
            2000
        )
    );
    // A dropped UDP probe looks open: nothing came back to say otherwise.
    let r = run_in(&busybox(), timed_out(), "nc -zuv -w1 dns 53");
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("dns (10.96.12.7:53) open\n", 0)
    );
}

#[test]
fn nc_unresolvable_name_is_bad_address() {
    for a in [DnsAnswer::NxDomain, DnsAnswer::Timeout] {
        let r = run_in(&busybox(), Verdict::DnsFailed(a), "nc -zv -w2 web 80");
        assert_eq!(
            (r.stderr.as_str(), r.exit_code),
            ("nc: bad address 'web'\n", 1)
        );
    }
}

// ---- busybox nslookup ------------------------------------------------------------------

fn dns_net(names: &[(&str, DnsAnswer)]) -> Fixed {
    let mut net = Fixed::new(refused());
    net.names = names
        .iter()
        .map(|(n, a)| ((*n).to_string(), a.clone()))
        .collect();
    net
}

#[test]
fn nslookup_expands_a_short_name_with_every_search_domain() {
    let mut net = dns_net(&[(
        "web.default.svc.cluster.local",
        DnsAnswer::Records {
            name: "web.default.svc.cluster.local".into(),
            cname: vec![],
            addresses: vec![SVC],
        },
    )]);
    let r = run_cmd(&mut net, &busybox(), "nslookup web");
    assert_eq!(
        r.stdout,
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n\
         Name:\tweb.default.svc.cluster.local\nAddress: 10.96.12.7\n\n\
         ** server can't find web.svc.cluster.local: NXDOMAIN\n\n\
         ** server can't find web.cluster.local: NXDOMAIN\n\n\
         \n\
         ** server can't find web.svc.cluster.local: NXDOMAIN\n\n\
         ** server can't find web.cluster.local: NXDOMAIN\n\n"
    );
    // busybox counts any NXDOMAIN reply as a failure.
    assert_eq!(r.exit_code, 1);
}

#[test]
fn nslookup_asks_a_dotted_name_as_is() {
    let fq = "web.default.svc.cluster.local";
    let mut net = dns_net(&[(
        fq,
        DnsAnswer::Records {
            name: fq.into(),
            cname: vec![],
            addresses: vec![SVC],
        },
    )]);
    let r = run_cmd(&mut net, &busybox(), &format!("nslookup {fq}"));
    assert_eq!(
        (r.stdout.as_str(), r.exit_code),
        (
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.12.7\n\n\n",
            0
        )
    );
    let r = run_cmd(&mut net, &busybox(), "nslookup web-svc.default");
    assert_eq!(
        r.stdout,
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find web-svc.default: NXDOMAIN\n\n** server can't find web-svc.default: NXDOMAIN\n\n"
    );
    assert_eq!(r.exit_code, 1);
}

#[test]
fn nslookup_without_an_answer_says_no_servers_could_be_reached() {
    let mut net = dns_net(&[]);
    net.dns_down = true;
    let r = run_cmd(&mut net, &busybox(), "nslookup kubernetes.default");
    assert_eq!(
        (r.stdout.as_str(), r.exit_code),
        (
            ";; connection timed out; no servers could be reached\n\n",
            1
        )
    );
}

// ---- shells and images -----------------------------------------------------------------

fn sh(tools: &[String], verdict: Verdict, script: &str) -> ClientRun {
    let mut net = Fixed::new(verdict);
    let argv: Vec<String> = vec!["sh".into(), "-c".into(), script.into()];
    run_with(&mut net, tools, &argv, &ClientEnv::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_tool_the_image_lacks_is_not_found() {
    let r = sh(&busybox(), refused(), "curl -s web");
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("sh: curl: not found\n", 127)
    );
    let mut net = Fixed::new(refused());
    let argv: Vec<String> = ["wget", "-qO-", "web"].map(String::from).to_vec();
    assert_eq!(
        run_with(&mut net, &curl_image()[..1], &argv, &ClientEnv::default()),
        Err(ClientError::NotFound("wget".into()))
    );
}

#[test]
fn shell_lists_follow_exit_codes() {
    let r = sh(
        &busybox(),
        refused(),
        "wget -qO- -T2 web >/dev/null 2>&1 && echo OK || echo FAIL",
    );
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str(), r.exit_code),
        ("FAIL\n", "", 0)
    );
    let r = sh(
        &busybox(),
        ok(200, "OK", "hello\n"),
        "wget -qO- web; exit 3",
    );
    assert_eq!((r.stdout.as_str(), r.exit_code), ("hello\n", 3));
}

#[test]
fn a_loop_that_never_ends_reports_its_first_iteration() {
    let r = sh(
        &busybox(),
        refused(),
        "while true; do wget -qO- -T2 http://web; sleep 5; done",
    );
    assert!(!r.ended);
    assert_eq!(
        r.stderr,
        "wget: can't connect to remote host (10.96.12.7): Connection refused\n"
    );
    // `until` ends as soon as its condition holds.
    let r = sh(
        &busybox(),
        ok(200, "OK", "x"),
        "until wget -q --spider web; do sleep 2; done; echo up",
    );
    assert!(r.ended);
    assert_eq!((r.stdout.as_str(), r.exit_code), ("up\n", 0));
}

#[test]
fn pipelines_feed_filters_and_nc() {
    let r = sh(
        &busybox(),
        ok(200, "OK", "pod-a\n"),
        "for i in $(seq 3); do wget -qO- web; done | sort | uniq -c",
    );
    assert_eq!(r.stdout, "      3 pod-a\n");
    let r = sh(
        &busybox(),
        ok(200, "OK", "a\nb\nc\n"),
        "wget -qO- web | head -2",
    );
    assert_eq!(r.stdout, "a\nb\n");
}

#[test]
fn bad_scripts_are_ash_syntax_errors_not_panics() {
    for s in [
        "do done",
        "echo 'x",
        "while true; do",
        "|",
        "$(",
        "for; do done",
    ] {
        let r = sh(&busybox(), refused(), s);
        assert_eq!(r.exit_code, 2, "{s}: {r:?}");
    }
}

#[test]
fn ash_words_a_syntax_error_without_a_line_for_dash_c() {
    let r = sh(&busybox(), refused(), "do wget web; done");
    assert_eq!(r.stderr, "sh: syntax error: unexpected \"do\"\n");
}
