//! Label selectors (the `?labelSelector=` string form, `metav1.LabelSelector`, and the map form of
//! Service selectors) and the field selectors kubectl uses.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Requirement {
    fn matches(&self, labels: &Map<String, Value>) -> bool {
        let get = |k: &str| labels.get(k).and_then(Value::as_str);
        match self {
            Requirement::Eq(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEq(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => !get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        }
    }
}

/// A conjunction of requirements. The empty selector matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl LabelSelector {
    pub fn everything() -> Self {
        LabelSelector::default()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// A Service's `spec.selector` or a ReplicaSet's `matchLabels`: equality on every key.
    pub fn from_map(m: &Map<String, Value>) -> Self {
        let requirements = m
            .iter()
            .map(|(k, v)| Requirement::Eq(k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        LabelSelector { requirements }
    }

    /// A `metav1.LabelSelector` object. Unknown operators are a validation matter; here they
    /// match nothing, as `LabelSelectorAsSelector` would have refused them.
    pub fn from_label_selector(sel: &Value) -> Self {
        let mut s = match sel.get("matchLabels").and_then(Value::as_object) {
            Some(m) => LabelSelector::from_map(m),
            None => LabelSelector::default(),
        };
        for e in sel
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = e
                .get("key")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let values: Vec<String> = e
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let req = match e.get("operator").and_then(Value::as_str) {
                Some("In") => Requirement::In(key, values),
                Some("NotIn") => Requirement::NotIn(key, values),
                Some("Exists") => Requirement::Exists(key),
                Some("DoesNotExist") => Requirement::DoesNotExist(key),
                _ => Requirement::In(key, Vec::new()),
            };
            s.requirements.push(req);
        }
        s
    }

    /// Parse the query-string form: `app=web,tier!=db,env in (a,b),env notin (c),feature,!legacy`.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let mut requirements = Vec::new();
        for term in split_terms(s) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            requirements.push(parse_term(term)?);
        }
        Ok(LabelSelector { requirements })
    }

    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let labels = labels.unwrap_or(&EMPTY);
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether an object's `metadata.labels` match.
    pub fn matches_object(&self, obj: &Value) -> bool {
        self.matches(crate::meta::labels(obj))
    }
}

/// Split on commas that are not inside `( )`.
fn split_terms(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn parse_term(term: &str) -> Result<Requirement, ApiError> {
    let bad = || {
        ApiError::BadRequest(format!(
            "unable to parse requirement: found '{term}', expected: identifier"
        ))
    };
    if let Some(k) = term.strip_prefix('!') {
        return Ok(Requirement::DoesNotExist(k.trim().to_string()));
    }
    if let Some((k, v)) = term.split_once("!=") {
        return Ok(Requirement::NotEq(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = term.split_once("==") {
        return Ok(Requirement::Eq(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = term.split_once('=') {
        return Ok(Requirement::Eq(k.trim().into(), v.trim().into()));
    }
    for (op, notin) in [(" notin ", true), (" in ", false)] {
        if let Some((k, rest)) = term.split_once(op) {
            let rest = rest.trim();
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(bad)?;
            let vals = inner
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            let k = k.trim().to_string();
            return Ok(if notin {
                Requirement::NotIn(k, vals)
            } else {
                Requirement::In(k, vals)
            });
        }
    }
    if term.contains(char::is_whitespace) {
        return Err(bad());
    }
    Ok(Requirement::Exists(term.to_string()))
}

/// A field selector: `metadata.name=web,status.phase!=Running`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelector {
    /// (field path, value, equal?)
    terms: Vec<(String, String, bool)>,
}

impl FieldSelector {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let mut terms = Vec::new();
        for t in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (k, v, eq) = if let Some((k, v)) = t.split_once("!=") {
                (k, v, false)
            } else if let Some((k, v)) = t.split_once("==") {
                (k, v, true)
            } else if let Some((k, v)) = t.split_once('=') {
                (k, v, true)
            } else {
                return Err(ApiError::BadRequest(format!(
                    "invalid selector: '{s}'; can't understand '{t}'"
                )));
            };
            terms.push((k.trim().to_string(), v.trim().to_string(), eq));
        }
        Ok(FieldSelector { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Fields a selector may name, per kind, as the API server's field label conversion allows.
    pub fn check_supported(&self, kind: crate::kinds::Kind) -> Result<(), ApiError> {
        use crate::kinds::Kind;
        for (f, _, _) in &self.terms {
            let ok = matches!(f.as_str(), "metadata.name" | "metadata.namespace")
                || match kind {
                    Kind::Pod => matches!(
                        f.as_str(),
                        "spec.nodeName"
                            | "spec.restartPolicy"
                            | "spec.schedulerName"
                            | "spec.serviceAccountName"
                            | "spec.hostNetwork"
                            | "status.phase"
                            | "status.podIP"
                            | "status.nominatedNodeName"
                    ),
                    Kind::Event => {
                        f.starts_with("involvedObject.")
                            || matches!(
                                f.as_str(),
                                "reason" | "reportingComponent" | "source" | "type"
                            )
                    }
                    Kind::Node => f == "spec.unschedulable",
                    Kind::Namespace => f == "status.phase",
                    Kind::ReplicaSet => f == "status.replicas",
                    _ => false,
                };
            if !ok {
                return Err(ApiError::BadRequest(format!(
                    "field label not supported: {f}"
                )));
            }
        }
        Ok(())
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.terms.iter().all(|(path, want, eq)| {
            let got = field_value(obj, path);
            (got == *want) == *eq
        })
    }
}

/// The string value of a dotted field path; absent reads as "" (as the field set conversion does).
fn field_value(obj: &Value, path: &str) -> String {
    let mut cur = obj;
    for seg in path.split('.') {
        match cur.get(seg) {
            Some(v) => cur = v,
            None => return String::new(),
        }
    }
    match cur {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A label map as a sorted `BTreeMap`, for stable rendering.
pub fn sorted_labels(m: Option<&Map<String, Value>>) -> BTreeMap<String, String> {
    m.into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn service_selector_requires_every_key_and_ignores_extra_pod_labels() {
        let sel = LabelSelector::from_map(&labels(json!({"app": "web"})));
        assert!(sel.matches(Some(&labels(json!({"app": "web", "tier": "fe"})))));
        assert!(!sel.matches(Some(&labels(json!({"app": "web-frontend"})))));
        let two = LabelSelector::from_map(&labels(json!({"app": "web", "tier": "fe"})));
        assert!(!two.matches(Some(&labels(json!({"app": "web"})))));
    }

    #[test]
    fn query_string_selectors_parse_every_operator() {
        let s = LabelSelector::parse("app=web,tier!=db,env in (prod, staging),!legacy,track")
            .unwrap_or_default();
        assert_eq!(s.requirements.len(), 5);
        assert!(s.matches(Some(&labels(json!({"app":"web","env":"prod","track":"x"})))));
        assert!(!s.matches(Some(&labels(json!({"app":"web","env":"dev","track":"x"})))));
        assert!(!s.matches(Some(&labels(
            json!({"app":"web","env":"prod","track":"x","legacy":"1"})
        ))));
    }

    #[test]
    fn match_expressions_are_anded_with_match_labels() {
        let s = LabelSelector::from_label_selector(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]
        }));
        assert!(s.matches(Some(&labels(json!({"app":"web"})))));
        assert!(!s.matches(Some(&labels(json!({"app":"web","tier":"db"})))));
    }

    #[test]
    fn field_selectors_compare_dotted_paths() {
        let fs =
            FieldSelector::parse("spec.nodeName=node01,status.phase!=Failed").unwrap_or_default();
        assert!(fs.matches(&json!({"spec":{"nodeName":"node01"},"status":{"phase":"Running"}})));
        assert!(!fs.matches(&json!({"spec":{"nodeName":"node02"},"status":{"phase":"Running"}})));
        assert!(fs.check_supported(crate::kinds::Kind::Pod).is_ok());
        assert!(fs.check_supported(crate::kinds::Kind::Service).is_err());
    }
}
