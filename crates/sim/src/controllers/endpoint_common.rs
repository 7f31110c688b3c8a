//! What the Endpoints and EndpointSlice controllers share: the view of a Service they reconcile,
//! which pods back it (`ShouldPodBeInEndpoints`), how a service port resolves on a pod
//! (`podutil.FindPort`), and which Services a write must queue. Both controllers read the same
//! rules from upstream (`staging/src/k8s.io/endpointslice/util/controller_utils.go`,
//! `pkg/api/v1/pod/util.go`), so they live here once. Reads the store only; writes nothing.

use serde_json::{Map, Value};
use std::sync::Arc;

use crate::kinds::Kind;
use crate::meta;
use crate::selector::LabelSelector;
use crate::store::{Change, ObjKey, Store};

use super::{Ctl, Queues};

/// The label every controller-made EndpointSlice names its Service with.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// `v1.IsHeadlessService`: set on Endpoints and slices of a Service without a cluster IP.
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

/// A Service port as the controllers read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvcPort {
    pub name: String,
    pub protocol: String,
    pub target: Target,
    pub app_protocol: Option<String>,
}

/// `spec.ports[].targetPort`: an `intstr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Number(i64),
    Name(String),
}

/// One Service, as both endpoint controllers reconcile it.
#[derive(Debug, Clone)]
pub struct SvcView {
    pub obj: Arc<Value>,
    pub namespace: String,
    pub name: String,
    /// `None` for a Service the controllers leave alone: no selector (the user manages its
    /// endpoints) or type ExternalName (upstream returns early, issues.k8s.io/105986).
    pub selector: Option<LabelSelector>,
    pub ports: Vec<SvcPort>,
    /// `clusterIP: None` (`helper.IsServiceIPSet` is false).
    pub headless: bool,
    pub publish_not_ready: bool,
}

impl SvcView {
    pub fn of(obj: Arc<Value>) -> SvcView {
        let null = Value::Null;
        let spec = obj.get("spec").unwrap_or(&null);
        let external_name = meta::str_at(spec, &["type"]) == "ExternalName";
        let selector = selector_of(spec).filter(|_| !external_name);
        let ports = spec
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(svc_port)
            .collect();
        SvcView {
            namespace: meta::namespace(&obj).to_string(),
            name: meta::name(&obj).to_string(),
            selector,
            ports,
            headless: meta::str_at(spec, &["clusterIP"]) == "None",
            publish_not_ready: spec
                .get("publishNotReadyAddresses")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            obj,
        }
    }

    /// The Service's labels (copied onto its Endpoints and slices).
    pub fn labels(&self) -> Map<String, Value> {
        meta::labels(&self.obj).cloned().unwrap_or_default()
    }

    /// The pods of the Service's namespace its selector matches, sorted by name.
    pub fn matching_pods<'a>(&self, store: &'a Store) -> Vec<&'a Arc<Value>> {
        let Some(sel) = &self.selector else {
            return Vec::new();
        };
        store
            .list(Kind::Pod, Some(&self.namespace))
            .filter(|p| sel.matches_object(p))
            .collect()
    }
}

/// `spec.selector` as a selector, or `None` when it selects nothing managed. An empty map counts
/// as no selector: the API server stores `{}` as nil (protobuf drops empty maps), and upstream
/// tests `Spec.Selector == nil`.
fn selector_of(spec: &Value) -> Option<LabelSelector> {
    let m = spec.get("selector")?.as_object()?;
    (!m.is_empty()).then(|| LabelSelector::from_map(m))
}

fn svc_port(p: &Value) -> SvcPort {
    let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
    // Admission defaults protocol to TCP and targetPort to port; read defensively anyway.
    let target = match p.get("targetPort") {
        Some(Value::Number(n)) => match n.as_i64() {
            Some(0) | None => Target::Number(port),
            Some(n) => Target::Number(n),
        },
        Some(Value::String(s)) if !s.is_empty() => Target::Name(s.clone()),
        _ => Target::Number(port),
    };
    SvcPort {
        name: meta::str_at(p, &["name"]).to_string(),
        protocol: match meta::str_at(p, &["protocol"]) {
            "" => "TCP".to_string(),
            s => s.to_string(),
        },
        target,
        app_protocol: p
            .get("appProtocol")
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

/// `podutil.IsPodReady`: the `Ready` condition is `True`.
pub fn is_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| {
            c.get("type") == Some(&Value::from("Ready"))
                && c.get("status") == Some(&Value::from("True"))
        })
}

/// The pod's IPv4 address: the first IPv4 entry of `status.podIPs`, else `status.podIP`
/// (`getEndpointAddresses` for address type IPv4; the Service CIDR is IPv4-only here).
pub fn pod_ipv4(pod: &Value) -> Option<String> {
    let from_list = pod
        .pointer("/status/podIPs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("ip").and_then(Value::as_str))
        .find(|ip| ip.parse::<std::net::Ipv4Addr>().is_ok());
    let ip = from_list.or_else(|| {
        Some(meta::str_at(pod, &["status", "podIP"]))
            .filter(|ip| ip.parse::<std::net::Ipv4Addr>().is_ok())
    })?;
    Some(ip.to_string())
}

/// `endpointsliceutil.ShouldPodBeInEndpoints`: not terminal (Succeeded/Failed), has an IP, and
/// not terminating unless `include_terminating`.
pub fn should_be_in_endpoints(pod: &Value, include_terminating: bool) -> bool {
    if matches!(
        meta::str_at(pod, &["status", "phase"]),
        "Succeeded" | "Failed"
    ) {
        return false;
    }
    let has_ip = !meta::str_at(pod, &["status", "podIP"]).is_empty()
        || pod
            .pointer("/status/podIPs")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
    if !has_ip {
        return false;
    }
    include_terminating || !meta::is_terminating(pod)
}

/// `podutil.FindPort`: an int targetPort verbatim (nothing checks the container declares it);
/// a named one is the first container port with that name AND the service port's protocol,
/// containers in order, then restartable init (sidecar) containers.
pub fn find_port(pod: &Value, sp: &SvcPort) -> Option<i64> {
    let name = match &sp.target {
        Target::Number(n) => return Some(*n),
        Target::Name(n) => n,
    };
    let spec = pod.get("spec")?;
    let containers = spec
        .get("containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let sidecars = spec
        .get("initContainers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| meta::str_at(c, &["restartPolicy"]) == "Always");
    containers
        .chain(sidecars)
        .flat_map(|c| {
            c.get("ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .find(|p| {
            let proto = match meta::str_at(p, &["protocol"]) {
                "" => "TCP",
                s => s,
            };
            meta::str_at(p, &["name"]) == name && proto == sp.protocol
        })
        .and_then(|p| p.get("containerPort").and_then(Value::as_i64))
}

/// `endpointsliceutil.ShouldSetHostname`: the pod names a hostname and its subdomain is this
/// Service (same namespace).
pub fn hostname_for(pod: &Value, svc: &SvcView) -> Option<String> {
    let hostname = meta::str_at(pod, &["spec", "hostname"]);
    (!hostname.is_empty()
        && meta::str_at(pod, &["spec", "subdomain"]) == svc.name
        && meta::namespace(pod) == svc.namespace)
        .then(|| hostname.to_string())
}

/// `{kind: Pod, namespace, name, uid}`: the targetRef of an endpoint.
pub fn target_ref(pod: &Value) -> Value {
    // Sized up front: built for every endpoint of every sync, and growing small maps
    // one key at a time showed up as the top allocation cost at scale.
    let mut m = Map::with_capacity(4);
    m.insert("kind".into(), Value::from("Pod"));
    m.insert("namespace".into(), Value::from(meta::namespace(pod)));
    m.insert("name".into(), Value::from(meta::name(pod)));
    m.insert("uid".into(), Value::from(meta::uid(pod)));
    Value::Object(m)
}

/// Whether anything an endpoint is computed from differs between two versions of a pod; a
/// change outside these (another annotation, a container restart count) cannot change any
/// endpoint, so it queues nothing (upstream `podEndpointsChanged` + the label comparison in
/// `getPodServiceMemberships`). Compares in place: this runs on every pod write.
fn endpoint_inputs_changed(old: &Value, new: &Value) -> bool {
    const PATHS: [&str; 11] = [
        "/metadata/labels",
        "/metadata/deletionTimestamp",
        "/metadata/uid",
        "/status/podIP",
        "/status/podIPs",
        "/status/phase",
        "/spec/hostname",
        "/spec/subdomain",
        "/spec/nodeName",
        "/spec/containers",
        "/spec/initContainers",
    ];
    PATHS.iter().any(|p| old.pointer(p) != new.pointer(p)) || is_ready(old) != is_ready(new)
}

/// Queue, for each of `ctls`, the Services a pod write can affect: those in the pod's namespace whose
/// selector matches the pod's old or new labels — only if something an endpoint is made of
/// changed.
pub fn queue_for_pod(store: &Store, change: &Change, ctls: &[Ctl], q: &mut Queues) {
    if let (Some(old), Some(new)) = (&change.old, &change.new)
        && !endpoint_inputs_changed(old, new)
    {
        return;
    }
    let old_labels = change.old.as_deref().map(meta::labels);
    let new_labels = change.new.as_deref().map(meta::labels);
    for svc in store.list(Kind::Service, Some(&change.key.namespace)) {
        let Some(spec) = svc.get("spec") else {
            continue;
        };
        if meta::str_at(spec, &["type"]) == "ExternalName" {
            continue;
        }
        let Some(sel) = spec
            .get("selector")
            .and_then(Value::as_object)
            .filter(|m| !m.is_empty())
        else {
            continue;
        };
        // Equality on every key, read in place: this runs for every Service on every pod write.
        let hit = |l: Option<Option<&Map<String, Value>>>| {
            l.is_some_and(|l| sel.iter().all(|(k, v)| l.and_then(|l| l.get(k)) == Some(v)))
        };
        if hit(old_labels) || hit(new_labels) {
            for &ctl in ctls {
                q.push(ctl, ObjKey::of(Kind::Service, svc));
            }
        }
    }
}

/// Queue, for `ctl`, the Service a write to it names.
pub fn queue_service(change: &Change, ctl: Ctl, q: &mut Queues) {
    q.push(
        ctl,
        ObjKey::new(Kind::Service, &change.key.namespace, &change.key.name),
    );
}

/// The API errors a controller meets in normal operation (a namespace going away, a racing
/// delete) are not failures of the cluster; anything else is a broken invariant.
pub fn tolerate<T>(r: Result<T, crate::error::ApiError>) -> Result<(), crate::error::ApiError> {
    use crate::error::ApiError;
    match r {
        Ok(_)
        | Err(ApiError::NotFound { .. })
        | Err(ApiError::NamespaceNotFound(_))
        | Err(ApiError::NamespaceTerminating { .. })
        | Err(ApiError::AlreadyExists { .. })
        | Err(ApiError::Conflict { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}
