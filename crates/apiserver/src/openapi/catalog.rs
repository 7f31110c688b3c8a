//! What the OpenAPI documents describe: the group-versions the server serves and, per
//! resource, its kind, plural, scope, subresources and k8s-openapi type.

use kubedrill_sim::Kind;
use schemars::SchemaGenerator;

/// One served resource.
pub(crate) struct Resource {
    pub kind: Kind,
    /// `status` subresource (get/put/patch).
    pub status: bool,
    /// `scale` subresource (autoscaling/v1 `Scale`).
    pub scale: bool,
}

impl Resource {
    /// `io.k8s.api.core.v1.Service`: the component schema name.
    pub fn schema_name(&self) -> String {
        let group = match self.kind.group() {
            "" => "core",
            g => g.split('.').next().unwrap_or(g),
        };
        format!(
            "io.k8s.api.{group}.{}.{}",
            self.kind.version(),
            self.kind.name()
        )
    }

    /// Add the kind's schema (and everything it references) to `g`.
    pub fn add_schema(&self, g: &mut SchemaGenerator) {
        use k8s_openapi::api::{apps::v1 as apps, core::v1 as core};
        use k8s_openapi::api::{discovery::v1 as discovery, networking::v1 as networking};
        let _ = match self.kind {
            Kind::Namespace => g.subschema_for::<core::Namespace>(),
            Kind::Node => g.subschema_for::<core::Node>(),
            Kind::Pod => g.subschema_for::<core::Pod>(),
            Kind::Service => g.subschema_for::<core::Service>(),
            Kind::Endpoints => g.subschema_for::<core::Endpoints>(),
            Kind::Event => g.subschema_for::<core::Event>(),
            Kind::ConfigMap => g.subschema_for::<core::ConfigMap>(),
            Kind::ServiceAccount => g.subschema_for::<core::ServiceAccount>(),
            Kind::Deployment => g.subschema_for::<apps::Deployment>(),
            Kind::ReplicaSet => g.subschema_for::<apps::ReplicaSet>(),
            Kind::StatefulSet => g.subschema_for::<apps::StatefulSet>(),
            Kind::EndpointSlice => g.subschema_for::<discovery::EndpointSlice>(),
            Kind::Ingress => g.subschema_for::<networking::Ingress>(),
            Kind::IngressClass => g.subschema_for::<networking::IngressClass>(),
            Kind::NetworkPolicy => g.subschema_for::<networking::NetworkPolicy>(),
        };
    }
}

/// A group-version document: `api/v1`, `apis/apps/v1`, ….
pub(crate) struct GroupVersion {
    /// The index key and URL suffix.
    pub path: String,
    pub group: &'static str,
    pub version: &'static str,
    pub resources: Vec<Resource>,
}

impl GroupVersion {
    /// `core_v1`, `apps_v1`, `networking_v1`: the operations' tag.
    pub fn tag(&self) -> String {
        format!("{}_{}", self.group_word(), self.version)
    }

    /// `CoreV1`, `AppsV1`, `NetworkingV1`: the operationId infix.
    pub fn camel(&self) -> String {
        let word = self.group_word();
        let mut chars = word.chars();
        let head = chars.next().map(|c| c.to_ascii_uppercase());
        let version: String = self
            .version
            .chars()
            .enumerate()
            .map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c })
            .collect();
        format!(
            "{}{}{version}",
            head.map(String::from).unwrap_or_default(),
            chars.as_str()
        )
    }

    fn group_word(&self) -> &'static str {
        match self.group {
            "" => "core",
            g => g.split('.').next().unwrap_or(g),
        }
    }
}

/// The resources with a `status` subresource upstream (of the kinds the simulator stores).
fn has_status(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Namespace
            | Kind::Node
            | Kind::Pod
            | Kind::Service
            | Kind::Deployment
            | Kind::ReplicaSet
            | Kind::StatefulSet
            | Kind::Ingress
    )
}

fn has_scale(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet
    )
}

/// Every group-version the simulator's kinds live in, in a stable order.
pub(crate) fn group_versions() -> Vec<GroupVersion> {
    let mut out: Vec<GroupVersion> = Vec::new();
    for kind in Kind::ALL {
        let path = match kind.group() {
            "" => format!("api/{}", kind.version()),
            g => format!("apis/{g}/{}", kind.version()),
        };
        let resource = Resource {
            kind,
            status: has_status(kind),
            scale: has_scale(kind),
        };
        match out.iter_mut().find(|gv| gv.path == path) {
            Some(gv) => gv.resources.push(resource),
            None => out.push(GroupVersion {
                path,
                group: kind.group(),
                version: kind.version(),
                resources: vec![resource],
            }),
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}
