//! Container logs: what each container printed (a client command's output, a server's access
//! log), kept per container instance so `kubectl logs --previous` shows the last terminated one.

use jiff::Timestamp;
use std::collections::HashMap;

use crate::error::ApiError;
use crate::kinds::Kind;
use crate::sim::Sim;

/// One line a container printed, with the time it printed it (`kubectl logs --timestamps`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub time: Timestamp,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
struct ContainerLog {
    current: Vec<LogLine>,
    previous: Option<Vec<LogLine>>,
}

/// Logs of every container, keyed by pod uid and container name (a recreated pod with the
/// same name starts empty, as on a real node).
#[derive(Debug, Clone, Default)]
pub struct Logs {
    by_container: HashMap<(String, String), ContainerLog>,
}

/// Lines kept per container instance; older ones are dropped first, as log rotation does.
const MAX_LINES: usize = 10_000;

impl Logs {
    pub fn append(&mut self, pod_uid: &str, container: &str, time: Timestamp, text: &str) {
        let log = self
            .by_container
            .entry((pod_uid.to_string(), container.to_string()))
            .or_default();
        for line in text.lines() {
            log.current.push(LogLine {
                time,
                text: line.to_string(),
            });
        }
        if log.current.len() > MAX_LINES {
            let excess = log.current.len() - MAX_LINES;
            log.current.drain(..excess);
        }
    }

    /// A container restarted: its current log becomes the previous one.
    pub fn rotate(&mut self, pod_uid: &str, container: &str) {
        let log = self
            .by_container
            .entry((pod_uid.to_string(), container.to_string()))
            .or_default();
        log.previous = Some(std::mem::take(&mut log.current));
    }

    /// The pod is gone: forget its containers.
    pub fn forget_pod(&mut self, pod_uid: &str) {
        self.by_container.retain(|(uid, _), _| uid != pod_uid);
    }

    pub fn lines(&self, pod_uid: &str, container: &str, previous: bool) -> Option<&[LogLine]> {
        let log = self
            .by_container
            .get(&(pod_uid.to_string(), container.to_string()))?;
        if previous {
            log.previous.as_deref()
        } else {
            Some(&log.current)
        }
    }
}

impl Sim {
    /// What a container printed. `container` may be omitted for a single-container pod, as
    /// `kubectl logs POD` does; the errors are the API server's.
    pub fn logs(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
    ) -> Result<Vec<LogLine>, ApiError> {
        let obj = self.get(Kind::Pod, namespace, pod)?;
        let uid = obj["metadata"]["uid"].as_str().unwrap_or_default();
        let names: Vec<&str> = obj["spec"]["containers"]
            .as_array()
            .map(|cs| cs.iter().filter_map(|c| c["name"].as_str()).collect())
            .unwrap_or_default();
        let container = match container {
            Some(c) => {
                if !names.contains(&c) {
                    return Err(ApiError::BadRequest(format!(
                        "container {c} is not valid for pod {pod}"
                    )));
                }
                c.to_string()
            }
            None if names.len() == 1 => names[0].to_string(),
            None => {
                return Err(ApiError::BadRequest(format!(
                    "a container name must be specified for pod {pod}, choose one of: [{}]",
                    names.join(" ")
                )));
            }
        };
        match self.logs.lines(uid, &container, previous) {
            Some(lines) => Ok(lines.to_vec()),
            None if previous => Err(ApiError::BadRequest(format!(
                "previous terminated container \"{container}\" in pod \"{pod}\" not found"
            ))),
            None => Ok(Vec::new()),
        }
    }

    /// Append what a container printed, stamped with the cluster's clock.
    pub fn append_log(&mut self, pod_uid: &str, container: &str, text: &str) {
        let now = self.clock.now();
        self.logs.append(pod_uid, container, now, text);
    }
}
