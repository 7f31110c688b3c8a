//! `kubectl get pods` as the server prints it (printers.go `printPod`): READY, STATUS reasons
//! from the kubelet's container states, RESTARTS with the age of the last restart, the wide
//! columns, ages, and what each row's `object` carries.

mod table_support;

use jiff::SignedDuration;
use kubedrill_apiserver::table::{IncludeObject, TableOptions, table};
use kubedrill_sim::{DeleteOptions, Kind};
use serde_json::{Value, json};
use table_support::*;

const WEB: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n";

#[test]
fn pod_columns_are_upstream_names_with_the_four_wide_ones_last() {
    let (sim, _c) = sim_with(WEB);
    let t = table_now(&sim, Kind::Pod, Some("default"));
    let cols = columns(&t);
    let want = [
        ("Name", "string", "name", 0),
        ("Ready", "string", "", 0),
        ("Status", "string", "", 0),
        ("Restarts", "string", "", 0),
        ("Age", "string", "", 0),
        ("IP", "string", "", 1),
        ("Node", "string", "", 1),
        ("Nominated Node", "string", "", 1),
        ("Readiness Gates", "string", "", 1),
    ];
    let got: Vec<(&str, &str, &str, i64)> = cols
        .iter()
        .map(|c| (c.0.as_str(), c.1.as_str(), c.2.as_str(), c.3))
        .collect();
    assert_eq!(got, want);
    assert_eq!(t["kind"], "Table");
    assert_eq!(t["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(
        t["columnDefinitions"][1]["description"],
        "The aggregate readiness state of this pod for accepting traffic."
    );
    assert!(
        t["columnDefinitions"][0]["description"]
            .as_str()
            .expect("description")
            .starts_with("Name must be unique within a namespace.")
    );
}

#[test]
fn a_running_ready_pod_prints_1_of_1_running_with_its_ip_and_node() {
    let (sim, _c) = sim_with(WEB);
    let p = sim.get(Kind::Pod, "default", "web").expect("pod");
    let t = table_now(&sim, Kind::Pod, Some("default"));
    assert_eq!(
        row(&t, "web")["cells"],
        json!([
            "web",
            "1/1",
            "Running",
            "0",
            "0s",
            p["status"]["podIP"],
            p["spec"]["nodeName"],
            "<none>",
            "<none>"
        ])
    );
}

#[test]
fn a_failing_readiness_probe_prints_0_of_1_while_running() {
    let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: unready\nspec:\n  containers:\n  - name: app\n    image: nginx\n    readinessProbe:\n      httpGet:\n        path: /\n        port: 8080\n";
    let (sim, _c) = sim_with(m);
    let t = table_now(&sim, Kind::Pod, Some("default"));
    assert_eq!(text(&t, "unready", "Ready"), "0/1");
    assert_eq!(text(&t, "unready", "Status"), "Running");
}

#[test]
fn a_command_that_ends_crash_loops_with_the_restart_age_in_parentheses() {
    let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crash\nspec:\n  containers:\n  - name: app\n    image: busybox\n";
    let (sim, _c) = sim_with(m);
    let t = table_at(&sim, Kind::Pod, Some("default"), later(&sim, 300));
    assert_eq!(text(&t, "crash", "Ready"), "0/1");
    assert_eq!(text(&t, "crash", "Status"), "CrashLoopBackOff");
    assert_eq!(text(&t, "crash", "Restarts"), "1 (5m ago)");
    assert_eq!(text(&t, "crash", "Age"), "5m");
}

#[test]
fn an_image_that_does_not_exist_prints_err_image_pull_then_image_pull_back_off() {
    let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: typo\nspec:\n  containers:\n  - name: app\n    image: nginx:1.277\n";
    let (mut sim, clock) = sim_with(m);
    let t = table_now(&sim, Kind::Pod, Some("default"));
    assert_eq!(text(&t, "typo", "Status"), "ErrImagePull");
    assert_eq!(text(&t, "typo", "Ready"), "0/1");
    clock.advance(SignedDuration::from_secs(10));
    sim.tick().expect("tick");
    let t = table_now(&sim, Kind::Pod, Some("default"));
    assert_eq!(text(&t, "typo", "Status"), "ImagePullBackOff");
    assert_eq!(text(&t, "typo", "Age"), "10s");
}

#[test]
fn a_finished_never_restart_pod_prints_completed_and_a_completed_row_condition() {
    let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: once\nspec:\n  restartPolicy: Never\n  containers:\n  - name: app\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo hi\"]\n";
    let (sim, _c) = sim_with(&format!("{m}---\n{WEB}"));
    let t = table_now(&sim, Kind::Pod, Some("default"));
    assert_eq!(text(&t, "once", "Status"), "Completed");
    assert_eq!(text(&t, "once", "Ready"), "0/1");
    assert_eq!(text(&t, "once", "Restarts"), "0");
    assert_eq!(
        row(&t, "once")["conditions"],
        json!([{"type": "Completed", "status": "True", "reason": "Succeeded",
                "message": "The pod has completed successfully."}])
    );
    assert!(
        row(&t, "web").get("conditions").is_none(),
        "a running pod has no row conditions"
    );
}

#[test]
fn a_gracefully_deleted_pod_prints_terminating_while_its_container_runs() {
    let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: sleeper\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n";
    let (mut sim, _c) = sim_with(m);
    let t = table_now(&sim, Kind::Pod, Some("default"));
    assert_eq!(text(&t, "sleeper", "Status"), "Running");
    sim.delete(Kind::Pod, "default", "sleeper", &DeleteOptions::default())
        .expect("delete");
    let t = table_now(&sim, Kind::Pod, Some("default"));
    assert_eq!(text(&t, "sleeper", "Status"), "Terminating");
    assert_eq!(text(&t, "sleeper", "Ready"), "1/1");
}

#[test]
fn a_blocking_init_container_prints_init_progress() {
    let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stuck\nspec:\n  initContainers:\n  - name: wait\n    image: busybox\n    command: [\"sh\", \"-c\", \"until nslookup db; do sleep 2; done\"]\n  containers:\n  - name: app\n    image: nginx\n";
    let (sim, _c) = sim_with(m);
    let t = table_now(&sim, Kind::Pod, Some("default"));
    assert_eq!(text(&t, "stuck", "Status"), "Init:0/1");
    assert_eq!(text(&t, "stuck", "Ready"), "0/1");
}

#[test]
fn readiness_gates_print_true_conditions_over_gates() {
    let m = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: gated\nspec:\n  readinessGates:\n  - conditionType: example.com/lb-ready\n  containers:\n  - name: app\n    image: nginx\n";
    let (sim, _c) = sim_with(m);
    let t = table_now(&sim, Kind::Pod, Some("default"));
    assert_eq!(text(&t, "gated", "Readiness Gates"), "0/1");
    // With the gate's condition set True by its controller: 1/1.
    let mut p = (*sim.get(Kind::Pod, "default", "gated").expect("pod")).clone();
    p["status"]["conditions"]
        .as_array_mut()
        .expect("conditions")
        .push(json!({"type": "example.com/lb-ready", "status": "True"}));
    let t = table(Kind::Pod, &[&p], &TableOptions::default(), sim.now());
    assert_eq!(text(&t, "gated", "Readiness Gates"), "1/1");
}

#[test]
fn ages_follow_human_duration_at_a_fixed_now() {
    let (sim, _c) = sim_with(WEB);
    let age = |secs| {
        let t = table_at(&sim, Kind::Pod, Some("default"), later(&sim, secs));
        text(&t, "web", "Age")
    };
    assert_eq!(age(0), "0s");
    assert_eq!(age(90), "90s");
    assert_eq!(age(300), "5m");
    assert_eq!(age(330), "5m30s");
    assert_eq!(age(3 * 3600 + 5 * 60), "3h5m");
    assert_eq!(age(2 * 86400 + 3 * 3600), "2d3h");
    assert_eq!(age(-1), "0s", "a second of clock skew is now");
    assert_eq!(age(-5), "<invalid>");
}

#[test]
fn row_object_is_partial_metadata_by_default_the_object_on_request_or_absent() {
    let (sim, _c) = sim_with(WEB);
    let p = sim.get(Kind::Pod, "default", "web").expect("pod");
    let t = table_now(&sim, Kind::Pod, Some("default"));
    let obj = &row(&t, "web")["object"];
    assert_eq!(obj["kind"], "PartialObjectMetadata");
    assert_eq!(obj["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(obj["metadata"], p["metadata"]);
    assert_eq!(obj["metadata"]["labels"]["app"], "web");
    assert!(obj.get("spec").is_none());

    let t = table_with(
        &sim,
        Kind::Pod,
        Some("default"),
        sim.now(),
        IncludeObject::Object,
    );
    assert_eq!(row(&t, "web")["object"], *p);

    let t = table_with(
        &sim,
        Kind::Pod,
        Some("default"),
        sim.now(),
        IncludeObject::None,
    );
    assert!(row(&t, "web").get("object").is_none());
}

/// A pod status the kubelet model does not produce, to pin the branches of `printPod` that
/// only other kubelets reach.
fn pod_with_status(spec: Value, status: Value, deleting: bool) -> Value {
    let mut md =
        json!({"name": "p", "namespace": "default", "creationTimestamp": "2026-01-01T00:00:00Z"});
    if deleting {
        md["deletionTimestamp"] = json!("2026-01-01T00:01:00Z");
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec, "status": status})
}

fn status_of(pod: &Value) -> String {
    let now = "2026-01-01T00:10:00Z".parse().expect("time");
    let t = table(Kind::Pod, &[pod], &TableOptions::default(), now);
    text(&t, "p", "Status")
}

#[test]
fn completed_with_a_container_still_running_prints_running_or_not_ready() {
    let spec = json!({"containers": [{"name": "a"}, {"name": "b"}]});
    let statuses = json!([
        {"name": "a", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
        {"name": "b", "ready": true, "restartCount": 0, "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]);
    let ready = pod_with_status(
        spec.clone(),
        json!({"phase": "Running", "containerStatuses": statuses,
               "conditions": [{"type": "Ready", "status": "True"}]}),
        false,
    );
    assert_eq!(status_of(&ready), "Running");
    let not_ready = pod_with_status(
        spec,
        json!({"phase": "Running", "containerStatuses": statuses,
               "conditions": [{"type": "Ready", "status": "False"}]}),
        false,
    );
    assert_eq!(status_of(&not_ready), "NotReady");
}

#[test]
fn a_terminated_container_without_a_reason_prints_its_signal_or_exit_code() {
    let spec = json!({"containers": [{"name": "a"}]});
    let signal = pod_with_status(
        spec.clone(),
        json!({"phase": "Running", "containerStatuses": [
            {"name": "a", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 137, "signal": 9}}}]}),
        false,
    );
    assert_eq!(status_of(&signal), "Signal:9");
    let code = pod_with_status(
        spec.clone(),
        json!({"phase": "Running", "containerStatuses": [
            {"name": "a", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 3}}}]}),
        false,
    );
    assert_eq!(status_of(&code), "ExitCode:3");
    let init = pod_with_status(
        json!({"initContainers": [{"name": "i"}], "containers": [{"name": "a"}]}),
        json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "i", "ready": false, "restartCount": 2, "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}),
        false,
    );
    assert_eq!(status_of(&init), "Init:Error");
}

#[test]
fn a_sidecar_counts_in_ready_and_restarts_and_a_lost_node_prints_unknown() {
    let spec = json!({"initContainers": [{"name": "proxy", "restartPolicy": "Always"}],
                      "containers": [{"name": "app"}]});
    let pod = pod_with_status(
        spec,
        json!({"phase": "Running", "reason": "NodeLost",
               "conditions": [{"type": "Initialized", "status": "True"}],
               "initContainerStatuses": [{"name": "proxy", "ready": true, "started": true, "restartCount": 2,
                   "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-01-01T00:07:00Z"}},
                   "state": {"running": {"startedAt": "2026-01-01T00:07:01Z"}}}],
               "containerStatuses": [{"name": "app", "ready": true, "restartCount": 1,
                   "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-01-01T00:05:00Z"}},
                   "state": {"running": {"startedAt": "2026-01-01T00:05:01Z"}}}]}),
        true,
    );
    let now = "2026-01-01T00:10:00Z".parse().expect("time");
    let t = table(Kind::Pod, &[&pod], &TableOptions::default(), now);
    assert_eq!(text(&t, "p", "Ready"), "2/2");
    assert_eq!(text(&t, "p", "Restarts"), "3 (3m ago)");
    assert_eq!(text(&t, "p", "Status"), "Unknown");
}
