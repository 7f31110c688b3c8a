//! Shells kept alive by `stdin: true` (`kubectl run -it … -- sh`) and ended by an attached
//! client through `Sim::end_container`: the container terminates with the shell's exit code and
//! the pod's phase follows its restart policy.

mod common;

use common::sim_with;
use kubedrill_sim::Kind;
use serde_json::Value;

fn pod(name: &str, stdin: bool, command: &str, restart: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  restartPolicy: {restart}\n  containers:\n  - name: {name}\n    image: busybox\n    stdin: {stdin}\n    stdinOnce: {stdin}\n{command}"
    )
}

fn state(p: &Value) -> &Value {
    &p["status"]["containerStatuses"][0]["state"]
}

#[test]
fn a_shell_with_stdin_runs_until_ended_with_its_code() {
    let (mut sim, _clock) = sim_with(&[
        &pod("tmp", true, "    args: [sh]\n", "Never"),
        &pod("dflt", true, "", "Never"),
    ]);
    for name in ["tmp", "dflt"] {
        let p = sim.get(Kind::Pod, "default", name).unwrap();
        assert_eq!(p["status"]["phase"], "Running", "{name}");
        assert!(state(&p).get("running").is_some(), "{name}");
    }
    sim.end_container("default", "tmp", "tmp", 3).unwrap();
    let p = sim.get(Kind::Pod, "default", "tmp").unwrap();
    assert_eq!(p["status"]["phase"], "Failed");
    assert_eq!(state(&p)["terminated"]["exitCode"], 3);
    assert_eq!(state(&p)["terminated"]["reason"], "Error");
    sim.end_container("default", "dflt", "dflt", 0).unwrap();
    let p = sim.get(Kind::Pod, "default", "dflt").unwrap();
    assert_eq!(p["status"]["phase"], "Succeeded");
    assert_eq!(state(&p)["terminated"]["reason"], "Completed");
}

#[test]
fn a_restarting_policy_starts_a_new_shell_that_waits_again() {
    let (mut sim, _clock) = sim_with(&[&pod("sh1", true, "", "Always")]);
    sim.end_container("default", "sh1", "sh1", 5).unwrap();
    let p = sim.get(Kind::Pod, "default", "sh1").unwrap();
    let st = &p["status"]["containerStatuses"][0];
    assert_eq!(p["status"]["phase"], "Running");
    assert!(st["state"].get("running").is_some(), "{st}");
    assert_eq!(st["restartCount"], 1);
    assert_eq!(st["lastState"]["terminated"]["exitCode"], 5);
    assert_eq!(st["lastState"]["terminated"]["reason"], "Error");
    // A later sync keeps it running (the exit was consumed by the restart).
    sim.end_container("default", "sh1", "sh1", 0).unwrap();
    let p = sim.get(Kind::Pod, "default", "sh1").unwrap();
    assert_eq!(p["status"]["containerStatuses"][0]["restartCount"], 2);
    assert_eq!(p["status"]["phase"], "Running");
}

#[test]
fn without_stdin_or_with_a_script_the_shell_ends_by_itself() {
    let (sim, _clock) = sim_with(&[
        &pod("nostdin", false, "    args: [sh]\n", "Never"),
        &pod("script", true, "    args: [sh, -c, 'exit 2']\n", "Never"),
    ]);
    let p = sim.get(Kind::Pod, "default", "nostdin").unwrap();
    assert_eq!(p["status"]["phase"], "Succeeded");
    let p = sim.get(Kind::Pod, "default", "script").unwrap();
    assert_ne!(p["status"]["phase"], "Running", "{p}");
}

#[test]
fn ending_a_missing_pod_is_not_found() {
    let (mut sim, _clock) = sim_with(&[]);
    let e = sim.end_container("default", "nope", "c", 0).unwrap_err();
    assert_eq!(e.to_string(), "pods \"nope\" not found");
}
