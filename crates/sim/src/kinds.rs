//! The resource kinds the simulator stores, and their REST identity (group, version, plural, scope).
//!
//! This is the one table every other layer (admission, patch, the API server's discovery) reads,
//! so adding a kind here is the first step of supporting it.

use std::fmt;

/// A kind the simulated cluster stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Namespace,
    Node,
    Pod,
    Service,
    Endpoints,
    Event,
    ConfigMap,
    ServiceAccount,
    Deployment,
    ReplicaSet,
    StatefulSet,
    EndpointSlice,
    Ingress,
    IngressClass,
    NetworkPolicy,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
        Kind::Namespace,
        Kind::Node,
        Kind::Pod,
        Kind::Service,
        Kind::Endpoints,
        Kind::Event,
        Kind::ConfigMap,
        Kind::ServiceAccount,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::EndpointSlice,
        Kind::Ingress,
        Kind::IngressClass,
        Kind::NetworkPolicy,
    ];

    /// The API group ("" for core).
    pub fn group(self) -> &'static str {
        match self {
            Kind::Namespace
            | Kind::Node
            | Kind::Pod
            | Kind::Service
            | Kind::Endpoints
            | Kind::Event
            | Kind::ConfigMap
            | Kind::ServiceAccount => "",
            Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet => "apps",
            Kind::EndpointSlice => "discovery.k8s.io",
            Kind::Ingress | Kind::IngressClass | Kind::NetworkPolicy => "networking.k8s.io",
        }
    }

    pub fn version(self) -> &'static str {
        "v1"
    }

    /// `apiVersion` as written in manifests: `v1`, `apps/v1`, ...
    pub fn api_version(self) -> &'static str {
        match self.group() {
            "" => "v1",
            "apps" => "apps/v1",
            "discovery.k8s.io" => "discovery.k8s.io/v1",
            _ => "networking.k8s.io/v1",
        }
    }

    /// The `kind` field value.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Node => "Node",
            Kind::Pod => "Pod",
            Kind::Service => "Service",
            Kind::Endpoints => "Endpoints",
            Kind::Event => "Event",
            Kind::ConfigMap => "ConfigMap",
            Kind::ServiceAccount => "ServiceAccount",
            Kind::Deployment => "Deployment",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::StatefulSet => "StatefulSet",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::Ingress => "Ingress",
            Kind::IngressClass => "IngressClass",
            Kind::NetworkPolicy => "NetworkPolicy",
        }
    }

    /// The URL resource name: `pods`, `endpointslices`, ...
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::Node => "nodes",
            Kind::Pod => "pods",
            Kind::Service => "services",
            Kind::Endpoints => "endpoints",
            Kind::Event => "events",
            Kind::ConfigMap => "configmaps",
            Kind::ServiceAccount => "serviceaccounts",
            Kind::Deployment => "deployments",
            Kind::ReplicaSet => "replicasets",
            Kind::StatefulSet => "statefulsets",
            Kind::EndpointSlice => "endpointslices",
            Kind::Ingress => "ingresses",
            Kind::IngressClass => "ingressclasses",
            Kind::NetworkPolicy => "networkpolicies",
        }
    }

    /// The name used in API error messages: the bare kind for the core group, `Kind.group`
    /// otherwise (`Deployment.apps "x" is invalid`), as `apimachinery errors.NewInvalid` renders it.
    pub fn qualified(self) -> String {
        match self.group() {
            "" => self.name().to_string(),
            g => format!("{}.{g}", self.name()),
        }
    }

    /// The resource as `errors.NewNotFound` names it: `services`, `deployments.apps`.
    pub fn resource_qualified(self) -> String {
        match self.group() {
            "" => self.plural().to_string(),
            g => format!("{}.{g}", self.plural()),
        }
    }

    pub fn namespaced(self) -> bool {
        !matches!(self, Kind::Namespace | Kind::Node | Kind::IngressClass)
    }

    /// Kinds with a `/status` subresource: main-resource writes keep the stored status.
    pub fn has_status(self) -> bool {
        matches!(
            self,
            Kind::Namespace
                | Kind::Node
                | Kind::Pod
                | Kind::Service
                | Kind::Deployment
                | Kind::ReplicaSet
                | Kind::StatefulSet
                | Kind::Ingress
                | Kind::NetworkPolicy
        )
    }

    /// Kinds whose `metadata.generation` tracks spec changes.
    pub fn tracks_generation(self) -> bool {
        matches!(
            self,
            Kind::Deployment
                | Kind::ReplicaSet
                | Kind::StatefulSet
                | Kind::Ingress
                | Kind::IngressClass
                | Kind::NetworkPolicy
                | Kind::Pod
        )
    }

    /// Resolve `apiVersion` + `kind` from a manifest.
    pub fn from_type(api_version: &str, kind: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.api_version() == api_version && k.name() == kind)
    }

    /// Resolve a URL group + resource name.
    pub fn from_plural(group: &str, plural: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.group() == group && k.plural() == plural)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_type_and_plural() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_type(k.api_version(), k.name()), Some(k));
            assert_eq!(Kind::from_plural(k.group(), k.plural()), Some(k));
        }
    }

    #[test]
    fn invalid_messages_qualify_non_core_kinds_with_their_group() {
        assert_eq!(Kind::Service.qualified(), "Service");
        assert_eq!(Kind::Deployment.qualified(), "Deployment.apps");
        assert_eq!(
            Kind::NetworkPolicy.qualified(),
            "NetworkPolicy.networking.k8s.io"
        );
    }
}
