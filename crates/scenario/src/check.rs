//! Checks: what a fix must achieve (SCENARIOS.md "Grader check kinds"). A check names one
//! kind by its key (`endpoints:`, `http:`, …) so packs read like the catalogue and unknown keys
//! stay errors.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::model::ObjectRef;

/// One check of a scenario.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub id: String,
    /// One line saying what must hold, templated; shown with the verdict.
    pub title: String,
    #[serde(default = "one")]
    pub weight: u32,
    #[serde(default)]
    pub endpoints: Option<EndpointsCheck>,
    #[serde(default)]
    pub http: Option<HttpCheck>,
    #[serde(default)]
    pub tcp: Option<SocketCheck>,
    #[serde(default)]
    pub udp: Option<SocketCheck>,
    #[serde(default)]
    pub dns: Option<DnsCheck>,
    #[serde(default)]
    pub nodeport: Option<NodePortCheck>,
    #[serde(default)]
    pub field: Option<FieldCheck>,
    #[serde(default)]
    pub invariant: Option<InvariantCheck>,
    #[serde(default)]
    pub exists: Option<ObjectRef>,
    #[serde(default)]
    pub absent: Option<ObjectRef>,
}

fn one() -> u32 {
    1
}

/// The kind of a check, borrowed from whichever key it set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CheckKind<'a> {
    Endpoints(&'a EndpointsCheck),
    Http(&'a HttpCheck),
    Tcp(&'a SocketCheck),
    Udp(&'a SocketCheck),
    Dns(&'a DnsCheck),
    NodePort(&'a NodePortCheck),
    Field(&'a FieldCheck),
    Invariant(&'a InvariantCheck),
    Exists(&'a ObjectRef),
    Absent(&'a ObjectRef),
}

impl Check {
    /// The one kind this check sets; `Err` names the problem (none or several).
    pub fn kind(&self) -> Result<CheckKind<'_>, String> {
        let mut kinds = Vec::new();
        if let Some(c) = &self.endpoints {
            kinds.push(CheckKind::Endpoints(c));
        }
        if let Some(c) = &self.http {
            kinds.push(CheckKind::Http(c));
        }
        if let Some(c) = &self.tcp {
            kinds.push(CheckKind::Tcp(c));
        }
        if let Some(c) = &self.udp {
            kinds.push(CheckKind::Udp(c));
        }
        if let Some(c) = &self.dns {
            kinds.push(CheckKind::Dns(c));
        }
        if let Some(c) = &self.nodeport {
            kinds.push(CheckKind::NodePort(c));
        }
        if let Some(c) = &self.field {
            kinds.push(CheckKind::Field(c));
        }
        if let Some(c) = &self.invariant {
            kinds.push(CheckKind::Invariant(c));
        }
        if let Some(c) = &self.exists {
            kinds.push(CheckKind::Exists(c));
        }
        if let Some(c) = &self.absent {
            kinds.push(CheckKind::Absent(c));
        }
        match kinds.len() {
            1 => Ok(kinds[0]),
            0 => Err(format!(
                "check {:?} sets no kind: add one of endpoints, http, tcp, udp, dns, nodeport, field, invariant, exists, absent",
                self.id
            )),
            _ => Err(format!("check {:?} sets more than one kind", self.id)),
        }
    }
}

/// The Service's EndpointSlices list exactly the ready pods of the intended workload on the
/// intended port (principle 2: prove *which* pods).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EndpointsCheck {
    pub namespace: String,
    pub service: String,
    /// The port number every ready endpoint must carry.
    pub port: u16,
    /// Exactly this many ready endpoints (default: every ready pod of `owner`).
    #[serde(default)]
    pub count: Option<usize>,
    /// `Deployment/web`, `StatefulSet/db`, `Pod/web-0`: every endpoint's targetRef must be a
    /// pod owned by it (through its ReplicaSet for a Deployment).
    #[serde(default)]
    pub owner: Option<String>,
    /// Several intended workloads (stable and canary Deployments behind one Service): every
    /// endpoint must be a pod of one of them; adds to `owner`.
    #[serde(default)]
    pub owners: Vec<String>,
}

impl EndpointsCheck {
    /// `owner` and `owners` together; empty when the check names no workload.
    pub fn all_owners(&self) -> Vec<&str> {
        self.owner
            .iter()
            .chain(&self.owners)
            .map(String::as_str)
            .collect()
    }
}

/// Where a probe runs.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Vantage {
    /// A probe pod in this namespace…
    #[serde(default)]
    pub namespace: Option<String>,
    /// …carrying these labels (so NetworkPolicies see the intended source).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// A node's host network instead of a pod.
    #[serde(default)]
    pub node: Option<String>,
}

/// What a request must end in. Set one of `status`, `refused`, `timeout`, `denied`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// HTTP status (the connection succeeded).
    #[serde(default)]
    pub status: Option<u16>,
    /// The response body must contain this (the scenario's nonce, for instance).
    #[serde(default)]
    pub body_contains: Option<String>,
    /// Connected (for tcp/udp).
    #[serde(default)]
    pub open: bool,
    /// Connection refused.
    #[serde(default)]
    pub refused: bool,
    /// No answer.
    #[serde(default)]
    pub timeout: bool,
    /// Refused or no answer: what must stay denied (principle 3).
    #[serde(default)]
    pub denied: bool,
    /// With `repeat`: every request got the same body, so one backend answered them all
    /// (session affinity). Backends must answer with something per pod (agnhost `/hostname`).
    #[serde(default)]
    pub same_body: bool,
}

/// An HTTP GET from a vantage point.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HttpCheck {
    #[serde(default)]
    pub from: Vantage,
    pub url: String,
    /// `Host` header, for Ingress checks.
    #[serde(default)]
    pub host: Option<String>,
    /// How many requests must all meet `expect` (intermittent faults show over several).
    #[serde(default = "one")]
    pub repeat: u32,
    pub expect: Expect,
}

/// A TCP or UDP connect from a vantage point.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SocketCheck {
    #[serde(default)]
    pub from: Vantage,
    pub host: String,
    pub port: u16,
    pub expect: Expect,
}

/// A name lookup from a pod.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DnsCheck {
    #[serde(default)]
    pub from: Vantage,
    pub name: String,
    /// The answer must include the ClusterIP of this Service (`namespace/name`)…
    #[serde(default)]
    pub service_ip: Option<String>,
    /// …or this address…
    #[serde(default)]
    pub address: Option<String>,
    /// …or the name must not exist.
    #[serde(default)]
    pub nxdomain: bool,
}

/// A NodePort answering on every node's InternalIP (principle 6: including nodes without a
/// local pod).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NodePortCheck {
    pub namespace: String,
    pub service: String,
    /// The nodePort that must answer (the task usually names it). Absent: whatever nodePort
    /// the cluster allocated to the Service's port `port` (construction tasks that leave the
    /// number to the API server).
    #[serde(default)]
    pub node_port: Option<u16>,
    /// With no `node_port`: the Service port whose allocated nodePort is probed (default: the
    /// first port).
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "root_path")]
    pub path: String,
    pub expect: Expect,
}

fn root_path() -> String {
    "/".to_string()
}

/// A field of an object has a value (spec checks pair with behaviour checks, principle 1).
/// Set exactly one of `equals`, `one_of`, `present`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldCheck {
    pub object: ObjectRef,
    /// Dotted path: `spec.type`, `spec.ports.0.nodePort`, `metadata.labels.app`; a dot inside
    /// a key is escaped as in kubectl's JSONPath: `metadata.labels.kubernetes\.io/service-name`.
    pub path: String,
    /// The value (`null`: the field is unset).
    #[serde(default, deserialize_with = "some_value")]
    pub equals: Option<serde_json::Value>,
    /// Any of these values (equivalent fixes, principle 7: `targetPort: http` or `80`).
    #[serde(default)]
    pub one_of: Option<Vec<serde_json::Value>>,
    /// The field is set, whatever its value (`true`) or unset (`false`): a readiness probe
    /// that must still exist (principle 5).
    #[serde(default)]
    pub present: Option<bool>,
}

/// `equals: null` is a value (the field must be unset), not an absent key.
fn some_value<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

impl FieldCheck {
    /// Which comparison the check makes; `Err` when it sets none or several.
    pub fn expectation(&self) -> Result<FieldExpect<'_>, String> {
        match (&self.equals, &self.one_of, self.present) {
            (Some(v), None, None) => Ok(FieldExpect::Equals(v)),
            (None, Some(vs), None) if !vs.is_empty() => Ok(FieldExpect::OneOf(vs)),
            (None, None, Some(p)) => Ok(FieldExpect::Present(p)),
            (None, Some(_), None) => Err(format!("field check on {}: one_of is empty", self.path)),
            _ => Err(format!(
                "field check on {}: set exactly one of equals, one_of, present",
                self.path
            )),
        }
    }
}

/// What a field check compares with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldExpect<'a> {
    Equals(&'a serde_json::Value),
    OneOf(&'a [serde_json::Value]),
    Present(bool),
}

/// Fields that must be what they were when the scenario was seeded (principle 4).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InvariantCheck {
    pub object: ObjectRef,
    pub fields: Vec<String>,
}
