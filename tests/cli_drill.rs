//! A drill through the binary, as a learner runs it: `serve --scenario` seeds a cluster and
//! leaves its kubeconfig and drill file; `grade` (over TLS, with probe pods) fails on the
//! seeded state; `solve` applies the reference solution; `grade --json` then passes. Mistakes
//! get clear errors: an unknown scenario id, grading with no drill running.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kubedrill");

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `kubedrill serve` with these args; returns once the drill's task is printed.
fn serve(args: &[&str]) -> (Served, Vec<String>) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(out).lines() {
        let line = line.unwrap();
        let done = line.starts_with("Check your fix with:");
        lines.push(line);
        if done {
            break;
        }
    }
    (Served(child), lines)
}

fn kubedrill(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(BIN).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn serve_grade_solve_grade() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    let kc_s = kc.display().to_string();
    let (_served, printed) = serve(&[
        "--scenario",
        "port-wrong-targetport",
        "--seed",
        "2",
        "--kubeconfig",
        &kc_s,
    ]);
    assert_eq!(printed[0], format!("export KUBECONFIG={kc_s}"));
    assert!(
        printed
            .iter()
            .any(|l| l.starts_with("# port-wrong-targetport (seed 2): "))
    );
    assert!(dir.path().join("kubeconfig.drill.json").is_file());

    let (code, out, err) = kubedrill(&["grade", "--kubeconfig", &kc_s]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("port-wrong-targetport (seed 2): "), "{out}");
    assert!(out.contains("  FAIL  "), "{out}");

    let (code, out, err) = kubedrill(&["solve", "--kubeconfig", &kc_s]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("applied the reference solution of port-wrong-targetport"));

    let (code, out, err) = kubedrill(&["grade", "--kubeconfig", &kc_s, "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["scenario"], "port-wrong-targetport");
    assert_eq!(v["seed"], 2);
    let checks = v["checks"].as_array().unwrap();
    assert!(!checks.is_empty());
    assert!(checks.iter().all(|c| c["passed"] == true), "{out}");
}

#[test]
fn an_unknown_scenario_is_refused_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig").display().to_string();
    let (code, _, err) = kubedrill(&[
        "serve",
        "--scenario",
        "port-wrong-targetpor",
        "--kubeconfig",
        &kc,
    ]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: unknown scenario \"port-wrong-targetpor\"; did you mean \"port-wrong-targetport\"?"),
        "{err}"
    );
}

#[test]
fn grading_without_a_running_drill_says_how_to_start_one() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig").display().to_string();
    let (code, _, err) = kubedrill(&["grade", "--kubeconfig", &kc]);
    assert_eq!(code, 1);
    assert!(err.contains("no drill is running for"), "{err}");
    assert!(err.contains("kubedrill serve --scenario ID"), "{err}");

    // A named scenario on a cluster that is not there: the connection error, not a panic.
    let (code, _, err) = kubedrill(&[
        "grade",
        "--scenario",
        "port-wrong-targetport",
        "--seed",
        "1",
        "--kubeconfig",
        &kc,
    ]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: kubeconfig: failed to read kubeconfig"),
        "{err}"
    );
}

#[test]
fn grading_a_dead_cluster_says_it_cannot_be_reached() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig").display().to_string();
    let (served, _) = serve(&["--scenario", "port-wrong-targetport", "--kubeconfig", &kc]);
    drop(served);
    let (code, _, err) = kubedrill(&["grade", "--kubeconfig", &kc]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: cannot reach the cluster: "),
        "{err}"
    );
    assert!(err.contains("Connection refused"), "{err}");
}
