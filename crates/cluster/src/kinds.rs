//! Which API resource an object's `apiVersion` + `kind` is: the kinds drills use, from the
//! simulator's table (the same built-in resources a real cluster serves).

use kube::discovery::ApiResource;
use kubedrill_sim::Kind;

use crate::ClusterError;

/// The resource for `api_version`/`kind`, and whether it is namespaced.
pub fn resource(api_version: &str, kind: &str) -> Result<(ApiResource, bool), ClusterError> {
    let k = Kind::from_type(api_version, kind).ok_or_else(|| ClusterError::UnknownKind {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
    })?;
    Ok((of(k), k.namespaced()))
}

/// The resource for a kind by name alone (`Service`), at its served version.
pub fn by_name(kind: &str) -> Result<(ApiResource, bool), ClusterError> {
    let k = Kind::ALL
        .into_iter()
        .find(|k| k.name() == kind)
        .ok_or_else(|| ClusterError::UnknownKind {
            api_version: String::new(),
            kind: kind.to_string(),
        })?;
    Ok((of(k), k.namespaced()))
}

fn of(k: Kind) -> ApiResource {
    ApiResource {
        group: k.group().to_string(),
        version: k.version().to_string(),
        api_version: k.api_version().to_string(),
        kind: k.name().to_string(),
        plural: k.plural().to_string(),
    }
}

/// The kinds a snapshot lists: everything a check may read. Events are left out (they are
/// many and no check reads them).
pub fn snapshot_kinds() -> impl Iterator<Item = (ApiResource, bool)> {
    Kind::ALL
        .into_iter()
        .filter(|k| *k != Kind::Event)
        .map(|k| (of(k), k.namespaced()))
}
