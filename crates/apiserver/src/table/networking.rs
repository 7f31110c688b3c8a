//! The `networking.k8s.io` printers (`printIngress`, `printIngressClass`,
//! `printNetworkPolicy`): CLASS / HOSTS / ADDRESS / PORTS, CONTROLLER / PARAMETERS, and
//! POD-SELECTOR.

use jiff::Timestamp;
use serde_json::Value;

use super::descriptions as d;
use super::format;
use super::{Column, age, items, name, text};

pub(super) const INGRESS_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string(
        "Class",
        "The name of the IngressClass resource that should be used for additional configuration",
    ),
    Column::string(
        "Hosts",
        "Hosts that incoming requests are matched against before the ingress rule",
    ),
    Column::string(
        "Address",
        "Address is a list containing ingress points for the load-balancer",
    ),
    Column::string("Ports", "Ports of TLS configurations that open"),
    Column::AGE,
];

pub(super) const INGRESS_CLASS_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string(
        "Controller",
        "Controller that is responsible for handling this class",
    ),
    Column::string(
        "Parameters",
        "A reference to a resource with additional parameters",
    ),
    Column::AGE,
];

pub(super) const POLICY_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string("Pod-Selector", d::NETWORK_POLICY_SPEC_POD_SELECTOR),
    Column::AGE,
];

/// `formatHosts`: the rules' hosts (at most three, then `" + N more..."` counted over all
/// rules), `*` when no rule names a host.
fn hosts(ing: &Value) -> String {
    const MAX: usize = 3;
    let rules = items(ing, &["spec", "rules"]);
    let mut list: Vec<&str> = Vec::new();
    let mut more = false;
    for r in rules {
        if list.len() == MAX {
            more = true;
        }
        let host = text(r, &["host"]);
        if !more && !host.is_empty() {
            list.push(host);
        }
    }
    if list.is_empty() {
        return "*".into();
    }
    let ret = list.join(",");
    if more {
        return format!("{ret} + {} more...", rules.len() - MAX);
    }
    ret
}

pub(super) fn ingress_cells(ing: &Value, now: Timestamp) -> Vec<Value> {
    let class = ing["spec"]["ingressClassName"].as_str().unwrap_or("<none>");
    // formatPorts: TLS or not, nothing else.
    let ports = if items(ing, &["spec", "tls"]).is_empty() {
        "80"
    } else {
        "80, 443"
    };
    vec![
        name(ing),
        Value::from(class),
        Value::from(hosts(ing)),
        Value::from(format::load_balancer_status(&ing["status"]["loadBalancer"])),
        Value::from(ports),
        age(ing, now),
    ]
}

pub(super) fn ingress_class_cells(ic: &Value, now: Timestamp) -> Vec<Value> {
    let params = &ic["spec"]["parameters"];
    let parameters = if params.is_object() {
        let mut p = text(params, &["kind"]).to_string();
        if let Some(g) = params["apiGroup"].as_str() {
            p.push('.');
            p.push_str(g);
        }
        p.push('/');
        p.push_str(text(params, &["name"]));
        p
    } else {
        "<none>".into()
    };
    vec![
        name(ic),
        Value::from(text(ic, &["spec", "controller"])),
        Value::from(parameters),
        age(ic, now),
    ]
}

pub(super) fn policy_cells(np: &Value, now: Timestamp) -> Vec<Value> {
    // An absent selector prints as the empty one would: `<none>`.
    vec![
        name(np),
        Value::from(format::label_selector(&np["spec"]["podSelector"])),
        age(np, now),
    ]
}
