//! Safety on a real cluster: kubedrill creates, changes and deletes only what it created.
//! Everything it creates carries `app.kubernetes.io/managed-by: kubedrill` and the attempt's
//! `kubedrill.dev/attempt`; an object or namespace that exists without that label is refused,
//! never overwritten; `clean` removes exactly what carries it. Which contexts are safe to
//! use without asking is decided here too. The in-process simulated cluster is kubedrill's
//! own, so none of this applies to it.

use kube::api::{Api, DeleteParams, DynamicObject, ListParams};
use serde_json::{Value, json};
use std::time::Duration;

use crate::{Backend, ClusterError, kinds};

pub const MANAGED_BY_KEY: &str = "app.kubernetes.io/managed-by";
pub const MANAGED_BY_VALUE: &str = "kubedrill";
pub const ATTEMPT_LABEL: &str = "kubedrill.dev/attempt";

/// How long to wait for a namespace of an earlier attempt to finish terminating.
const NAMESPACE_GONE_TIMEOUT: Duration = Duration::from_secs(120);

/// Contexts of clusters that run on the learner's own machine (kind, minikube, k3d, Docker
/// Desktop, Rancher Desktop, OrbStack) and kubedrill's own: usable without asking.
pub fn is_local_context(name: &str) -> bool {
    ["kind-", "k3d-"].iter().any(|p| name.starts_with(p))
        || [
            "minikube",
            "docker-desktop",
            "docker-for-desktop",
            "rancher-desktop",
            "orbstack",
            "kubedrill",
        ]
        .contains(&name)
}

/// Whether kubedrill created `obj`.
pub fn is_managed(obj: &Value) -> bool {
    obj["metadata"]["labels"][MANAGED_BY_KEY] == MANAGED_BY_VALUE
}

/// Label `obj` as created by kubedrill for `attempt`.
pub fn mark(obj: &mut Value, attempt: &str) {
    if !obj["metadata"]["labels"].is_object() {
        obj["metadata"]["labels"] = json!({});
    }
    obj["metadata"]["labels"][MANAGED_BY_KEY] = json!(MANAGED_BY_VALUE);
    obj["metadata"]["labels"][ATTEMPT_LABEL] = json!(attempt);
}

fn refuse(what: &str) -> ClusterError {
    ClusterError::Refused(format!(
        "{what} exists and was not created by kubedrill; kubedrill only changes what it created (delete it yourself, or use another cluster)"
    ))
}

impl Backend {
    /// May kubedrill change `kind` `namespace/name` here? In process always; on a real
    /// cluster only objects it labelled, or objects in namespaces it labelled (what a
    /// Deployment it created made).
    pub(crate) async fn guard_change(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<(), ClusterError> {
        if self.owns_whole_cluster() {
            return Ok(());
        }
        if let Some(ns) = namespace
            && let Some(n) = self.get("Namespace", None, ns).await?
            && is_managed(&n)
        {
            return Ok(());
        }
        match self.get(kind, namespace, name).await? {
            Some(o) if !is_managed(&o) => Err(refuse(&label(kind, namespace, name))),
            _ => Ok(()),
        }
    }

    /// Before seeding `namespaces` on a real cluster: refuse any that exists without
    /// kubedrill's label; delete (and wait out) those an earlier attempt left.
    pub async fn prepare_namespaces(&self, namespaces: &[String]) -> Result<(), ClusterError> {
        if self.owns_whole_cluster() {
            return Ok(());
        }
        for ns in namespaces {
            let Some(existing) = self.get("Namespace", None, ns).await? else {
                continue;
            };
            if !is_managed(&existing) {
                return Err(refuse(&format!("namespace {ns}")));
            }
            let _ = self.delete("Namespace", None, ns).await;
            let deadline = tokio::time::Instant::now() + NAMESPACE_GONE_TIMEOUT;
            while self.get("Namespace", None, ns).await?.is_some() {
                if tokio::time::Instant::now() > deadline {
                    return Err(ClusterError::Invalid(format!(
                        "namespace {ns} of an earlier attempt is still terminating after {} s",
                        NAMESPACE_GONE_TIMEOUT.as_secs()
                    )));
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        Ok(())
    }

    /// Delete everything kubedrill created: its namespaces (with all they hold) and its
    /// labelled objects elsewhere. Returns what was deleted, as `kind namespace/name`.
    pub async fn clean(&self) -> Result<Vec<String>, ClusterError> {
        let selector = format!("{MANAGED_BY_KEY}={MANAGED_BY_VALUE}");
        let lp = ListParams::default().labels(&selector);
        let mut gone = Vec::new();
        for (ar, namespaced) in kinds::snapshot_kinds() {
            let api: Api<DynamicObject> = Api::all_with(self.client().clone(), &ar);
            for o in api.list(&lp).await?.items {
                let name = o.metadata.name.clone().unwrap_or_default();
                let ns = o.metadata.namespace.clone();
                let target: Api<DynamicObject> = match (&ns, namespaced) {
                    (Some(ns), true) => Api::namespaced_with(self.client().clone(), ns, &ar),
                    _ => Api::all_with(self.client().clone(), &ar),
                };
                match target.delete(&name, &DeleteParams::background()).await {
                    Ok(_) => gone.push(label(&ar.kind, ns.as_deref(), &name)),
                    Err(kube::Error::Api(s)) if s.code == 404 => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(gone)
    }
}

fn label(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_contexts_are_the_desktop_clusters_and_kubedrills_own() {
        for c in [
            "kind-kind",
            "kind-cka",
            "minikube",
            "k3d-dev",
            "docker-desktop",
            "rancher-desktop",
            "orbstack",
            "kubedrill",
        ] {
            assert!(is_local_context(c), "{c}");
        }
        for c in [
            "prod",
            "gke_project_zone_cluster",
            "arn:aws:eks:eu-west-1:1:cluster/x",
            "kindred",
            "minikube-prod",
        ] {
            assert!(!is_local_context(c), "{c}");
        }
    }

    #[test]
    fn marking_adds_the_labels_and_keeps_the_others() {
        let mut o = json!({"metadata": {"name": "x", "labels": {"app": "web"}}});
        assert!(!is_managed(&o));
        mark(&mut o, "a1");
        assert!(is_managed(&o));
        assert_eq!(o["metadata"]["labels"]["app"], "web");
        assert_eq!(o["metadata"]["labels"][ATTEMPT_LABEL], "a1");
        let mut bare = json!({"metadata": {"name": "y"}});
        mark(&mut bare, "a2");
        assert!(is_managed(&bare));
    }
}
