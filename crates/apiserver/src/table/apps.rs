//! The workload printers (`printDeployment`, `printReplicaSet`, `printStatefulSet`):
//! READY as `ready/desired`, replica counts as integers, and the wide CONTAINERS / IMAGES /
//! SELECTOR of the pod template.

use jiff::Timestamp;
use serde_json::Value;

use super::descriptions as d;
use super::format::{self, InvalidSelector, container_cells};
use super::{Column, age, int, items, name};

const CONTAINERS_DESC: &str = "Names of each container in the template.";
const IMAGES_DESC: &str = "Images referenced by each container in the template.";
const READY_DESC: &str = "Number of the pod with ready state";

pub(super) const DEPLOYMENT_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string("Ready", READY_DESC),
    Column::string("Up-to-date", d::DEPLOYMENT_STATUS_UPDATED_REPLICAS),
    Column::string("Available", d::DEPLOYMENT_STATUS_AVAILABLE_REPLICAS),
    Column::AGE,
    Column::string("Containers", CONTAINERS_DESC).wide(),
    Column::string("Images", IMAGES_DESC).wide(),
    Column::string("Selector", d::DEPLOYMENT_SPEC_SELECTOR).wide(),
];

pub(super) const REPLICASET_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::integer("Desired", d::REPLICA_SET_SPEC_REPLICAS),
    Column::integer("Current", d::REPLICA_SET_STATUS_REPLICAS),
    Column::integer("Ready", d::REPLICA_SET_STATUS_READY_REPLICAS),
    Column::AGE,
    Column::string("Containers", CONTAINERS_DESC).wide(),
    Column::string("Images", IMAGES_DESC).wide(),
    Column::string("Selector", d::REPLICA_SET_SPEC_SELECTOR).wide(),
];

pub(super) const STATEFULSET_COLUMNS: &[Column] = &[
    Column::NAME,
    Column::string("Ready", READY_DESC),
    Column::AGE,
    Column::string("Containers", CONTAINERS_DESC).wide(),
    Column::string("Images", IMAGES_DESC).wide(),
];

/// `spec.replicas`; stored workloads are defaulted, and the default is 1.
fn desired(obj: &Value) -> i64 {
    obj["spec"]["replicas"].as_i64().unwrap_or(1)
}

fn template_containers(obj: &Value) -> &[Value] {
    items(obj, &["spec", "template", "spec", "containers"])
}

pub(super) fn deployment_cells(dep: &Value, now: Timestamp) -> Vec<Value> {
    let (names, images) = container_cells(template_containers(dep));
    // printDeployment prints the bare selector string (empty, not `<none>`) and `<invalid>`.
    let selector = match format::selector_string(&dep["spec"]["selector"]) {
        Ok(s) => s,
        Err(InvalidSelector) => "<invalid>".into(),
    };
    vec![
        name(dep),
        Value::from(format!(
            "{}/{}",
            int(dep, &["status", "readyReplicas"]),
            desired(dep)
        )),
        Value::from(int(dep, &["status", "updatedReplicas"])),
        Value::from(int(dep, &["status", "availableReplicas"])),
        age(dep, now),
        Value::from(names),
        Value::from(images),
        Value::from(selector),
    ]
}

pub(super) fn replicaset_cells(rs: &Value, now: Timestamp) -> Vec<Value> {
    let (names, images) = container_cells(template_containers(rs));
    vec![
        name(rs),
        Value::from(desired(rs)),
        Value::from(int(rs, &["status", "replicas"])),
        Value::from(int(rs, &["status", "readyReplicas"])),
        age(rs, now),
        Value::from(names),
        Value::from(images),
        Value::from(format::label_selector(&rs["spec"]["selector"])),
    ]
}

pub(super) fn statefulset_cells(sts: &Value, now: Timestamp) -> Vec<Value> {
    let (names, images) = container_cells(template_containers(sts));
    vec![
        name(sts),
        Value::from(format!(
            "{}/{}",
            int(sts, &["status", "readyReplicas"]),
            desired(sts)
        )),
        age(sts, now),
        Value::from(names),
        Value::from(images),
    ]
}
