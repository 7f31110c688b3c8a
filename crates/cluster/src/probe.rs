//! Probe pods: short-lived pods whose one container runs a client command (curl, nc,
//! nslookup) from a chosen place — a pod with given labels in a namespace, or a node's own
//! network — so a check tests what a learner's pod would see, on a simulated or a real cluster
//! alike. The pod's log is the command's output (stderr and stdout, as the container runtime
//! interleaves them) and its container's exit code is the command's.

use jiff::SignedDuration;
use kube::api::{Api, DeleteParams, PostParams};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

use crate::{Backend, ClusterError};

/// Labels every probe pod carries, so they can be told apart and cleaned up.
pub const PROBE_LABEL: &str = "kubedrill.dev/probe";
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kubedrill");

/// How long a probe may take on a real cluster (image pull included) before it is abandoned.
pub const REMOTE_TIMEOUT: Duration = Duration::from_secs(90);
/// How far an in-process wait may move the clock: an image pull plus the command's timeout.
const IN_PROCESS_HORIZON: SignedDuration = SignedDuration::from_secs(300);

/// One probe to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbePod {
    pub namespace: String,
    /// Labels of the vantage point (NetworkPolicy selects the probe by them).
    pub labels: BTreeMap<String, String>,
    /// Run in this node's network namespace (a hostNetwork pod pinned to it).
    pub node: Option<String>,
    pub image: String,
    pub argv: Vec<String>,
}

/// What a probe printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProbeRun {
    pub exit_code: i32,
    /// The container's log.
    pub log: String,
    /// The pod that ran it (gone by the time this is returned).
    pub pod: String,
    /// On the simulated cluster: how the first request travelled, hop by hop.
    pub trace: Option<String>,
}

impl ProbePod {
    /// The Pod object: `restartPolicy: Never` so the container's exit is the pod's end,
    /// tolerating every taint so a control-plane node can be probed too.
    pub fn manifest(&self) -> Value {
        let mut labels: serde_json::Map<String, Value> = self
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        labels.insert(PROBE_LABEL.into(), Value::String("true".into()));
        labels.insert(MANAGED_BY.0.into(), Value::String(MANAGED_BY.1.into()));
        let mut spec = json!({
            "restartPolicy": "Never",
            "terminationGracePeriodSeconds": 0,
            "automountServiceAccountToken": false,
            "tolerations": [{"operator": "Exists"}],
            "containers": [{
                "name": "probe",
                "image": self.image,
                "command": self.argv,
            }],
        });
        if let Some(node) = &self.node {
            spec["nodeName"] = Value::String(node.clone());
            spec["hostNetwork"] = Value::Bool(true);
            // hostNetwork pods get the node's resolver unless told otherwise; a node probe
            // tests what the node sees.
            spec["dnsPolicy"] = Value::String("Default".into());
        }
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "generateName": "kubedrill-probe-",
                "namespace": self.namespace,
                "labels": labels,
            },
            "spec": spec,
        })
    }
}

fn finished(pod: &Value) -> Option<i32> {
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    if phase != "Succeeded" && phase != "Failed" {
        return None;
    }
    let code = pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"]
        .as_i64()
        .unwrap_or(if phase == "Succeeded" { 0 } else { 1 });
    Some(i32::try_from(code).unwrap_or(1))
}

impl Backend {
    /// Run every probe at once and wait for all of them; each pod is deleted afterwards.
    /// Results are in the order of `probes`.
    pub async fn run_probes(&self, probes: &[ProbePod]) -> Result<Vec<ProbeRun>, ClusterError> {
        let mut created = Vec::with_capacity(probes.len());
        for p in probes {
            let api = self.pods(&p.namespace);
            let obj: kube::api::DynamicObject = serde_json::from_value(p.manifest())
                .map_err(|e| ClusterError::Invalid(e.to_string()))?;
            let made = api.create(&PostParams::default(), &obj).await?;
            let name = made.metadata.name.clone().unwrap_or_default();
            created.push((p.namespace.clone(), name));
        }
        let result = self.wait_all(&created).await;
        // Clean up whatever happened; a probe left behind would confuse the learner.
        for (ns, name) in &created {
            let _ = self
                .pods(ns)
                .delete(name, &DeleteParams::default().grace_period(0))
                .await;
        }
        self.settle();
        result
    }

    async fn wait_all(&self, created: &[(String, String)]) -> Result<Vec<ProbeRun>, ClusterError> {
        let mut done: Vec<Option<ProbeRun>> = vec![None; created.len()];
        let since = self.now();
        let deadline = tokio::time::Instant::now() + REMOTE_TIMEOUT;
        loop {
            for (i, (ns, name)) in created.iter().enumerate() {
                if done[i].is_some() {
                    continue;
                }
                let Some(pod) = self.get("Pod", Some(ns), name).await? else {
                    return Err(ClusterError::Invalid(format!(
                        "probe pod {ns}/{name} disappeared before it finished"
                    )));
                };
                if let Some(exit_code) = finished(&pod) {
                    let log = self.logs(ns, name, Some("probe")).await?;
                    done[i] = Some(ProbeRun {
                        exit_code,
                        log,
                        pod: name.clone(),
                        trace: self.client_trace(ns, name),
                    });
                }
            }
            if done.iter().all(Option::is_some) {
                return Ok(done.into_iter().flatten().collect());
            }
            let moved = match since {
                Some(since) => self.step(since, IN_PROCESS_HORIZON),
                None => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    tokio::time::Instant::now() < deadline
                }
            };
            if !moved {
                let (ns, name) = created
                    .iter()
                    .zip(&done)
                    .find(|(_, d)| d.is_none())
                    .map(|(c, _)| c.clone())
                    .unwrap_or_default();
                return Err(ClusterError::ProbeTimeout {
                    namespace: ns,
                    name,
                    seconds: match since {
                        Some(_) => IN_PROCESS_HORIZON.as_secs().unsigned_abs(),
                        None => REMOTE_TIMEOUT.as_secs(),
                    },
                });
            }
        }
    }

    fn pods(&self, ns: &str) -> Api<kube::api::DynamicObject> {
        let ar = kube::discovery::ApiResource::erase::<k8s_openapi::api::core::v1::Pod>(&());
        Api::namespaced_with(self.client().clone(), ns, &ar)
    }
}
