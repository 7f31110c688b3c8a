//! The patch metadata of the stored kinds: which lists merge by key (`patchMergeKey`), which
//! are merged sets of primitives, and which are replaced whole, for strategic merge patch and
//! for server-side apply (`listType=map` keys).
//!
//! This replaces the struct-tag lookup (`forkedjson.LookupPatchMetadata`) apimachinery does on
//! the Go types: a small walk over named types, each field mapped to its child type and list
//! strategy. Only pure data lives here; the merge algorithms are in `strategic.rs`/`apply.rs`.

use crate::kinds::Kind;

/// The Go type a JSON path reaches, as far as patch metadata cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Root(Kind),
    Meta,
    /// `DeploymentSpec`, `ReplicaSetSpec`, `StatefulSetSpec`: they all hold a pod template.
    Workload,
    Template,
    PodSpec,
    Container,
    ServiceSpec,
    NodeSpec,
    NodeStatus,
    PodStatus,
    /// A status whose only keyed list is `conditions`.
    Status,
    /// Everything without list metadata: maps merge, lists are replaced.
    Other,
}

/// How a list field merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListStrategy {
    /// No `patchStrategy` (or `listType=atomic`): the patch's list replaces the live one.
    Atomic,
    /// `patchStrategy:"merge"` with `patchMergeKey` (SMP), or `listType=map` keys (SSA).
    Keyed(&'static [&'static str]),
    /// `patchStrategy:"merge"` on a list of scalars (SMP), `listType=set` (SSA): a set union.
    Set,
}

use ListStrategy::{Atomic, Keyed, Set};

/// Which table: strategic merge patch keys on one field; server-side apply on several
/// (Service ports by `port`+`protocol`, container ports by `containerPort`+`protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Strategic,
    Apply,
}

/// The type and list strategy of `field` inside a value of type `ty`.
pub(crate) fn child(ty: Ty, field: &str, flavor: Flavor) -> (Ty, ListStrategy) {
    let ssa = flavor == Flavor::Apply;
    match (ty, field) {
        (Ty::Root(_), "metadata") | (Ty::Template, "metadata") => (Ty::Meta, Atomic),
        (Ty::Root(kind), "spec") => (spec_of(kind), Atomic),
        (Ty::Root(Kind::Pod), "status") => (Ty::PodStatus, Atomic),
        (Ty::Root(Kind::Node), "status") => (Ty::NodeStatus, Atomic),
        (Ty::Root(_), "status") => (Ty::Status, Atomic),
        (Ty::Root(Kind::ServiceAccount), "secrets") => (Ty::Other, Keyed(&["name"])),

        (Ty::Meta, "ownerReferences") => (Ty::Other, Keyed(&["uid"])),
        (Ty::Meta, "finalizers") => (Ty::Other, Set),

        (Ty::Workload, "template") => (Ty::Template, Atomic),
        (Ty::Template, "spec") => (Ty::PodSpec, Atomic),

        (Ty::PodSpec, "containers" | "initContainers" | "ephemeralContainers") => {
            (Ty::Container, Keyed(&["name"]))
        }
        (Ty::PodSpec, "volumes" | "imagePullSecrets" | "schedulingGates" | "resourceClaims") => {
            (Ty::Other, Keyed(&["name"]))
        }
        (Ty::PodSpec, "hostAliases") => (Ty::Other, Keyed(&["ip"])),
        (Ty::PodSpec, "topologySpreadConstraints") if ssa => {
            (Ty::Other, Keyed(&["topologyKey", "whenUnsatisfiable"]))
        }
        (Ty::PodSpec, "topologySpreadConstraints") => (Ty::Other, Keyed(&["topologyKey"])),

        (Ty::Container, "ports") if ssa => (Ty::Other, Keyed(&["containerPort", "protocol"])),
        (Ty::Container, "ports") => (Ty::Other, Keyed(&["containerPort"])),
        (Ty::Container, "env") => (Ty::Other, Keyed(&["name"])),
        (Ty::Container, "volumeMounts") => (Ty::Other, Keyed(&["mountPath"])),
        (Ty::Container, "volumeDevices") => (Ty::Other, Keyed(&["devicePath"])),

        (Ty::ServiceSpec, "ports") if ssa => (Ty::Other, Keyed(&["port", "protocol"])),
        (Ty::ServiceSpec, "ports") => (Ty::Other, Keyed(&["port"])),

        (Ty::NodeSpec, "podCIDRs") => (Ty::Other, Set),

        (Ty::NodeStatus, "addresses") => (Ty::Other, Keyed(&["type"])),
        (Ty::PodStatus, "podIPs" | "hostIPs") => (Ty::Other, Keyed(&["ip"])),
        (Ty::NodeStatus | Ty::PodStatus | Ty::Status, "conditions") => {
            (Ty::Other, Keyed(&["type"]))
        }
        _ => (Ty::Other, Atomic),
    }
}

fn spec_of(kind: Kind) -> Ty {
    match kind {
        Kind::Pod => Ty::PodSpec,
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet => Ty::Workload,
        Kind::Service => Ty::ServiceSpec,
        Kind::Node => Ty::NodeSpec,
        _ => Ty::Other,
    }
}

/// The value SSA assumes for a missing key field: `protocol` defaults to TCP in the schema, so
/// `{port: 80}` and `{port: 80, protocol: TCP}` are the same list entry.
pub(crate) fn key_default(field: &str) -> Option<&'static str> {
    (field == "protocol").then_some("TCP")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(kind: Kind, path: &[&str], flavor: Flavor) -> ListStrategy {
        let mut ty = Ty::Root(kind);
        let mut strategy = Atomic;
        for f in path {
            (ty, strategy) = child(ty, f, flavor);
        }
        strategy
    }

    #[test]
    fn pod_template_paths_reuse_the_pod_spec_keys() {
        let p = ["spec", "template", "spec", "containers"];
        assert_eq!(
            walk(Kind::Deployment, &p, Flavor::Strategic),
            Keyed(&["name"])
        );
        assert_eq!(
            walk(Kind::Pod, &["spec", "containers", "env"], Flavor::Strategic),
            Keyed(&["name"])
        );
        assert_eq!(
            walk(Kind::Node, &["spec", "taints"], Flavor::Strategic),
            Atomic
        );
    }

    #[test]
    fn service_ports_key_on_port_for_smp_and_port_protocol_for_ssa() {
        let p = ["spec", "ports"];
        assert_eq!(walk(Kind::Service, &p, Flavor::Strategic), Keyed(&["port"]));
        assert_eq!(
            walk(Kind::Service, &p, Flavor::Apply),
            Keyed(&["port", "protocol"])
        );
    }
}
