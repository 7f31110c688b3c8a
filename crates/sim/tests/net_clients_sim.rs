//! Client commands through a whole `Sim`: `clients::run` from a pod, and client pods whose
//! container command is a client — their log holds what the tool printed and the pod ends as
//! its exit code says.

mod common;

use common::sim_with;
use kubedrill_sim::net::Origin;
use kubedrill_sim::net::clients::{self, ClientEnv, ClientError};
use kubedrill_sim::{Kind, Sim};
use serde_json::Value;

fn pod(name: &str, image: &str, restart: &str, command: &[&str]) -> String {
    let cmd = command
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  restartPolicy: {restart}\n  containers:\n  - name: c\n    image: {image}\n    command: [{cmd}]\n"
    )
}

fn log(sim: &Sim, name: &str) -> String {
    sim.logs("default", name, None, false)
        .unwrap_or_default()
        .iter()
        .map(|l| format!("{}\n", l.text))
        .collect()
}

fn status(sim: &Sim, name: &str) -> Value {
    sim.get(Kind::Pod, "default", name)
        .map(|p| p["status"].clone())
        .unwrap_or_default()
}

const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n    targetPort: 80\n";

fn argv(s: &[&str]) -> Vec<String> {
    s.iter().map(|w| (*w).to_string()).collect()
}

#[test]
fn a_wget_pod_that_cannot_resolve_fails_with_exit_1_and_logs_bad_address() {
    let (sim, _clock) = sim_with(&[&pod(
        "probe",
        "busybox:1.36",
        "Never",
        &["wget", "-qO-", "-T3", "http://no-such-svc"],
    )]);
    let st = status(&sim, "probe");
    assert_eq!(st["phase"], "Failed");
    let term = &st["containerStatuses"][0]["state"]["terminated"];
    assert_eq!(term["exitCode"], 1);
    assert_eq!(term["reason"], "Error");
    assert_eq!(log(&sim, "probe"), "wget: bad address 'no-such-svc'\n");
}

#[test]
fn a_failing_client_under_always_crash_loops_with_its_exit_code() {
    let (sim, _clock) = sim_with(&[&pod(
        "probe",
        "curlimages/curl:8.8.0",
        "Always",
        &["curl", "-sS", "http://no-such-svc"],
    )]);
    let st = status(&sim, "probe");
    let c = &st["containerStatuses"][0];
    assert_eq!(c["state"]["waiting"]["reason"], "CrashLoopBackOff");
    assert_eq!(c["lastState"]["terminated"]["exitCode"], 6);
    assert_eq!(
        log(&sim, "probe"),
        "curl: (6) Could not resolve host: no-such-svc\n"
    );
}

#[test]
fn a_client_loop_keeps_running_with_its_first_iteration_logged() {
    let (sim, _clock) = sim_with(&[&pod(
        "loop",
        "busybox:1.36",
        "Always",
        &[
            "sh",
            "-c",
            "while true; do wget -qO- -T2 http://api:8080 || echo FAIL; sleep 2; done",
        ],
    )]);
    let st = status(&sim, "loop");
    assert_eq!(st["phase"], "Running");
    assert!(st["containerStatuses"][0]["state"]["running"].is_object());
    assert_eq!(log(&sim, "loop"), "wget: bad address 'api:8080'\nFAIL\n");
}

#[test]
fn curl_image_args_alone_run_curl_through_its_entrypoint() {
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: c\nspec:\n  restartPolicy: Never\n  containers:\n  - name: c\n    image: curlimages/curl:8.8.0\n    args: [\"-sS\", \"http://no-such-svc\"]\n";
    let (sim, _clock) = sim_with(&[manifest]);
    assert_eq!(status(&sim, "c")["phase"], "Failed");
    assert_eq!(
        log(&sim, "c"),
        "curl: (6) Could not resolve host: no-such-svc\n"
    );
}

#[test]
fn servers_and_plain_commands_are_left_to_the_image_catalog() {
    let (sim, _clock) = sim_with(&[
        &pod(
            "listen",
            "busybox:1.36",
            "Always",
            &["nc", "-lk", "-p", "8080"],
        ),
        &pod("sleeper", "busybox:1.36", "Always", &["sleep", "3600"]),
    ]);
    for p in ["listen", "sleeper"] {
        assert_eq!(status(&sim, p)["phase"], "Running", "{p}");
        assert_eq!(log(&sim, p), "", "{p}");
    }
}

#[test]
fn run_reports_a_binary_the_image_lacks() {
    let (mut sim, _clock) = sim_with(&[&pod("b", "busybox:1.36", "Always", &["sleep", "3600"])]);
    let from = Origin::Pod {
        namespace: "default".into(),
        name: "b".into(),
    };
    let r = clients::run(
        &mut sim,
        &from,
        "busybox:1.36",
        &argv(&["curl", "web"]),
        &ClientEnv::default(),
    );
    assert_eq!(r, Err(ClientError::NotFound("curl".into())));
    let r = clients::run(
        &mut sim,
        &from,
        "nginx:1.27",
        &argv(&["sh", "-c", "wget -qO- web"]),
        &ClientEnv::default(),
    )
    .unwrap_or_default();
    // nginx is Debian-based: its sh is dash, which numbers the line.
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("sh: 1: wget: not found\n", 127)
    );
}

// ---- through the network model -----------------------------------------------------------

fn client_pod(sim: &mut Sim) -> Origin {
    sim.apply_yaml(&pod("probe", "busybox:1.36", "Always", &["sleep", "3600"]))
        .unwrap_or_else(|e| panic!("{e}"));
    Origin::Pod {
        namespace: "default".into(),
        name: "probe".into(),
    }
}

#[test]
fn wget_through_a_service_gets_nginx_s_page() {
    let (mut sim, _clock) = sim_with(&[WEB]);
    let from = client_pod(&mut sim);
    let r = clients::run(
        &mut sim,
        &from,
        "busybox:1.36",
        &argv(&["wget", "-qO-", "-T3", "http://web"]),
        &ClientEnv::default(),
    )
    .unwrap_or_default();
    assert_eq!(r.exit_code, 0, "{r:?}");
    assert!(r.stdout.contains("Welcome to nginx!"), "{r:?}");
}

#[test]
fn a_service_without_endpoints_is_refused_at_its_cluster_ip() {
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: empty\nspec:\n  selector: {app: nothing}\n  ports:\n  - port: 80\n";
    let (mut sim, _clock) = sim_with(&[svc]);
    let ip = sim
        .get(Kind::Service, "default", "empty")
        .map(|s| s["spec"]["clusterIP"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let from = client_pod(&mut sim);
    let r = clients::run(
        &mut sim,
        &from,
        "busybox:1.36",
        &argv(&["wget", "-qO-", "-T3", "http://empty"]),
        &ClientEnv::default(),
    )
    .unwrap_or_default();
    assert_eq!(
        (r.stderr, r.exit_code),
        (
            format!("wget: can't connect to remote host ({ip}): Connection refused\n"),
            1
        )
    );
    let r = clients::run(
        &mut sim,
        &from,
        "curlimages/curl:8.8.0",
        &argv(&["curl", "-sS", "-m3", "http://empty"]),
        &ClientEnv::default(),
    )
    .unwrap_or_default();
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        (
            "curl: (7) Failed to connect to empty port 80 after 3 ms: Couldn't connect to server\n",
            7
        )
    );
}

#[test]
fn nslookup_of_a_service_answers_its_cluster_ip() {
    let (mut sim, _clock) = sim_with(&[WEB]);
    let ip = sim
        .get(Kind::Service, "default", "web")
        .map(|s| s["spec"]["clusterIP"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let from = client_pod(&mut sim);
    let r = clients::run(
        &mut sim,
        &from,
        "busybox:1.36",
        &argv(&["nslookup", "web.default.svc.cluster.local"]),
        &ClientEnv::default(),
    )
    .unwrap_or_default();
    assert_eq!(
        r.stdout,
        format!(
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: {ip}\n\n\n"
        )
    );
    assert_eq!(r.exit_code, 0);
}

#[test]
fn a_client_pod_reaching_a_pod_ip_succeeds() {
    let (mut sim, _clock) = sim_with(&[WEB]);
    let pods = sim
        .list(Kind::Pod, Some("default"), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let ip = pods.items[0]["status"]["podIP"]
        .as_str()
        .unwrap_or("")
        .to_string();
    sim.apply_yaml(&pod(
        "once",
        "busybox:1.36",
        "Never",
        &["wget", "-qO-", &format!("http://{ip}")],
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status(&sim, "once")["phase"], "Succeeded");
    assert!(log(&sim, "once").contains("Welcome to nginx!"));
}

#[test]
fn a_client_pod_sends_from_its_own_ip_before_its_status_is_written() {
    // The kubelet runs the client command while starting the container, before it writes
    // status.podIP; the server must still log the sandbox's address, and busybox's `Wget` agent.
    let (mut sim, _clock) = sim_with(&[WEB]);
    let pods = sim
        .list(Kind::Pod, Some("default"), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let server = pods.items[0]["metadata"]["name"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let ip = pods.items[0]["status"]["podIP"]
        .as_str()
        .unwrap_or("")
        .to_string();
    sim.apply_yaml(&pod(
        "once",
        "busybox:1.36",
        "Never",
        &["wget", "-qO-", &format!("http://{ip}")],
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let client_ip = status(&sim, "once")["podIP"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(!client_ip.is_empty());
    let access = log(&sim, &server);
    assert!(
        access.contains(&format!("{client_ip} - - [")) && access.contains("\"Wget\""),
        "{access}"
    );
    assert!(!access.contains("0.0.0.0"), "{access}");
}
