//! Workload controllers and the kubelet model: scheduling, pod status, readiness (rules 91–92),
//! Deployment → ReplicaSet → Pod (rules 95–97), StatefulSets, garbage collection, namespaces.

mod common;

use common::{create, sim_with};
#[allow(unused_imports)]
use jiff::SignedDuration;
#[allow(unused_imports)]
use kubedrill_sim::{DeleteOptions, Kind, ListOptions, Sim, meta};
use serde_json::Value;
use std::sync::Arc;

#[allow(dead_code)]
fn pods(sim: &Sim, ns: &str) -> Vec<Arc<Value>> {
    sim.list(Kind::Pod, Some(ns), &ListOptions::default())
        .expect("list")
        .items
}

fn events_for(sim: &Sim, ns: &str, name: &str) -> Vec<(String, String)> {
    sim.list(Kind::Event, Some(ns), &ListOptions::default())
        .expect("events")
        .items
        .iter()
        .filter(|e| e["involvedObject"]["name"] == name)
        .map(|e| {
            (
                e["reason"].as_str().unwrap_or("").to_string(),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn cond<'a>(obj: &'a Value, ty: &str) -> &'a Value {
    obj["status"]["conditions"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["type"] == ty))
        .unwrap_or(&Value::Null)
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n";

#[test]
fn a_bare_pod_is_scheduled_to_a_worker_and_runs_with_an_ip_from_its_pod_cidr() {
    let (mut sim, _c) = sim_with(&[]);
    create(&mut sim, POD);
    let p = sim.get(Kind::Pod, "default", "web").expect("pod");
    let node = p["spec"]["nodeName"].as_str().expect("bound");
    assert_ne!(
        node, "controlplane",
        "the control-plane taint keeps pods off"
    );
    assert_eq!(p["status"]["phase"], "Running");
    let ip = p["status"]["podIP"].as_str().expect("ip");
    let cidr = if node == "node01" {
        "10.244.1."
    } else {
        "10.244.2."
    };
    assert!(ip.starts_with(cidr), "{ip} on {node}");
    assert_eq!(p["status"]["containerStatuses"][0]["ready"], true);
    assert_eq!(
        p["status"]["containerStatuses"][0]["image"],
        "docker.io/library/nginx:latest"
    );
    assert_eq!(cond(&p, "Ready")["status"], "True");
    let ev = events_for(&sim, "default", "web");
    assert!(
        ev.contains(&(
            "Scheduled".into(),
            format!("Successfully assigned default/web to {node}")
        )),
        "{ev:?}"
    );
    assert!(
        ev.contains(&("Started".into(), "Started container app".into())),
        "{ev:?}"
    );
    assert!(
        ev.contains(&("Created".into(), "Created container: app".into())),
        "{ev:?}"
    );
}

fn deploy(name: &str, replicas: i64, extra_container: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n{extra_container}"
    )
}

fn owned_pods(sim: &Sim, ns: &str, rs_name: &str) -> Vec<Arc<Value>> {
    pods(sim, ns)
        .into_iter()
        .filter(|p| {
            meta::controller_ref(p).and_then(|r| r["name"].as_str()) == Some(rs_name)
                && !meta::is_terminating(p)
        })
        .collect()
}

fn replica_sets(sim: &Sim, ns: &str) -> Vec<Arc<Value>> {
    sim.list(Kind::ReplicaSet, Some(ns), &ListOptions::default())
        .expect("rs")
        .items
}

#[test]
fn rule_96_deployment_creates_a_hashed_replicaset_and_pods_named_after_it() {
    let (sim, _c) = sim_with(&[&deploy("web", 3, "")]);
    let rss = replica_sets(&sim, "default");
    assert_eq!(rss.len(), 1);
    let rs = &rss[0];
    let hash = rs["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .expect("hash");
    assert!(
        hash.chars()
            .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)),
        "{hash}"
    );
    assert_eq!(meta::name(rs), format!("web-{hash}"));
    assert_eq!(
        rs["spec"]["selector"]["matchLabels"]["pod-template-hash"],
        hash
    );
    assert_eq!(rs["spec"]["template"]["metadata"]["labels"]["app"], "web");
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"],
        "3"
    );
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"],
        "4"
    );
    assert_eq!(
        meta::controller_ref(rs).expect("owner")["kind"],
        "Deployment"
    );
    let ps = owned_pods(&sim, "default", meta::name(rs));
    assert_eq!(ps.len(), 3);
    for p in &ps {
        assert!(meta::name(p).starts_with(&format!("web-{hash}-")));
        assert_eq!(p["metadata"]["labels"]["pod-template-hash"], hash);
        assert_eq!(p["status"]["phase"], "Running");
    }
    let d = sim.get(Kind::Deployment, "default", "web").expect("d");
    assert_eq!(d["status"]["replicas"], 3);
    assert_eq!(d["status"]["updatedReplicas"], 3);
    assert_eq!(d["status"]["availableReplicas"], 3);
    assert_eq!(d["status"]["observedGeneration"], 1);
    let prog = cond(&d, "Progressing");
    assert_eq!(prog["reason"], "NewReplicaSetAvailable");
    assert_eq!(
        prog["message"],
        format!("ReplicaSet \"web-{hash}\" has successfully progressed.")
    );
    assert_eq!(cond(&d, "Available")["status"], "True");
    let ev = events_for(&sim, "default", "web");
    assert!(
        ev.contains(&(
            "ScalingReplicaSet".into(),
            format!("Scaled up replica set web-{hash} from 0 to 3")
        )),
        "{ev:?}"
    );
    let rs_ev = events_for(&sim, "default", meta::name(rs));
    assert_eq!(
        rs_ev
            .iter()
            .filter(|(r, _)| r == "SuccessfulCreate")
            .count(),
        3
    );
}

#[test]
fn rule_95_defaults_one_replica_and_a_25_percent_surge_when_unset() {
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels:\n      app: d\n  template:\n    metadata:\n      labels:\n        app: d\n    spec:\n      containers:\n      - name: app\n        image: nginx\n";
    let (sim, _c) = sim_with(&[manifest]);
    let rs = &replica_sets(&sim, "default")[0];
    assert_eq!(owned_pods(&sim, "default", meta::name(rs)).len(), 1);
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"],
        "2"
    );
}

#[test]
fn scaling_a_deployment_up_and_down_converges_to_spec_replicas() {
    let (mut sim, _c) = sim_with(&[&deploy("web", 2, "")]);
    let rs = meta::name(&replica_sets(&sim, "default")[0]).to_string();
    for n in [5, 1, 0, 3] {
        let mut d = (*sim.get(Kind::Deployment, "default", "web").expect("d")).clone();
        d["spec"]["replicas"] = n.into();
        sim.update(d).expect("scale");
        assert_eq!(
            owned_pods(&sim, "default", &rs).len(),
            n as usize,
            "replicas {n}"
        );
        assert_eq!(replica_sets(&sim, "default").len(), 1);
    }
    let ev = events_for(&sim, "default", "web");
    assert!(
        ev.contains(&(
            "ScalingReplicaSet".into(),
            format!("Scaled down replica set {rs} from 5 to 1")
        )),
        "{ev:?}"
    );
}

#[test]
fn a_template_change_rolls_pods_onto_a_new_replicaset() {
    let (mut sim, _c) = sim_with(&[&deploy("web", 3, "")]);
    let old = meta::name(&replica_sets(&sim, "default")[0]).to_string();
    let mut d = (*sim.get(Kind::Deployment, "default", "web").expect("d")).clone();
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28".into();
    sim.update(d).expect("update");
    let rss = replica_sets(&sim, "default");
    assert_eq!(rss.len(), 2);
    let new = rss.iter().find(|r| meta::name(r) != old).expect("new rs");
    assert_eq!(
        new["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    assert_eq!(owned_pods(&sim, "default", meta::name(new)).len(), 3);
    assert_eq!(owned_pods(&sim, "default", &old).len(), 0);
    let d = sim.get(Kind::Deployment, "default", "web").expect("d");
    assert_eq!(d["status"]["updatedReplicas"], 3);
    assert_eq!(d["status"]["observedGeneration"], 2);
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
}

const BROKEN_READINESS: &str =
    "        readinessProbe:\n          httpGet:\n            path: /\n            port: 8080\n";

#[test]
fn rule_91_rolling_update_with_a_failing_readiness_probe_keeps_the_old_pods() {
    let (mut sim, clock) = sim_with(&[&deploy("web", 3, "")]);
    let old = meta::name(&replica_sets(&sim, "default")[0]).to_string();
    let mut d = (*sim.get(Kind::Deployment, "default", "web").expect("d")).clone();
    d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] =
        serde_json::json!({"httpGet": {"path": "/", "port": 8080}});
    sim.update(d).expect("update");
    let new = replica_sets(&sim, "default")
        .into_iter()
        .find(|r| meta::name(r) != old)
        .expect("new rs");
    // maxSurge 25% of 3 → 1 extra pod; maxUnavailable 25% of 3 → 0: no old pod may go.
    assert_eq!(owned_pods(&sim, "default", &old).len(), 3);
    let fresh = owned_pods(&sim, "default", meta::name(&new));
    assert_eq!(fresh.len(), 1);
    assert_eq!(cond(&fresh[0], "Ready")["status"], "False");
    let d = sim.get(Kind::Deployment, "default", "web").expect("d");
    assert_eq!(d["status"]["unavailableReplicas"], 1);
    assert_eq!(d["status"]["updatedReplicas"], 1);
    assert_eq!(d["status"]["replicas"], 4);
    assert_eq!(cond(&d, "Progressing")["status"], "True");
    assert_eq!(cond(&d, "Progressing")["reason"], "ReplicaSetUpdated");
    assert_eq!(
        cond(&d, "Progressing")["message"],
        format!("ReplicaSet \"{}\" is progressing.", meta::name(&new))
    );
    assert_eq!(
        cond(&d, "Available")["status"],
        "True",
        "maxUnavailable 0 kept all old pods"
    );
    // progressDeadlineSeconds (600) later, `kubectl rollout status` gives up on this condition.
    clock.advance(SignedDuration::from_secs(601));
    sim.tick().expect("tick");
    let d = sim.get(Kind::Deployment, "default", "web").expect("d");
    let p = cond(&d, "Progressing");
    assert_eq!(p["status"], "False");
    assert_eq!(p["reason"], "ProgressDeadlineExceeded");
    assert_eq!(
        p["message"],
        format!(
            "ReplicaSet \"{}\" has timed out progressing.",
            meta::name(&new)
        )
    );
    assert_eq!(
        owned_pods(&sim, "default", &old).len(),
        3,
        "old pods still serve"
    );
}

#[test]
fn rule_91_readiness_probe_on_a_port_nothing_listens_on_is_refused_with_the_kubelet_text() {
    let (sim, _c) = sim_with(&[&deploy("web", 1, BROKEN_READINESS)]);
    let p = &pods(&sim, "default")[0];
    let ip = p["status"]["podIP"].as_str().expect("ip");
    assert_eq!(p["status"]["phase"], "Running");
    assert_eq!(p["status"]["containerStatuses"][0]["ready"], false);
    let ev = events_for(&sim, "default", meta::name(p));
    let want = format!(
        "Readiness probe failed: Get \"http://{ip}:8080/\": dial tcp {ip}:8080: connect: connection refused"
    );
    assert!(ev.contains(&("Unhealthy".into(), want)), "{ev:?}");
}

#[test]
fn rule_91_readiness_probe_path_answered_404_fails_with_the_status_code() {
    let probe = "        readinessProbe:\n          httpGet:\n            path: /healthz\n            port: 80\n";
    let (sim, _c) = sim_with(&[&deploy("web", 1, probe)]);
    let p = &pods(&sim, "default")[0];
    let ev = events_for(&sim, "default", meta::name(p));
    assert!(
        ev.contains(&(
            "Unhealthy".into(),
            "Readiness probe failed: HTTP probe failed with statuscode: 404".into()
        )),
        "{ev:?}"
    );
}

#[test]
fn rule_92_pod_ready_condition_names_the_unready_containers() {
    let (sim, _c) = sim_with(&[&deploy("web", 1, BROKEN_READINESS)]);
    let p = &pods(&sim, "default")[0];
    for ty in ["Ready", "ContainersReady"] {
        let c = cond(p, ty);
        assert_eq!(c["status"], "False");
        assert_eq!(c["reason"], "ContainersNotReady");
        assert_eq!(c["message"], "containers with unready status: [app]");
    }
    assert_eq!(cond(p, "PodScheduled")["status"], "True");
    assert_eq!(cond(p, "Initialized")["status"], "True");
    assert_eq!(cond(p, "PodReadyToStartContainers")["status"], "True");
}

#[test]
fn rule_91_initial_delay_keeps_a_pod_unready_until_the_clock_passes_it() {
    let probe = "        readinessProbe:\n          tcpSocket:\n            port: 80\n          initialDelaySeconds: 15\n";
    let (mut sim, clock) = sim_with(&[&deploy("web", 1, probe)]);
    let name = meta::name(&pods(&sim, "default")[0]).to_string();
    assert_eq!(
        cond(&sim.get(Kind::Pod, "default", &name).expect("p"), "Ready")["status"],
        "False"
    );
    clock.advance(SignedDuration::from_secs(10));
    sim.tick().expect("tick");
    assert_eq!(
        cond(&sim.get(Kind::Pod, "default", &name).expect("p"), "Ready")["status"],
        "False"
    );
    clock.advance(SignedDuration::from_secs(5));
    sim.tick().expect("tick");
    assert_eq!(
        cond(&sim.get(Kind::Pod, "default", &name).expect("p"), "Ready")["status"],
        "True"
    );
    let d = sim.get(Kind::Deployment, "default", "web").expect("d");
    assert_eq!(d["status"]["availableReplicas"], 1);
}

#[test]
fn rule_97_a_relabelled_pod_is_released_and_replaced_and_an_orphan_is_adopted() {
    let (mut sim, _c) = sim_with(&[&deploy("web", 2, "")]);
    let rs = meta::name(&replica_sets(&sim, "default")[0]).to_string();
    let victim = owned_pods(&sim, "default", &rs)[0].clone();
    let mut p = (*victim).clone();
    p["metadata"]["labels"]["app"] = "debug".into();
    sim.update(p).expect("relabel");
    let released = sim
        .get(Kind::Pod, "default", meta::name(&victim))
        .expect("still there");
    assert!(
        meta::controller_ref(&released).is_none(),
        "ownerRef removed"
    );
    assert_eq!(released["status"]["phase"], "Running");
    assert_eq!(
        owned_pods(&sim, "default", &rs).len(),
        2,
        "a replacement was created"
    );
    // Relabel it back: the RS adopts it and deletes one extra.
    let mut p = (*released).clone();
    p["metadata"]["labels"]["app"] = "web".into();
    sim.update(p).expect("relabel back");
    assert_eq!(owned_pods(&sim, "default", &rs).len(), 2);
    let total = pods(&sim, "default")
        .into_iter()
        .filter(|p| !meta::is_terminating(p))
        .count();
    assert_eq!(total, 2);
}

#[test]
fn deleting_a_deployment_removes_its_replicasets_and_pods() {
    let (mut sim, _c) = sim_with(&[&deploy("web", 3, "")]);
    sim.delete(
        Kind::Deployment,
        "default",
        "web",
        &DeleteOptions::default(),
    )
    .expect("delete");
    assert!(replica_sets(&sim, "default").is_empty());
    assert!(
        pods(&sim, "default").is_empty(),
        "nginx exits on SIGTERM at once"
    );
}

#[test]
fn scheduling_avoids_the_control_plane_honours_node_selector_and_reports_why_not() {
    let sel = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pinned\nspec:\n  nodeSelector:\n    kubernetes.io/hostname: node02\n  containers:\n  - name: app\n    image: nginx\n";
    let bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: nowhere\nspec:\n  nodeSelector:\n    disk: ssd\n  containers:\n  - name: app\n    image: nginx\n";
    let (sim, _c) = sim_with(&[sel, bad]);
    assert_eq!(
        sim.get(Kind::Pod, "default", "pinned").expect("p")["spec"]["nodeName"],
        "node02"
    );
    let p = sim.get(Kind::Pod, "default", "nowhere").expect("p");
    assert_eq!(p["status"]["phase"], "Pending");
    let msg = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    assert_eq!(cond(&p, "PodScheduled")["reason"], "Unschedulable");
    assert_eq!(cond(&p, "PodScheduled")["message"], msg);
    assert!(
        events_for(&sim, "default", "nowhere").contains(&("FailedScheduling".into(), msg.into()))
    );
}

#[test]
fn cordoned_workers_leave_new_pods_pending_until_uncordoned() {
    let (mut sim, _c) = sim_with(&[]);
    for n in ["node01", "node02"] {
        let mut node = (*sim.get(Kind::Node, "", n).expect("node")).clone();
        node["spec"]["unschedulable"] = true.into();
        sim.update(node).expect("cordon");
    }
    create(&mut sim, POD);
    let p = sim.get(Kind::Pod, "default", "web").expect("p");
    assert_eq!(p["status"]["phase"], "Pending");
    assert_eq!(
        cond(&p, "PodScheduled")["message"],
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    );
    let mut node = (*sim.get(Kind::Node, "", "node02").expect("node")).clone();
    node["spec"]["unschedulable"] = false.into();
    sim.update(node).expect("uncordon");
    let p = sim.get(Kind::Pod, "default", "web").expect("p");
    assert_eq!(p["spec"]["nodeName"], "node02");
    assert_eq!(p["status"]["phase"], "Running");
}

#[test]
fn graceful_delete_leaves_a_terminating_pod_until_its_grace_period_ends() {
    let sleeper = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: sleeper\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n";
    let (mut sim, clock) = sim_with(&[sleeper]);
    sim.delete(Kind::Pod, "default", "sleeper", &DeleteOptions::default())
        .expect("delete");
    let p = sim
        .get(Kind::Pod, "default", "sleeper")
        .expect("still terminating");
    assert!(meta::is_terminating(&p));
    clock.advance(SignedDuration::from_secs(29));
    sim.tick().expect("tick");
    assert!(sim.get(Kind::Pod, "default", "sleeper").is_ok());
    clock.advance(SignedDuration::from_secs(1));
    sim.tick().expect("tick");
    assert!(
        sim.get(Kind::Pod, "default", "sleeper").is_err(),
        "removed after 30s"
    );
    assert!(
        events_for(&sim, "default", "sleeper")
            .contains(&("Killing".into(), "Stopping container app".into()))
    );
}

#[test]
fn deleting_a_namespace_empties_it_then_removes_it() {
    let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
    let (mut sim, clock) = sim_with(&[ns]);
    assert!(sim.get(Kind::ServiceAccount, "shop", "default").is_ok());
    assert!(sim.get(Kind::ConfigMap, "shop", "kube-root-ca.crt").is_ok());
    let mut d: Value = kubedrill_sim::yaml::parse_documents(&deploy("web", 2, ""))
        .expect("y")
        .remove(0);
    d["metadata"]["namespace"] = "shop".into();
    sim.create(d).expect("deploy");
    let sleeper = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: sleeper\n  namespace: shop\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n";
    create(&mut sim, sleeper);
    sim.delete(Kind::Namespace, "", "shop", &DeleteOptions::default())
        .expect("delete");
    let n = sim.get(Kind::Namespace, "", "shop").expect("terminating");
    assert_eq!(n["status"]["phase"], "Terminating");
    assert_eq!(
        cond(&n, "NamespaceContentRemaining")["message"],
        "Some resources are remaining: pods. has 1 resource instances"
    );
    assert_eq!(cond(&n, "NamespaceFinalizersRemaining")["status"], "False");
    assert_eq!(
        pods(&sim, "shop").len(),
        1,
        "only the sleeper, in its grace period"
    );
    assert!(
        sim.list(Kind::Deployment, Some("shop"), &ListOptions::default())
            .expect("l")
            .items
            .is_empty()
    );
    clock.advance(SignedDuration::from_secs(30));
    sim.tick().expect("tick");
    assert!(
        sim.get(Kind::Namespace, "", "shop").is_err(),
        "namespace removed once empty"
    );
}

#[test]
fn the_bootstrap_coredns_pods_are_running_and_ready() {
    let (sim, _c) = sim_with(&[]);
    let dns: Vec<_> = pods(&sim, "kube-system")
        .into_iter()
        .filter(|p| p["metadata"]["labels"]["k8s-app"] == "kube-dns")
        .collect();
    assert_eq!(dns.len(), 2);
    for p in &dns {
        assert_eq!(p["status"]["phase"], "Running");
        assert_eq!(cond(p, "Ready")["status"], "True", "{p}");
    }
    let d = sim
        .get(Kind::Deployment, "kube-system", "coredns")
        .expect("coredns");
    assert_eq!(d["status"]["readyReplicas"], 2);
}

#[test]
fn an_unknown_image_tag_fails_to_pull_then_backs_off() {
    let bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: typo\nspec:\n  containers:\n  - name: app\n    image: nginx:1.277\n";
    let (mut sim, clock) = sim_with(&[bad]);
    let p = sim.get(Kind::Pod, "default", "typo").expect("p");
    assert_eq!(p["status"]["phase"], "Pending");
    assert_eq!(
        p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
        "ErrImagePull"
    );
    clock.advance(SignedDuration::from_secs(10));
    sim.tick().expect("tick");
    let p = sim.get(Kind::Pod, "default", "typo").expect("p");
    assert_eq!(
        p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
        "ImagePullBackOff"
    );
    let ev = events_for(&sim, "default", "typo");
    assert!(
        ev.iter().any(|(r, m)| r == "Failed"
            && m.starts_with("Failed to pull image \"nginx:1.277\": rpc error: code = NotFound")),
        "{ev:?}"
    );
}

const STS: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  replicas: 3\n  selector:\n    matchLabels:\n      app: db\n  template:\n    metadata:\n      labels:\n        app: db\n    spec:\n      containers:\n      - name: redis\n        image: redis:7\n";

#[test]
fn statefulset_pods_have_ordinal_names_hostnames_and_the_service_subdomain() {
    let (mut sim, _c) = sim_with(&[STS]);
    let ps = pods(&sim, "default");
    let names: Vec<&str> = ps.iter().map(|p| meta::name(p)).collect();
    assert_eq!(names, ["db-0", "db-1", "db-2"]);
    for (i, p) in ps.iter().enumerate() {
        assert_eq!(p["spec"]["hostname"], format!("db-{i}"));
        assert_eq!(p["spec"]["subdomain"], "db");
        assert_eq!(
            p["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"],
            format!("db-{i}")
        );
        assert_eq!(
            p["metadata"]["labels"]["apps.kubernetes.io/pod-index"],
            i.to_string()
        );
        assert!(
            p["metadata"]["labels"]["controller-revision-hash"]
                .as_str()
                .is_some_and(|h| h.starts_with("db-"))
        );
    }
    let s = sim.get(Kind::StatefulSet, "default", "db").expect("sts");
    assert_eq!(s["status"]["readyReplicas"], 3);
    assert_eq!(
        s["status"]["currentRevision"],
        s["status"]["updateRevision"]
    );
    // A template change replaces every pod (highest ordinal first) onto the new revision.
    let mut upd = (*s).clone();
    upd["spec"]["template"]["spec"]["containers"][0]["image"] = "redis:8".into();
    sim.update(upd).expect("update");
    let s = sim.get(Kind::StatefulSet, "default", "db").expect("sts");
    assert_ne!(s["status"]["updateRevision"], Value::Null);
    assert_eq!(
        s["status"]["currentRevision"],
        s["status"]["updateRevision"]
    );
    assert_eq!(s["status"]["updatedReplicas"], 3);
    for p in pods(&sim, "default") {
        assert_eq!(p["spec"]["containers"][0]["image"], "redis:8");
    }
    let mut s = (*s).clone();
    s["spec"]["replicas"] = 1.into();
    sim.update(s).expect("scale down");
    let names: Vec<String> = pods(&sim, "default")
        .iter()
        .map(|p| meta::name(p).to_string())
        .collect();
    assert_eq!(names, ["db-0"], "highest ordinals go first");
}

#[test]
fn statefulset_ordered_ready_waits_for_each_pod_to_be_ready() {
    let probe = STS.replace(
        "image: redis:7\n",
        "image: redis:7\n        readinessProbe:\n          tcpSocket:\n            port: 6380\n",
    );
    let (sim, _c) = sim_with(&[&probe]);
    let names: Vec<String> = pods(&sim, "default")
        .iter()
        .map(|p| meta::name(p).to_string())
        .collect();
    assert_eq!(names, ["db-0"], "db-1 waits until db-0 is Ready");
}

#[test]
fn a_full_cluster_leaves_pods_pending_with_too_many_pods() {
    let (mut sim, _c) = sim_with(&[&deploy("big", 222, "")]);
    let pending: Vec<_> = pods(&sim, "default")
        .into_iter()
        .filter(|p| p["status"]["phase"] == "Pending")
        .collect();
    // Two workers of 110 pods each, one slot taken by a CoreDNS pod: 219 run, 3 wait.
    assert_eq!(pending.len(), 3);
    let msg = cond(&pending[0], "PodScheduled")["message"].clone();
    assert_eq!(
        cond(&pending[0], "PodScheduled")["message"],
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Too many pods. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );
    assert!(msg.is_string());
    // (Without the requeue, the ReplicaSet's replacement would make it 4 pending.)
    // Deleting a running pod frees a slot: one pending pod is scheduled in its place.
    let running = pods(&sim, "default")
        .into_iter()
        .find(|p| p["status"]["phase"] == "Running" && p["metadata"]["labels"]["app"] == "big")
        .expect("running");
    sim.delete(
        Kind::Pod,
        "default",
        meta::name(&running),
        &DeleteOptions::default(),
    )
    .expect("delete");
    let still: Vec<_> = pods(&sim, "default")
        .into_iter()
        .filter(|p| p["status"]["phase"] == "Pending" && !meta::is_terminating(p))
        .collect();
    assert_eq!(
        still.len(),
        3,
        "one of the waiting pods took the freed slot"
    );
}

#[test]
fn a_container_whose_command_ends_crash_loops_under_always_and_completes_under_never() {
    let crash = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crash\nspec:\n  containers:\n  - name: app\n    image: busybox\n";
    let once = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: once\nspec:\n  restartPolicy: Never\n  containers:\n  - name: app\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo hi\"]\n";
    let (sim, _c) = sim_with(&[crash, once]);
    let c = sim.get(Kind::Pod, "default", "crash").expect("crash");
    assert_eq!(c["status"]["phase"], "Running");
    let st = &c["status"]["containerStatuses"][0];
    assert_eq!(st["state"]["waiting"]["reason"], "CrashLoopBackOff");
    assert_eq!(st["lastState"]["terminated"]["reason"], "Completed");
    assert_eq!(st["restartCount"], 1);
    let o = sim.get(Kind::Pod, "default", "once").expect("once");
    assert_eq!(o["status"]["phase"], "Succeeded");
    assert_eq!(
        o["status"]["containerStatuses"][0]["state"]["terminated"]["reason"],
        "Completed"
    );
    assert_eq!(cond(&o, "Ready")["reason"], "PodCompleted");
}

#[test]
fn a_failing_liveness_probe_restarts_the_container_after_the_failure_threshold() {
    let probe = "        livenessProbe:\n          httpGet:\n            path: /healthz\n            port: 80\n          periodSeconds: 5\n";
    let (mut sim, clock) = sim_with(&[&deploy("web", 1, probe)]);
    let name = meta::name(&pods(&sim, "default")[0]).to_string();
    let restarts = |sim: &Sim| {
        sim.get(Kind::Pod, "default", &name).expect("p")["status"]["containerStatuses"][0]["restartCount"].clone()
    };
    assert_eq!(restarts(&sim), 0);
    clock.advance(SignedDuration::from_secs(10));
    sim.tick().expect("tick");
    assert_eq!(restarts(&sim), 1);
    let ev = events_for(&sim, "default", &name);
    assert!(
        ev.contains(&(
            "Killing".into(),
            "Container app failed liveness probe, will be restarted".into()
        )),
        "{ev:?}"
    );
    assert!(
        ev.contains(&(
            "Unhealthy".into(),
            "Liveness probe failed: HTTP probe failed with statuscode: 404".into()
        )),
        "{ev:?}"
    );
}

#[test]
fn recreate_strategy_replaces_every_pod_at_once() {
    let manifest = deploy("web", 2, "").replace(
        "spec:\n  replicas: 2\n",
        "spec:\n  replicas: 2\n  strategy:\n    type: Recreate\n",
    );
    let (mut sim, _c) = sim_with(&[&manifest]);
    let mut d = (*sim.get(Kind::Deployment, "default", "web").expect("d")).clone();
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28".into();
    sim.update(d).expect("update");
    let rss = replica_sets(&sim, "default");
    assert_eq!(rss.len(), 2);
    let new = rss
        .iter()
        .find(|r| r["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28")
        .expect("new");
    assert_eq!(owned_pods(&sim, "default", meta::name(new)).len(), 2);
    assert_eq!(
        new["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"],
        "2"
    );
}

#[test]
fn foreground_deletion_removes_dependents_before_the_owner() {
    let sleeper = "        command: [\"sleep\", \"3600\"]\n";
    let manifest = deploy("web", 2, sleeper).replace("image: nginx:1.27", "image: busybox");
    let (mut sim, clock) = sim_with(&[&manifest]);
    let opts = DeleteOptions {
        propagation: Some(kubedrill_sim::Propagation::Foreground),
        ..DeleteOptions::default()
    };
    sim.delete(Kind::Deployment, "default", "web", &opts)
        .expect("delete");
    let d = sim
        .get(Kind::Deployment, "default", "web")
        .expect("waits for its pods");
    assert!(
        d["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "foregroundDeletion"))
    );
    assert_eq!(pods(&sim, "default").len(), 2);
    assert!(
        pods(&sim, "default")
            .iter()
            .all(|p| meta::is_terminating(p))
    );
    clock.advance(SignedDuration::from_secs(30));
    sim.tick().expect("tick");
    assert!(pods(&sim, "default").is_empty());
    assert!(replica_sets(&sim, "default").is_empty());
    assert!(sim.get(Kind::Deployment, "default", "web").is_err());
}

#[test]
fn orphan_deletion_keeps_the_replicaset_and_its_pods() {
    let (mut sim, _c) = sim_with(&[&deploy("web", 2, "")]);
    let opts = DeleteOptions {
        propagation: Some(kubedrill_sim::Propagation::Orphan),
        ..DeleteOptions::default()
    };
    sim.delete(Kind::Deployment, "default", "web", &opts)
        .expect("delete");
    let rss = replica_sets(&sim, "default");
    assert_eq!(rss.len(), 1);
    assert!(meta::controller_ref(&rss[0]).is_none());
    assert_eq!(owned_pods(&sim, "default", meta::name(&rss[0])).len(), 2);
}

#[test]
fn a_paused_deployment_scales_but_does_not_roll_out() {
    let (mut sim, _c) = sim_with(&[&deploy("web", 2, "")]);
    let old = meta::name(&replica_sets(&sim, "default")[0]).to_string();
    let mut d = (*sim.get(Kind::Deployment, "default", "web").expect("d")).clone();
    d["spec"]["paused"] = true.into();
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28".into();
    d["spec"]["replicas"] = 4.into();
    sim.update(d).expect("pause + change");
    assert_eq!(
        replica_sets(&sim, "default").len(),
        1,
        "no new ReplicaSet while paused"
    );
    assert_eq!(owned_pods(&sim, "default", &old).len(), 4);
    let d = sim.get(Kind::Deployment, "default", "web").expect("d");
    assert_eq!(cond(&d, "Progressing")["reason"], "DeploymentPaused");
    let mut d = (*d).clone();
    d["spec"]["paused"] = false.into();
    sim.update(d).expect("resume");
    assert_eq!(replica_sets(&sim, "default").len(), 2);
    assert_eq!(owned_pods(&sim, "default", &old).len(), 0);
}

#[test]
fn rule_91_probe_ports_resolve_by_container_port_name() {
    let named = "        ports:\n        - name: web\n          containerPort: 80\n        readinessProbe:\n          httpGet:\n            path: /\n            port: web\n";
    let (sim, _c) = sim_with(&[&deploy("ok", 1, named)]);
    let p = &pods(&sim, "default")[0];
    assert_eq!(cond(p, "Ready")["status"], "True");
    let missing = "        readinessProbe:\n          tcpSocket:\n            port: http\n";
    let (sim, _c) = sim_with(&[&deploy("bad", 1, missing)]);
    let p = &pods(&sim, "default")[0];
    assert_eq!(cond(p, "Ready")["status"], "False");
    let ev = events_for(&sim, "default", meta::name(p));
    assert!(
        ev.iter().any(|(r, m)| r == "Unhealthy" && m.starts_with("Readiness probe errored and resulted in unknown state: couldn't find port: http")),
        "{ev:?}"
    );
}

#[test]
fn the_same_writes_give_byte_identical_clusters() {
    let run = || {
        let (mut sim, clock) = sim_with(&[&deploy("web", 3, BROKEN_READINESS), STS]);
        let mut d = (*sim.get(Kind::Deployment, "default", "web").expect("d")).clone();
        d["spec"]["replicas"] = 5.into();
        sim.update(d).expect("scale");
        clock.advance(SignedDuration::from_secs(40));
        sim.tick().expect("tick");
        sim.dump()
    };
    assert_eq!(run(), run());
}

#[test]
fn init_containers_complete_before_the_app_starts_and_a_blocking_one_holds_the_pod() {
    let ok = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  initContainers:\n  - name: setup\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo ready\"]\n  containers:\n  - name: app\n    image: nginx\n";
    let stuck = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stuck\nspec:\n  initContainers:\n  - name: wait\n    image: busybox\n    command: [\"sh\", \"-c\", \"until nslookup db; do sleep 2; done\"]\n  containers:\n  - name: app\n    image: nginx\n";
    let (sim, _c) = sim_with(&[ok, stuck]);
    let p = sim.get(Kind::Pod, "default", "ok").expect("ok");
    assert_eq!(p["status"]["phase"], "Running");
    assert_eq!(
        p["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"],
        "Completed"
    );
    let p = sim.get(Kind::Pod, "default", "stuck").expect("stuck");
    assert_eq!(p["status"]["phase"], "Pending");
    assert_eq!(
        cond(&p, "Initialized")["message"],
        "containers with incomplete status: [wait]"
    );
    assert_eq!(
        p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
        "PodInitializing"
    );
}

#[test]
fn a_status_write_sticks_until_the_kubelet_next_acts_on_the_pod() {
    let (mut sim, _c) = sim_with(&[POD]);
    let mut p = (*sim.get(Kind::Pod, "default", "web").expect("p")).clone();
    for c in p["status"]["conditions"].as_array_mut().expect("conds") {
        if c["type"] == "Ready" {
            c["status"] = "False".into();
        }
    }
    sim.update_status(p).expect("status");
    let p = sim.get(Kind::Pod, "default", "web").expect("p");
    assert_eq!(
        cond(&p, "Ready")["status"],
        "False",
        "the kubelet does not react to status writes"
    );
    // A spec change is a kubelet event: it recomputes the status.
    let mut p = (*p).clone();
    p["spec"]["containers"][0]["image"] = "nginx:1.28".into();
    sim.update(p).expect("set image");
    let p = sim.get(Kind::Pod, "default", "web").expect("p");
    assert_eq!(cond(&p, "Ready")["status"], "True");
    assert_eq!(p["status"]["containerStatuses"][0]["restartCount"], 1);
}

#[test]
fn events_are_named_by_time_so_a_list_is_in_the_order_they_happened() {
    // client-go names an Event `<object>.<hex UnixNano>`; describe and `get events` print
    // them in list (name) order when they share a second.
    let (mut sim, _c) = sim_with(&[]);
    create(&mut sim, POD);
    let reasons: Vec<String> = events_for(&sim, "default", "web")
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    assert_eq!(
        reasons,
        ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
    );
    let names: Vec<String> = sim
        .list(Kind::Event, Some("default"), &ListOptions::default())
        .expect("events")
        .items
        .iter()
        .map(|e| meta::name(e).to_string())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("web.") && u64::from_str_radix(&n[4..], 16).is_ok()),
        "{names:?}"
    );
}

#[test]
fn a_template_sent_back_with_a_null_creation_timestamp_reuses_its_replicaset() {
    // kubectl 1.32's `rollout undo` JSON-patches the old ReplicaSet's template back with
    // `metadata.creationTimestamp: null`: the same Go template, so the same ReplicaSet.
    let (mut sim, _c) = sim_with(&[
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
    ]);
    let rs_names = |sim: &Sim| -> Vec<String> {
        sim.list(Kind::ReplicaSet, Some("default"), &ListOptions::default())
            .expect("rs")
            .items
            .iter()
            .map(|r| meta::name(r).to_string())
            .collect()
    };
    let first = rs_names(&sim);
    assert_eq!(first.len(), 1);
    let d = sim.get(Kind::Deployment, "default", "web").expect("web");
    let mut original = d["spec"]["template"].clone();
    sim.patch(
        Kind::Deployment,
        "default",
        "web",
        kubedrill_sim::PatchType::Merge,
        &serde_json::json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}}}}}),
        kubedrill_sim::Subresource::Main,
    )
    .expect("restart");
    assert_eq!(rs_names(&sim).len(), 2);
    original["metadata"]["creationTimestamp"] = Value::Null;
    sim.patch(
        Kind::Deployment,
        "default",
        "web",
        kubedrill_sim::PatchType::Json,
        &serde_json::json!([{"op": "replace", "path": "/spec/template", "value": original}]),
        kubedrill_sim::Subresource::Main,
    )
    .expect("undo");
    assert_eq!(rs_names(&sim).len(), 2, "no third ReplicaSet");
    let rs = sim
        .get(Kind::ReplicaSet, "default", &first[0])
        .expect("first rs");
    assert_eq!(rs["spec"]["replicas"], 2);
}

#[test]
fn kubelet_events_name_their_container_in_the_field_path() {
    let (mut sim, _c) = sim_with(&[]);
    create(
        &mut sim,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  initContainers:\n  - name: setup\n    image: busybox\n    command: [\"true\"]\n  containers:\n  - name: app\n    image: nginx\n",
    );
    let events = sim
        .list(Kind::Event, Some("default"), &ListOptions::default())
        .expect("events")
        .items;
    let path_of = |reason: &str, msg_has: &str| -> String {
        events
            .iter()
            .find(|e| {
                e["reason"] == reason && e["message"].as_str().unwrap_or("").contains(msg_has)
            })
            .map(|e| {
                e["involvedObject"]["fieldPath"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_else(|| panic!("no {reason} event about {msg_has}"))
    };
    assert_eq!(path_of("Scheduled", "web"), "");
    assert_eq!(path_of("Created", "setup"), "spec.initContainers{setup}");
    assert_eq!(path_of("Started", "setup"), "spec.initContainers{setup}");
    // The init container started first, and once: a later sync records nothing again.
    let reasons: Vec<(String, String)> = events_for(&sim, "default", "web");
    let setup_at = reasons
        .iter()
        .position(|(r, m)| r == "Started" && m.contains("setup"));
    let app_at = reasons
        .iter()
        .position(|(r, m)| r == "Started" && m.contains("app"));
    assert!(setup_at < app_at, "{reasons:?}");
    // A write to the pod makes the kubelet sync it again.
    sim.patch(
        Kind::Pod,
        "default",
        "web",
        kubedrill_sim::PatchType::Merge,
        &serde_json::json!({"metadata": {"labels": {"synced": "again"}}}),
        kubedrill_sim::Subresource::Main,
    )
    .expect("label");
    sim.tick().expect("tick");
    assert_eq!(events_for(&sim, "default", "web"), reasons);
    let counts: Vec<i64> = sim
        .list(Kind::Event, Some("default"), &ListOptions::default())
        .expect("events")
        .items
        .iter()
        .map(|e| e["count"].as_i64().unwrap_or(0))
        .collect();
    assert!(counts.iter().all(|c| *c == 1), "{counts:?}");
    assert_eq!(path_of("Pulling", "nginx"), "spec.containers{app}");
    assert_eq!(path_of("Started", "app"), "spec.containers{app}");
}
