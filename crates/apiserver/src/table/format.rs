//! Cell formatting shared by the printers: label maps and selectors as apimachinery prints
//! them (`labels.FormatLabels`, `metav1.FormatLabelSelector`), container name/image lists,
//! load-balancer status lists and the "a,b,c + N more..." truncation.

use serde_json::Value;
use std::collections::BTreeSet;

/// `labels.FormatLabels`: `k=v` sorted by key, joined with `,`; `<none>` when empty.
pub(super) fn labels(map: &Value) -> String {
    let s = labels_string(map);
    if s.is_empty() { "<none>".into() } else { s }
}

/// `labels.Set(m).String()`: `k=v` sorted by key, joined with `,`.
fn labels_string(map: &Value) -> String {
    let Some(m) = map.as_object() else {
        return String::new();
    };
    let mut pairs: Vec<(&String, &str)> = m
        .iter()
        .map(|(k, v)| (k, v.as_str().unwrap_or("")))
        .collect();
    pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = String::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Why `metav1.LabelSelectorAsSelector` refused a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InvalidSelector;

/// `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key, `k=v`,
/// `k in (a,b)`, `k notin (a,b)`, `k`, `!k`; `""` for a nil or empty selector.
pub(super) fn selector_string(sel: &Value) -> Result<String, InvalidSelector> {
    let Some(obj) = sel.as_object() else {
        // nil → labels.Nothing(), whose String() is empty.
        return Ok(String::new());
    };
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(ml) = obj.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in ml {
            reqs.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or(""))));
        }
    }
    for expr in obj
        .get("matchExpressions")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        let key = expr["key"].as_str().unwrap_or("");
        let mut values: Vec<&str> = expr["values"]
            .as_array()
            .map(|vs| vs.iter().map(|v| v.as_str().unwrap_or("")).collect())
            .unwrap_or_default();
        let text = match expr["operator"].as_str().unwrap_or("") {
            op @ ("In" | "NotIn") => {
                // labels.NewRequirement: set-based operators need at least one value.
                if values.is_empty() {
                    return Err(InvalidSelector);
                }
                values.sort_unstable();
                let word = if op == "In" { "in" } else { "notin" };
                format!("{key} {word} ({})", values.join(","))
            }
            "Exists" if values.is_empty() => key.to_string(),
            "DoesNotExist" if values.is_empty() => format!("!{key}"),
            _ => return Err(InvalidSelector),
        };
        reqs.push((key.to_string(), text));
    }
    // internalSelector.Add sorts requirements by key.
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(reqs
        .into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(","))
}

/// `metav1.FormatLabelSelector`: the selector string, `<none>` when empty, `<error>` when invalid.
pub(super) fn label_selector(sel: &Value) -> String {
    match selector_string(sel) {
        Ok(s) if s.is_empty() => "<none>".into(),
        Ok(s) => s,
        Err(InvalidSelector) => "<error>".into(),
    }
}

/// `layoutContainerCells`: container names and images, each joined with `,`.
pub(super) fn container_cells(containers: &[Value]) -> (String, String) {
    let mut names = String::new();
    let mut images = String::new();
    for (i, c) in containers.iter().enumerate() {
        if i > 0 {
            names.push(',');
            images.push(',');
        }
        names.push_str(c["name"].as_str().unwrap_or(""));
        images.push_str(c["image"].as_str().unwrap_or(""));
    }
    (names, images)
}

/// `loadBalancerStatusStringer` with `wide` (as the API server prints): each ingress point's
/// IP, else its hostname, de-duplicated and sorted, joined with `,`.
pub(super) fn load_balancer_status(status: &Value) -> String {
    let mut set = BTreeSet::new();
    for ing in status["ingress"].as_array().map_or(&[][..], Vec::as_slice) {
        let ip = ing["ip"].as_str().unwrap_or("");
        let host = ing["hostname"].as_str().unwrap_or("");
        if !ip.is_empty() {
            set.insert(ip);
        } else if !host.is_empty() {
            set.insert(host);
        }
    }
    set.into_iter().collect::<Vec<_>>().join(",")
}

/// `listWithMoreString`: the first `max` entries, `" + N more..."` past them, `<unset>` for none.
pub(super) fn list_with_more(list: &[String], more: bool, count: usize, max: usize) -> String {
    let ret = list.join(",");
    if more {
        return format!("{ret} + {} more...", count - max);
    }
    if ret.is_empty() {
        return "<unset>".into();
    }
    ret
}

/// `net.JoinHostPort`: IPv6 literals in brackets.
pub(super) fn join_host_port(host: &str, port: i64) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selector_sorts_requirements_and_values_like_apimachinery() {
        let sel = json!({"matchLabels": {"tier": "web", "app": "shop"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "dev"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "zone", "operator": "NotIn", "values": ["b"]},
                {"key": "gpu", "operator": "Exists"}]});
        assert_eq!(
            selector_string(&sel),
            Ok("app=shop,!canary,env in (dev,prod),gpu,tier=web,zone notin (b)".to_string())
        );
    }

    #[test]
    fn empty_selector_is_none_and_bad_operator_is_error() {
        assert_eq!(label_selector(&json!({})), "<none>");
        assert_eq!(label_selector(&Value::Null), "<none>");
        assert_eq!(
            label_selector(
                &json!({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]})
            ),
            "<error>"
        );
        assert_eq!(
            label_selector(
                &json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]})
            ),
            "<error>"
        );
    }

    #[test]
    fn labels_sort_by_key_and_empty_is_none() {
        assert_eq!(labels(&json!({"b": "2", "a": "1"})), "a=1,b=2");
        assert_eq!(labels(&json!({})), "<none>");
    }

    #[test]
    fn ipv6_endpoints_are_bracketed() {
        assert_eq!(join_host_port("fd00::5", 80), "[fd00::5]:80");
        assert_eq!(join_host_port("10.0.0.1", 80), "10.0.0.1:80");
    }
}
