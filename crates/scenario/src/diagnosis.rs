//! Following the learner's diagnosis: which of a scenario's diagnosis steps their own API
//! requests (the API server's audit log, as the caller reads it) have already done, so guided
//! mode can tick them off and point at the next one.

use crate::model::{DiagnosisStep, RequestMatch};

/// One API request as a diagnosis step sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObservedRequest<'a> {
    /// The Kubernetes verb (`get`, `list`, `watch`, `create`, `patch`, …).
    pub verb: &'a str,
    /// The plural resource (`services`, `endpointslices`, …).
    pub resource: &'a str,
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
    pub subresource: Option<&'a str>,
}

impl RequestMatch {
    /// Whether `r` is a request this step asks for. An absent field matches anything; a
    /// `get` step is also done by a `watch` or `list` of that one object (`kubectl get -w`).
    pub fn matches(&self, r: &ObservedRequest<'_>) -> bool {
        let verb_ok = match self.verb.as_deref() {
            None => true,
            Some(v) if v == r.verb => true,
            Some("get") => matches!(r.verb, "list" | "watch") && r.name.is_some(),
            Some("list") => r.verb == "watch",
            Some(_) => false,
        };
        let same = |want: &Option<String>, got: Option<&str>| {
            want.as_deref().is_none_or(|w| Some(w) == got)
        };
        verb_ok
            && self.resource == r.resource
            && same(&self.namespace, r.namespace)
            && same(&self.name, r.name)
            && same(&self.subresource, r.subresource)
    }
}

/// For each step, whether any of `requests` did it.
pub fn steps_done(steps: &[DiagnosisStep], requests: &[ObservedRequest<'_>]) -> Vec<bool> {
    steps
        .iter()
        .map(|s| requests.iter().any(|r| s.matches.matches(r)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(verb: Option<&str>, resource: &str, ns: Option<&str>, name: Option<&str>) -> RequestMatch {
        RequestMatch {
            verb: verb.map(str::to_string),
            resource: resource.into(),
            namespace: ns.map(str::to_string),
            name: name.map(str::to_string),
            subresource: None,
        }
    }

    fn req<'a>(
        verb: &'a str,
        resource: &'a str,
        ns: &'a str,
        name: Option<&'a str>,
    ) -> ObservedRequest<'a> {
        ObservedRequest {
            verb,
            resource,
            namespace: Some(ns),
            name,
            subresource: None,
        }
    }

    #[test]
    fn a_step_matches_its_verb_resource_and_namespace() {
        let step = m(Some("list"), "pods", Some("shop"), None);
        assert!(step.matches(&req("list", "pods", "shop", None)));
        assert!(
            step.matches(&req("watch", "pods", "shop", None)),
            "get -w lists then watches"
        );
        assert!(!step.matches(&req("list", "pods", "other", None)));
        assert!(!step.matches(&req("list", "services", "shop", None)));
        assert!(!step.matches(&req("delete", "pods", "shop", Some("x"))));
    }

    #[test]
    fn a_get_step_is_done_by_a_list_of_that_one_object() {
        let step = m(Some("get"), "services", Some("shop"), Some("web"));
        assert!(step.matches(&req("get", "services", "shop", Some("web"))));
        assert!(step.matches(&req("list", "services", "shop", Some("web"))));
        assert!(!step.matches(&req("list", "services", "shop", None)));
        assert!(!step.matches(&req("get", "services", "shop", Some("api"))));
    }

    #[test]
    fn steps_done_ticks_each_step_by_any_request() {
        let steps: Vec<DiagnosisStep> = [
            m(Some("list"), "pods", Some("a"), None),
            m(None, "endpointslices", None, None),
        ]
        .into_iter()
        .map(|matches| DiagnosisStep {
            text: String::new(),
            command: None,
            matches,
        })
        .collect();
        let done = steps_done(&steps, &[req("get", "endpointslices", "b", Some("x"))]);
        assert_eq!(done, vec![false, true]);
    }
}
