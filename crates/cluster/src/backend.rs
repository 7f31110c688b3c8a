//! The client and the object verbs drills need: apply (create, or patch what exists as
//! `kubectl apply` would), patch, delete, scale, get, and a snapshot of every object.
//!
//! Objects are `serde_json::Value`s with `apiVersion` and `kind`: packs are data, and the
//! grader reads JSON paths, so typed structs would only be converted back.

use futures::future::try_join_all;
use jiff::SignedDuration;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, LogParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::ApiResource;
use kube::{Client, Config};
use kubedrill_apiserver::Cluster as ServedCluster;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

use crate::ClusterError;
use crate::kinds;
use crate::time::TimeControl;

/// The `User-Agent` of every request the backend sends: the API server's audit log tells the
/// learner's kubectl from the trainer's own seeding and probing by it.
pub const USER_AGENT: &str = "kubedrill/0.1 (drill backend)";

/// How far an in-process settle may move the clock in one go: enough for image pulls,
/// readiness probes and graceful deletions, not for a CrashLoopBackOff's later restarts.
const SETTLE_HORIZON: SignedDuration = SignedDuration::from_secs(120);

/// The patch types a step may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Strategic,
    Json,
}

enum Transport {
    /// The simulated cluster in this process; the clock it runs on may be moved forward.
    InProcess {
        cluster: Arc<ServedCluster>,
        time: Arc<dyn TimeControl>,
    },
    /// Anything reached through a kubeconfig, by this context.
    Remote { context: String },
}

/// A cluster to drill on.
pub struct Backend {
    client: Client,
    transport: Transport,
    /// On a real cluster: the attempt id everything created is labelled with.
    attempt: Option<String>,
    /// The whole cluster is kubedrill's (one `kubedrill serve` runs): no ownership rules.
    whole_cluster: bool,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field(
                "transport",
                &match self.transport {
                    Transport::InProcess { .. } => "in-process",
                    Transport::Remote { .. } => "kubeconfig",
                },
            )
            .finish()
    }
}

impl Backend {
    /// The simulated cluster served by `cluster`, through its router with no socket. `time`
    /// must be the clock the cluster's `Sim` runs on.
    pub fn in_process(cluster: Arc<ServedCluster>, time: Arc<dyn TimeControl>) -> Backend {
        let auth = cluster
            .token()
            .and_then(|t| http::HeaderValue::from_str(&format!("Bearer {t}")).ok());
        let service = tower::ServiceBuilder::new()
            .map_request(move |mut r: http::Request<kube::client::Body>| {
                let h = r.headers_mut();
                h.insert(
                    http::header::USER_AGENT,
                    http::HeaderValue::from_static(USER_AGENT),
                );
                if let Some(a) = &auth {
                    h.insert(http::header::AUTHORIZATION, a.clone());
                }
                r
            })
            .service(kubedrill_apiserver::router(cluster.clone()));
        Backend {
            client: Client::new(service, "default"),
            transport: Transport::InProcess { cluster, time },
            attempt: None,
            whole_cluster: true,
        }
    }

    /// A new simulated cluster named `name`, on a clock that runs with the wall clock and
    /// that settling may move ahead; served in process only (give the `Sim` to
    /// `kubedrill_apiserver::Server::add` instead to serve it over TLS as well).
    pub fn simulated(
        name: &str,
        config: kubedrill_sim::ClusterConfig,
    ) -> Result<(Backend, Arc<ServedCluster>), ClusterError> {
        let clock = Arc::new(kubedrill_apiserver::OffsetClock::new());
        let sim = kubedrill_sim::Sim::new(config, clock.clone())
            .map_err(|e| ClusterError::Invalid(e.to_string()))?;
        let cluster = ServedCluster::new(name, sim);
        Ok((Backend::in_process(cluster.clone(), clock), cluster))
    }

    /// The cluster of `context` (default: the current one) in the kubeconfig at `path`
    /// (default: `$KUBECONFIG` or `~/.kube/config`).
    pub async fn from_kubeconfig(
        path: Option<&Path>,
        context: Option<&str>,
    ) -> Result<Backend, ClusterError> {
        let kc = match path {
            // kube's error names the file.
            Some(p) => {
                Kubeconfig::read_from(p).map_err(|e| ClusterError::Kubeconfig(e.to_string()))?
            }
            None => Kubeconfig::read().map_err(|e| ClusterError::Kubeconfig(e.to_string()))?,
        };
        let context_name = match context {
            Some(c) => c.to_string(),
            None => kc.current_context.clone().ok_or_else(|| {
                ClusterError::Kubeconfig("no current context; pass --context".into())
            })?,
        };
        let opts = KubeConfigOptions {
            context: Some(context_name.clone()),
            ..KubeConfigOptions::default()
        };
        let mut config = Config::from_custom_kubeconfig(kc, &opts)
            .await
            .map_err(|e| ClusterError::Kubeconfig(e.to_string()))?;
        config.headers.push((
            http::header::USER_AGENT,
            http::HeaderValue::from_static(USER_AGENT),
        ));
        let client =
            Client::try_from(config).map_err(|e| ClusterError::Kubeconfig(e.to_string()))?;
        Ok(Backend {
            client,
            transport: Transport::Remote {
                context: context_name,
            },
            attempt: None,
            whole_cluster: false,
        })
    }

    /// Label what this backend creates on a real cluster with `attempt` (and kubedrill's
    /// managed-by label); without one, a real cluster gets the managed-by label alone.
    pub fn with_attempt(mut self, attempt: impl Into<String>) -> Backend {
        self.attempt = Some(attempt.into());
        self
    }

    /// The kubeconfig context of a real cluster; `None` in process.
    pub fn context(&self) -> Option<&str> {
        match &self.transport {
            Transport::Remote { context } => Some(context),
            Transport::InProcess { .. } => None,
        }
    }

    /// Declare the cluster kubedrill's own (a simulated cluster `kubedrill serve` runs, reached
    /// over its kubeconfig): objects are changed without the ownership rules, and nothing is
    /// labelled, as in process.
    pub fn whole_cluster(mut self) -> Backend {
        self.whole_cluster = true;
        self
    }

    /// Whether kubedrill owns every object of this cluster.
    pub fn owns_whole_cluster(&self) -> bool {
        self.whole_cluster
    }

    /// Whether the cluster is the in-process simulated one.
    pub fn is_in_process(&self) -> bool {
        matches!(self.transport, Transport::InProcess { .. })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn api(&self, ar: &ApiResource, namespaced: bool, ns: Option<&str>) -> Api<DynamicObject> {
        match (namespaced, ns) {
            (true, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, ar),
            (true, None) => Api::namespaced_with(self.client.clone(), "default", ar),
            (false, _) => Api::all_with(self.client.clone(), ar),
        }
    }

    /// Create `obj`, or, when it exists, patch it with itself as a strategic merge patch (what
    /// `kubectl apply` sends for an object it did not create). Returns the stored object.
    pub async fn apply(&self, obj: &Value) -> Result<Value, ClusterError> {
        let api_version = obj["apiVersion"].as_str().unwrap_or_default();
        let kind = obj["kind"].as_str().unwrap_or_default();
        let (ar, namespaced) = kinds::resource(api_version, kind)?;
        let name = obj["metadata"]["name"]
            .as_str()
            .ok_or_else(|| ClusterError::Invalid(format!("{kind} without metadata.name")))?;
        let ns = obj["metadata"]["namespace"].as_str();
        let api = self.api(&ar, namespaced, ns);
        let mut obj = obj.clone();
        if !self.whole_cluster {
            crate::safety::mark(&mut obj, self.attempt.as_deref().unwrap_or("manual"));
        }
        let dynamic: DynamicObject = serde_json::from_value(obj.clone())
            .map_err(|e| ClusterError::Invalid(format!("{kind} {name}: {e}")))?;
        let stored = match api.create(&Default::default(), &dynamic).await {
            Err(kube::Error::Api(s)) if s.code == 409 => {
                let ns = if namespaced {
                    Some(ns.unwrap_or("default"))
                } else {
                    None
                };
                self.guard_change(kind, ns, name).await?;
                api.patch(name, &PatchParams::default(), &Patch::Strategic(&obj))
                    .await?
            }
            other => other?,
        };
        Ok(to_value(stored, &ar))
    }

    /// Patch one object.
    pub async fn patch(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        patch_kind: PatchKind,
        patch: &Value,
    ) -> Result<Value, ClusterError> {
        let (ar, namespaced) = kinds::by_name(kind)?;
        self.guard_change(kind, namespace, name).await?;
        let api = self.api(&ar, namespaced, namespace);
        let pp = PatchParams::default();
        let stored = match patch_kind {
            PatchKind::Merge => api.patch(name, &pp, &Patch::Merge(patch)).await?,
            PatchKind::Strategic => api.patch(name, &pp, &Patch::Strategic(patch)).await?,
            PatchKind::Json => {
                // kube's typed JSON patch needs its `jsonpatch` feature; the raw body is the same.
                let req = http::Request::patch(json_patch_url(&ar, namespaced, namespace, name))
                    .header(http::header::CONTENT_TYPE, "application/json-patch+json")
                    .body(
                        serde_json::to_vec(patch)
                            .map_err(|e| ClusterError::Invalid(e.to_string()))?,
                    )
                    .map_err(|e| ClusterError::Invalid(e.to_string()))?;
                self.client.request::<DynamicObject>(req).await?
            }
        };
        Ok(to_value(stored, &ar))
    }

    /// Delete one object (the default grace period, as `kubectl delete` without flags).
    pub async fn delete(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<(), ClusterError> {
        let (ar, namespaced) = kinds::by_name(kind)?;
        self.guard_change(kind, namespace, name).await?;
        self.api(&ar, namespaced, namespace)
            .delete(name, &DeleteParams::default())
            .await?;
        Ok(())
    }

    /// Set `spec.replicas`.
    pub async fn scale(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        replicas: u32,
    ) -> Result<(), ClusterError> {
        let patch = serde_json::json!({"spec": {"replicas": replicas}});
        self.patch(kind, namespace, name, PatchKind::Merge, &patch)
            .await
            .map(drop)
    }

    /// One object, or `None` when it does not exist.
    pub async fn get(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>, ClusterError> {
        let (ar, namespaced) = kinds::by_name(kind)?;
        match self.api(&ar, namespaced, namespace).get_opt(name).await? {
            Some(o) => Ok(Some(to_value(o, &ar))),
            None => Ok(None),
        }
    }

    /// Every object of one kind (`Node`, `Service`, …), across namespaces.
    pub async fn objects_of(&self, kind: &str) -> Result<Vec<Value>, ClusterError> {
        let (ar, _) = kinds::by_name(kind)?;
        let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &ar);
        let list = api.list(&ListParams::default()).await?;
        Ok(list.items.into_iter().map(|o| to_value(o, &ar)).collect())
    }

    /// Every object of every kind a check may read, across namespaces.
    pub async fn objects(&self) -> Result<Vec<Value>, ClusterError> {
        let lists = kinds::snapshot_kinds().map(|(ar, _)| {
            let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &ar);
            async move {
                let list = api.list(&ListParams::default()).await?;
                Ok::<_, ClusterError>(
                    list.items
                        .into_iter()
                        .map(|o| to_value(o, &ar))
                        .collect::<Vec<_>>(),
                )
            }
        });
        Ok(try_join_all(lists).await?.into_iter().flatten().collect())
    }

    /// A container's log (`kubectl logs`).
    pub async fn logs(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
    ) -> Result<String, ClusterError> {
        let api: Api<k8s_openapi::api::core::v1::Pod> =
            Api::namespaced(self.client.clone(), namespace);
        let lp = LogParams {
            container: container.map(str::to_string),
            ..LogParams::default()
        };
        Ok(api.logs(pod, &lp).await?)
    }

    /// Let the cluster catch up with what was just written: in process, pending work due
    /// within a couple of minutes (image pulls, probes, graceful deletions) happens now; a
    /// real cluster reconciles by itself, so this returns at once.
    pub fn settle(&self) {
        let Transport::InProcess { cluster, time } = &self.transport else {
            return;
        };
        let start = cluster.read(kubedrill_sim::Sim::now);
        for _ in 0..200 {
            if !step(cluster, time.as_ref(), start, SETTLE_HORIZON) {
                break;
            }
        }
    }

    /// In process: let the next pending piece of work happen (moving the clock to it), `false`
    /// when there is none within `horizon` of `since`. Remote: `false`.
    pub(crate) fn step(&self, since: jiff::Timestamp, horizon: SignedDuration) -> bool {
        match &self.transport {
            Transport::InProcess { cluster, time } => step(cluster, time.as_ref(), since, horizon),
            Transport::Remote { .. } => false,
        }
    }

    /// In process: the network model's trace of the first request a client pod's command
    /// made, one hop per line. A real cluster cannot say.
    pub(crate) fn client_trace(&self, namespace: &str, pod: &str) -> Option<String> {
        let Transport::InProcess { cluster, .. } = &self.transport else {
            return None;
        };
        let traces = cluster.read(|sim| sim.client_traces(namespace, pod))?;
        let first = traces.first()?;
        let lines: Vec<String> = first.lines().iter().map(|l| format!("  - {l}")).collect();
        Some(lines.join("\n"))
    }

    pub(crate) fn now(&self) -> Option<jiff::Timestamp> {
        match &self.transport {
            Transport::InProcess { cluster, .. } => Some(cluster.read(kubedrill_sim::Sim::now)),
            Transport::Remote { .. } => None,
        }
    }
}

fn step(
    cluster: &ServedCluster,
    time: &dyn TimeControl,
    since: jiff::Timestamp,
    horizon: SignedDuration,
) -> bool {
    cluster.write(|sim| {
        let Some(at) = sim.next_wakeup() else {
            return false;
        };
        if at.duration_since(since) > horizon {
            return false;
        }
        time.advance_to(at);
        // A failed tick leaves the cluster as it was; the caller's wait notices nothing moved.
        sim.tick().is_ok()
    })
}

fn json_patch_url(ar: &ApiResource, namespaced: bool, ns: Option<&str>, name: &str) -> String {
    let base = if ar.group.is_empty() {
        format!("/api/{}", ar.version)
    } else {
        format!("/apis/{}/{}", ar.group, ar.version)
    };
    match (namespaced, ns) {
        (true, ns) => format!(
            "{base}/namespaces/{}/{}/{name}",
            ns.unwrap_or("default"),
            ar.plural
        ),
        (false, _) => format!("{base}/{}/{name}", ar.plural),
    }
}

/// A dynamic object as JSON, with the type a list's items may leave out.
fn to_value(o: DynamicObject, ar: &ApiResource) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
    if let Some(m) = v.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(ar.api_version.clone()));
        m.insert("kind".into(), Value::String(ar.kind.clone()));
    }
    v
}
