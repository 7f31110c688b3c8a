//! Drills on "your own cluster", with `kubedrill serve` standing in for it (it speaks the same
//! API over TLS): `start` seeds through the kubeconfig with everything labelled as
//! kubedrill's, `grade` and `solve` find the drill by context, and the safety rules hold — a
//! namespace kubedrill did not create is refused, a context that does not look local needs
//! `--i-own-this-cluster`, `clean` removes what kubedrill labelled.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kubedrill::catalog::Catalog;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kubedrill");
const SCENARIO: &str = "sel-service-selector-typo";

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An empty served cluster (plus `manifest`, if any) with its kubeconfig at `dir/kubeconfig`.
fn serve(dir: &Path, manifest: Option<&str>) -> Served {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--kubeconfig"])
        .arg(dir.join("kubeconfig"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .stdout(Stdio::piped());
    if let Some(m) = manifest {
        let f = dir.join("pre.yaml");
        std::fs::write(&f, m).unwrap();
        cmd.arg("-f").arg(f);
    }
    let mut child = cmd.spawn().unwrap();
    let out = child.stdout.take().unwrap();
    let first = BufReader::new(out).lines().next().unwrap().unwrap();
    assert!(first.starts_with("export KUBECONFIG="), "{first}");
    Served(child)
}

fn kubedrill(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(BIN)
        .args(args)
        .env("XDG_DATA_HOME", dir.join("data"))
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ns_of(seed: u64) -> String {
    let c = Catalog::load(&[]).unwrap();
    let (_, src) = c.find(SCENARIO).unwrap();
    src.instantiate(seed).unwrap().vars["ns"].clone()
}

#[test]
fn start_grade_solve_grade_clean_through_a_kubeconfig() {
    let dir = tempfile::tempdir().unwrap();
    let _served = serve(dir.path(), None);
    let kc = dir.path().join("kubeconfig").display().to_string();
    let ctx = ["--kubeconfig", kc.as_str(), "--context", "kubedrill"];

    let (code, out, err) = kubedrill(
        dir.path(),
        &[&["start", "--scenario", SCENARIO, "--seed", "3"][..], &ctx].concat(),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with(&format!("# {SCENARIO} (seed 3) on context kubedrill: ")),
        "{out}"
    );
    assert!(
        dir.path()
            .join("data/kubedrill/drills/kubedrill.json")
            .is_file()
    );

    let (code, out, err) = kubedrill(dir.path(), &[&["grade"][..], &ctx].concat());
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with(&format!("{SCENARIO} (seed 3): ")), "{out}");
    assert!(
        !err.contains("warning: no record"),
        "the drill was recorded: {err}"
    );

    let (code, _, err) = kubedrill(dir.path(), &[&["solve"][..], &ctx].concat());
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = kubedrill(dir.path(), &[&["grade", "--json"][..], &ctx].concat());
    assert_eq!(code, 0, "{out}{err}");

    let (code, out, err) = kubedrill(
        dir.path(),
        &["clean", "--kubeconfig", &kc, "--context", "kubedrill"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("deleted Namespace {}", ns_of(3))),
        "{out}"
    );
    assert!(
        out.lines()
            .last()
            .unwrap()
            .ends_with("removed from context kubedrill"),
        "{out}"
    );
    assert!(
        !dir.path()
            .join("data/kubedrill/drills/kubedrill.json")
            .exists()
    );
}

#[test]
fn a_namespace_kubedrill_did_not_create_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ns = ns_of(4);
    let _served = serve(
        dir.path(),
        Some(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
        )),
    );
    let kc = dir.path().join("kubeconfig").display().to_string();
    let (code, _, err) = kubedrill(
        dir.path(),
        &[
            "start",
            "--scenario",
            SCENARIO,
            "--seed",
            "4",
            "--kubeconfig",
            &kc,
            "--context",
            "kubedrill",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "namespace {ns} exists and was not created by kubedrill"
        )),
        "{err}"
    );
}

#[test]
fn a_context_that_does_not_look_local_needs_consent() {
    let dir = tempfile::tempdir().unwrap();
    let _served = serve(dir.path(), None);
    let text = std::fs::read_to_string(dir.path().join("kubeconfig")).unwrap();
    let prod = dir.path().join("prod-kubeconfig");
    std::fs::write(&prod, text.replace("kubedrill", "prod")).unwrap();
    let kc = prod.display().to_string();
    let args = [
        "start",
        "--scenario",
        SCENARIO,
        "--seed",
        "5",
        "--kubeconfig",
        &kc,
        "--context",
        "prod",
    ];
    let (code, _, err) = kubedrill(dir.path(), &args);
    assert_eq!(code, 1);
    assert!(
        err.contains("context \"prod\" does not look like a cluster on this machine"),
        "{err}"
    );
    assert!(err.contains("--i-own-this-cluster"), "{err}");
    let (code, _, err) = kubedrill(dir.path(), &[&args[..], &["--i-own-this-cluster"]].concat());
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_scenario_the_cluster_cannot_run_is_refused_with_what_it_lacks() {
    // The served cluster has no ingress controller installed and no NetworkPolicy CNI pods.
    let dir = tempfile::tempdir().unwrap();
    let _served = serve(dir.path(), None);
    let kc = dir.path().join("kubeconfig").display().to_string();
    let (code, _, err) = kubedrill(
        dir.path(),
        &[
            "start",
            "--scenario",
            "ing-wrong-backend-port",
            "--kubeconfig",
            &kc,
            "--context",
            "kubedrill",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "ing-wrong-backend-port cannot run on context kubedrill: it needs an ingress controller"
        ),
        "{err}"
    );
}
