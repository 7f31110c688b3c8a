//! The kubelet model: for every pod bound to a node — a pod IP from the node's podCIDR
//! (host-local IPAM), image pulls decided by the image catalog, container states, readiness from
//! probes run against what the containers really serve, pod conditions and phase, and graceful
//! termination (`sim.remove_now` once the containers have stopped).
//!
//! It reacts to pod creation, binding, spec changes, deletion and its own wake-ups — never to
//! status-only writes by others, so a test's or a user's `/status` write sticks until the next
//! kubelet event. Status is written through the `/status` subresource; events are worded as
//! `pkg/kubelet/events` and `kuberuntime_container.go` word them.

mod attached;
mod client_run;
mod containers;
mod probe;

use containers::{
    Computed, container, container_id, image_id, liveness, pull_failure, readiness, start_events,
};

use serde_json::{Map, Value, json};
use std::net::Ipv4Addr;

use super::events::{EventKind, record, record_container};
use super::{Ctl, Queues};
use crate::clock::{parse_time, rfc3339};
use crate::error::ApiError;
use crate::images::{self, ImageRef, Listener};
use crate::kinds::Kind;
use crate::meta;
use crate::sim::{Sim, Subresource};
use crate::store::{Change, ObjKey, Store};

const KUBELET: &str = "kubelet";

pub fn observe(_store: &Store, change: &Change, q: &mut Queues) {
    if change.key.kind != Kind::Pod {
        return;
    }
    let relevant = match (&change.old, &change.new) {
        (None, _) | (_, None) => true,
        (Some(o), Some(n)) => {
            o.get("spec") != n.get("spec")
                || o["metadata"].get("deletionTimestamp") != n["metadata"].get("deletionTimestamp")
        }
    };
    let bound = |p: &Option<std::sync::Arc<Value>>| {
        p.as_ref()
            .is_some_and(|p| !meta::str_at(p, &["spec", "nodeName"]).is_empty())
    };
    if relevant && (bound(&change.old) || bound(&change.new)) {
        q.push(Ctl::Kubelet, change.key.clone());
    }
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let Some(pod) = sim.store.get(key).cloned() else {
        release(sim, key, None);
        return Ok(());
    };
    let node = meta::str_at(&pod, &["spec", "nodeName"]).to_string();
    if node.is_empty() {
        return Ok(());
    }
    // A pod recreated under the same name gives back its predecessor's address.
    release(sim, key, Some(meta::uid(&pod)));
    sim.alloc
        .nodes
        .entry(node.clone())
        .or_default()
        .bound
        .insert((key.namespace.clone(), key.name.clone()));
    if sim.store.get_by(Kind::Node, "", &node).is_none() {
        // Bound to a node that does not exist: nothing runs it, it stays Pending.
        return Ok(());
    }
    if meta::is_terminating(&pod) {
        return terminate(sim, key, &pod);
    }
    run(sim, key, &pod, &node)
}

/// Give back the address held under `key` by any pod other than `keep_uid`, and with no pod
/// left (`keep_uid` None) its node slot too.
fn release(sim: &mut Sim, key: &ObjKey, keep_uid: Option<&str>) {
    let k = (key.namespace.clone(), key.name.clone());
    if let Some((node, ip, uid)) = sim.alloc.pod_ips.get(&k).cloned()
        && Some(uid.as_str()) != keep_uid
    {
        sim.alloc.pod_ips.remove(&k);
        if let Some(np) = sim.alloc.nodes.get_mut(&node) {
            np.ips.remove(&ip);
        }
    }
    if keep_uid.is_none() {
        let mut freed = Vec::new();
        for (node, np) in sim.alloc.nodes.iter_mut() {
            if np.bound.remove(&k) {
                freed.push((node.clone(), np.bound.len()));
            }
        }
        // A slot opened on a node that was full: pods left Pending with "Too many pods" get
        // another try, as the scheduler requeues them on an assigned pod's deletion.
        for (node, left) in freed {
            let capacity = sim
                .store
                .get_by(Kind::Node, "", &node)
                .and_then(|n| {
                    n["status"]["allocatable"]["pods"]
                        .as_str()?
                        .parse::<usize>()
                        .ok()
                })
                .unwrap_or(110);
            if left + 1 >= capacity {
                sim.queues
                    .push(Ctl::Scheduler, ObjKey::new(Kind::Node, "", &node));
            }
        }
    }
}

/// host-local IPAM: the next free address after the last one handed out, skipping the network
/// address, the gateway (.1, the cni0 bridge) and the broadcast address.
fn allocate_ip(sim: &mut Sim, node: &str, holder: &str) -> Option<Ipv4Addr> {
    let cfg = sim.config.node(node)?;
    let (net, bits) = cfg.pod_cidr;
    let size: u32 = 1u32.checked_shl(32 - u32::from(bits.min(32)))?;
    if size < 4 {
        return None;
    }
    let base = u32::from(net) & !(size - 1);
    let (first, last) = (base.saturating_add(2), base.saturating_add(size - 2));
    let mut parts = holder.splitn(3, '/');
    let k = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
    );
    if let Some((n, ip, uid)) = sim.alloc.pod_ips.get(&k)
        && n == node
        && Some(uid.as_str()) == parts.next()
    {
        return Some(*ip);
    }
    let np = sim.alloc.nodes.entry(node.to_string()).or_default();
    let start = np
        .last_ip
        .map(u32::from)
        .filter(|l| (first..=last).contains(l))
        .map_or(first, |l| if l >= last { first } else { l + 1 });
    let span = last - first + 1;
    for i in 0..span {
        let cand = first + (start - first + i) % span;
        let ip = Ipv4Addr::from(cand);
        if let std::collections::btree_map::Entry::Vacant(e) = np.ips.entry(ip) {
            e.insert(holder.to_string());
            np.last_ip = Some(ip);
            let mut parts = holder.splitn(3, '/');
            let (ns, name, uid) = (parts.next(), parts.next(), parts.next());
            if let (Some(ns), Some(name), Some(uid)) = (ns, name, uid) {
                sim.alloc.pod_ips.insert(
                    (ns.to_string(), name.to_string()),
                    (node.to_string(), ip, uid.to_string()),
                );
            }
            return Some(ip);
        }
    }
    None
}

fn terminate(sim: &mut Sim, key: &ObjKey, pod: &Value) -> Result<(), ApiError> {
    let now = sim.now();
    let ended = matches!(
        meta::str_at(pod, &["status", "phase"]),
        "Succeeded" | "Failed"
    );
    let running: Vec<&Value> = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["state"].get("running").is_some())
        .collect();
    // Containers that exit on SIGTERM stop at once; the others hold the pod for its whole
    // grace period (the runtime SIGKILLs them at the deadline).
    let prompt = running.iter().all(|s| {
        let spec = container_spec(pod, s["name"].as_str().unwrap_or(""));
        match (spec, images::lookup(s["image"].as_str().unwrap_or(""))) {
            (Some(c), Ok(entry)) => images::behaviour(entry, c).prompt_sigterm,
            _ => true,
        }
    });
    let deadline = parse_time(meta::str_at(pod, &["metadata", "deletionTimestamp"])).unwrap_or(now);
    for s in &running {
        let msg = format!("Stopping container {}", s["name"].as_str().unwrap_or(""));
        record_container(sim, pod, s, EventKind::Normal, "Killing", &msg, KUBELET);
    }
    if ended || running.is_empty() || prompt || now >= deadline {
        sim.remove_now(key);
        release(sim, key, None);
    } else {
        sim.wake_at(deadline, Ctl::Kubelet, key.clone());
    }
    Ok(())
}

fn container_spec<'a>(pod: &'a Value, name: &str) -> Option<&'a Value> {
    pod["spec"]["containers"]
        .as_array()?
        .iter()
        .find(|c| c["name"].as_str() == Some(name))
}

fn old_status<'a>(pod: &'a Value, field: &str, name: &str) -> Option<&'a Value> {
    pod["status"][field]
        .as_array()?
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
}

fn run(sim: &mut Sim, key: &ObjKey, pod: &Value, node: &str) -> Result<(), ApiError> {
    let now = sim.now();
    let ts = rfc3339(now);
    let holder = format!("{}/{}/{}", key.namespace, key.name, meta::uid(pod));
    let host_ip = sim
        .config
        .node(node)
        .map(|n| n.internal_ip.to_string())
        .unwrap_or_default();
    let mut status = pod["status"].as_object().cloned().unwrap_or_default();
    let host_network = pod["spec"]["hostNetwork"].as_bool() == Some(true);
    let ip = if host_network {
        Some(host_ip.clone())
    } else {
        allocate_ip(sim, node, &holder).map(|i| i.to_string())
    };
    let Some(ip) = ip else {
        return sandbox_failed(sim, pod, node, &host_ip);
    };
    let start_time = status
        .get("startTime")
        .and_then(Value::as_str)
        .unwrap_or(&ts)
        .to_string();
    let restart_policy = pod["spec"]["restartPolicy"]
        .as_str()
        .unwrap_or("Always")
        .to_string();

    // Init containers run to completion first; one that cannot be pulled holds the pod.
    let mut init_statuses = Vec::new();
    let mut initialized = true;
    let mut init_failed = false;
    for c in pod["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = c["name"].as_str().unwrap_or("");
        let image = c["image"].as_str().unwrap_or("");
        match images::lookup(image) {
            Ok(entry) if initialized => {
                let r = ImageRef::parse(image);
                let cid = container_id(pod, name, 0);
                let b = images::behaviour(entry, c);
                // Its first start is recorded as an app container's is (Pulling ... Started).
                let prev_started =
                    old_status(pod, "initContainerStatuses", name).is_some_and(|p| {
                        p["state"].get("running").is_some()
                            || p["state"].get("terminated").is_some()
                            || p["lastState"].get("terminated").is_some()
                    });
                if !prev_started {
                    start_events(sim, pod, c, entry, &r);
                }
                // A sidecar (restartPolicy Always) keeps running beside the app containers.
                let sidecar = c["restartPolicy"].as_str() == Some("Always");
                let (state, last, ready, started, restarts) = match b.exits {
                    _ if sidecar => (
                        json!({"running": {"startedAt": start_time}}),
                        json!({}),
                        true,
                        true,
                        0,
                    ),
                    Some(0) => (
                        json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": start_time, "finishedAt": start_time, "containerID": cid}}),
                        json!({}),
                        true,
                        false,
                        0,
                    ),
                    Some(code) => {
                        initialized = false;
                        let term = json!({"exitCode": code, "reason": "Error", "startedAt": start_time, "finishedAt": start_time, "containerID": cid});
                        if restart_policy == "Never" {
                            init_failed = true;
                            (json!({"terminated": term}), json!({}), false, false, 0)
                        } else {
                            (
                                json!({"waiting": {"reason": "CrashLoopBackOff"}}),
                                json!({"terminated": term}),
                                false,
                                false,
                                1,
                            )
                        }
                    }
                    // An init container whose command never ends holds the pod in Init.
                    None => {
                        initialized = false;
                        (
                            json!({"running": {"startedAt": start_time}}),
                            json!({}),
                            false,
                            true,
                            0,
                        )
                    }
                };
                init_statuses.push(json!({
                    "name": name,
                    "state": state,
                    "lastState": last,
                    "ready": ready,
                    "restartCount": restarts,
                    "image": r.full(),
                    "imageID": image_id(&r),
                    "containerID": cid,
                    "started": started,
                }));
            }
            Err(e) if initialized => {
                initialized = false;
                let prev = old_status(pod, "initContainerStatuses", name);
                init_statuses.push(pull_failure(sim, pod, c, &e, prev));
            }
            _ => init_statuses.push(json!({
                "name": name, "state": {"waiting": {"reason": "PodInitializing"}}, "lastState": {},
                "ready": false, "restartCount": 0, "image": image, "imageID": "", "started": false,
            })),
        }
    }

    let containers: &[Value] = pod["spec"]["containers"]
        .as_array()
        .map_or(&[], Vec::as_slice);
    let mut computed: Vec<Computed> = Vec::new();
    for c in containers {
        computed.push(container(sim, pod, c, initialized, &restart_policy)?);
    }
    // Probes see every running container's sockets: they share the pod's network namespace.
    let listeners: Vec<Listener> = computed
        .iter()
        .filter(|c| c.running)
        .flat_map(|c| c.listeners.clone())
        .collect();
    for (c, comp) in containers.iter().zip(computed.iter_mut()) {
        if comp.running {
            comp.ready = readiness(sim, key, pod, c, &comp.status, &ip, &listeners, now);
            comp.status["ready"] = Value::Bool(comp.ready);
            liveness(sim, key, pod, c, &mut comp.status, &ip, &listeners, now);
        }
    }

    let all_terminated = !computed.is_empty() && computed.iter().all(|c| c.terminated.is_some());
    let phase = if init_failed {
        // An init container failed under restartPolicy Never: the pod has failed.
        "Failed"
    } else if all_terminated {
        if computed.iter().all(|c| c.terminated == Some(0)) {
            "Succeeded"
        } else {
            "Failed"
        }
    } else if !initialized
        || computed.iter().any(|c| c.waiting && !c.running)
            && !computed.iter().any(|c| c.running)
            && !computed
                .iter()
                .any(|c| c.status["lastState"].get("terminated").is_some())
    {
        "Pending"
    } else {
        "Running"
    };
    let unready: Vec<&str> = containers
        .iter()
        .zip(&computed)
        .filter(|(_, c)| !c.ready)
        .map(|(s, _)| s["name"].as_str().unwrap_or(""))
        .collect();
    let gates_ok = pod["spec"]["readinessGates"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|g| {
            crate::controllers::scheduler::condition(pod, g["conditionType"].as_str().unwrap_or(""))
                .is_some_and(|c| c["status"] == "True")
        });
    let completed = phase == "Succeeded" || phase == "Failed";
    let ready_cond = |ty: &str, extra_ok: bool| -> Value {
        if completed {
            json!({"type": ty, "status": "False", "reason": "PodCompleted"})
        } else if unready.is_empty() && extra_ok {
            json!({"type": ty, "status": "True"})
        } else if unready.is_empty() {
            json!({"type": ty, "status": "False", "reason": "ReadinessGatesNotReady", "message": "the status of pod readiness gate is not \"True\""})
        } else {
            // pkg/kubelet/status/generate.go GeneratePodReadyCondition.
            json!({"type": ty, "status": "False", "reason": "ContainersNotReady",
                   "message": format!("containers with unready status: [{}]", unready.join(" "))})
        }
    };
    let init_cond = if initialized {
        json!({"type": "Initialized", "status": "True"})
    } else {
        let names: Vec<&str> = init_statuses
            .iter()
            .filter(|s| s["state"].get("terminated").is_none())
            .filter_map(|s| s["name"].as_str())
            .collect();
        json!({"type": "Initialized", "status": "False", "reason": "ContainersNotInitialized",
               "message": format!("containers with incomplete status: [{}]", names.join(" "))})
    };
    let scheduled = crate::controllers::scheduler::condition(pod, "PodScheduled")
        .cloned()
        .unwrap_or_else(|| json!({"type": "PodScheduled", "status": "True"}));
    let conds = vec![
        json!({"type": "PodReadyToStartContainers", "status": if completed { "False" } else { "True" }}),
        init_cond,
        ready_cond("Ready", gates_ok),
        ready_cond("ContainersReady", true),
        scheduled,
    ];
    let conds: Vec<Value> = conds
        .into_iter()
        .map(|c| {
            let ty = c["type"].as_str().unwrap_or("").to_string();
            with_times(c, crate::controllers::scheduler::condition(pod, &ty), &ts)
        })
        .collect();

    // PodObservedGenerationTracking: a pod with a generation reports the one it acted on.
    if let Some(g) = pod["metadata"]["generation"].as_i64() {
        status.insert("observedGeneration".into(), json!(g));
    }
    status.insert("phase".into(), Value::String(phase.into()));
    status.insert("conditions".into(), Value::Array(conds));
    status.insert("hostIP".into(), Value::String(host_ip.clone()));
    status.insert("hostIPs".into(), json!([{"ip": host_ip}]));
    status.insert("podIP".into(), Value::String(ip.clone()));
    status.insert("podIPs".into(), json!([{"ip": ip}]));
    status.insert("startTime".into(), Value::String(start_time));
    if init_statuses.is_empty() {
        status.remove("initContainerStatuses");
    } else {
        status.insert("initContainerStatuses".into(), Value::Array(init_statuses));
    }
    status.insert(
        "containerStatuses".into(),
        Value::Array(computed.into_iter().map(|c| c.status).collect()),
    );
    // qosClass stays as the API server set it at admission (with real quantity parsing).
    write_status(sim, pod, status)
}

fn write_status(sim: &mut Sim, pod: &Value, status: Map<String, Value>) -> Result<(), ApiError> {
    if pod["status"].as_object() == Some(&status) {
        return Ok(());
    }
    let body = super::replicaset::status_write(pod, Value::Object(status));
    sim.update_unsettled(body, Subresource::Status)?;
    Ok(())
}

/// Keep a condition's transition time while its status holds (as the status manager does).
fn with_times(mut c: Value, prev: Option<&Value>, now: &str) -> Value {
    let same = prev.is_some_and(|p| p["status"] == c["status"]);
    let t = match prev {
        Some(p) if same => p["lastTransitionTime"].clone(),
        _ => Value::String(now.to_string()),
    };
    if let Some(m) = c.as_object_mut() {
        m.insert("lastProbeTime".into(), Value::Null);
        m.insert("lastTransitionTime".into(), t);
    }
    // Keep the field order kubectl users see: type, status, lastProbeTime, lastTransitionTime, reason, message.
    let mut out = Map::new();
    for k in [
        "type",
        "status",
        "lastProbeTime",
        "lastTransitionTime",
        "reason",
        "message",
    ] {
        if let Some(v) = c.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    Value::Object(out)
}

fn sandbox_failed(sim: &mut Sim, pod: &Value, node: &str, host_ip: &str) -> Result<(), ApiError> {
    let cidr = sim
        .config
        .node(node)
        .map(|n| {
            let b = u32::from(n.pod_cidr.0);
            let size = 1u32
                .checked_shl(32 - u32::from(n.pod_cidr.1.min(32)))
                .unwrap_or(0);
            format!(
                "{}-{}",
                Ipv4Addr::from(b.wrapping_add(1)),
                Ipv4Addr::from(b.wrapping_add(size.saturating_sub(2)))
            )
        })
        .unwrap_or_default();
    let msg = format!(
        "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type=\"bridge\" failed (add): failed to allocate for range 0: no IP addresses available in range set: {cidr}"
    );
    record(
        sim,
        pod,
        EventKind::Warning,
        "FailedCreatePodSandBox",
        &msg,
        KUBELET,
    );
    let mut status = pod["status"].as_object().cloned().unwrap_or_default();
    status.insert("phase".into(), Value::String("Pending".into()));
    status.insert("hostIP".into(), Value::String(host_ip.into()));
    status.insert("hostIPs".into(), json!([{"ip": host_ip}]));
    let waiting: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| json!({"name": c["name"], "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {}, "ready": false, "restartCount": 0, "image": c["image"], "imageID": "", "started": false}))
        .collect();
    status.insert("containerStatuses".into(), Value::Array(waiting));
    write_status(sim, pod, status)
}
