//! Shared by the `table_*` tests: a default simulated cluster with manifests applied, and
//! lookups into the Tables the printers make of its objects.
#![allow(dead_code)]

use jiff::{SignedDuration, Timestamp};
use kubedrill_apiserver::table::{IncludeObject, TableOptions, table};
use kubedrill_sim::{Kind, ListOptions, ManualClock, Sim};
use serde_json::Value;

/// The default cluster (3 nodes, clock at 2026-01-01) with `manifest` applied and settled.
pub fn sim_with(manifest: &str) -> (Sim, ManualClock) {
    let (mut sim, clock) = Sim::default_with_clock().expect("bootstrap");
    if !manifest.trim().is_empty() {
        sim.apply_yaml(manifest)
            .unwrap_or_else(|e| panic!("applying manifest failed: {e}\n{manifest}"));
    }
    (sim, clock)
}

/// The Table of every `kind` object in `ns` (all namespaces for `None`), ages at `now`.
pub fn table_at(sim: &Sim, kind: Kind, ns: Option<&str>, now: Timestamp) -> Value {
    table_with(sim, kind, ns, now, IncludeObject::Metadata)
}

pub fn table_with(
    sim: &Sim,
    kind: Kind,
    ns: Option<&str>,
    now: Timestamp,
    include: IncludeObject,
) -> Value {
    let list = sim.list(kind, ns, &ListOptions::default()).expect("list");
    let items: Vec<&Value> = list.items.iter().map(|o| o.as_ref()).collect();
    let opts = TableOptions {
        include_object: include,
    };
    table(kind, &items, &opts, now)
}

/// The Table at the sim's own clock.
pub fn table_now(sim: &Sim, kind: Kind, ns: Option<&str>) -> Value {
    table_at(sim, kind, ns, sim.now())
}

/// `sim.now()` moved by `secs` seconds (without ticking the sim).
pub fn later(sim: &Sim, secs: i64) -> Timestamp {
    sim.now()
        .checked_add(SignedDuration::from_secs(secs))
        .expect("in range")
}

/// `(name, type, format, priority)` of each column.
pub fn columns(t: &Value) -> Vec<(String, String, String, i64)> {
    t["columnDefinitions"]
        .as_array()
        .expect("columnDefinitions")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_string(),
                c["type"].as_str().expect("type").to_string(),
                c["format"].as_str().expect("format").to_string(),
                c["priority"].as_i64().expect("priority"),
            )
        })
        .collect()
}

/// The column names, in order.
pub fn column_names(t: &Value) -> Vec<String> {
    columns(t).into_iter().map(|c| c.0).collect()
}

/// The column names kubectl shows without `-o wide` (priority 0).
pub fn narrow_names(t: &Value) -> Vec<String> {
    columns(t)
        .into_iter()
        .filter(|c| c.3 == 0)
        .map(|c| c.0)
        .collect()
}

/// The row whose `format: name` column holds `name`.
pub fn row<'a>(t: &'a Value, name: &str) -> &'a Value {
    let idx = columns(t)
        .iter()
        .position(|c| c.2 == "name")
        .expect("a name column");
    t["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["cells"][idx] == name)
        .unwrap_or_else(|| panic!("no row {name} in {:#}", t["rows"]))
}

/// The cell of row `name` under column `column`.
pub fn cell<'a>(t: &'a Value, name: &str, column: &str) -> &'a Value {
    let idx = column_names(t)
        .iter()
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    &row(t, name)["cells"][idx]
}

/// The cell as text (strings as they are, integers in decimal), as kubectl prints it.
pub fn text(t: &Value, name: &str, column: &str) -> String {
    match cell(t, name, column) {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The name of the only object of `kind` in `ns` whose name starts with `prefix`.
pub fn name_starting(sim: &Sim, kind: Kind, ns: &str, prefix: &str) -> String {
    let list = sim
        .list(kind, Some(ns), &ListOptions::default())
        .expect("list");
    let names: Vec<String> = list
        .items
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str())
        .filter(|n| n.starts_with(prefix))
        .map(str::to_string)
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    names[0].clone()
}
