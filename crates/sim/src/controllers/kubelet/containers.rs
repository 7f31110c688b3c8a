//! One container's status as the kubelet computes it: image pull (ErrImagePull →
//! ImagePullBackOff), start with the Pulling/Pulled/Created/Started events, commands that end
//! (Completed, CrashLoopBackOff), readiness (rule 91) and liveness restarts from the probes.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::{KUBELET, old_status, probe};
use crate::clock::{parse_time, rfc3339};
use crate::controllers::Ctl;
use crate::controllers::events::{EventKind, record_container};
use crate::error::ApiError;
use crate::images::{self, ImageRef, Listener};
use crate::kinds::Kind;
use crate::meta;
use crate::sim::Sim;
use crate::store::ObjKey;

/// One container's computed status and what the pod needs to know about it.
pub(super) struct Computed {
    pub status: Value,
    pub ready: bool,
    pub running: bool,
    /// `Some(exit code)` when terminated for good.
    pub terminated: Option<i64>,
    pub waiting: bool,
    pub listeners: Vec<Listener>,
}

/// A millisecond duration as Go's `time.Duration.String` prints it: `523ms`, `1.5s`, `2.034s`.
fn go_millis(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let frac = format!("{:03}", ms % 1000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{}s", ms / 1000)
    } else {
        format!("{}.{frac}s", ms / 1000)
    }
}

pub(super) fn container_id(pod: &Value, name: &str, restarts: i64) -> String {
    format!(
        "containerd://{}",
        images::hex64(&format!("{}/{name}/{restarts}", meta::uid(pod)))
    )
}

pub(super) fn image_id(r: &ImageRef) -> String {
    format!(
        "{}@{}",
        r.repository,
        images::digest_of(&r.repository, &r.tag)
    )
}

/// An image that cannot be pulled: ErrImagePull on the first attempt, ImagePullBackOff after.
pub(super) fn pull_failure(
    sim: &mut Sim,
    pod: &Value,
    c: &Value,
    e: &images::PullError,
    prev: Option<&Value>,
) -> Value {
    let name = c["name"].as_str().unwrap_or("");
    let image = c["image"].as_str().unwrap_or("");
    let err = e.message();
    let prev_reason = prev
        .and_then(|p| p["state"]["waiting"]["reason"].as_str())
        .unwrap_or("");
    let (reason, message) = if prev_reason == "ErrImagePull" || prev_reason == "ImagePullBackOff" {
        record_container(
            sim,
            pod,
            c,
            EventKind::Normal,
            "BackOff",
            &format!("Back-off pulling image \"{image}\""),
            KUBELET,
        );
        record_container(
            sim,
            pod,
            c,
            EventKind::Warning,
            "Failed",
            "Error: ImagePullBackOff",
            KUBELET,
        );
        // image_manager.go: the waiting message is the back-off message itself.
        (
            "ImagePullBackOff",
            format!("Back-off pulling image \"{image}\""),
        )
    } else {
        record_container(
            sim,
            pod,
            c,
            EventKind::Normal,
            "Pulling",
            &format!("Pulling image \"{image}\""),
            KUBELET,
        );
        record_container(
            sim,
            pod,
            c,
            EventKind::Warning,
            "Failed",
            &format!("Failed to pull image \"{image}\": {err}"),
            KUBELET,
        );
        record_container(
            sim,
            pod,
            c,
            EventKind::Warning,
            "Failed",
            "Error: ErrImagePull",
            KUBELET,
        );
        // The image pull back-off starts at 10s (kubelet's backOff for image pulls).
        let at = sim
            .now()
            .checked_add(SignedDuration::from_secs(10))
            .unwrap_or(sim.now());
        sim.wake_at(at, Ctl::Kubelet, ObjKey::of(Kind::Pod, pod));
        ("ErrImagePull", err)
    };
    json!({
        "name": name,
        "state": {"waiting": {"reason": reason, "message": message}},
        "lastState": {},
        "ready": false,
        "restartCount": prev.and_then(|p| p["restartCount"].as_i64()).unwrap_or(0),
        "image": image,
        "imageID": "",
        "started": false,
    })
}

pub(super) fn container(
    sim: &mut Sim,
    pod: &Value,
    c: &Value,
    initialized: bool,
    restart_policy: &str,
) -> Result<Computed, ApiError> {
    let name = c["name"].as_str().unwrap_or("").to_string();
    let image = c["image"].as_str().unwrap_or("").to_string();
    let prev = old_status(pod, "containerStatuses", &name).cloned();
    let waiting = |reason: &str| Computed {
        status: json!({"name": name, "state": {"waiting": {"reason": reason}}, "lastState": {}, "ready": false,
                       "restartCount": 0, "image": image, "imageID": "", "started": false}),
        ready: false,
        running: false,
        terminated: None,
        waiting: true,
        listeners: vec![],
    };
    if !initialized {
        return Ok(waiting("PodInitializing"));
    }
    let entry = match images::lookup(&image) {
        Ok(e) => e,
        Err(e) => {
            let status = pull_failure(sim, pod, c, &e, prev.as_ref());
            return Ok(Computed {
                status,
                ready: false,
                running: false,
                terminated: None,
                waiting: true,
                listeners: vec![],
            });
        }
    };
    let r = ImageRef::parse(&image);
    let full = r.full();
    let b = images::behaviour(entry, c);
    let prev_image = prev
        .as_ref()
        .and_then(|p| p["image"].as_str())
        .unwrap_or("");
    let prev_started = prev.as_ref().is_some_and(|p| {
        p["state"].get("running").is_some()
            || p["state"].get("terminated").is_some()
            || p["lastState"].get("terminated").is_some()
    });
    let same_image = prev_image == full;
    let mut restarts = prev
        .as_ref()
        .and_then(|p| p["restartCount"].as_i64())
        .unwrap_or(0);
    let fresh = !(prev_started && same_image);
    if prev_started && !same_image {
        // `kubectl set image` on a pod: the kubelet kills and recreates the container.
        restarts += 1;
        record_container(
            sim,
            pod,
            c,
            EventKind::Normal,
            "Killing",
            &format!("Container {name} definition changed, will be restarted"),
            KUBELET,
        );
    }
    let now = rfc3339(sim.now());
    let cid = container_id(pod, &name, restarts);
    if fresh {
        start_events(sim, pod, c, entry, &r);
    }
    // A client command (wget, curl, nc -z, nslookup) decides how the container ends.
    let (exits, listeners) =
        match super::client_run::outcome(sim, pod, c, entry, fresh, prev.as_ref()) {
            Some(exits) => (exits, Vec::new()),
            None if super::attached::holds_stdin(c, entry) => (None, Vec::new()),
            None => (b.exits, b.listeners),
        };
    let ended = super::attached::ended(sim, pod, &name);
    let exits = ended.or(exits);
    let started_at = prev
        .as_ref()
        .filter(|_| !fresh)
        .and_then(|p| {
            p["state"]["running"]["startedAt"]
                .as_str()
                .or(p["lastState"]["terminated"]["startedAt"].as_str())
                .or(p["state"]["terminated"]["startedAt"].as_str())
        })
        .unwrap_or(&now)
        .to_string();
    let mut status = json!({
        "name": name,
        "state": {"running": {"startedAt": started_at}},
        "lastState": prev.as_ref().filter(|_| !fresh || restarts > 0).map_or(json!({}), |p| p["lastState"].clone()),
        "ready": false,
        "restartCount": restarts,
        "image": full,
        "imageID": image_id(&r),
        "containerID": cid,
        "started": true,
    });
    if let Some(code) = ended
        && super::attached::holds_stdin(c, entry)
        && restarts_on(restart_policy, code)
    {
        return Ok(super::attached::restart(
            sim,
            pod,
            status,
            code,
            &started_at,
            restarts,
        ));
    }
    if let Some(code) = exits {
        let reason = if code == 0 { "Completed" } else { "Error" };
        let term = json!({"exitCode": code, "reason": reason, "startedAt": started_at, "finishedAt": started_at, "containerID": cid});
        let restarts_it = restarts_on(restart_policy, code);
        if restarts_it {
            // pkg/kubelet/kuberuntime: a container that keeps ending sits in CrashLoopBackOff.
            let count = restarts.max(1);
            status["restartCount"] = json!(count);
            status["state"] = json!({"waiting": {"reason": "CrashLoopBackOff",
                "message": format!("back-off 10s restarting failed container={name} pod={}_{}({})", meta::name(pod), meta::namespace(pod), meta::uid(pod))}});
            status["lastState"] = json!({"terminated": term});
            status["started"] = json!(false);
            status["containerID"] = json!(container_id(pod, &name, count));
            record_container(
                sim,
                pod,
                c,
                EventKind::Warning,
                "BackOff",
                &format!(
                    "Back-off restarting failed container {name} in pod {}_{}({})",
                    meta::name(pod),
                    meta::namespace(pod),
                    meta::uid(pod)
                ),
                KUBELET,
            );
            return Ok(Computed {
                status,
                ready: false,
                running: false,
                terminated: None,
                waiting: true,
                listeners: vec![],
            });
        }
        status["state"] = json!({"terminated": term});
        status["started"] = json!(false);
        return Ok(Computed {
            status,
            ready: false,
            running: false,
            terminated: Some(code),
            waiting: false,
            listeners: vec![],
        });
    }
    Ok(Computed {
        status,
        ready: false,
        running: true,
        terminated: None,
        waiting: false,
        listeners,
    })
}

/// Whether `restartPolicy` restarts a container that exited with `code`.
fn restarts_on(restart_policy: &str, code: i64) -> bool {
    match restart_policy {
        "Never" => false,
        "OnFailure" => code != 0,
        _ => true,
    }
}

/// Rule 91: no readinessProbe → ready once running; with one → not ready before
/// `initialDelaySeconds` nor until a probe succeeds.
#[allow(clippy::too_many_arguments)]
pub(super) fn readiness(
    sim: &mut Sim,
    key: &ObjKey,
    pod: &Value,
    c: &Value,
    status: &Value,
    ip: &str,
    listeners: &[Listener],
    now: Timestamp,
) -> bool {
    let started_at = parse_time(
        status["state"]["running"]["startedAt"]
            .as_str()
            .unwrap_or(""),
    )
    .unwrap_or(now);
    for (field, what) in [("startupProbe", "Startup"), ("readinessProbe", "Readiness")] {
        let Some(p) = c.get(field).filter(|p| p.is_object()) else {
            continue;
        };
        let (delay, _, _) = probe::timing(p);
        let first = started_at
            .checked_add(SignedDuration::from_secs(delay))
            .unwrap_or(started_at);
        if now < first {
            sim.wake_at(first, Ctl::Kubelet, key.clone());
            return false;
        }
        if let Err(e) = probe::run(p, c, ip, listeners) {
            record_container(
                sim,
                pod,
                c,
                EventKind::Warning,
                "Unhealthy",
                &e.event(what),
                KUBELET,
            );
            return false;
        }
    }
    true
}

/// A failing liveness probe restarts the container once `failureThreshold` periods have passed
/// after `initialDelaySeconds` (`Killing`: "Container app failed liveness probe, will be
/// restarted"), and again each time the clock passes the next such deadline.
#[allow(clippy::too_many_arguments)]
pub(super) fn liveness(
    sim: &mut Sim,
    key: &ObjKey,
    pod: &Value,
    c: &Value,
    status: &mut Value,
    ip: &str,
    listeners: &[Listener],
    now: Timestamp,
) {
    let Some(p) = c.get("livenessProbe").filter(|p| p.is_object()) else {
        return;
    };
    let out = match probe::run(p, c, ip, listeners) {
        Ok(()) => return,
        // Unknown: neither a success nor a failure that counts towards a restart.
        Err(e @ probe::ProbeError::Errored(_)) => {
            record_container(
                sim,
                pod,
                c,
                EventKind::Warning,
                "Unhealthy",
                &e.event("Liveness"),
                KUBELET,
            );
            return;
        }
        Err(probe::ProbeError::Failed(out)) => out,
    };
    let (delay, period, threshold) = probe::timing(p);
    let started_at = parse_time(
        status["state"]["running"]["startedAt"]
            .as_str()
            .unwrap_or(""),
    )
    .unwrap_or(now);
    let first = started_at
        .checked_add(SignedDuration::from_secs(delay))
        .unwrap_or(started_at);
    if now < first {
        sim.wake_at(first, Ctl::Kubelet, key.clone());
        return;
    }
    record_container(
        sim,
        pod,
        c,
        EventKind::Warning,
        "Unhealthy",
        &format!("Liveness probe failed: {out}"),
        KUBELET,
    );
    let kill_at = first
        .checked_add(SignedDuration::from_secs(
            period.saturating_mul((threshold - 1).max(0)),
        ))
        .unwrap_or(first);
    if now < kill_at {
        sim.wake_at(kill_at, Ctl::Kubelet, key.clone());
        return;
    }
    let name = c["name"].as_str().unwrap_or("");
    record_container(
        sim,
        pod,
        c,
        EventKind::Normal,
        "Killing",
        &format!("Container {name} failed liveness probe, will be restarted"),
        KUBELET,
    );
    let restarts = status["restartCount"].as_i64().unwrap_or(0) + 1;
    let ts = rfc3339(now);
    status["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "Error", "startedAt": status["state"]["running"]["startedAt"], "finishedAt": ts, "containerID": status["containerID"]}});
    status["state"] = json!({"running": {"startedAt": ts}});
    status["restartCount"] = json!(restarts);
    status["containerID"] = json!(container_id(pod, name, restarts));
    let next = now
        .checked_add(SignedDuration::from_secs(
            delay.saturating_add(period.saturating_mul((threshold - 1).max(0))),
        ))
        .unwrap_or(now);
    sim.wake_at(
        next.max(now.checked_add(SignedDuration::from_secs(1)).unwrap_or(now)),
        Ctl::Kubelet,
        key.clone(),
    );
}

/// What the kubelet records when it starts a container afresh (an app or an init container):
/// the pull (or the cached image), then Created and Started.
pub(super) fn start_events(
    sim: &mut Sim,
    pod: &Value,
    c: &Value,
    entry: &images::ImageEntry,
    r: &ImageRef,
) {
    let name = c["name"].as_str().unwrap_or("");
    let image = c["image"].as_str().unwrap_or("");
    let policy = c["imagePullPolicy"]
        .as_str()
        .unwrap_or(if r.tag == "latest" {
            "Always"
        } else {
            "IfNotPresent"
        });
    if entry.preloaded && policy != "Always" {
        record_container(
            sim,
            pod,
            c,
            EventKind::Normal,
            "Pulled",
            &format!("Container image \"{image}\" already present on machine"),
            KUBELET,
        );
    } else {
        record_container(
            sim,
            pod,
            c,
            EventKind::Normal,
            "Pulling",
            &format!("Pulling image \"{image}\""),
            KUBELET,
        );
        // A stable, plausible pull duration per image (`image_manager.go` prints Go
        // durations truncated to the millisecond; "including waiting" is a little longer).
        let ms = 400 + entry.size / 20_000 % 3000;
        record_container(
            sim,
            pod,
            c,
            EventKind::Normal,
            "Pulled",
            &format!(
                "Successfully pulled image \"{image}\" in {} ({} including waiting). Image size: {} bytes.",
                go_millis(ms),
                go_millis(ms + 17),
                entry.size
            ),
            KUBELET,
        );
    }
    record_container(
        sim,
        pod,
        c,
        EventKind::Normal,
        "Created",
        &format!("Created container: {name}"),
        KUBELET,
    );
    record_container(
        sim,
        pod,
        c,
        EventKind::Normal,
        "Started",
        &format!("Started container {name}"),
        KUBELET,
    );
}
