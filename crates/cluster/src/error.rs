//! What can go wrong talking to a cluster, in words a learner can act on.

/// A cluster operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The API server refused the request; the message is its own (`services "x" not found`).
    #[error("{message}")]
    Api {
        code: u16,
        reason: String,
        message: String,
    },
    /// The cluster could not be reached or answered garbage.
    #[error("cannot reach the cluster: {0}")]
    Unreachable(String),
    /// The kubeconfig could not be read or has no such context.
    #[error("kubeconfig: {0}")]
    Kubeconfig(String),
    /// A kind this backend does not know how to address.
    #[error("unsupported kind {api_version}/{kind}")]
    UnknownKind { api_version: String, kind: String },
    /// An object without the fields an operation needs.
    #[error("invalid object: {0}")]
    Invalid(String),
    /// A safety rule refused the change (an object kubedrill did not create, a context that
    /// does not look like the learner's own cluster).
    #[error("{0}")]
    Refused(String),
    /// A probe pod that did not finish in time.
    #[error("probe pod {namespace}/{name} did not finish within {seconds} s")]
    ProbeTimeout {
        namespace: String,
        name: String,
        seconds: u64,
    },
}

impl ClusterError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClusterError::Api { code: 404, .. })
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, ClusterError::Api { code: 409, .. })
    }
}

impl From<kube::Error> for ClusterError {
    fn from(e: kube::Error) -> Self {
        match e {
            kube::Error::Api(s) => ClusterError::Api {
                code: s.code,
                reason: s.reason.clone(),
                message: s.message.clone(),
            },
            other => ClusterError::Unreachable(chain(&other)),
        }
    }
}

/// An error and its causes, `: `-joined, without repeating a cause its parent already quoted
/// ("client error (Connect): tcp connect error: Connection refused (os error 111)").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cur = c.source();
    }
    text
}
