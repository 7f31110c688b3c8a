//! What the learner changed: the seeded objects against the current ones, as unified diffs
//! of their YAML-like JSON, without what the server maintains (status, resourceVersion,
//! managedFields, generation, timestamps) so only the learner's edits show.

use serde_json::Value;
use similar::TextDiff;
use std::collections::BTreeMap;

/// Kinds a drill's diff covers: what a learner edits.
const KINDS: [&str; 9] = [
    "Service",
    "Deployment",
    "StatefulSet",
    "Pod",
    "Endpoints",
    "Ingress",
    "NetworkPolicy",
    "ConfigMap",
    "Namespace",
];

fn key(o: &Value) -> Option<(String, String, String)> {
    let kind = o["kind"].as_str()?;
    if !KINDS.contains(&kind) {
        return None;
    }
    // Pods a controller owns come and go on their own; only bare pods are the learner's.
    if kind == "Pod" && o["metadata"]["ownerReferences"].is_array() {
        return None;
    }
    let ns = o["metadata"]["namespace"].as_str().unwrap_or_default();
    if ns.starts_with("kube-") || ns == "ingress-nginx" {
        return None;
    }
    let name = o["metadata"]["name"].as_str()?;
    if ns.is_empty() && kind == "Namespace" && (name.starts_with("kube-") || name == "default") {
        return None;
    }
    Some((kind.to_string(), ns.to_string(), name.to_string()))
}

fn clean(o: &Value) -> String {
    let mut o = o.clone();
    if let Some(m) = o.as_object_mut() {
        m.remove("status");
    }
    if let Some(m) = o["metadata"].as_object_mut() {
        for f in [
            "resourceVersion",
            "managedFields",
            "generation",
            "creationTimestamp",
            "uid",
            "annotations",
        ] {
            m.remove(f);
        }
    }
    serde_json::to_string_pretty(&o).unwrap_or_default() + "\n"
}

fn index(objs: &[Value]) -> BTreeMap<(String, String, String), String> {
    objs.iter()
        .filter_map(|o| key(o).map(|k| (k, clean(o))))
        .collect()
}

/// Unified diffs, one per changed, added or deleted object; empty when nothing changed.
pub fn objects(seeded: &[Value], current: &[Value]) -> String {
    let (before, after) = (index(seeded), index(current));
    let mut keys: Vec<_> = before.keys().chain(after.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    let mut out = String::new();
    for k in keys {
        let a = before.get(&k).map_or("", String::as_str);
        let b = after.get(&k).map_or("", String::as_str);
        if a == b {
            continue;
        }
        let (kind, ns, name) = &k;
        let label = if ns.is_empty() {
            format!("{kind}/{name}")
        } else {
            format!("{kind} {ns}/{name}")
        };
        let diff = TextDiff::from_lines(a, b)
            .unified_diff()
            .context_radius(3)
            .header(&format!("{label} (seeded)"), &format!("{label} (now)"))
            .to_string();
        out.push_str(&diff);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_learners_edits_show() {
        let svc = json!({"kind": "Service", "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "1"},
            "spec": {"selector": {"app": "webx"}}, "status": {}});
        let mut fixed = svc.clone();
        fixed["spec"]["selector"]["app"] = json!("web");
        fixed["metadata"]["resourceVersion"] = json!("9");
        let owned_pod = json!({"kind": "Pod", "metadata": {"name": "web-1", "namespace": "shop", "ownerReferences": []}});
        let d = objects(&[svc.clone(), owned_pod], &[fixed]);
        assert!(d.contains("--- Service shop/web (seeded)"), "{d}");
        assert!(d.contains("-      \"app\": \"webx\""), "{d}");
        assert!(d.contains("+      \"app\": \"web\""), "{d}");
        assert!(!d.contains("resourceVersion"), "{d}");
        assert!(
            !d.contains("web-1"),
            "controller-owned pods are not the learner's: {d}"
        );
        let same = std::slice::from_ref(&svc);
        assert_eq!(objects(same, same), "");
    }
}
