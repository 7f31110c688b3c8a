//! Processes that live on their stdin: a shell with `stdin: true` and no script
//! (`kubectl run -it … -- sh`, busybox's default `sh`) waits for input instead of ending, and
//! ends when an attached client makes it (`exit 3`, or the end of a `stdinOnce` stdin) — the
//! API server reports that through [`Sim::end_container`].

use serde_json::{Value, json};

use super::KUBELET;
use super::containers::{Computed, container_id};
use crate::clock::rfc3339;
use crate::controllers::events::{EventKind, record};

use crate::error::ApiError;
use crate::images::ImageEntry;
use crate::kinds::Kind;
use crate::meta;
use crate::sim::Sim;
use crate::store::ObjKey;

fn basename(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

/// Whether container `c` runs a shell that reads its stdin and `stdin: true` keeps it open.
pub(super) fn holds_stdin(c: &Value, entry: &ImageEntry) -> bool {
    if c["stdin"].as_bool() != Some(true) || !entry.tools.iter().any(|t| t == "sh") {
        return false;
    }
    let argv: Vec<&str> = ["command", "args"]
        .iter()
        .flat_map(|f| c[*f].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    match argv.split_first() {
        // The image's default command: busybox and alpine run `sh`.
        None => true,
        Some((cmd, rest)) => {
            matches!(basename(cmd), "sh" | "ash" | "bash" | "dash")
                && rest
                    .iter()
                    .all(|a| matches!(*a, "-i" | "-l" | "--login" | "-s"))
        }
    }
}

/// The exit code a process of `pod`'s container `name` ended with from outside, if it did.
pub(super) fn ended(sim: &Sim, pod: &Value, name: &str) -> Option<i64> {
    sim.ended
        .get(&(meta::uid(pod).to_string(), name.to_string()))
        .copied()
}

/// The shell ended under a policy that restarts it: the kubelet starts a new one at once,
/// which waits on its stdin like the first (no back-off: it does not crash again).
/// `status` is the running status computed for the old process.
pub(super) fn restart(
    sim: &mut Sim,
    pod: &Value,
    mut status: Value,
    code: i64,
    started_at: &str,
    restarts: i64,
) -> Computed {
    let name = status["name"].as_str().unwrap_or_default().to_string();
    sim.ended
        .remove(&(meta::uid(pod).to_string(), name.clone()));
    let now = rfc3339(sim.now());
    let count = restarts + 1;
    let reason = if code == 0 { "Completed" } else { "Error" };
    status["lastState"] = json!({"terminated": {
        "exitCode": code, "reason": reason, "startedAt": started_at, "finishedAt": now,
        "containerID": status["containerID"],
    }});
    status["restartCount"] = json!(count);
    status["containerID"] = json!(container_id(pod, &name, count));
    status["state"] = json!({"running": {"startedAt": now}});
    for (reason, message) in [
        ("Created", format!("Created container: {name}")),
        ("Started", format!("Started container {name}")),
    ] {
        record(sim, pod, EventKind::Normal, reason, &message, KUBELET);
    }
    Computed {
        status,
        ready: false,
        running: true,
        terminated: None,
        waiting: false,
        listeners: Vec::new(),
    }
}

impl Sim {
    /// The main process of a running container ended with `code` (an attached shell exited):
    /// the kubelet terminates the container, and the pod's phase follows its restart policy.
    pub fn end_container(
        &mut self,
        namespace: &str,
        pod: &str,
        container: &str,
        code: i64,
    ) -> Result<(), ApiError> {
        let obj = self.get(Kind::Pod, namespace, pod)?;
        self.ended
            .insert((meta::uid(&obj).to_string(), container.to_string()), code);
        self.queues.push(
            crate::controllers::Ctl::Kubelet,
            ObjKey::new(Kind::Pod, namespace, pod),
        );
        self.settle()
    }
}
