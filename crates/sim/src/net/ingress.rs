//! The ingress-nginx-like controller (SERVICES-SPEC rules 77–82): which Ingresses a controller
//! serves (IngressClass), and which backend a request's host and path reach.

use crate::store::{ObjKey, Store};

/// A Service backend port as an Ingress names it (rule 81): by Service port number or name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendPort {
    Number(u16),
    Name(String),
}

/// Where the controller sends a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A rule (or the Ingress's defaultBackend) matched.
    Backend {
        ingress: ObjKey,
        /// The rule's host and path that matched; both `None` for a defaultBackend.
        host: Option<String>,
        path: Option<String>,
        service: ObjKey,
        port: BackendPort,
    },
    /// Nothing matched: the controller's own default backend answers 404.
    NotFound,
}

/// Route a request that reached the controller pod `controller` (its IngressClass is decided
/// from the pod's args and the IngressClasses' `spec.controller`).
pub fn route(_store: &Store, _controller: &ObjKey, _host: &str, _path: &str) -> Route {
    // First cut: no Ingress served. Replaced by the ingress model.
    Route::NotFound
}
