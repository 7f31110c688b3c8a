//! A study session as the TUI drives it: drills on two contexts of one server, checked,
//! fixed by the learner's real kubectl, reset to the seeded state; the cluster pane, the
//! learner's own activity and the diff of what they changed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kubedrill::catalog::Catalog;
use kubedrill::session::Session;
use std::process::Command;

fn session(dir: &std::path::Path) -> Session {
    Session::new(
        Catalog::load(&[]).unwrap(),
        &dir.join("kubeconfig"),
        &["kubedrill", "exam-2"],
    )
    .unwrap()
}

#[test]
fn a_drill_is_checked_fixed_and_reset_on_its_own_context() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(dir.path());
    let info = s.start("exam-2", "sel-service-selector-typo", 5).unwrap();
    assert_eq!(info.context, "exam-2");
    assert!(info.task.contains("Fix the problem"), "{}", info.task);
    assert!(s.export_line().ends_with("/kubeconfig"));
    let inst = s.instance("exam-2").unwrap().clone();
    let (ns, svc) = (inst.vars["ns"].clone(), inst.vars["svc"].clone());

    // The cluster pane shows the broken Service with no endpoints and the drill's pods.
    let view = s.cluster_view("exam-2").unwrap();
    let row = view.services.iter().find(|r| r.name == svc).unwrap();
    assert_eq!(
        (row.namespace.as_str(), row.ready_endpoints),
        (ns.as_str(), 0)
    );
    assert!(
        view.pods
            .iter()
            .any(|p| p.namespace == ns && p.ready == "1/1")
    );
    assert!(!view.pods.iter().any(|p| p.namespace == "kube-system"));
    // The other context has no drill.
    assert!(
        s.check("kubedrill")
            .unwrap_err()
            .contains("no drill is running")
    );

    assert!(!s.check("exam-2").unwrap().passed());
    assert!(
        s.activity("exam-2").unwrap().is_empty(),
        "seeding and checks are not the learner's"
    );

    // The learner fixes it with kubectl when there is one; else the reference solution.
    let kubectl = support::kubectls().into_iter().next();
    match &kubectl {
        Some(k) => {
            std::fs::create_dir_all(dir.path().join("home")).unwrap();
            let sel = inst.vars.get("label").cloned();
            let patch = match sel {
                Some(v) => format!("{{\"spec\":{{\"selector\":{{\"app\":\"{v}\"}}}}}}"),
                None => String::new(),
            };
            let o = if patch.is_empty() {
                s.solve("exam-2").unwrap();
                None
            } else {
                Some(
                    Command::new(k)
                        .args([
                            "--context",
                            "exam-2",
                            "-n",
                            &ns,
                            "patch",
                            "svc",
                            &svc,
                            "-p",
                            &patch,
                        ])
                        .env("KUBECONFIG", s.kubeconfig())
                        .env("HOME", dir.path().join("home"))
                        .output()
                        .unwrap(),
                )
            };
            if let Some(o) = o {
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                let acts = s.activity("exam-2").unwrap();
                assert!(
                    acts.iter()
                        .any(|a| a.verb == "patch" && a.target == format!("services {ns}/{svc}")),
                    "{acts:?}"
                );
            }
        }
        None => s.solve("exam-2").unwrap(),
    }
    let report = s.check("exam-2").unwrap();
    assert!(report.passed(), "{report:?}");
    let diff = s.diff("exam-2").unwrap();
    assert!(
        diff.contains(&format!("--- Service {ns}/{svc} (seeded)")),
        "{diff}"
    );

    // Reset: the seeded, broken state again, nothing of the fix left.
    s.reset("exam-2").unwrap();
    assert!(!s.check("exam-2").unwrap().passed());
    assert_eq!(s.diff("exam-2").unwrap(), "");
    assert!(s.activity("exam-2").unwrap().is_empty());
}

#[test]
fn a_node_shell_shows_the_drills_kube_proxy_rules_and_containers() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(dir.path());
    s.start("kubedrill", "sel-service-selector-typo", 2)
        .unwrap();
    let svc = s.instance("kubedrill").unwrap().vars["svc"].clone();
    let nodes = s.nodes("kubedrill").unwrap();
    assert!(nodes.iter().any(|n| n == "node01"), "{nodes:?}");
    // The broken Service has no endpoints: kube-proxy REJECTs it in the filter table.
    let (rules, code) = s
        .node_shell("kubedrill", "node01", "iptables-save")
        .unwrap();
    assert_eq!(code, 0);
    assert!(
        rules.contains(svc.as_str()) && rules.contains("has no endpoints"),
        "{rules}"
    );
    let (ps, _) = s.node_shell("kubedrill", "node01", "crictl ps").unwrap();
    assert!(ps.starts_with("CONTAINER"), "{ps}");
    let (err, code) = s.node_shell("kubedrill", "node01", "kubeadm-nope").unwrap();
    assert_eq!(
        (err.as_str(), code),
        ("-bash: kubeadm-nope: command not found\n", 127)
    );
}
