//! Repeated HTTP probes (`repeat: N`) run from one client: one shell runs curl N times, each a
//! new connection from the same pod address (what `sessionAffinity: ClientIP` keys on), and
//! its output splits back into one outcome per request.

use kubedrill_scenario::ProbeOutcome;
use kubedrill_scenario::probe::{REPEAT_MARK, curl_argv, repeated, split_repeated};

#[test]
fn repeat_runs_every_request_in_one_shell_with_the_exit_code_after_each() {
    let argv = repeated(&curl_argv("http://web/x y", Some("a.example")), 3);
    assert_eq!(argv[..2], ["sh".to_string(), "-c".to_string()]);
    let script = &argv[2];
    assert!(script.starts_with("for i in 1 2 3; do curl -sS -m 3 -w '\n%{http_code}' -H 'Host: a.example' 'http://web/x y' 2>&1;"), "{script}");
    assert!(
        script.contains(&format!("echo \"{REPEAT_MARK}$rc\"")),
        "{script}"
    );
}

#[test]
fn split_gives_one_outcome_per_request_in_order() {
    let log = format!(
        "a:1\n200\n{REPEAT_MARK}0\ncurl: (7) Failed to connect to web port 80\n\n{REPEAT_MARK}7\nb:2\n200\n{REPEAT_MARK}0\n"
    );
    let o = ProbeOutcome {
        exit_code: 0,
        stdout: log.clone(),
        stderr: log,
        trace: None,
    };
    let parts = split_repeated(&o);
    assert_eq!(parts.len(), 3);
    assert_eq!(
        (parts[0].exit_code, parts[0].stdout.as_str()),
        (0, "a:1\n200")
    );
    assert_eq!(parts[1].exit_code, 7);
    assert!(parts[1].stderr.starts_with("curl: (7)"));
    assert_eq!(parts[2].stdout, "b:2\n200");
}

#[test]
fn a_plain_probe_is_not_split() {
    let o = ProbeOutcome {
        exit_code: 6,
        stdout: String::new(),
        stderr: "curl: (6) Could not resolve host: web".into(),
        trace: None,
    };
    assert_eq!(split_repeated(&o), vec![o]);
}
